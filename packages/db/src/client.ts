/** Opens the database: embedded PGlite by default, a PostgreSQL server when a URL is given. */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { lockDataDir } from "./dataDirLock.ts";
import { preparingMarked } from "./prepared.ts";
import { openReadReplica, type ReadReplica, type ReplicaState } from "./replica.ts";
import * as schema from "./schema.ts";

type Schema = typeof schema;
/** The drizzle handle every domain function takes; the same type for PGlite and postgres.js. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** A handle or an open transaction: domain writes accept either so callers can compose them. */
export type DbOrTx = Database | Transaction;

export interface DbOptions {
  /** `postgres://…`: use that server. Unset: embedded PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; unset or `memory://` keeps the database in memory (tests). */
  dataDir?: string | undefined;
  /** postgres.js pool size. */
  poolSize?: number;
  /** Time to establish a PostgreSQL connection before the attempt fails (default 2 s). */
  connectTimeoutMs?: number;
  /** `postgres://…` of a streaming replica of `databaseUrl` for reads that may lag; needs `databaseUrl`. */
  readUrl?: string | undefined;
  /** Called when the replica starts or stops serving reads, with why. */
  onReplicaState?: (state: ReplicaState, previous: ReplicaState) => void;
}

export interface DbHandle {
  db: Database;
  kind: "pglite" | "postgres";
  /** The read replica (`readUrl`), when one is configured; `replica.state().serving` says whether to use it. */
  replica?: ReadReplica;
  /** Applies pending migrations; safe when several processes start together (advisory lock). */
  migrate(): Promise<void>;
  /** True when the database answers and the migrations are applied. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

const MIGRATIONS_FOLDER = fileURLToPath(new URL("../drizzle", import.meta.url));
/** Arbitrary constant shared by every TeleOps process: the key of the migration advisory lock. */
const MIGRATION_LOCK_KEY = 7_314_002;

export async function createDb(options: DbOptions = {}): Promise<DbHandle> {
  if (options.readUrl && !options.databaseUrl) {
    throw new Error("a read replica (readUrl) needs a PostgreSQL primary (databaseUrl)");
  }
  if (options.databaseUrl) {
    const poolSize = options.poolSize ?? 10;
    const connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
    const handle = await openPostgres(options.databaseUrl, poolSize, connectTimeoutMs);
    if (!options.readUrl) return handle;
    const replica = openReadReplica(options.readUrl, {
      poolSize,
      connectTimeoutMs,
      primaryLsn: handle.walPosition,
      onStateChange: options.onReplicaState,
    });
    // Checked before the handle is returned, so the first request already knows where to read.
    await replica.check();
    return {
      ...handle,
      replica,
      close: async () => {
        await Promise.all([handle.close(), replica.close()]);
      },
    };
  }
  return openPglite(options.dataDir);
}

async function openPglite(dataDir: string | undefined): Promise<DbHandle> {
  const inMemory = !dataDir || dataDir.startsWith("memory://");
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  // Taken before PGlite touches the files: a second process must not open them at all.
  const lock = inMemory ? undefined : lockDataDir(dataDir);
  // pg_trgm backs free-text search (migration 0012 creates the extension; PGlite must have it loaded first).
  const options = { extensions: { pg_trgm } };
  const client = inMemory ? new PGlite(options) : new PGlite(dataDir, options);
  try {
    await client.waitReady;
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = drizzlePglite({ client, schema, casing: "snake_case" }) as unknown as Database;
  return {
    db,
    kind: "pglite",
    // One process owns an embedded database (the data-directory lock), so no migration lock is needed here.
    migrate: () =>
      migratePglite(drizzlePglite({ client, schema, casing: "snake_case" }), { migrationsFolder: MIGRATIONS_FOLDER }),
    ready: async () => migrationsApplied(async (text) => (await client.query<Record<string, unknown>>(text)).rows),
    close: async () => {
      await client.close();
      lock?.release();
    },
  };
}

async function openPostgres(
  url: string,
  poolSize: number,
  connectTimeoutMs: number,
): Promise<DbHandle & { walPosition(): Promise<string> }> {
  // A short connect timeout turns an unreachable database into a quick 503 instead of a hung request.
  const client = postgres(url, { max: poolSize, connect_timeout: connectTimeoutMs / 1000, onnotice: () => {} });
  // Readiness asks on a connection of its own: a busy pool (every connection in a long write) is not a database
  // that stopped answering, and a probe queued behind that work would say it is.
  const probe = postgres(url, {
    max: 1,
    connect_timeout: connectTimeoutMs / 1000,
    idle_timeout: 60,
    onnotice: () => {},
  });
  const db = drizzlePostgres({ client: preparingMarked(client), schema, casing: "snake_case" }) as unknown as Database;
  return {
    db,
    kind: "postgres",
    async migrate() {
      // A dedicated connection holds the session-level advisory lock for the whole migration run.
      const single = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await single`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
        await migratePostgres(drizzlePostgres({ client: single, casing: "snake_case" }), {
          migrationsFolder: MIGRATIONS_FOLDER,
        });
        await single`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
      } finally {
        await single.end();
      }
    },
    ready: () => migrationsApplied(async (text) => probe.unsafe(text)),
    async walPosition() {
      const [row] = await client<Array<{ lsn: string }>>`select pg_current_wal_lsn()::text as lsn`;
      if (!row) throw new Error("the primary reported no WAL position");
      return row.lsn;
    },
    close: async () => {
      await Promise.all([client.end({ timeout: 5 }), probe.end({ timeout: 5 })]);
    },
  };
}

async function migrationsApplied(query: (text: string) => Promise<Array<Record<string, unknown>>>): Promise<boolean> {
  try {
    const rows = await query("select to_regclass('public.alerts') is not null as ok");
    return rows[0]?.ok === true;
  } catch {
    return false;
  }
}
