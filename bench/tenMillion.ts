/**
 * Issue 20's read target at scale: queue and search reads p99 ≤ 50 ms with 10M alerts stored over 30 weekly
 * partitions on PostgreSQL. `pnpm bench --only tenmillion` (opt-in, PostgreSQL only).
 *
 * Builds a fresh database with the project's migrations and 30 weekly partitions made by its partition function,
 * fills them with `COPY` (a worker thread makes week n+1, bench/tenMillionWeeks.ts, while PostgreSQL copies week
 * n) together with their incidents and the incidents' evidence rows (`incident_evidence`), adds the search rows those incidents would have (`incident_words`, `incident_search`, `search_vocabulary`,
 * from the same `teleops_search_words` the triggers use), runs the `VACUUM (ANALYZE)` autovacuum would have, then
 * starts the real server on it and times the stored-data benchmark's reads and searches (bench/readpaths.ts).
 */
import { loadavg } from "node:os";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Worker } from "node:worker_threads";
import { createDb } from "@teleops/db";
import postgres from "postgres";
import { freshDatabase, progress, rssMib, startTeleops } from "./process.ts";
import {
  dataOf,
  explainSlow,
  explainSlowSearches,
  type ReadPathTiming,
  timeReads,
  timeSearches,
  trpcGet,
} from "./readpaths.ts";
import type { SearchCase } from "./search.ts";
import {
  ALERT_COLUMNS,
  type BuiltWeek,
  EVIDENCE_COLUMNS,
  INCIDENT_COLUMNS,
  WEEK_MS,
  type WeekPlan,
} from "./tenMillionWeeks.ts";

export const TEN_MILLION_TARGET_MS = 50;

export interface TenMillionOptions {
  adminUrl: string;
  alerts: number;
  weeks: number;
  /** Requests timed per read and per search (after a warm-up). */
  samples: number;
  /** Leave the database in place afterwards, for EXPLAIN (its name is printed); it is dropped otherwise. */
  keepDatabase?: boolean;
}

export interface TenMillionReport {
  database: "postgres";
  alerts_stored: number;
  incidents: number;
  unassigned_alerts: number;
  /** Generated alerts the unique key would have refused (same fingerprint and time). */
  duplicates_dropped: number;
  largest_incident: number;
  /** The weekly partitions that hold the alerts (the server's current and next weeks are extra and empty). */
  partitions: { with_data: number; total: number; first: string; last: string };
  build: {
    seconds: number;
    /** CPU of the worker that generated, correlated and formatted the weeks (overlapping the copies). */
    generate_cpu_s: number;
    /** Wall time of the COPY statements, the per-week search rows, and what came after the last week. */
    copy_s: number;
    search_rows_s: number;
    finish_s: number;
    vacuum_s: number;
    copied_alerts_per_s: number;
  };
  sizes: {
    database_gib: number;
    alerts_gib: number;
    incidents_mib: number;
    incident_words_rows: number;
    vocabulary_words: number;
    incident_evidence_rows: number;
  };
  detail_incident: { id: string; alert_count: number };
  reads: ReadPathTiming[];
  search: ReadPathTiming[];
  server_rss_mib: number;
  /** The machine's load average (1, 5, 15 minutes) when the build ended and when the reads ended: it is shared. */
  load: { after_build: number[]; after_reads: number[] };
  plans: Record<string, string>;
}

/** Monday 00:00 UTC of the week holding `ms`. */
function mondayOf(ms: number): number {
  const day = new Date(ms);
  day.setUTCHours(0, 0, 0, 0);
  return day.getTime() - ((day.getUTCDay() + 6) % 7) * 24 * 60 * 60_000;
}

const iso = (ms: number) => new Date(ms).toISOString();
const seconds = (from: number) => Math.round((performance.now() - from) / 100) / 10;

/** The week builder in a worker thread: a worker does not inherit tsx's loader, so it registers it first. */
function weekWorker(plan: WeekPlan): Worker {
  const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  const module = JSON.stringify(new URL("./tenMillionWeeks.ts", import.meta.url).href);
  return new Worker(`import(${tsx}).then((tsx) => { tsx.register(); return import(${module}); });`, {
    eval: true,
    workerData: plan,
  });
}

