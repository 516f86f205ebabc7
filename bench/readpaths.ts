/**
 * Stored-data benchmarks on one server process: post 1M alerts (about 20k incidents, one of them with 1,000+
 * alerts) through `POST /webhooks/alerts`, sampling the server's memory throughout, then time the reads the
 * SPA makes (queue page, incident detail, overview) over HTTP, and explain the SQL behind any that is slow.
 */
import { generateScenario, loadTopology } from "@teleops/core";
import type { CanonicalAlert } from "@teleops/schema";
import postgres from "postgres";
import { percentile } from "./machine.ts";
import { AlertReplay, mixedStream } from "./payloads.ts";
import {
  autovacuumSetting,
  freshDatabase,
  progress,
  type RssSample,
  rssMib,
  sampleRss,
  startTeleops,
  vacuumStandIn,
} from "./process.ts";
import { SEARCH_TARGET_MS, type SearchCase, searchCases } from "./search.ts";

export interface ReadPathOptions {
  kind: "pglite" | "postgres";
  adminUrl: string | undefined;
  alerts: number;
  /** Requests timed per read path (after a warm-up). */
  samples: number;
}

export interface ReadPathTiming {
  path: string;
  procedure: string;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Size of what the answer holds (rows), for context. */
  rows: number;
  bytes: number;
}

export interface StoredDataReport {
  database: "pglite" | "postgres";
  alerts_posted: number;
  alerts_stored: number;
  incidents: number;
  detail_incident: { id: string; alert_count: number };
  ingest: {
    seconds: number;
    alerts_per_s: number;
    p50_ms: number;
    p99_ms: number;
    batch: number;
    clients: number;
    retried: string[];
  };
  /** Server RSS: before any alert, the peak while ingesting, right after, and after the read benchmark. */
  memory: { idle_mib: number; peak_mib: number; after_ingest_mib: number; after_reads_mib: number };
  /** One RSS sample every few seconds during ingest, to show whether memory grows with stored data. */
  rss_samples: RssSample[];
  /** The reads after VACUUM ANALYZE (PostgreSQL), or as ingested (PGlite). */
  reads: ReadPathTiming[];
  /** The queue's free-text search (`incidents.list` with `text`), after the reads; target p99 ≤ 100 ms. */
  search?: ReadPathTiming[];
  /** The same reads before VACUUM ANALYZE, with fewer samples; null on PGlite. */
  reads_as_ingested: ReadPathTiming[] | null;
  /** The server's autovacuum setting and how long the explicit VACUUM ANALYZE took. */
  vacuum: { autovacuum: string; seconds: number; during_ingest: number } | null;
  /** Ingest throughput per tenth of the alerts. */
  ingest_slices: IngestSlice[];
  /** EXPLAIN ANALYZE of the SQL behind read paths over the target, when PostgreSQL is measured. */
  plans: Record<string, string>;
}

const BATCH = 500;
const CLIENTS = 4;
const READ_TARGET_MS = 50;

/**
 * About one incident per 50 alerts: short `mixed` windows 40 minutes apart (beyond the 15-minute quiet
 * period), plus one long fiber cut of 1,100 alerts first, for the detail page.
 */
function storedStream(total: number): CanonicalAlert[] {
  const big = generateScenario(
    { scenario: "fiber_cut", seed: 4242, durationMinutes: 20, ratePerMinute: 55, noisePerMinute: 0 },
    loadTopology(),
    new Date("2025-12-31T20:00:00Z"),
  ).alerts;
  const rest = mixedStream(total - big.length, {
    windowMinutes: 40,
    durationMinutes: 6,
    ratePerMinute: 11,
    noisePerMinute: 0.5,
  }).alerts;
  return [...big, ...rest];
}

