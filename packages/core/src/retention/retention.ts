/**
 * Retention: drops whole weekly partitions of `alerts` and `integration_events` once everything in them is older
 * than the configured days. Incidents keep their summaries, the audit trail is never touched, and the per-tenant
 * unassigned counts lose exactly the dropped alerts that had no incident.
 */
import {
  type Database,
  type DbOrTx,
  listPartitions,
  type Partition,
  type PartitionedTable,
  preparePartitions,
} from "@teleops/db";
import { sql } from "drizzle-orm";
import { PreconditionError } from "../errors.ts";
import { exportPartition } from "./export.ts";

export interface RetentionPolicy {
  /** `TELEOPS_RETENTION_DAYS`: alerts older than this many days go (by event time); 0 keeps them all. */
  alertsDays: number;
  /** `TELEOPS_EVENTS_RETENTION_DAYS`: integration events older than this (by arrival); 0 keeps them all. */
  eventsDays: number;
  /**
   * `TELEOPS_RETENTION_EXPORT_DIR`: when set, each partition is first written to `<dir>/<partition>.jsonl.gz`, and
   * is dropped only once that file is complete; unset, partitions are dropped without a copy.
   */
  exportDir?: string | undefined;
}

export const DEFAULT_RETENTION: RetentionPolicy = { alertsDays: 90, eventsDays: 30 };

export interface RetentionReport {
  /** The partitions dropped, e.g. `alerts_p20260302`. */
  dropped_partitions: string[];
  alerts_removed: number;
  events_removed: number;
  /** True when another process held the retention lock: it is doing this work. */
  skipped: boolean;
}

export interface RetentionTarget {
  db: Database;
  /** PGlite has one connection: everything runs in the lock's transaction, and detaching cannot be concurrent. */
  kind: "pglite" | "postgres";
}

export interface PartitionDrop {
  table: PartitionedTable;
  partition: string;
  from: string | null;
  to: string;
  rows: number;
  duration_ms: number;
  /** The file its rows were exported to first, with `TELEOPS_RETENTION_EXPORT_DIR`. */
  exported_to?: string;
}

/**
 * A partition could not be exported: it was not dropped (still attached if it was), and the run stopped there, so
 * no partition after it was dropped either. `report` holds what the run dropped before it (each exported).
 */
export class RetentionExportError extends PreconditionError {
  constructor(
    readonly table: PartitionedTable,
    readonly partition: string,
    readonly dir: string,
    readonly reason: string,
    readonly report: RetentionReport,
  ) {
    super(
      `retention stopped: could not export partition ${partition} to ${dir} (${reason}); it was not dropped, nor ` +
        `any partition after it${report.dropped_partitions.length > 0 ? ` (${report.dropped_partitions.length} dropped before it, each exported)` : ""}`,
    );
  }
}

/** Arbitrary constant shared by every TeleOps process: one of them applies retention at a time. */
const RETENTION_LOCK_KEY = 7_314_015;
const DAY_MS = 24 * 60 * 60_000;

/**
 * Applies the policy now under the retention advisory lock (a replica that finds it held skips), after making sure
 * this week's and the next weeks' partitions exist. `onDrop` hears of each partition dropped (for the log).
 */
export async function applyRetention(
  target: RetentionTarget,
  policy: RetentionPolicy,
  options: { now?: Date; onDrop?: (drop: PartitionDrop) => void } = {},
): Promise<RetentionReport> {
  const now = options.now ?? new Date();
  const outcome = await target.db.transaction(async (lockTx) => {
    const [lock] = rowsOf<{ ok: boolean }>(
      await lockTx.execute(sql`select pg_try_advisory_xact_lock(${RETENTION_LOCK_KEY}) as ok`),
    );
    const report: RetentionReport = { dropped_partitions: [], alerts_removed: 0, events_removed: 0, skipped: false };
    if (!lock?.ok) return { report: { ...report, skipped: true }, failure: null };
    // On PostgreSQL the work runs on other connections (a concurrent detach cannot run in a transaction); this one
    // only holds the lock.
    const work: Database | DbOrTx = target.kind === "postgres" ? target.db : lockTx;
    await preparePartitions(work, now);
    // Every connection's incident count rows folded into one per tenant, severity and status (migration 0020).
    await work.execute(sql`select teleops_fold_incident_counts()`);
    const steps: Array<[PartitionedTable, number]> = [
      ["alerts", policy.alertsDays],
      ["integration_events", policy.eventsDays],
    ];
    for (const [table, days] of steps) {
      if (days <= 0) continue;
      const cutoff = now.getTime() - days * DAY_MS;
      const doomed = (await listPartitions(work, table))
        .filter((p) => p.to !== null && p.to.getTime() <= cutoff)
        .map((p) => ({ ...p, attached: true }));
      for (const partition of [...doomed, ...(await leftovers(work, table))]) {
        const started = performance.now();
        await detachPartition(target, work, table, partition);
        let exportedTo: string | undefined;
        if (policy.exportDir !== undefined) {
          try {
            exportedTo = (await exportPartition(work, table, partition.name, policy.exportDir)).file;
          } catch (error) {
            // The rows stay where they were: put the partition back, and stop (a later one would fail the same way,
            // and its rows are kept for the next run).
            if (partition.attached) await reattachPartition(work, table, partition);
            const reason = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ");
            return { report, failure: { table, partition: partition.name, dir: policy.exportDir, reason } };
          }
        }
        const rows = await finishDrop(target, work, table, partition);
        report.dropped_partitions.push(partition.name);
        if (table === "alerts") report.alerts_removed += rows;
        else report.events_removed += rows;
        options.onDrop?.({
          table,
          partition: partition.name,
          from: partition.from?.toISOString() ?? null,
          to: partition.to?.toISOString() ?? "",
          rows,
          duration_ms: Math.round(performance.now() - started),
          ...(exportedTo === undefined ? {} : { exported_to: exportedTo }),
        });
      }
    }
    return { report, failure: null };
  });
  // Thrown once the transaction is over, so the drops before the failure stand (on PGlite they run inside it).
  const { report, failure } = outcome;
  if (failure) throw new RetentionExportError(failure.table, failure.partition, failure.dir, failure.reason, report);
  return report;
}

