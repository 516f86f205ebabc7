/**
 * What search costs PostgreSQL per stored alert, apart from HTTP and correlation: the same alerts inserted 500 a
 * statement, each with its incident (as the ingest path stores correlated alerts), into the migrated `alerts`
 * table in three set-ups, alternating: without search upkeep, with the per-incident words of migration 0012
 * (statement triggers into `incident_search` and, since 0016, `search_vocabulary`), and with the rejected design, a trigram index over every alert's
 * text. The measure is the backend's CPU time per alert (from /proc), which other load on the machine barely moves.
 * `BENCH_DATABASE_URL=… node --import tsx bench/searchIndexCost.ts [alerts] [rounds]`.
 */
import { createDb } from "@teleops/db";
import postgres from "postgres";
import { mixedStream } from "./payloads.ts";
import { progress } from "./process.ts";
import { cpuSeconds } from "./search.ts";

const ALERTS = Number(process.argv[2] ?? 200_000);
const ROUNDS = Number(process.argv[3] ?? 2);
const BATCH = 500;
const ALERT_TEXT =
  "(host || ' ' || alert_type || ' ' || service || ' ' || message || ' ' || jsonb_path_query_array(tags, '$.*')::text)";

const WORD_TRIGGERS = ["alerts_search_words_insert", "alerts_search_words_update"];
const SETUPS: Record<string, string[]> = {
  none: WORD_TRIGGERS.map((t) => `alter table alerts disable trigger ${t}`),
  incident_search: WORD_TRIGGERS.map((t) => `alter table alerts enable trigger ${t}`),
  alert_trigram: [
    ...WORD_TRIGGERS.map((t) => `alter table alerts disable trigger ${t}`),
    `create index alerts_text_trgm_idx on alerts using gin (${ALERT_TEXT} gin_trgm_ops)`,
  ],
};

const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!url) throw new Error("set BENCH_DATABASE_URL or TEST_DATABASE_URL");
const admin = postgres(url, { max: 1, onnotice: () => {} });
const name = `teleops_search_cost_${process.pid}`;
await admin.unsafe(`create database ${name}`);
const target = new URL(url);
target.pathname = `/${name}`;
const handle = await createDb({ databaseUrl: target.toString(), poolSize: 1 });
await handle.migrate();
await handle.close();
const sql = postgres(target.toString(), { max: 1, onnotice: () => {} });
try {
  // About 50 alerts an incident, as in the stored-data benchmark (1M alerts, about 20,000 incidents).
  const rows = mixedStream(ALERTS).alerts.map((a, i) => ({
    tenant_id: "default",
    fingerprint: `${a.fingerprint}-${i}`,
    timestamp: a.timestamp,
    source_system: a.source_system,
    host: a.host,
    service: a.service,
    severity: a.severity,
    alert_type: a.alert_type,
    message: a.message,
    tags: a.tags,
    raw_payload: a.raw_payload,
    incident_id: `INC-${Math.floor(i / 50)}`,
  }));
  const results: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? Object.keys(SETUPS) : Object.keys(SETUPS).reverse();
    for (const setup of order) {
      await sql.unsafe("drop index if exists alerts_text_trgm_idx");
      await sql.unsafe("truncate alerts, incident_search, search_vocabulary, alert_counts");
      for (const statement of SETUPS[setup] ?? []) await sql.unsafe(statement);
      const [backend] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const cpu0 = cpuSeconds(backend?.pid);
      const t0 = performance.now();
      for (let i = 0; i < rows.length; i += BATCH) {
        const batch = rows.slice(i, i + BATCH).map((r) => ({
          ...r,
          tags: sql.json(r.tags),
          raw_payload: sql.json(r.raw_payload as never),
        }));
        await sql`insert into alerts ${sql(batch)}`;
      }
      const wall = Math.round(rows.length / ((performance.now() - t0) / 1000));
      const cpuUs = Math.round(((cpuSeconds(backend?.pid) - cpu0) * 1e6) / rows.length);
      results[setup] = [...(results[setup] ?? []), cpuUs];
      const [size] = await sql<{ alerts: string; search: string }[]>`
        select pg_size_pretty(pg_indexes_size('alerts')) as alerts,
               pg_size_pretty(pg_total_relation_size('incident_search')) as search`;
      progress(
        `${setup}: ${cpuUs} µs backend CPU per alert (${wall} alerts/s wall); alerts indexes ${size?.alerts}, incident_search ${size?.search}`,
      );
    }
  }
  process.stdout.write(
    `${JSON.stringify({ alerts: ALERTS, batch: BATCH, backend_cpu_us_per_alert: results }, null, 2)}\n`,
  );
} finally {
  await sql.end();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
}