export async function trpcGet(url: string, path: string, input?: unknown): Promise<{ ms: number; body: string }> {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const t0 = performance.now();
  const response = await fetch(`${url}/trpc/${path}${query}`);
  const body = await response.text();
  const ms = performance.now() - t0;
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${body.slice(0, 300)}`);
  return { ms, body };
}

export function dataOf<T>(body: string): T {
  return (JSON.parse(body) as { result: { data: T } }).result.data;
}

export async function timeRead(
  url: string,
  name: string,
  procedure: string,
  input: unknown,
  samples: number,
  count: (data: unknown) => number,
): Promise<ReadPathTiming> {
  for (let i = 0; i < Math.min(20, samples); i++) await trpcGet(url, procedure, input);
  const times: number[] = [];
  let last = { ms: 0, body: "" };
  for (let i = 0; i < samples; i++) {
    last = await trpcGet(url, procedure, input);
    times.push(last.ms);
  }
  times.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    path: name,
    procedure,
    p50_ms: round(percentile(times, 50)),
    p99_ms: round(percentile(times, 99)),
    max_ms: round(times[times.length - 1] ?? 0),
    rows: count(dataOf(last.body)),
    bytes: Buffer.byteLength(last.body),
  };
}

/** Every read the SPA makes, each timed `samples` times one after another. */
export async function timeReads(url: string, biggest: { id: string; alert_count: number }, samples: number) {
  const n = samples;
  const listRows = (d: unknown) => (d as { incidents: unknown[] }).incidents.length;
  return [
    await timeRead(url, "queue page (25, newest first)", "incidents.list", { limit: 25 }, n, listRows),
    await timeRead(
      url,
      "queue page sorted by severity",
      "incidents.list",
      { limit: 25, sort: "severity" },
      n,
      listRows,
    ),
    await timeRead(
      url,
      "queue page, open only",
      "incidents.list",
      { limit: 25, status: ["open", "acknowledged"] },
      n,
      listRows,
    ),
    await timeRead(url, "queue page 40 (offset 975)", "incidents.list", { limit: 25, offset: 975 }, n, listRows),
    await timeRead(url, "incident detail", "incidents.byId", { id: biggest.id }, n, () => 1),
    await timeRead(
      url,
      `incident alerts (${biggest.alert_count})`,
      "incidents.alerts",
      { id: biggest.id, limit: 5_000 },
      Math.max(20, Math.round(n / 3)),
      (d) => (d as unknown[]).length,
    ),
    await timeRead(url, "overview", "metrics.overview", undefined, n, () => 1),
  ];
}

/** The queue's free-text searches (bench/search.ts), each timed `samples` times; `rows` is the incidents found. */
export async function timeSearches(url: string, cases: SearchCase[], samples: number): Promise<ReadPathTiming[]> {
  const timings: ReadPathTiming[] = [];
  for (const c of cases) {
    timings.push(
      await timeRead(
        url,
        `search: ${c.name}`,
        "incidents.list",
        c.input,
        samples,
        (d) => (d as { total: number }).total,
      ),
    );
  }
  return timings;
}

/** Ingest throughput per tenth of the run, to show whether storing more makes storing slower. */
export interface IngestSlice {
  stored_before: number;
  alerts: number;
  alerts_per_s: number;
  p99_ms: number;
}

/**
 * Posts every alert exactly once, `CLIENTS` requests in flight; `onStored` hears the running total after every
 * answer. Returns the whole ingest's figures and one slice per tenth.
 */
async function postAll(url: string, alerts: CanonicalAlert[], onStored: (stored: number) => void) {
  const replay = new AlertReplay(alerts, "teleops");
  const requests = Math.ceil(alerts.length / BATCH);
  const sliceSize = Math.max(BATCH, Math.ceil(alerts.length / 10 / BATCH) * BATCH);
  const latencies: number[] = [];
  const retried: string[] = [];
  const slices: IngestSlice[] = [];
  let slice = { start: performance.now(), stored: 0, latencies: [] as number[] };
  let sent = 0;
  let next = 0;
  const t0 = performance.now();
  let lastReport = t0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let index = next++; index < requests; index = next++) {
        const size = Math.min(BATCH, alerts.length - index * BATCH);
        const body = replay.body(size);
        const started = performance.now();
        const send = () =>
          fetch(`${url}/webhooks/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body });
        // A connection that drops before the answer is retried once, as senders do: redelivery stores nothing twice.
        const response = await send().catch((error: unknown) => {
          retried.push(error instanceof Error ? `${error.message}: ${String(error.cause)}` : String(error));
          return send();
        });
        const text = await response.text();
        if (response.status !== 202) throw new Error(`webhook answered ${response.status}: ${text.slice(0, 300)}`);
        const ms = performance.now() - started;
        latencies.push(ms);
        slice.latencies.push(ms);
        sent += size;
        onStored(sent);
        if (sent - slice.stored >= sliceSize || sent === alerts.length) {
          const now = performance.now();
          slice.latencies.sort((x, y) => x - y);
          slices.push({
            stored_before: slice.stored,
            alerts: sent - slice.stored,
            alerts_per_s: Math.round((sent - slice.stored) / ((now - slice.start) / 1000)),
            p99_ms: Math.round(percentile(slice.latencies, 99)),
          });
          slice = { start: now, stored: sent, latencies: [] };
        }
        if (performance.now() - lastReport > 15_000) {
          lastReport = performance.now();
          progress(`stored data: ${sent} of ${alerts.length} alerts posted`);
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((x, y) => x - y);
  return {
    summary: {
      seconds: Math.round(seconds * 10) / 10,
      alerts_per_s: Math.round(alerts.length / seconds),
      p50_ms: Math.round(percentile(latencies, 50)),
      p99_ms: Math.round(percentile(latencies, 99)),
      batch: BATCH,
      clients: CLIENTS,
      /** Requests whose connection dropped and that were sent again, with the error. */
      retried,
    },
    slices,
  };
}

