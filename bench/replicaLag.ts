/**
 * Replica lag under the ingest storm: a throwaway primary and a `pg_basebackup -R` standby of our own, a TeleOps
 * server with `DATABASE_URL` on the primary and `DATABASE_READ_URL` on the standby, the storm posted as in the
 * ingest storm cell (4 clients × 500 alerts), while the queue is read through the server (served by the standby)
 * and the lag is sampled on both sides. `tsx bench/replicaLag.ts [--seconds N]` runs it alone and prints JSON.
 */
import { parseArgs } from "node:util";
import { pgBin, startThrowawayPair } from "@teleops/db/cluster";
import postgres from "postgres";
import { postLoad } from "./load.ts";
import { percentile } from "./machine.ts";
import { AlertReplay, stormStream } from "./payloads.ts";
import { progress, startTeleops } from "./process.ts";

export interface Spread {
  p50: number;
  p99: number;
  max: number;
}

export interface ReplicaLagReport {
  seconds: number;
  /** Storm alerts stored per second on the primary (the write rate the replica had to follow). */
  alerts_per_s: number;
  ingest_p99_ms: number;
  /** WAL the primary wrote per second during the storm. */
  wal_mib_per_s: number;
  /** `pg_stat_replication.replay_lag` on the primary, sampled every 100 ms. */
  replay_lag_ms: Spread;
  /** `pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)`: WAL written but not yet replayed. */
  replay_behind_kib: Spread;
  /** What TeleOps itself reads on the standby (`/readyz` read_replica.lag_ms): time since the last replayed commit while WAL waits. */
  standby_lag_ms: Spread;
  /** After the storm's last answer, until the standby has replayed everything. */
  catch_up_ms: number;
  /** `incidents.list` through the server (the standby) during the storm. */
  queue_read_ms: Spread & { reads: number; errors: number };
  /** Whether the standby served the whole time (never fell back to the primary). */
  served_by_replica: boolean;
  settings: string;
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? 0),
  };
}