/** Weeks from the worker, in order, whenever they come. */
class WeekChannel {
  private readonly ready: BuiltWeek[] = [];
  private waiting: { resolve: (week: BuiltWeek) => void; reject: (error: unknown) => void } | null = null;
  private failure: unknown = null;

  constructor(private readonly worker: Worker) {
    worker.on("message", (week: BuiltWeek) => {
      if (this.waiting) {
        this.waiting.resolve(week);
        this.waiting = null;
      } else this.ready.push(week);
    });
    worker.on("error", (error) => {
      this.failure = error;
      this.waiting?.reject(error);
    });
  }

  request(week: number) {
    this.worker.postMessage({ week });
  }

  next(): Promise<BuiltWeek> {
    const week = this.ready.shift();
    if (week) return Promise.resolve(week);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }
}

async function copyInto(sql: postgres.Sql, table: string, columns: string, chunks: Uint8Array[]) {
  const writable = await sql.unsafe(`copy ${table} (${columns}) from stdin with (format csv)`).writable();
  await pipeline(
    Readable.from(chunks.map((chunk) => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))),
    writable,
  );
}

/**
 * The search rows of one partition's alerts, as the insert trigger (migration 0018) would have left them: each
 * incident's distinct words (`teleops_search_words`, the trigger's own split) in order of first appearance, one row
 * each in `incident_words` while the incident's list is under 65,536 characters, and the list in `incident_search`.
 * Incidents never span weeks here, so one statement per partition sees every alert of its incidents.
 */
export function addSearchRows(sql: postgres.Sql, partition: string) {
  return sql.unsafe(`
    with words as (
      select a.tenant_id, a.incident_id, w as word, min(a.id) as first
      from ${partition} a
        cross join lateral teleops_search_words(a.host, a.alert_type, a.service, a.message, a.tags) as w
      where a.incident_id is not null
      group by a.tenant_id, a.incident_id, w
    ), placed as (
      select *, sum(length(word) + 1) over (partition by incident_id order by first, word) - length(word) - 1 as before
      from words
    ), listed as (
      insert into incident_words (tenant_id, word, incident_id)
        select tenant_id, word, incident_id from placed where before < 65536
    )
    insert into incident_search (incident_id, tenant_id, words)
      select incident_id, tenant_id, left(string_agg(word, ' ' order by first, word), 65536)
      from placed group by incident_id, tenant_id`);
}