interface Overview {
  alerts: number;
  incidents: number;
  unassigned_alerts: number;
}

export async function benchStoredData(options: ReadPathOptions): Promise<StoredDataReport> {
  const database = await freshDatabase(options.kind, options.adminUrl, "stored");
  const server = await startTeleops(database.env);
  try {
    progress(`stored data: generating ${options.alerts} alerts`);
    const alerts = storedStream(options.alerts);
    const idle = rssMib(server.child.pid);
    const sampler = sampleRss(server.child.pid, 2_000);
    const autovacuum = await autovacuumSetting(database.url);
    const vacuumer = vacuumStandIn(database.url, autovacuum);
    progress(`stored data: posting ${alerts.length} alerts to a server on ${options.kind}`);
    const { summary: ingest, slices } = await postAll(server.url, alerts, vacuumer.onStored);
    await vacuumer.finish();
    const rssSamples = sampler.stop();
    const peak = Math.max(...rssSamples.map((s) => s.rss_mib));
    const afterIngest = rssMib(server.child.pid);

    const overview = dataOf<Overview>((await trpcGet(server.url, "metrics.overview")).body);
    const biggest = dataOf<{ incidents: Array<{ id: string; alert_count: number }> }>(
      (await trpcGet(server.url, "incidents.list", { sort: "alert_count", limit: 1 })).body,
    ).incidents[0];
    if (!biggest) throw new Error("no incident was formed");
    progress(
      `stored data: ${overview.alerts} alerts, ${overview.incidents} incidents; timing reads on ${biggest.id} (${biggest.alert_count} alerts)`,
    );

    if (overview.alerts !== alerts.length) {
      throw new Error(`the overview counts ${overview.alerts} alerts, ${alerts.length} were posted`);
    }
    // This PostgreSQL may run without autovacuum (the shared one here does): time the reads as ingested, then
    // after the VACUUM ANALYZE autovacuum would have run by now, which is what a production server serves from.
    const asIngested = await timeReads(server.url, biggest, Math.max(20, Math.round(options.samples / 10)));
    let vacuum: StoredDataReport["vacuum"] = null;
    if (options.kind === "postgres" && database.url) {
      const sql = postgres(database.url, { max: 1, onnotice: () => {} });
      try {
        progress(`stored data: VACUUM ANALYZE (autovacuum is ${autovacuum} on this server)`);
        const t0 = performance.now();
        await sql`vacuum (analyze) alerts`;
        await sql`vacuum (analyze) incidents`;
        vacuum = {
          autovacuum: autovacuum ?? "",
          seconds: Math.round((performance.now() - t0) / 100) / 10,
          during_ingest: vacuumer.runs(),
        };
      } finally {
        await sql.end();
      }
    }
    const reads = vacuum ? await timeReads(server.url, biggest, options.samples) : asIngested;
    const plans: Record<string, string> =
      options.kind === "postgres" && database.url ? await explainSlow(database.url, reads, biggest.id) : {};
    progress("stored data: timing searches");
    const search = await timeSearches(server.url, searchCases(alerts), options.samples);
    if (options.kind === "postgres" && database.url) {
      Object.assign(plans, await explainSlowSearches(database.url, search, searchCases(alerts)));
    }
    const afterReads = rssMib(server.child.pid);
    return {
      database: options.kind,
      alerts_posted: alerts.length,
      alerts_stored: overview.alerts,
      incidents: overview.incidents,
      detail_incident: { id: biggest.id, alert_count: biggest.alert_count },
      ingest,
      memory: { idle_mib: idle, peak_mib: peak, after_ingest_mib: afterIngest, after_reads_mib: afterReads },
      rss_samples: thin(rssSamples, 40),
      reads,
      search,
      reads_as_ingested: vacuum ? asIngested : null,
      ingest_slices: slices,
      vacuum,
      plans,
    };
  } finally {
    await server.stop();
    await database.drop();
  }
}

