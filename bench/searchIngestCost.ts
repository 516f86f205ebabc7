/**
 * What search upkeep (migration 0012: per-incident words by trigger, trigram indexes) costs ingest: the same
 * stream posted through `POST /webhooks/alerts` (500 alerts a request, 4 in flight) to a server whose database
 * has it and to one whose database had it switched off, alternating runs; wall time and CPU time per alert.
 * `node --import tsx bench/searchIngestCost.ts [alerts] [runs]`.
 */
import { createDb } from "@teleops/db";
import postgres from "postgres";
import { percentile } from "./machine.ts";
import { AlertReplay, mixedStream } from "./payloads.ts";
import { freshDatabase, progress, startTeleops } from "./process.ts";
import { cpuSeconds } from "./search.ts";

const ALERTS = Number(process.argv[2] ?? 100_000);
const RUNS = Number(process.argv[3] ?? 2);
const BATCH = 500;
const CLIENTS = 4;
/** The PostgreSQL backends serving one database, by pid (the server runs on this machine). */
async function backendPids(url: string): Promise<number[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ pid: number }[]>`
      select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
    return rows.map((row) => row.pid);
  } finally {
    await sql.end();
  }
}

/** What "without search" means: no per-incident word upkeep on alerts, no title index. */
const DROP = [
  "alter table alerts disable trigger alerts_search_words_insert",
  "alter table alerts disable trigger alerts_search_words_update",
  "drop index if exists incidents_title_trgm_idx",
];

async function withoutSearchIndexes(kind: "pglite" | "postgres", env: Record<string, string>, url?: string) {
  if (kind === "postgres" && url) {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    for (const statement of DROP) await sql.unsafe(statement);
    await sql.end();
    return;
  }
  const handle = await createDb({ dataDir: env.TELEOPS_DATA_DIR });
  for (const statement of DROP) await handle.db.execute(statement);
  await handle.close();
}

async function run(kind: "pglite" | "postgres", indexed: boolean, adminUrl: string | undefined) {
  const database = await freshDatabase(kind, adminUrl, `search_${indexed ? "on" : "off"}`);
  try {
    // A first start applies the migrations; then the indexes go (or stay) before the measured server starts.
    const migrating = await startTeleops(database.env);
    await migrating.stop();
    if (!indexed) await withoutSearchIndexes(kind, database.env, database.url);
    const server = await startTeleops(database.env);
    try {
      const replay = new AlertReplay(mixedStream(20_000).alerts, "teleops");
      const serverCpuBefore = cpuSeconds(server.child.pid);
      const requests = Math.ceil(ALERTS / BATCH);
      const latencies: number[] = [];
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          for (let index = next++; index < requests; index = next++) {
            const body = replay.body(BATCH);
            const started = performance.now();
            const response = await fetch(`${server.url}/webhooks/alerts`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body,
            });
            const text = await response.text();
            if (response.status !== 202) throw new Error(`webhook answered ${response.status}: ${text.slice(0, 200)}`);
            latencies.push(performance.now() - started);
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      latencies.sort((a, b) => a - b);
      const serverCpu = cpuSeconds(server.child.pid) - serverCpuBefore;
      // PostgreSQL's share: the pool's backends (they live as long as the server's connections).
      const databaseCpu = database.url
        ? (await backendPids(database.url)).reduce((sum, pid) => sum + cpuSeconds(pid), 0)
        : 0;
      const alertsSent = requests * BATCH;
      return {
        alerts_per_s: Math.round(alertsSent / seconds),
        p99_ms: Math.round(percentile(latencies, 99)),
        server_cpu_us_per_alert: Math.round((serverCpu * 1e6) / alertsSent),
        postgres_cpu_us_per_alert: Math.round((databaseCpu * 1e6) / alertsSent),
      };
    } finally {
      await server.stop();
    }
  } finally {
    await database.drop();
  }
}

const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const kinds: Array<"pglite" | "postgres"> = adminUrl ? ["postgres", "pglite"] : ["pglite"];
const results: Array<Record<string, unknown>> = [];
for (const kind of kinds) {
  for (let i = 0; i < RUNS; i++) {
    for (const indexed of i % 2 === 0 ? [true, false] : [false, true]) {
      progress(`search index ingest cost: ${kind}, ${indexed ? "with" : "without"} the indexes, run ${i + 1}`);
      const result = { kind, indexed, alerts: ALERTS, ...(await run(kind, indexed, adminUrl)) };
      progress(JSON.stringify(result));
      results.push(result);
    }
  }
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
