/**
 * Retention's cost: a week of 1M alerts dropped on PostgreSQL (detach concurrently, count, drop) while a writer
 * stores 25-alert batches into the current week; prints the drop's time and the writer's p99 before and during.
 * `DATABASE_URL=postgres://… pnpm exec tsx bench/retention.ts [rows]` (a throwaway database is made beside it).
 */
import { randomBytes } from "node:crypto";
import { applyRetention, insertAlertRows } from "@teleops/core";
import { createDb, ensurePartitions } from "@teleops/db";
import type { CanonicalAlert } from "@teleops/schema";
import postgres from "postgres";

const ROWS = Number(process.argv[2] ?? 1_000_000);
const DAY_MS = 24 * 60 * 60_000;
const adminUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!adminUrl) throw new Error("set DATABASE_URL to a PostgreSQL server");

const name = `teleops_bench_retention_${randomBytes(4).toString("hex")}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const handle = await createDb({ databaseUrl: url.toString(), poolSize: 10 });
try {
  await handle.migrate();
  const now = new Date();
  const oldWeek = new Date(now.getTime() - 120 * DAY_MS);
  await ensurePartitions(handle.db, "alerts", [oldWeek]);
  const filled = performance.now();
  const raw = postgres(url.toString(), { max: 1, onnotice: () => {} });
  // Straight through the parent: the statement triggers keep the counts as ingest would.
  for (let start = 0; start < ROWS; start += 100_000) {
    await raw`
      insert into alerts (tenant_id, fingerprint, "timestamp", source_system, host, service, severity, alert_type,
                          message, tags, raw_payload, correlated_at)
      select 'bench', 'f' || g, ${oldWeek.toISOString()}::timestamptz + (g % 600000) * interval '1 second', 'snmp',
             'rtr-' || (g % 500), 'backbone', 'major', 'link_down', 'Interface xe-0/0/' || (g % 48) || ' down',
             '{"site":"ams1"}', '{}', now()
      from generate_series(${start + 1}::int, ${Math.min(start + 100_000, ROWS)}::int) g`;
  }
  await raw`vacuum analyze alerts`;
  await raw.end();
  console.error(`filled ${ROWS} alerts in ${((performance.now() - filled) / 1000).toFixed(1)} s`);

  let n = 0;
  const batch = (): CanonicalAlert[] =>
    Array.from({ length: 25 }, () => {
      n += 1;
      return {
        fingerprint: `live-${n}`,
        timestamp: new Date(Date.now() - 1000).toISOString(),
        source_system: "snmp",
        host: `rtr-${n % 50}`,
        service: "backbone",
        severity: "major",
        alert_type: "link_down",
        message: "Interface down",
        tags: {},
        raw_payload: {},
        tenant_id: "bench",
        status: "firing",
      } as CanonicalAlert;
    });
  const writer = async (until: () => boolean) => {
    const times: number[] = [];
    while (!until()) {
      const t = performance.now();
      await handle.db.transaction((tx) => insertAlertRows(tx, "bench", batch()));
      times.push(performance.now() - t);
    }
    return times;
  };
  const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)] ?? 0;

  const baselineEnd = performance.now() + 5_000;
  const before = await writer(() => performance.now() > baselineEnd);
  let done = false;
  const during = writer(() => done);
  const started = performance.now();
  const report = await applyRetention(handle, { alertsDays: 90, eventsDays: 30 });
  const took = performance.now() - started;
  done = true;
  const duringTimes = await during;
  console.log(
    JSON.stringify({
      rows: ROWS,
      dropped_partitions: report.dropped_partitions,
      alerts_removed: report.alerts_removed,
      retention_ms: Math.round(took),
      ingest_batches_before: before.length,
      ingest_p99_before_ms: Number(p99(before).toFixed(1)),
      ingest_batches_during: duringTimes.length,
      ingest_p99_during_ms: Number(p99(duringTimes).toFixed(1)),
      ingest_max_during_ms: Number(Math.max(...duringTimes).toFixed(1)),
    }),
  );
} finally {
  await handle.close();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
}