/** The SQL the core query functions send, for EXPLAIN of the paths over the target. */
function sqlFor(procedure: string, incidentId: string): string[] {
  switch (procedure) {
    case "incidents.list":
      return [
        `select * from incidents where tenant_id = 'default' order by start_time desc, start_time desc, id desc limit 25`,
        `select count(*) from incidents where tenant_id = 'default'`,
        `select severity, status, count(*) from incidents where tenant_id = 'default' group by severity, status`,
      ];
    case "incidents.alerts":
      return [
        `select * from alerts where tenant_id = 'default' and incident_id = '${incidentId}' order by "timestamp", id limit 5000`,
      ];
    case "metrics.overview":
      return [
        `select count(*), count(*) filter (where status <> 'resolved'), coalesce(sum(alert_count), 0), (select count(*) from alerts where tenant_id = 'default' and incident_id is null) from incidents where tenant_id = 'default'`,
      ];
    default:
      return [];
  }
}

export async function explainSlow(
  url: string,
  reads: ReadPathTiming[],
  incidentId: string,
): Promise<Record<string, string>> {
  const slow = new Set(reads.filter((r) => r.p99_ms > READ_TARGET_MS).map((r) => r.procedure));
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const plans: Record<string, string> = {};
  try {
    for (const procedure of slow) {
      const out: string[] = [];
      for (const statement of sqlFor(procedure, incidentId)) {
        const rows = await sql.unsafe(`explain (analyze, buffers) ${statement}`);
        out.push(statement, ...rows.map((r) => String(r["QUERY PLAN"])), "");
      }
      plans[procedure] = out.join("\n");
    }
  } finally {
    await sql.end();
  }
  return plans;
}

function thin<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const step = items.length / max;
  const out: T[] = [];
  for (let i = 0; i < max; i++) {
    const item = items[Math.floor(i * step)];
    if (item !== undefined) out.push(item);
  }
  const last = items[items.length - 1];
  if (last !== undefined && out[out.length - 1] !== last) out.push(last);
  return out;
}

/** EXPLAIN of the word side of the searches over their target: what the vocabulary and array indexes did. */
export async function explainSlowSearches(
  url: string,
  timings: ReadPathTiming[],
  cases: Array<{ name: string; input: Record<string, unknown> }>,
  targetMs = SEARCH_TARGET_MS,
): Promise<Record<string, string>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const plans: Record<string, string> = {};
  try {
    for (const [index, timing] of timings.entries()) {
      const text = cases[index]?.input.text;
      if (timing.p99_ms <= targetMs || typeof text !== "string") continue;
      const pattern = `%${text.toLowerCase().replace(/'/g, "''")}%`;
      const id = text.toUpperCase().replace(/'/g, "''");
      // The word side as incidentsMatchingWord runs it: titles and ids, or the vocabulary then incident_words.
      const statement = `with vocabulary as (select v.word from search_vocabulary v where v.tenant_id = 'default' and v.word like '${pattern}' limit 501) select i.id from incidents i where i.tenant_id = 'default' and (i.title ilike '${pattern}' or i.id = '${id}') union select w.incident_id from incident_words w where w.tenant_id = 'default' and w.word = any(array(select word from vocabulary)) and (select count(*) from vocabulary) <= 500 union select s.incident_id from incident_search s where s.tenant_id = 'default' and s.words like '${pattern}' and (select count(*) from vocabulary) > 500`;
      const rows = await sql.unsafe(`explain (analyze, buffers) ${statement}`);
      plans[timing.path] = [statement, ...rows.map((r) => String(r["QUERY PLAN"]))].join("\n");
    }
  } finally {
    await sql.end();
  }
  return plans;
}
