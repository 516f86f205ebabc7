/**
 * `npx tsx bench/rowsize.ts`: measures what an alert, an incident and a webhook delivery's integration event
 * cost on disk and in CPU, for docs/cost_estimate.md. Posts mixed-scenario alerts through `POST /webhooks/alerts` (batches of 500, as
 * the ingest benchmark does) into a fresh PostgreSQL database, then reads relation sizes from the catalog.
 * Needs BENCH_DATABASE_URL or TEST_DATABASE_URL. ROWSIZE_ALERTS sets the count (default 100,000),
 * ROWSIZE_BATCH the alerts per request (default 500), ROWSIZE_VACUUM_EVERY how many alerts pass between plain
 * VACUUMs (default 10,000; 0 = never) and ROWSIZE_PROFILES which payloads (default `generator,alertmanager`).
 */
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { generateScenario, loadTopology } from "@teleops/core";
import { createDb } from "@teleops/db";
import type { CanonicalAlert } from "@teleops/schema";
import { startTestServer } from "@teleops/server/testing";
import postgres from "postgres";
import { gitRevision, machineInfo } from "./machine.ts";

const progress = (message: string) => process.stderr.write(`rowsize: ${message}\n`);
const topology = loadTopology();

type Profile = "generator" | "alertmanager";

/** Back-to-back `mixed` windows (the same stream bench/run.ts uses), one tenant. */
function mixedStream(target: number): CanonicalAlert[] {
  const alerts: CanonicalAlert[] = [];
  for (let window = 0; alerts.length < target; window++) {
    const start = new Date(Date.parse("2026-01-01T00:00:00Z") + window * 60 * 60_000);
    const out = generateScenario(
      { scenario: "mixed", seed: window + 1, durationMinutes: 20, ratePerMinute: 60, noisePerMinute: 10 },
      topology,
      start,
    );
    alerts.push(...out.alerts);
  }
  return alerts.slice(0, target);
}

/**
 * The generator's raw payloads are small. Alerts forwarded from Alertmanager carry the whole alert
 * object (labels, annotations, generatorURL), so the second profile stores one of that shape instead.
 */
function alertmanagerShaped(alert: CanonicalAlert): CanonicalAlert {
  const labels = {
    alertname: alert.alert_type,
    severity: alert.severity,
    instance: `${alert.host}:9100`,
    job: alert.service || "node",
    ...alert.tags,
  };
  return {
    ...alert,
    raw_payload: {
      status: alert.status,
      labels,
      annotations: {
        summary: alert.message,
        description: `${alert.message} on ${alert.host} (${alert.service}); see the runbook for ${alert.alert_type}.`,
        runbook_url: `https://runbooks.example.net/${alert.alert_type}`,
      },
      startsAt: alert.timestamp,
      endsAt: "0001-01-01T00:00:00Z",
      generatorURL: `http://prometheus.example.net:9090/graph?g0.expr=${encodeURIComponent(`up{instance="${alert.host}:9100"}==0`)}&g0.tab=1`,
      fingerprint: alert.fingerprint.slice(0, 16),
    },
  };
}

/** utime + stime of a process in milliseconds, or null when /proc does not show it (remote server). */
function cpuMsOf(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / 100 : null; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** Bytes of `COPY alerts TO STDOUT` (text format), raw and gzipped: what an export to cold storage holds. */
async function exportSize(sql: postgres.Sql) {
  let raw = 0;
  let gzipped = 0;
  const source = await sql`copy alerts to stdout`.readable();
  source.on("data", (chunk: Buffer) => {
    raw += chunk.length;
  });
  await pipeline(
    source,
    createGzip(),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        gzipped += chunk.length;
        done();
      },
    }),
  );
  return { raw, gzipped };
}

interface RunOptions {
  total: number;
  batch: number;
  vacuumEvery: number;
}

