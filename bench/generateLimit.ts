/**
 * One `scenarios.generate` request at the alert limit against a real server process: how long it takes and how
 * much resident memory the server reaches, plus the former crashing request (refused with 400).
 * Run: `tsx bench/generateLimit.ts [pglite|postgres] [scenario]` (PostgreSQL needs TEST_DATABASE_URL).
 */
import { request as httpRequest } from "node:http";
import { GENERATE_ALERT_LIMIT, MIXED_SCENARIOS_MAX } from "@teleops/schema";
import { freshDatabase, progress, rssMib, sampleRss, startTeleops, watchPeak } from "./process.ts";

const kind = process.argv[2] === "postgres" ? "postgres" : "pglite";
const scenario = process.argv[3] ?? "mixed";
const heapMib = Number(process.env.GENERATE_HEAP_MIB ?? 512);

/** A POST without a client-side time limit (fetch gives up on headers after 300 s). */
function generate(
  url: string,
  input: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}/trpc/scenarios.generate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    request.on("response", (response) => {
      const parts: Buffer[] = [];
      response.on("data", (part: Buffer) => parts.push(part));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(parts).toString("utf8")) }),
      );
    });
    request.on("error", reject);
    request.end(JSON.stringify(input));
  });
}

/** Probes `/healthz` every half second while `work` runs: the slowest answer says how long the event loop stalled. */
async function probeHealth<T>(url: string, work: Promise<T>): Promise<{ result: T; slowestHealthzMs: number }> {
  let slowest = 0;
  let running = true;
  const probing = (async () => {
    while (running) {
      const t0 = performance.now();
      await fetch(`${url}/healthz`).catch(() => null);
      slowest = Math.max(slowest, performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  try {
    return { result: await work, slowestHealthzMs: Math.round(slowest) };
  } finally {
    running = false;
    await probing;
  }
}

const database = await freshDatabase(kind, process.env.TEST_DATABASE_URL, "genlimit");
const server = await startTeleops({
  ...database.env,
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --max-old-space-size=${heapMib}`.trim(),
});
const peak = watchPeak(server.child);
try {
  const idle = rssMib(server.child.pid);
  const refused = await generate(server.url, {
    scenario: "mixed",
    durationMinutes: 1440,
    ratePerMinute: 10_000,
    noisePerMinute: 10_000,
  });
  progress(`former crashing request: HTTP ${refused.status}`);
  // At the limit: duration × (rate × scenarios + noise) = 200,000 exactly.
  const scenarios = scenario === "mixed" ? MIXED_SCENARIOS_MAX : 1;
  const durationMinutes = 100;
  const noisePerMinute = 100;
  const ratePerMinute = (GENERATE_ALERT_LIMIT / durationMinutes - noisePerMinute) / scenarios;
  const t0 = performance.now();
  const rssDuring = sampleRss(server.child.pid, 200);
  const { result: atLimit, slowestHealthzMs } = await probeHealth(
    server.url,
    generate(server.url, {
      scenario,
      durationMinutes,
      ratePerMinute,
      noisePerMinute,
      startTime: "2026-01-01T00:00:00Z",
    }),
  );
  const maxRssDuring = Math.max(...rssDuring.stop().map((sample) => sample.rss_mib));
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  const data = (atLimit.body.result as { data?: { alerts_inserted?: number; incidents?: unknown[] } } | undefined)
    ?.data;
  const alive = (await fetch(`${server.url}/healthz`)).ok;
  process.stdout.write(
    `${JSON.stringify({
      database: kind,
      scenario,
      request: { durationMinutes, ratePerMinute, noisePerMinute },
      refused_status: refused.status,
      at_limit_status: atLimit.status,
      alerts_inserted: data?.alerts_inserted ?? null,
      incidents: data?.incidents?.length ?? null,
      seconds,
      heap_limit_mib: heapMib,
      idle_rss_mib: idle,
      max_rss_during_mib: maxRssDuring,
      peak_rss_mib: peak.peak(),
      slowest_healthz_ms: slowestHealthzMs,
      alive_after: alive,
    })}\n`,
  );
} finally {
  peak.stop();
  await server.stop();
  await database.drop();
}