export async function benchTenMillion(options: TenMillionOptions): Promise<TenMillionReport> {
  const database = await freshDatabase("postgres", options.adminUrl, "tenmillion");
  const url = database.url as string;
  const started = performance.now();
  let worker: Worker | null = null;
  const copier = postgres(url, { max: 1, onnotice: () => {} });
  const side = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const handle = await createDb({ databaseUrl: url, poolSize: 2 });
    await handle.migrate();
    await handle.close();

    // The last full week before this one is the data's last: its partitions are the weekly ones a server running
    // since then would have made, and the server adds this week and the next two when it starts.
    const plan: WeekPlan = {
      weeks: options.weeks,
      alerts: options.alerts,
      firstWeekMs: mondayOf(Date.now()) - options.weeks * WEEK_MS,
    };
    const lastWeekMs = plan.firstWeekMs + (plan.weeks - 1) * WEEK_MS;
    await copier`
      select teleops_ensure_partitions('alerts',
        array(select generate_series(${iso(plan.firstWeekMs)}::timestamptz, ${iso(lastWeekMs)}::timestamptz, interval '7 days')),
        ${iso(plan.firstWeekMs)}::timestamptz)`;
    const partitionOf = new Map(
      (
        await copier<{ name: string; from_ms: string }[]>`
        select name, (extract(epoch from lower_bound) * 1000)::bigint::text as from_ms from teleops_partitions('alerts')`
      ).map((row) => [Number(row.from_ms), row.name]),
    );
    // Word rows go in without their key, which is built once at the end (what the key would refuse, the words'
    // DISTINCT already leaves out), and evidence rows without their foreign key, checked once at the end instead of
    // per row; the session builds indexes with more memory than the server's default.
    await copier`alter table incident_words drop constraint incident_words_tenant_id_word_incident_id_pk`;
    await copier`alter table incident_evidence drop constraint incident_evidence_incident_id_incidents_id_fk`;
    for (const sql of [copier, side]) await sql`set maintenance_work_mem = '512MB'`;

    progress(
      `tenmillion: ${options.alerts.toLocaleString("en")} alerts over ${plan.weeks} weekly partitions from ${iso(plan.firstWeekMs).slice(0, 10)}`,
    );
    worker = weekWorker(plan);
    const weeks = new WeekChannel(worker);
    weeks.request(0);
    if (plan.weeks > 1) weeks.request(1);

    const totals = { alerts: 0, incidents: 0, unassigned: 0, duplicates: 0, largest: 0, cpu: 0 };
    let copyMs = 0;
    let wordsMs = 0;
    let cases: SearchCase[] = [];
    // Search rows of a week are added on the second connection while the next week is copied.
    let words: Promise<void> = Promise.resolve();
    let wordsFailure: unknown = null;
    for (let n = 0; n < plan.weeks; n++) {
      const week = await weeks.next();
      if (n + 2 < plan.weeks) weeks.request(n + 2);
      const partition = partitionOf.get(week.fromMs);
      if (!partition) throw new Error(`no partition starts at ${iso(week.fromMs)}`);
      const t0 = performance.now();
      await copyInto(copier, "incidents", INCIDENT_COLUMNS, week.incidentChunks);
      await copyInto(copier, "incident_evidence", EVIDENCE_COLUMNS, week.evidenceChunks);
      await copyInto(copier, partition, ALERT_COLUMNS, week.alertChunks);
      copyMs += performance.now() - t0;
      if (wordsFailure) throw wordsFailure;
      words = words
        .then(async () => {
          const w0 = performance.now();
          await addSearchRows(side, partition);
          wordsMs += performance.now() - w0;
        })
        .catch((error: unknown) => {
          wordsFailure ??= error;
        });
      totals.alerts += week.alerts;
      totals.incidents += week.incidents;
      totals.unassigned += week.unassigned;
      totals.duplicates += week.duplicates;
      totals.largest = Math.max(totals.largest, week.largestIncident);
      totals.cpu += week.cpuSeconds;
      if (week.searchCases) cases = week.searchCases;
      progress(
        `tenmillion: week ${n + 1}/${plan.weeks} (${partition}): ${week.alerts.toLocaleString("en")} alerts, ${week.incidents.toLocaleString("en")} incidents copied in ${seconds(t0)} s; ${seconds(started)} s so far`,
      );
    }
    await words;
    if (wordsFailure) throw wordsFailure;
    await worker.terminate();
    worker = null;
    const copied = seconds(started);

    progress("tenmillion: word key, vocabulary, counts, sequences");
    const f0 = performance.now();
    await copier`alter table incident_words add constraint incident_words_tenant_id_word_incident_id_pk primary key (tenant_id, word, incident_id)`;
    await copier`insert into search_vocabulary (tenant_id, word) select distinct tenant_id, word from incident_words`;
    await copier`alter table incident_evidence add constraint incident_evidence_incident_id_incidents_id_fk
      foreign key (incident_id) references incidents (id) on delete cascade`;
    await copier`insert into alert_counts (tenant_id, unassigned)
      select tenant_id, count(*) from alerts where incident_id is null group by tenant_id`;
    await copier`select setval('alerts_id_seq', (select max(id) from alerts))`;
    await copier`select setval('incident_number_seq', (select max(substr(id, 5)::bigint) from incidents))`;
    const finishS = seconds(f0);

    // What autovacuum does after a bulk load (this server may have it off): statistics, and the visibility map
    // that lets index-only scans skip the heap.
    progress("tenmillion: VACUUM (ANALYZE)");
    const v0 = performance.now();
    for (const table of [
      "alerts",
      "incidents",
      "incident_evidence",
      "incident_words",
      "incident_search",
      "search_vocabulary",
      "alert_counts",
    ]) {
      await copier.unsafe(`vacuum (analyze) ${table}`);
    }
    const vacuumS = seconds(v0);
    const buildS = seconds(started);
    const [size] = await copier<
      {
        database: string;
        alerts: string;
        incidents: string;
        words: string;
        vocabulary: string;
        evidence: string;
        partitions: number;
        filled: number;
      }[]
    >`
      select pg_database_size(current_database())::text as database,
             (select sum(pg_total_relation_size(format('%I', name)))::text from teleops_partitions('alerts')) as alerts,
             pg_total_relation_size('incidents')::text as incidents,
             (select count(*) from incident_words)::text as words,
             (select count(*) from search_vocabulary)::text as vocabulary,
             (select count(*) from incident_evidence)::text as evidence,
             (select count(*)::int from teleops_partitions('alerts')) as partitions,
             (select count(*)::int from pg_class c join teleops_partitions('alerts') p on c.relname = p.name
              where c.reltuples > 0) as filled`;
    const loadAfterBuild = loadavg().map((x) => Math.round(x * 10) / 10);
    progress(`tenmillion: built in ${buildS} s (copied by ${copied} s); starting the server`);

    const server = await startTeleops({ ...database.env, TELEOPS_RETENTION_DAYS: "0" });
    try {
      const overview = dataOf<{ alerts: number; incidents: number }>(
        (await trpcGet(server.url, "metrics.overview")).body,
      );
      if (overview.alerts !== totals.alerts || overview.incidents !== totals.incidents) {
        throw new Error(
          `the overview counts ${overview.alerts} alerts and ${overview.incidents} incidents; ${totals.alerts} and ${totals.incidents} were copied`,
        );
      }
      const biggest = dataOf<{ incidents: Array<{ id: string; alert_count: number }> }>(
        (await trpcGet(server.url, "incidents.list", { sort: "alert_count", limit: 1 })).body,
      ).incidents[0];
      if (!biggest) throw new Error("no incident was stored");
      progress(`tenmillion: timing the queue's reads (${options.samples} each; detail of ${biggest.id})`);
      const reads = await timeReads(server.url, biggest, options.samples);
      progress(`tenmillion: timing ${cases.length} searches: ${JSON.stringify(cases.map((c) => c.input))}`);
      const search = await timeSearches(server.url, cases, options.samples);
      const loadAfterReads = loadavg().map((x) => Math.round(x * 10) / 10);
      const plans = {
        ...(await explainSlow(url, reads, biggest.id)),
        ...(await explainSlowSearches(url, search, cases, TEN_MILLION_TARGET_MS)),
      };
      const gib = (bytes: string | undefined) => Math.round((Number(bytes ?? 0) / 1024 ** 3) * 100) / 100;
      return {
        database: "postgres",
        alerts_stored: totals.alerts,
        incidents: totals.incidents,
        unassigned_alerts: totals.unassigned,
        duplicates_dropped: totals.duplicates,
        largest_incident: totals.largest,
        partitions: {
          with_data: size?.filled ?? 0,
          total: size?.partitions ?? 0,
          first: partitionOf.get(plan.firstWeekMs) ?? "",
          last: partitionOf.get(lastWeekMs) ?? "",
        },
        build: {
          seconds: buildS,
          generate_cpu_s: Math.round(totals.cpu),
          copy_s: Math.round(copyMs / 100) / 10,
          search_rows_s: Math.round(wordsMs / 100) / 10,
          finish_s: finishS,
          vacuum_s: vacuumS,
          copied_alerts_per_s: Math.round(totals.alerts / copied),
        },
        sizes: {
          database_gib: gib(size?.database),
          alerts_gib: gib(size?.alerts),
          incidents_mib: Math.round(Number(size?.incidents ?? 0) / 1024 ** 2),
          incident_words_rows: Number(size?.words ?? 0),
          vocabulary_words: Number(size?.vocabulary ?? 0),
          incident_evidence_rows: Number(size?.evidence ?? 0),
        },
        detail_incident: { id: biggest.id, alert_count: biggest.alert_count },
        reads,
        search,
        server_rss_mib: rssMib(server.child.pid),
        load: { after_build: loadAfterBuild, after_reads: loadAfterReads },
        plans,
      };
    } finally {
      await server.stop();
    }
  } finally {
    await worker?.terminate();
    await copier.end();
    await side.end();
    if (options.keepDatabase) {
      progress(`tenmillion: kept ${url}; drop it when done`);
      await database.keep();
    } else await database.drop();
  }
}