async function measure(adminUrl: string, profile: Profile, { total, batch, vacuumEvery }: RunOptions) {
  const name = `teleops_rowsize_${profile}_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  const target = new URL(adminUrl);
  target.pathname = `/${name}`;
  const handle = await createDb({ databaseUrl: target.toString() });
  await handle.migrate();
  const sql = postgres(target.toString(), { max: 1, onnotice: () => {} });

  try {
    const base = mixedStream(total);
    const alerts = profile === "generator" ? base : base.map(alertmanagerShaped);
    const inputBytes = alerts.reduce((sum, a) => sum + Buffer.byteLength(JSON.stringify(a)), 0);
    const rawPayloadBytes = alerts.reduce((sum, a) => sum + Buffer.byteLength(JSON.stringify(a.raw_payload)), 0);

    const server = await startTestServer(handle);
    const backendPids = async () =>
      (
        await sql<
          { pid: number }[]
        >`select pid from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`
      ).map((r) => r.pid);
    const [walBefore] = await sql<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
    const cpuBefore = process.cpuUsage();
    const t0 = performance.now();
    let sinceVacuum = 0;
    for (let i = 0; i < alerts.length; i += batch) {
      const response = await fetch(`${server.url}/webhooks/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(alerts.slice(i, i + batch)),
      });
      if (response.status !== 202) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
      sinceVacuum += batch;
      if (vacuumEvery > 0 && sinceVacuum >= vacuumEvery) {
        await sql`vacuum alerts`;
        sinceVacuum = 0;
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const nodeCpu = process.cpuUsage(cpuBefore);
    // Backends live as long as the pool, so their CPU counters cover the whole run.
    const pgCpuValues = (await backendPids()).map(cpuMsOf);
    const pgCpuMs = pgCpuValues.every((v) => v !== null)
      ? pgCpuValues.reduce<number>((sum, v) => sum + (v ?? 0), 0)
      : null;
    const [walAfter] = await sql<{ bytes: string }[]>`
      select pg_wal_lsn_diff(pg_current_wal_lsn(), ${walBefore?.lsn ?? "0/0"}::pg_lsn)::bigint::text as bytes`;
    await server.close();

    const sizes = async () => {
      await sql`analyze alerts`;
      await sql`analyze incidents`;
      const rows = await sql<{ rel: string; total: string; heap: string; toast: string; indexes: string }[]>`
        select c.relname as rel,
               pg_total_relation_size(c.oid)::text as total,
               pg_relation_size(c.oid)::text as heap,
               coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0)::text as toast,
               pg_indexes_size(c.oid)::text as indexes
        from pg_class c where c.relname in ('alerts', 'incidents', 'integration_events') and c.relkind = 'r'`;
      const counts = (
        await sql<
          {
            alerts: string;
            incidents: string;
            events: string;
            alert_tuple: string;
            incident_tuple: string;
            event_tuple: string;
          }[]
        >`
        select (select count(*) from alerts)::text as alerts, (select count(*) from incidents)::text as incidents,
               (select count(*) from integration_events)::text as events,
               (select avg(pg_column_size(a.*)) from alerts a)::text as alert_tuple,
               (select coalesce(avg(pg_column_size(i.*)), 0) from incidents i)::text as incident_tuple,
               (select coalesce(avg(pg_column_size(e.*)), 0) from integration_events e)::text as event_tuple`
      )[0];
      const indexes = await sql<{ index: string; bytes: string }[]>`
        select indexrelname as index, pg_relation_size(indexrelid)::text as bytes
        from pg_stat_user_indexes where relname = 'alerts' order by pg_relation_size(indexrelid) desc`;
      const table = (rel: string, count: number, tuple: number) => {
        const r = rows.find((x) => x.rel === rel);
        const total = Number(r?.total ?? 0);
        return {
          rows: count,
          total_bytes: total,
          heap_bytes: Number(r?.heap ?? 0),
          toast_bytes: Number(r?.toast ?? 0),
          index_bytes: Number(r?.indexes ?? 0),
          avg_tuple_bytes: Math.round(tuple),
          bytes_per_row: count > 0 ? Math.round(total / count) : 0,
        };
      };
      const alertCount = Number(counts?.alerts ?? 0);
      const incidentCount = Number(counts?.incidents ?? 0);
      const events = table("integration_events", Number(counts?.events ?? 0), Number(counts?.event_tuple ?? 0));
      return {
        alerts: table("alerts", alertCount, Number(counts?.alert_tuple ?? 0)),
        incidents: table("incidents", incidentCount, Number(counts?.incident_tuple ?? 0)),
        // One row per delivery, holding the whole payload, so its cost is per alert only for a given batch size.
        integration_events: {
          ...events,
          bytes_per_alert: alertCount > 0 ? Math.round(events.total_bytes / alertCount) : 0,
        },
        alert_indexes: Object.fromEntries(indexes.map((i) => [i.index, Number(i.bytes)])),
      };
    };

    // Incidents are rewritten as they grow, and alerts stored for later correlation or left unassigned are
    // updated, so the heap holds dead versions until vacuum makes their space reusable; VACUUM FULL shows the
    // compact size.
    const asWritten = await sizes();
    await sql`vacuum full alerts`;
    await sql`vacuum full incidents`;
    await sql`vacuum full integration_events`;
    const compact = await sizes();
    const accepted = asWritten.alerts.rows;
    const exported = await exportSize(sql);
    return {
      profile,
      alerts_posted: alerts.length,
      batch,
      plain_vacuum_every_alerts: vacuumEvery,
      avg_input_json_bytes: Math.round(inputBytes / alerts.length),
      avg_raw_payload_json_bytes: Math.round(rawPayloadBytes / alerts.length),
      seconds: Number(seconds.toFixed(1)),
      alerts_per_s: Math.round(alerts.length / seconds),
      alerts_per_incident: asWritten.incidents.rows > 0 ? Math.round(accepted / asWritten.incidents.rows) : null,
      cpu_ms_per_1000_alerts: {
        node_server_and_client: Number((((nodeCpu.user + nodeCpu.system) / 1000 / alerts.length) * 1000).toFixed(1)),
        postgres_backends: pgCpuMs === null ? null : Number(((pgCpuMs / alerts.length) * 1000).toFixed(1)),
      },
      wal_bytes_per_alert: Math.round(Number(walAfter?.bytes ?? 0) / alerts.length),
      export_bytes_per_alert: {
        copy_text: Math.round(exported.raw / accepted),
        gzip: Math.round(exported.gzipped / accepted),
      },
      as_written: asWritten,
      after_vacuum_full: compact,
    };
  } finally {
    await sql.end();
    await handle.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

async function main() {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("set BENCH_DATABASE_URL or TEST_DATABASE_URL to a PostgreSQL server");
  const total = Number(process.env.ROWSIZE_ALERTS ?? 100_000);
  // Plain VACUUM during the run stands in for autovacuum, which a short run never waits for; 0 = none.
  const vacuumEvery = Number(process.env.ROWSIZE_VACUUM_EVERY ?? 10_000);
  const batch = Number(process.env.ROWSIZE_BATCH ?? 500);
  const profiles = (process.env.ROWSIZE_PROFILES ?? "generator,alertmanager")
    .split(",")
    .map((p) => p.trim())
    .filter((p): p is Profile => p === "generator" || p === "alertmanager");
  const probe = postgres(url, { max: 1, onnotice: () => {} });
  const pgVersion = String((await probe`show server_version`)[0]?.server_version ?? "");
  await probe.end();

  const results = [];
  for (const profile of profiles) {
    progress(`${profile} payloads: posting ${total} alerts through /webhooks/alerts in batches of ${batch}`);
    results.push(await measure(url, profile, { total, batch, vacuumEvery }));
  }
  const report = { machine: machineInfo(pgVersion), revision: gitRevision(), results };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

await main();
