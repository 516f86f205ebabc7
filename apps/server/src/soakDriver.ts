/**
 * Drives a running TeleOps at a steady alert rate for a while, as a soak: webhook batches paced to the rate,
 * SPA-like reads (queue, overview, incident detail) and periodic baseline RCA runs, with per-minute latency,
 * errors and resident memory. Used by `pnpm bench:soak` (a server process) and by `soak.test.ts` (in CI).
 */
import type { CanonicalAlert } from "@teleops/schema";

export interface SoakOptions {
  url: string;
  seconds: number;
  alertsPerSecond: number;
  /** Alerts per webhook request. */
  batch: number;
  /** Distinct alerts to replay; each pass over them moves every timestamp past the previous pass. */
  alerts: readonly CanonicalAlert[];
  /** A baseline RCA run on the newest incident this often. */
  rcaEverySeconds: number;
  /** Reads per second, spread over queue pages, the overview and the newest incident's detail. */
  readsPerSecond: number;
  /** Resident memory of the server, in MiB, sampled every few seconds. */
  rssMib: () => number;
  /** Requests allowed in flight before the driver counts itself behind rather than piling on. */
  maxInFlight?: number;
  /** Called once a minute (and at the end) with that minute's figures. */
  onMinute?: (minute: SoakMinute) => void;
}

export interface SoakMinute {
  minute: number;
  alerts_sent: number;
  alerts_per_s: number;
  webhook_requests: number;
  webhook_p50_ms: number;
  webhook_p99_ms: number;
  webhook_max_ms: number;
  reads: number;
  read_p99_ms: number;
  /** p99 of each read procedure this minute. */
  read_p99_by_procedure: Record<string, number>;
  rca_runs: number;
  rca_max_ms: number;
  errors: number;
  rss_mib: number;
}

export interface SoakReport {
  seconds: number;
  target_alerts_per_s: number;
  alerts_sent: number;
  alerts_accepted: number;
  alerts_per_s: number;
  errors: number;
  /** The first few errors, for the log. */
  error_samples: string[];
  rca_runs: number;
  reads: number;
  /** Median RSS of the first and the last minute, and their difference. */
  rss_first_minute_mib: number;
  rss_last_minute_mib: number;
  rss_growth_mib: number;
  rss_max_mib: number;
  /** Worst and best per-minute webhook p99. */
  worst_minute_p99_ms: number;
  best_minute_p99_ms: number;
  minutes: SoakMinute[];
}

interface Bucket {
  webhook: number[];
  reads: number[];
  byProcedure: Map<string, number[]>;
  rca: number[];
  alerts: number;
  errors: number;
  rss: number[];
  startedMs: number;
}

const newBucket = (startedMs: number): Bucket => ({
  webhook: [],
  reads: [],
  byProcedure: new Map(),
  rca: [],
  alerts: 0,
  errors: 0,
  rss: [],
  startedMs,
});

