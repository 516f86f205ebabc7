/**
 * Export of a partition before retention drops it (`TELEOPS_RETENTION_EXPORT_DIR`): its rows, one JSON object a
 * line, gzip'd, into `<dir>/<partition>.jsonl.gz`. Rows are read in batches by primary key (never the whole
 * partition at once) and streamed through gzip into a hidden temporary file, which is fsync'd and only then given
 * its name; a name already taken gets a numbered suffix (`<partition>.1.jsonl.gz`, …), never overwritten.
 */
import { constants, createWriteStream } from "node:fs";
import { link, open, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import type { DbOrTx, PartitionedTable } from "@teleops/db";
import { type SQL, sql } from "drizzle-orm";

/** Rows read per query: a batch of alerts is a few MB at most. */
export const EXPORT_BATCH_ROWS = 2_000;

/** The type of each table's `id`, the leading column of its primary key (the partition's keyset). */
const ID_TYPES: Record<PartitionedTable, SQL> = { alerts: sql.raw("bigint"), integration_events: sql.raw("text") };

export interface PartitionExport {
  /** The file written (absolute when `dir` is). */
  file: string;
  rows: number;
  bytes: number;
}

/**
 * Writes every row of the partition (a table, attached or detached) to a new gzip'd JSON-lines file in `dir`.
 * Columns as stored, keyed by their SQL names; `timestamptz` as ISO 8601 UTC with microseconds
 * (`2026-03-02T10:00:00.123456Z`), `jsonb` as JSON. Throws (leaving no file behind) when anything fails.
 */
export async function exportPartition(
  db: DbOrTx,
  table: PartitionedTable,
  partition: string,
  dir: string,
  options: { batchRows?: number } = {},
): Promise<PartitionExport> {
  const batchRows = options.batchRows ?? EXPORT_BATCH_ROWS;
  const name = sql.identifier(partition);
  const columns = rowsOf<{ name: string; type: string }>(
    await db.execute(sql`
      select attname::text as name, format_type(atttypid, atttypmod) as type from pg_attribute
      where attrelid = cast(${partition} as regclass) and attnum > 0 and not attisdropped order by attnum`),
  );
  if (columns.length === 0) throw new Error(`partition ${partition} has no columns`);
  const fields = sql.join(
    columns.map((column) => {
      const ref = sql.identifier(column.name);
      const value =
        column.type === "timestamp with time zone"
          ? sql`to_char(${ref} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
          : ref;
      return sql`${column.name}::text, ${value}`;
    }),
    sql`, `,
  );
  const idType = ID_TYPES[table];
  let rows = 0;
  async function* lines(): AsyncGenerator<string> {
    let last: string | null = null;
    for (;;) {
      const after: SQL = last === null ? sql`true` : sql`id > cast(${last} as ${idType})`;
      const batch: Array<{ k: string; j: string }> = rowsOf<{ k: string; j: string }>(
        await db.execute(sql`
          select id::text as k, json_build_object(${fields})::text as j from ${name}
          where ${after} order by id limit ${batchRows}`),
      );
      if (batch.length === 0) return;
      rows += batch.length;
      yield `${batch.map((row) => row.j).join("\n")}\n`;
      last = batch[batch.length - 1]?.k ?? null;
      if (batch.length < batchRows) return;
    }
  }

  const temp = join(dir, `.${partition}.jsonl.gz.${process.pid}.tmp`);
  try {
    await pipeline(Readable.from(lines()), createGzip(), createWriteStream(temp, { mode: 0o640 }));
    // fsync through a descriptor of its own: it flushes the file whichever descriptor wrote it.
    const handle = await open(temp, constants.O_RDONLY);
    let size: number;
    try {
      await handle.sync();
      size = (await handle.stat()).size;
    } finally {
      await handle.close();
    }
    const file = await claimName(temp, dir, partition);
    await syncDir(dir);
    return { file, rows, bytes: size };
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/**
 * Gives the finished temporary file the first free name of `<partition>.jsonl.gz`, `<partition>.1.jsonl.gz`, …: a
 * hard link fails on a name that exists, so nothing is ever overwritten. Where hard links are not supported, a
 * name checked free is renamed to (one process applies retention at a time, under its lock).
 */
async function claimName(temp: string, dir: string, partition: string): Promise<string> {
  for (let n = 0; n < 10_000; n++) {
    const file = join(dir, n === 0 ? `${partition}.jsonl.gz` : `${partition}.${n}.jsonl.gz`);
    try {
      await link(temp, file);
      await unlink(temp);
      return file;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") continue;
      if (code !== "EPERM" && code !== "ENOTSUP" && code !== "ENOSYS" && code !== "EOPNOTSUPP") throw error;
      if (await exists(file)) continue;
      await rename(temp, file);
      return file;
    }
  }
  throw new Error(`${partition}.jsonl.gz and 10000 numbered names after it already exist in ${dir}`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/** Makes the new name durable: fsync of the directory (not possible everywhere; the file itself already is). */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY).catch(() => null);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory.
  } finally {
    await handle.close();
  }
}

/** postgres.js answers an array, PGlite `{ rows }`. */
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
