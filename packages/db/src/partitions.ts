/**
 * Weekly partitions of `alerts` (by event time) and `integration_events` (by arrival): making sure they exist before
 * rows arrive, and listing them for retention. The SQL functions live in migration 0015.
 */
import { sql } from "drizzle-orm";
import type { DbOrTx } from "./client.ts";

export type PartitionedTable = "alerts" | "integration_events";

export interface Partition {
  name: string;
  /** Start of the range (inclusive); null for the partition of the oldest history (MINVALUE). */
  from: Date | null;
  /** End of the range (exclusive). */
  to: Date | null;
  /** A concurrent detach of it began and did not finish (the process died): `DETACH … FINALIZE` ends it. */
  detachPending: boolean;
}

/** Weeks made ahead of time, so ordinary traffic (event times up to now + 1 day) never creates one on its path. */
export const WEEKS_AHEAD = 2;
const WEEK_MS = 7 * 24 * 60 * 60_000;

/**
 * Creates the partitions missing for these times (one per week since 90 days ago, one spanning any older gap). A
 * catalog lookup per distinct week when they exist; in the caller's transaction, so a row inserted next finds it.
 */
export async function ensurePartitions(db: DbOrTx, table: PartitionedTable, times: readonly Date[]): Promise<number> {
  const weeks = [...new Set(times.map((t) => Math.floor((t.getTime() - MONDAY_OFFSET_MS) / WEEK_MS)))];
  if (weeks.length === 0) return 0;
  const stamps = weeks.map((w) => new Date(w * WEEK_MS + MONDAY_OFFSET_MS).toISOString());
  const rows = await db.execute(
    sql`select teleops_ensure_partitions(${table},
      array(select jsonb_array_elements_text(${JSON.stringify(stamps)}::jsonb)::timestamptz)) as created`,
  );
  return Number(rowsOf<{ created: number }>(rows)[0]?.created ?? 0);
}

/** The epoch was a Thursday: weeks counted from it start on Mondays after shifting by four days. */
const MONDAY_OFFSET_MS = 4 * 24 * 60 * 60_000;

/** This week's partition and the next `WEEKS_AHEAD` (run at start and with every retention pass). */
export async function preparePartitions(db: DbOrTx, now: Date = new Date()): Promise<number> {
  const times = Array.from({ length: WEEKS_AHEAD + 1 }, (_, i) => new Date(now.getTime() + i * WEEK_MS));
  return (await ensurePartitions(db, "alerts", times)) + (await ensurePartitions(db, "integration_events", times));
}

/** The table's partitions, oldest first. */
export async function listPartitions(db: DbOrTx, table: PartitionedTable): Promise<Partition[]> {
  const rows = rowsOf<{ name: string; from_ms: string | null; to_ms: string | null; detach_pending: boolean }>(
    await db.execute(sql`
      select name, detach_pending,
             case when lower_bound = '-infinity' then null else (extract(epoch from lower_bound) * 1000)::bigint::text end as from_ms,
             case when upper_bound = 'infinity' then null else (extract(epoch from upper_bound) * 1000)::bigint::text end as to_ms
      from teleops_partitions(${table}) order by lower_bound`),
  );
  return rows.map((row) => ({
    name: row.name,
    from: row.from_ms === null ? null : new Date(Number(row.from_ms)),
    to: row.to_ms === null ? null : new Date(Number(row.to_ms)),
    detachPending: row.detach_pending,
  }));
}

/** postgres.js answers an array, PGlite `{ rows }`. */
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