function quantile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** Endless distinct alerts from a fixed pool: each lap shifts event time past the previous lap. */
function alertSource(pool: readonly CanonicalAlert[]) {
  const times = pool.map((a) => Date.parse(a.timestamp));
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const t of times) {
    first = Math.min(first, t);
    last = Math.max(last, t);
  }
  const span = last - first + 60 * 60_000;
  let next = 0;
  let lap = 0;
  return (size: number): CanonicalAlert[] => {
    const out: CanonicalAlert[] = [];
    for (let i = 0; i < size; i++) {
      const alert = pool[next];
      const time = times[next];
      if (!alert || time === undefined) throw new Error("the soak needs at least one alert");
      const { tenant_id: _tenant, ...rest } = alert;
      out.push({ ...rest, tenant_id: null, timestamp: new Date(time + lap * span).toISOString() });
      next += 1;
      if (next === pool.length) {
        next = 0;
        lap += 1;
      }
    }
    return out;
  };
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const nextAlerts = alertSource(options.alerts);
  const maxInFlight = options.maxInFlight ?? 32;
  const t0 = performance.now();
  const endMs = t0 + options.seconds * 1000;
  const minutes: SoakMinute[] = [];
  const errorSamples: string[] = [];
  let bucket = newBucket(t0);
  let sent = 0;
  let accepted = 0;
  let errors = 0;
  let inFlight = 0;
  let rcaRuns = 0;
  let reads = 0;
  let newestIncident: string | undefined;

  const fail = (what: string) => {
    errors += 1;
    bucket.errors += 1;
    if (errorSamples.length < 10) errorSamples.push(what);
  };

  const closeMinute = (now: number) => {
    const seconds = Math.max(0.001, (now - bucket.startedMs) / 1000);
    const minute: SoakMinute = {
      minute: minutes.length + 1,
      alerts_sent: bucket.alerts,
      alerts_per_s: Math.round(bucket.alerts / seconds),
      webhook_requests: bucket.webhook.length,
      webhook_p50_ms: round(quantile(bucket.webhook, 50)),
      webhook_p99_ms: round(quantile(bucket.webhook, 99)),
      webhook_max_ms: round(Math.max(0, ...bucket.webhook)),
      reads: bucket.reads.length,
      read_p99_ms: round(quantile(bucket.reads, 99)),
      read_p99_by_procedure: Object.fromEntries(
        [...bucket.byProcedure].map(([procedure, times]) => [procedure, round(quantile(times, 99))]),
      ),
      rca_runs: bucket.rca.length,
      rca_max_ms: round(Math.max(0, ...bucket.rca)),
      errors: bucket.errors,
      rss_mib: Math.round(quantile(bucket.rss, 50)),
    };
    minutes.push(minute);
    options.onMinute?.(minute);
    bucket = newBucket(now);
  };

  const timed = async (what: string, request: () => Promise<Response>, into: "webhook" | "reads" | "rca") => {
    const started = performance.now();
    try {
      const response = await request();
      const text = await response.text();
      const ms = performance.now() - started;
      const expected = into === "webhook" ? 202 : 200;
      if (response.status !== expected) {
        fail(`${what}: HTTP ${response.status} ${text.slice(0, 200)}`);
        return undefined;
      }
      bucket[into].push(ms);
      if (into === "reads") {
        const times = bucket.byProcedure.get(what) ?? [];
        times.push(ms);
        bucket.byProcedure.set(what, times);
      }
      return text;
    } catch (error) {
      fail(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };

  const trpcGet = (path: string, input?: unknown) =>
    timed(
      path,
      () =>
        fetch(
          `${options.url}/trpc/${path}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
        ),
      "reads",
    );

  const postBatch = async () => {
    const alerts = nextAlerts(options.batch);
    sent += alerts.length;
    bucket.alerts += alerts.length;
    inFlight += 1;
    const text = await timed(
      "POST /webhooks/alerts",
      () =>
        fetch(`${options.url}/webhooks/alerts`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(alerts),
        }),
      "webhook",
    );
    inFlight -= 1;
    if (text) accepted += Number((JSON.parse(text) as { accepted?: number }).accepted ?? 0);
  };

  /** What an open SPA asks for: the queue in its sorts, the overview, the newest incident and its alerts. */
  const READS: Array<() => Promise<unknown>> = [
    async () => {
      const text = await trpcGet("incidents.list", { limit: 25 });
      if (text)
        newestIncident = (JSON.parse(text) as { result: { data: { incidents: Array<{ id: string }> } } }).result.data
          .incidents[0]?.id;
    },
    () => trpcGet("incidents.list", { limit: 25, sort: "severity" }),
    () => trpcGet("metrics.overview"),
    () =>
      newestIncident ? trpcGet("incidents.byId", { id: newestIncident }) : trpcGet("incidents.list", { limit: 1 }),
    () => trpcGet("incidents.list", { limit: 25, status: ["open", "acknowledged"] }),
    () =>
      newestIncident ? trpcGet("incidents.alerts", { id: newestIncident, limit: 5_000 }) : trpcGet("metrics.overview"),
  ];
  let readTurn = 0;

  const runRca = async () => {
    if (!newestIncident) return;
    const body = JSON.stringify({ incidentId: newestIncident, engine: "baseline" });
    const text = await timed(
      "rca.run",
      () =>
        fetch(`${options.url}/trpc/rca.run`, { method: "POST", headers: { "content-type": "application/json" }, body }),
      "rca",
    );
    if (text !== undefined) rcaRuns += 1;
  };

  const pending = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  let readsDone = 0;
  let rcaDone = 0;
  let lastRssMs = 0;
  const rssSamples: number[] = [];
  for (let now = performance.now(); now < endMs; now = performance.now()) {
    const elapsed = (now - t0) / 1000;
    // Alerts due by now at the target rate; a server that keeps up leaves the driver never behind.
    const due = Math.floor(elapsed * options.alertsPerSecond);
    while (sent < due && inFlight < maxInFlight) track(postBatch());
    while (readsDone < Math.floor(elapsed * options.readsPerSecond)) {
      readsDone += 1;
      reads += 1;
      const read = READS[readTurn++ % READS.length];
      if (read) track(read());
    }
    if (rcaDone < Math.floor(elapsed / options.rcaEverySeconds)) {
      rcaDone += 1;
      track(runRca());
    }
    if (now - lastRssMs >= 2_000) {
      lastRssMs = now;
      const rss = options.rssMib();
      bucket.rss.push(rss);
      rssSamples.push(rss);
    }
    if (now - bucket.startedMs >= 60_000) closeMinute(now);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(pending);
  const finished = performance.now();
  if (bucket.webhook.length > 0 || minutes.length === 0) {
    bucket.rss.push(options.rssMib());
    closeMinute(finished);
  }

  const full = minutes.filter((m) => m.webhook_requests > 0);
  const first = full[0]?.rss_mib ?? 0;
  const last = full[full.length - 1]?.rss_mib ?? 0;
  const p99s = full.map((m) => m.webhook_p99_ms);
  const seconds = (finished - t0) / 1000;
  return {
    seconds: Math.round(seconds),
    target_alerts_per_s: options.alertsPerSecond,
    alerts_sent: sent,
    alerts_accepted: accepted,
    alerts_per_s: Math.round(sent / seconds),
    errors,
    error_samples: errorSamples,
    rca_runs: rcaRuns,
    reads,
    rss_first_minute_mib: first,
    rss_last_minute_mib: last,
    rss_growth_mib: last - first,
    rss_max_mib: Math.max(0, ...rssSamples),
    worst_minute_p99_ms: Math.max(0, ...p99s),
    best_minute_p99_ms: p99s.length > 0 ? Math.min(...p99s) : 0,
    minutes,
  };
}
