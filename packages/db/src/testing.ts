/**
 * Test databases: an in-memory PGlite always, and a throwaway database on the PostgreSQL server named by
 * TEST_DATABASE_URL when it is set, so the same suites prove both backends.
 */
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { createDb, type DbHandle, type DbOrTx } from "./client.ts";
import { ensurePartitions } from "./partitions.ts";
import { alerts, incidents } from "./schema.ts";

export interface TestBackend {
  name: "pglite" | "postgres";
  /** A fresh, migrated database; `dispose` closes it and drops it. */
  open(): Promise<TestDatabase>;
  /**
   * A fresh database migrated up to, not including, the migration tagged `tag` (e.g. `0015_partitions`), as an
   * older release left it; its `migrate()` applies the rest, as an upgrade does.
   */
  openBefore(tag: string): Promise<TestDatabase>;
}

export interface TestDatabase extends DbHandle {
  /** Connection URL for other processes (postgres only). */
  url: string | undefined;
  dispose(): Promise<void>;
}

export function testBackends(env: NodeJS.ProcessEnv = process.env): TestBackend[] {
  const backends: TestBackend[] = [{ name: "pglite", open: openPglite, openBefore: openPgliteBefore }];
  const url = env.TEST_DATABASE_URL;
  if (url) {
    backends.push({
      name: "postgres",
      open: () => openThrowawayPostgres(url),
      openBefore: (tag) => openThrowawayPostgres(url, tag),
    });
  }
  return backends;
}

const MIGRATIONS_FOLDER = fileURLToPath(new URL("../drizzle", import.meta.url));

/** A copy of the migrations folder whose journal stops before `tag`. */
function migrationsBefore(tag: string): string {
  const folder = mkdtempSync(join(tmpdir(), "teleops-migrations-"));
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: Array<{ tag: string }> };
  const index = journal.entries.findIndex((entry) => entry.tag === tag);
  if (index < 0) throw new Error(`no migration tagged ${tag}`);
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, index) }));
  return folder;
}

async function openPgliteBefore(tag: string): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), "teleops-pglite-"));
  const folder = migrationsBefore(tag);
  const client = new PGlite(dataDir, { extensions: { pg_trgm } });
  await migratePglite(drizzlePglite({ client }), { migrationsFolder: folder });
  await client.close();
  rmSync(folder, { recursive: true, force: true });
  const handle = await createDb({ dataDir });
  return {
    ...handle,
    url: undefined,
    async dispose() {
      await handle.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function openPglite(): Promise<TestDatabase> {
  const handle = await createDb();
  await handle.migrate();
  return { ...handle, url: undefined, dispose: () => handle.close() };
}

async function openThrowawayPostgres(adminUrl: string, beforeTag?: string): Promise<TestDatabase> {
  const name = `teleops_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await createDb({ databaseUrl: url.toString(), poolSize: 5 });
  if (beforeTag) {
    const folder = migrationsBefore(beforeTag);
    const single = postgres(url.toString(), { max: 1, onnotice: () => {} });
    await migratePostgres(drizzlePostgres({ client: single }), { migrationsFolder: folder });
    await single.end();
    rmSync(folder, { recursive: true, force: true });
  } else {
    await handle.migrate();
  }
  return {
    ...handle,
    url: url.toString(),
    async dispose() {
      await handle.close();
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

export interface SeedAlert {
  host: string;
  alertType: string;
  /** ISO 8601. */
  timestamp: string;
  severity?: "critical" | "major" | "minor" | "warning" | "info";
  service?: string;
  site?: string;
  correlationReason?: string | null;
  /** Default: `<alertType> on <host>`. */
  message?: string;
  /** Merged over `{ site }`. */
  tags?: Record<string, string>;
  rawPayload?: Record<string, unknown>;
}

const SEED_SEVERITIES = ["critical", "major", "minor", "warning", "info"] as const;

/**
 * Stores one incident and its alerts as a correlation pass would leave them (id from `incident_number_seq`,
 * summary from the alerts), without running the correlator: tests of what operators do with incidents need
 * exactly these incidents, whatever the correlator of the day would make of the alerts.
 */
export async function seedIncident(
  db: DbOrTx,
  tenantId: string,
  members: readonly SeedAlert[],
): Promise<{ id: string; alertIds: number[] }> {
  const [first] = members;
  if (!first) throw new Error("an incident needs at least one alert");
  const [numbered] = await db
    .select({ n: sql<string>`nextval('incident_number_seq')::text` })
    .from(sql`(select 1) as one`);
  const id = `INC-${String(numbered?.n).padStart(6, "0")}`;
  const times = members.map((m) => Date.parse(m.timestamp));
  const severity = SEED_SEVERITIES[Math.min(...members.map((m) => SEED_SEVERITIES.indexOf(m.severity ?? "major")))];
  const sorted = (values: Array<string | undefined>) =>
    [...new Set(values.filter((v): v is string => v !== undefined && v !== ""))].sort();
  const hosts = sorted(members.map((m) => m.host));
  await db.insert(incidents).values({
    id,
    tenantId,
    title: `${first.alertType} on ${first.host}`,
    severity: severity ?? "major",
    status: "open",
    startTime: new Date(Math.min(...times)),
    endTime: new Date(Math.max(...times)),
    alertCount: members.length,
    hosts,
    services: sorted(members.map((m) => m.service)),
    sites: sorted(members.map((m) => m.site)),
  });
  await ensurePartitions(
    db,
    "alerts",
    members.map((m) => new Date(m.timestamp)),
  );
  const rows = await db
    .insert(alerts)
    .values(
      members.map((m, index) => ({
        tenantId,
        fingerprint: `seed-${id}-${index}`,
        timestamp: new Date(m.timestamp),
        sourceSystem: "seed",
        host: m.host,
        service: m.service ?? "",
        severity: m.severity ?? "major",
        alertType: m.alertType,
        message: m.message ?? `${m.alertType} on ${m.host}`,
        tags: { ...(m.site ? { site: m.site } : {}), ...m.tags },
        rawPayload: m.rawPayload ?? {},
        incidentId: id,
        correlatedAt: new Date(),
        correlationReason: m.correlationReason ?? null,
      })),
    )
    .returning({ id: alerts.id });
  return { id, alertIds: rows.map((row) => row.id).sort((a, b) => a - b) };
}