/**
 * Detaches the partition (when attached). Its rows are then out of reach of every statement on the table, so the
 * export and the count read exactly what is dropped. On PostgreSQL the detach is CONCURRENTLY, which never blocks
 * ingest (a plain detach locks `alerts` whole).
 */
async function detachPartition(
  target: RetentionTarget,
  work: Database | DbOrTx,
  table: PartitionedTable,
  partition: DroppablePartition,
): Promise<void> {
  if (!partition.attached) return;
  const name = sql.identifier(partition.name);
  const parent = sql.identifier(table);
  if (target.kind === "postgres") {
    // A detach interrupted earlier (the process died) is finished rather than started again.
    const finalize = partition.detachPending ? sql`finalize` : sql`concurrently`;
    await work.execute(sql`alter table ${parent} detach partition ${name} ${finalize}`);
  } else {
    await work.execute(sql`alter table ${parent} detach partition ${name}`);
  }
}

/** Puts a partition detached by this run back with its bounds (after a failed export): nothing of it changed. */
async function reattachPartition(work: Database | DbOrTx, table: PartitionedTable, partition: DroppablePartition) {
  const bound = (at: Date | null, none: string) => sql.raw(at === null ? none : `'${at.toISOString()}'`);
  await work.execute(
    sql`alter table ${sql.identifier(table)} attach partition ${sql.identifier(partition.name)}
        for values from (${bound(partition.from, "minvalue")}) to (${bound(partition.to, "maxvalue")})`,
  );
}

/**
 * In one transaction, takes the detached partition's unassigned alerts off the tenants' counts and drops it;
 * returns its row count. Counting after the detach is exact: no statement can reach the table any more.
 */
async function finishDrop(
  target: RetentionTarget,
  work: Database | DbOrTx,
  table: PartitionedTable,
  partition: DroppablePartition,
): Promise<number> {
  const name = sql.identifier(partition.name);
  const finish = async (tx: DbOrTx) => {
    if (table !== "alerts") {
      const [counted] = rowsOf<{ n: string }>(await tx.execute(sql`select count(*)::text as n from ${name}`));
      await tx.execute(sql`drop table ${name}`);
      return Number(counted?.n ?? 0);
    }
    const [counted] = rowsOf<{ n: string }>(
      await tx.execute(sql`
        with per_tenant as (
          select tenant_id, count(*) as n, count(*) filter (where incident_id is null) as unassigned
          from ${name} group by tenant_id
        ), counted as (
          update alert_counts c set unassigned = c.unassigned - p.unassigned
          from per_tenant p where c.tenant_id = p.tenant_id and p.unassigned > 0
        )
        select coalesce(sum(n), 0)::text as n from per_tenant`),
    );
    await tx.execute(sql`drop table ${name}`);
    return Number(counted?.n ?? 0);
  };
  return target.kind === "postgres" ? (work as Database).transaction(finish) : finish(work);
}

interface DroppablePartition extends Partition {
  attached: boolean;
}

/** Partitions a run detached and died before dropping. */
async function leftovers(db: DbOrTx, table: PartitionedTable): Promise<DroppablePartition[]> {
  const rows = rowsOf<{ name: string }>(
    await db.execute(sql`
      select c.relname::text as name from pg_class c
      where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace and not c.relispartition
        and c.relname ~ ${`^${table}_(p|until_)[0-9]{8}$`}`),
  );
  return rows.map((row) => ({ name: row.name, from: null, to: null, detachPending: false, attached: false }));
}

/** postgres.js answers an array, PGlite `{ rows }`. */
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * The first day (UTC midnight) of the oldest row kept in the table, or null when it is empty: the oldest partition
 * holding rows is read, nothing else.
 */
export async function oldestKeptDay(db: DbOrTx, table: PartitionedTable): Promise<Date | null> {
  const column = sql.identifier(table === "alerts" ? "timestamp" : "received_at");
  for (const partition of await listPartitions(db, table)) {
    const [row] = rowsOf<{ ms: string | null }>(
      await db.execute(
        sql`select (extract(epoch from date_trunc('day', min(${column}), 'UTC')) * 1000)::bigint::text as ms
            from ${sql.identifier(partition.name)}`,
      ),
    );
    if (row?.ms) return new Date(Number(row.ms));
  }
  return null;
}