/** Null when this machine has no PostgreSQL binaries to make a primary and standby from. */
export async function benchReplicaLag(seconds: number): Promise<ReplicaLagReport | null> {
  if (!pgBin) return null;
  progress("replica lag: starting a primary and a pg_basebackup standby");
  const pair = await startThrowawayPair({ durable: true });
  const standby = pair.standby;
  const primarySql = postgres(pair.primary.url(), { max: 1, onnotice: () => {} });
  const standbySql = standby ? postgres(standby.url(), { max: 1, onnotice: () => {} }) : undefined;
  try {
    if (!standby || !standbySql) throw new Error("no standby");
    const server = await startTeleops({
      DATABASE_URL: pair.primary.url(),
      DATABASE_READ_URL: standby.url(),
      TELEOPS_RATE_LIMIT_PER_MIN: "0",
      TELEOPS_TOKEN_RATE_LIMIT_PER_MIN: "0",
    });
    try {
      const storm = stormStream();
      await postLoad({
        url: server.url,
        path: "/webhooks/alerts",
        seconds: 2,
        connections: 4,
        batch: 50,
        senders: [{ replay: new AlertReplay(storm, "teleops").skipLaps(1) }],
      });
      const replayLag: number[] = [];
      const behind: number[] = [];
      const standbyLag: number[] = [];
      const reads: number[] = [];
      let readErrors = 0;
      let servedByReplica = true;
      let sampling = true;
      const sample = async () => {
        while (sampling) {
          const [primaryRow] = await primarySql<Array<{ lag_ms: number | null; behind: string | null }>>`
            select (extract(epoch from replay_lag) * 1000)::float8 as lag_ms,
                   pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::text as behind
            from pg_stat_replication limit 1`;
          if (primaryRow?.lag_ms !== null && primaryRow?.lag_ms !== undefined) replayLag.push(primaryRow.lag_ms);
          if (primaryRow?.behind) behind.push(Number(primaryRow.behind) / 1024);
          const ready = (await (await fetch(`${server.url}/readyz`)).json()) as {
            read_replica?: { serving: boolean; lag_ms: number | null };
          };
          if (ready.read_replica?.lag_ms !== null && ready.read_replica?.lag_ms !== undefined) {
            standbyLag.push(ready.read_replica.lag_ms);
          }
          if (ready.read_replica?.serving !== true) servedByReplica = false;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      const readQueue = async () => {
        while (sampling) {
          const started = performance.now();
          const response = await fetch(`${server.url}/trpc/incidents.list`);
          await response.arrayBuffer();
          if (response.ok) reads.push(performance.now() - started);
          else readErrors++;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      };
      const lsn = async () =>
        (await primarySql<Array<{ lsn: string }>>`select pg_current_wal_lsn()::text as lsn`)[0]?.lsn;
      const walStart = await lsn();
      progress(`replica lag: storm through /webhooks/alerts for ${seconds} s, queue read from the standby`);
      const samplers = [sample(), readQueue()];
      const result = await postLoad({
        url: server.url,
        path: "/webhooks/alerts",
        seconds,
        connections: 4,
        batch: 500,
        senders: [{ replay: new AlertReplay(storm, "teleops").skipLaps(1_000) }],
        countAccepted: true,
      });
      const stormEnd = performance.now();
      const walEnd = await lsn();
      sampling = false;
      await Promise.all(samplers);
      let catchUpMs = -1;
      for (let i = 0; i < 600; i++) {
        const [row] = await standbySql<Array<{ done: boolean }>>`
          select pg_last_wal_replay_lsn() >= ${walEnd ?? "0/0"}::pg_lsn as done`;
        if (row?.done) {
          catchUpMs = Math.round(performance.now() - stormEnd);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const [wal] = await primarySql<Array<{ bytes: string }>>`
        select pg_wal_lsn_diff(${walEnd ?? "0/0"}::pg_lsn, ${walStart ?? "0/0"}::pg_lsn)::text as bytes`;
      return {
        seconds,
        alerts_per_s: Math.round((result.accepted ?? 0) / seconds),
        ingest_p99_ms: result.p99_ms,
        wal_mib_per_s: Math.round((Number(wal?.bytes ?? 0) / 1024 / 1024 / seconds) * 10) / 10,
        replay_lag_ms: spread(replayLag),
        replay_behind_kib: spread(behind),
        standby_lag_ms: spread(standbyLag),
        catch_up_ms: catchUpMs,
        queue_read_ms: { ...spread(reads), reads: reads.length, errors: readErrors },
        served_by_replica: servedByReplica,
        settings:
          "PostgreSQL defaults (fsync on, synchronous_commit on, asynchronous streaming, hot_standby_feedback on), both on this machine",
      };
    } finally {
      await server.stop();
    }
  } finally {
    await primarySql.end({ timeout: 1 });
    await standbySql?.end({ timeout: 1 });
    pair.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { seconds: { type: "string", default: "10" } } });
  const report = await benchReplicaLag(Number(values.seconds));
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

/** The page's section on replica lag (docs/performance.md). */
export function renderReplicaLagMarkdown(lag: ReplicaLagReport): string[] {
  const row = (what: string, s: Spread, unit: string) => `| ${what} | ${s.p50} | ${s.p99} | ${s.max} | ${unit} |`;
  return [
    "### Replica lag during the storm (`DATABASE_READ_URL`, issue 20)",
    "",
    `The storm cell (4 clients × 500 alerts, canonical route, ${lag.seconds} s) on a primary and a \`pg_basebackup -R\``,
    `standby of the bench's own (${lag.settings}), the queue read through the server from the standby every 200 ms.`,
    `Primary: ${lag.alerts_per_s.toLocaleString("en-US")} alerts/s stored, ingest p99 ${lag.ingest_p99_ms} ms,`,
    `${lag.wal_mib_per_s} MiB/s of WAL. Standby caught up ${lag.catch_up_ms} ms after the last answer; it served every`,
    `read: ${lag.served_by_replica ? "yes" : "no (fell back to the primary)"}.`,
    "",
    "| measure | p50 | p99 | max | unit |",
    "| --- | ---: | ---: | ---: | --- |",
    row("`pg_stat_replication.replay_lag` (primary)", lag.replay_lag_ms, "ms"),
    row("WAL not yet replayed (primary)", lag.replay_behind_kib, "KiB"),
    row("TeleOps' own lag figure (standby, `/readyz`)", lag.standby_lag_ms, "ms"),
    row(
      `\`incidents.list\` from the standby (${lag.queue_read_ms.reads} reads, ${lag.queue_read_ms.errors} errors)`,
      lag.queue_read_ms,
      "ms",
    ),
    "",
  ];
}
