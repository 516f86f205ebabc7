/**
 * Drives a receiver with autocannon (a maintained HTTP load generator): `connections` clients each post the
 * next batch of distinct alerts as soon as their previous answer arrives, for a fixed time.
 */
import autocannon from "autocannon";
import { percentile } from "./machine.ts";
import type { AlertReplay } from "./payloads.ts";

export interface LoadOptions {
  url: string;
  path: string;
  seconds: number;
  connections: number;
  batch: number;
  /** Requests take their bodies from these senders in turn; each may carry its own bearer token (tenant). */
  senders: Sender[];
  /** Read `accepted` from each answer (TeleOps) to prove the alerts were new, not duplicates. */
  countAccepted?: boolean;
}

export interface Sender {
  replay: AlertReplay;
  token?: string;
}

export interface LoadResult {
  seconds: number;
  connections: number;
  batch: number;
  requests: number;
  alerts_per_s: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  errors: number;
  /** Answers other than 2xx, by status. */
  statuses: Record<string, number>;
  /** Alerts the receiver reported as newly stored (TeleOps only). */
  accepted: number | null;
}

export async function postLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  let accepted = 0;
  let turn = 0;
  let finish: (result: autocannon.Result) => void = () => {};
  let fail: (error: unknown) => void = () => {};
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: `${options.url}${options.path}`,
      connections: options.connections,
      duration: options.seconds,
      // A slow answer is a measurement, not an error: wait for it as a webhook sender would.
      timeout: 60,
      requests: [
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          setupRequest: (request) => {
            const sender = options.senders[turn++ % options.senders.length];
            if (!sender) throw new Error("no sender");
            const headers = sender.token
              ? { "content-type": "application/json", authorization: `Bearer ${sender.token}` }
              : { "content-type": "application/json" };
            return { ...request, headers, body: sender.replay.body(options.batch) };
          },
          ...(options.countAccepted
            ? {
                onResponse: (status: number, body: string) => {
                  if (status !== 202) return;
                  try {
                    accepted += Number((JSON.parse(body) as { accepted?: number }).accepted ?? 0);
                  } catch {
                    // counted as a non-2xx below when it matters
                  }
                },
              }
            : {}),
        },
      ],
    },
    (error, result) => (error ? fail(error) : finish(result)),
  );
  instance.on("response", (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) {
      ok += 1;
      latencies.push(responseTime);
    } else {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    }
  });
  const result = await finished;
  latencies.sort((a, b) => a - b);
  const seconds = result.duration;
  return {
    seconds: Math.round(seconds * 10) / 10,
    connections: options.connections,
    batch: options.batch,
    requests: ok,
    alerts_per_s: Math.round((ok * options.batch) / seconds),
    p50_ms: round(percentile(latencies, 50)),
    p99_ms: round(percentile(latencies, 99)),
    max_ms: round(latencies[latencies.length - 1] ?? 0),
    errors: result.errors,
    statuses,
    accepted: options.countAccepted ? accepted : null,
  };
}

const round = (ms: number) => (ms >= 10 ? Math.round(ms) : Math.round(ms * 10) / 10);
