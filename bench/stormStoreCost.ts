/**
 * The storm cell's store cost in process: 50,000 storm alerts (500 devices, 7 sites, one second; fingerprints
 * derived as the webhook derives them) stored through `storeAndCorrelate` in 500-alert deliveries on a fresh
 * PostgreSQL database, one after another, with the wall time and the CPU time of the database backends and of
 * this process per delivery. `TEST_DATABASE_URL=… node --import tsx bench/stormStoreCost.ts [alerts] [batch]`;
 * `STORM_NO_SEARCH=1` switches the search-word trigger off, `STORM_STATS=1` prints the partitions' statistics,
 * `STORM_KEEP=1` keeps the database (for EXPLAIN), `STORM_STREAM=mixed` stores the calm `mixed` stream instead.
 * With `?options=-c session_preload_libraries=auto_explain …` on the URL, PostgreSQL logs each statement's plan
 * and time.
 */
import { storeAndCorrelate, withFingerprint } from "@teleops/core";
import { testBackends } from "@teleops/db/testing";
import postgres from "postgres";
import { percentile } from "./machine.ts";
import { mixedStream, stormStream } from "./payloads.ts";
import { cpuSeconds } from "./search.ts";

const ALERTS = Number(process.argv[2] ?? 50_000);
const BATCH = Number(process.argv[3] ?? 500);

const backend = testBackends().find((b) => b.name === "postgres");
if (!backend) throw new Error("needs TEST_DATABASE_URL");
const db = await backend.open();
try {
  const storm = (process.env.STORM_STREAM === "mixed" ? mixedStream(ALERTS).alerts : stormStream(ALERTS)).map((alert) =>
    withFingerprint(alert),
  );
  const probe = postgres(db.url as string, { max: 1, onnotice: () => {} });
  const pids = async () =>
    (
      await probe<{ pid: number }[]>`
      select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`
    ).map((row) => row.pid);
  if (process.env.STORM_NO_SEARCH === "1")
    await probe.unsafe("alter table alerts disable trigger alerts_search_words_insert");
  // A first small delivery opens the pool's connection.
  await storeAndCorrelate(db.db, { tenantId: "warm" }, [storm.slice(0, 10)]);
  const backends = await pids();
  const cpu = () => backends.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const times: number[] = [];
  const cpuBefore = cpu();
  const nodeBefore = process.cpuUsage();
  const started = performance.now();
  for (let start = 0; start < storm.length; start += BATCH) {
    const t = performance.now();
    await storeAndCorrelate(db.db, { tenantId: "storm" }, [storm.slice(start, start + BATCH)]);
    times.push(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  const dbCpu = cpu() - cpuBefore;
  const node = process.cpuUsage(nodeBefore);
  const nodeCpu = (node.user + node.system) / 1e6;
  const sorted = [...times].sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({
      alerts: storm.length,
      batch: BATCH,
      alerts_per_s: Math.round(storm.length / seconds),
      delivery_ms_p50: Math.round(percentile(sorted, 50) * 10) / 10,
      delivery_ms_p90: Math.round(percentile(sorted, 90) * 10) / 10,
      db_cpu_ms_per_delivery: Math.round(((dbCpu * 1000 * BATCH) / storm.length) * 10) / 10,
      node_cpu_ms_per_delivery: Math.round(((nodeCpu * 1000 * BATCH) / storm.length) * 10) / 10,
    })}\n`,
  );
  if (process.env.STORM_STATS === "1") {
    const stats = await probe`
      select c.relname, c.reltuples, c.relpages, s.last_autoanalyze, s.n_live_tup
      from pg_class c left join pg_stat_user_tables s on s.relid = c.oid
      where c.relname like 'alerts%' and c.relkind = 'r'`;
    process.stderr.write(`${JSON.stringify(stats)}\n`);
  }
  await probe.end();
} finally {
  if (process.env.STORM_KEEP === "1") {
    process.stderr.write(`kept ${db.url}\n`);
    await db.close();
  } else await db.dispose();
}
