/**
 * `TELEOPS_RETENTION_EXPORT_DIR`: a partition is written to `<dir>/<partition>.jsonl.gz` before it is dropped; a
 * failed export drops nothing; unset, nothing is written. On both backends.
 */
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { alerts, ensurePartitions, integrationEvents, listPartitions } from "@teleops/db";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import type { CanonicalAlert } from "@teleops/schema";
import { getTableColumns, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ingestAlerts } from "../alerts/ingest.ts";
import { applyRetention, RetentionExportError } from "./retention.ts";

const TENANT = "acme";
const DAY_MS = 24 * 60 * 60_000;
const NOW = new Date();
const POLICY = { alertsDays: 30, eventsDays: 30 };

function alertsAt(start: Date, n: number, tag: string): CanonicalAlert[] {
  return Array.from({ length: n }, (_, i) => ({
    fingerprint: `${tag}-${i}`,
    timestamp: new Date(start.getTime() + i * 1_000).toISOString(),
    source_system: "zabbix",
    host: `core-rtr-${i % 7}`,
    service: "bgp",
    severity: "major",
    alert_type: "bgp_session_down",
    message: `peer ${i} "down"\nsecond line`,
    tags: { site: "fra1", n: String(i) },
    raw_payload: { nested: { i, ok: true }, list: [1, "two"] },
    tenant_id: TENANT,
    status: i % 3 === 0 ? "resolved" : "firing",
  }));
}

/** Alerts in two old weeks (2,500 in one: more than one export batch), a recent one, and old events. */
async function seed(db: TestDatabase) {
  await ingestAlerts(db.db, TENANT, alertsAt(new Date(NOW.getTime() - 60 * DAY_MS), 2_500, "old"));
  await ingestAlerts(db.db, TENANT, alertsAt(new Date(NOW.getTime() - 45 * DAY_MS), 5, "older-week"));
  await ingestAlerts(db.db, TENANT, alertsAt(new Date(NOW.getTime() - DAY_MS), 3, "recent"));
  const eventTime = new Date(NOW.getTime() - 50 * DAY_MS);
  await ensurePartitions(db.db, "integration_events", [eventTime]);
  await db.db.insert(integrationEvents).values(
    [1, 2, 3].map((i) => ({
      id: `00000000-0000-4000-8000-00000000000${i}`,
      tenantId: TENANT,
      source: "alertmanager",
      receivedAt: new Date(eventTime.getTime() + i * 1_000),
      outcome: "accepted" as const,
      httpStatus: 202,
      headers: { "content-type": "application/json" },
      payload: { i },
      summary: { accepted: 1 },
    })),
  );
}

/** Every partition older than the policy's cutoff, with its rows counted. */
async function doomed(db: TestDatabase) {
  const cutoff = NOW.getTime() - 30 * DAY_MS;
  const out: Array<{ name: string; rows: number }> = [];
  for (const table of ["alerts", "integration_events"] as const) {
    for (const p of await listPartitions(db.db, table)) {
      if (p.to === null || p.to.getTime() > cutoff) continue;
      out.push({ name: p.name, rows: await countOf(db, p.name) });
    }
  }
  return out;
}

async function countOf(db: TestDatabase, table: string): Promise<number> {
  const result = await db.db.execute(sql`select count(*)::int as n from ${sql.identifier(table)}`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Array<{ n: number }>;
  return Number(rows[0]?.n ?? 0);
}

function readExport(file: string): Array<Record<string, unknown>> {
  const text = gunzipSync(readFileSync(file)).toString("utf8");
  expect(text.endsWith("\n")).toBe(true);
  return text
    .slice(0, -1)
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A stored row as the export writes it: SQL column names, timestamps ISO (compared to the millisecond). */
function asExported(table: typeof alerts | typeof integrationEvents, row: Record<string, unknown>) {
  return Object.fromEntries(
    Object.keys(getTableColumns(table)).map((key) => {
      const value = row[key];
      const column = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      return [column, value instanceof Date ? value.toISOString() : value];
    }),
  );
}

function msTimestamps(row: Record<string, unknown>) {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [
      key,
      typeof value === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(value)
        ? new Date(value).toISOString()
        : value,
    ]),
  );
}

describe.each(testBackends())("retention export on $name", (backend) => {
  let db: TestDatabase;
  let dir: string;
  beforeEach(async () => {
    db = await backend.open();
    dir = mkdtempSync(join(tmpdir(), "teleops-export-"));
    await seed(db);
  }, 120_000);
  afterEach(async () => {
    if (existsSync(dir)) chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
    await db?.dispose();
  });

  it("writes each partition to <dir>/<partition>.jsonl.gz, exactly its rows, then drops it", async () => {
    const before = await doomed(db);
    expect(before.map((p) => p.name).some((name) => name.startsWith("integration_events_"))).toBe(true);
    const sample = (await db.db.select().from(alerts).where(sql`${alerts.fingerprint} = 'old-1234'`))[0];
    const [event] = await db.db.select().from(integrationEvents).where(sql`${integrationEvents.id} like '%2'`);
    const exported: Array<string | undefined> = [];
    const report = await applyRetention(
      { db: db.db, kind: db.kind },
      { ...POLICY, exportDir: dir },
      {
        now: NOW,
        onDrop: (drop) => exported.push(drop.exported_to),
      },
    );
    expect(report.dropped_partitions).toEqual(before.map((p) => p.name));
    expect(report.alerts_removed).toBe(2_505);
    expect(report.events_removed).toBe(3);
    expect(exported).toEqual(before.map((p) => join(dir, `${p.name}.jsonl.gz`)));
    // Nothing else in the directory: no temporary file left.
    expect(readdirSync(dir).sort()).toEqual(before.map((p) => `${p.name}.jsonl.gz`).sort());
    for (const partition of before) {
      const rows = readExport(join(dir, `${partition.name}.jsonl.gz`));
      expect(rows).toHaveLength(partition.rows);
      expect(new Set(rows.map((row) => row.id)).size).toBe(partition.rows);
      const stillThere = await db.db.execute(sql`select to_regclass(${partition.name})::text as t`);
      const found = (Array.isArray(stillThere) ? stillThere : (stillThere as { rows: unknown[] }).rows) as Array<{
        t: string | null;
      }>;
      expect(found[0]?.t ?? null).toBeNull();
    }
    const all = before.flatMap((p) => readExport(join(dir, `${p.name}.jsonl.gz`)));
    const row = all.find((r) => r.fingerprint === "old-1234");
    expect(sample).toBeDefined();
    expect(row && msTimestamps(row)).toEqual(asExported(alerts, sample as Record<string, unknown>));
    expect(row?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const eventRow = all.find((r) => r.id === event?.id);
    expect(eventRow && msTimestamps(eventRow)).toEqual(asExported(integrationEvents, event as Record<string, unknown>));
    expect(all.filter((r) => typeof r.fingerprint === "string" && r.fingerprint.startsWith("old-"))).toHaveLength(
      2_500,
    );
  });

  it("never overwrites a file of the same name: the export takes the next numbered name", async () => {
    const [first] = await doomed(db);
    if (!first) throw new Error("no partition to drop");
    writeFileSync(join(dir, `${first.name}.jsonl.gz`), "an earlier export");
    await applyRetention({ db: db.db, kind: db.kind }, { ...POLICY, exportDir: dir }, { now: NOW });
    expect(readFileSync(join(dir, `${first.name}.jsonl.gz`), "utf8")).toBe("an earlier export");
    expect(readExport(join(dir, `${first.name}.1.jsonl.gz`))).toHaveLength(first.rows);
  });

  it("drops nothing when the export fails (a read-only directory): partitions and rows stay, the error names the partition", async () => {
    const before = await doomed(db);
    const [{ n: stored } = { n: 0 }] = await db.db.select({ n: sql<number>`count(*)::int` }).from(alerts);
    chmodSync(dir, 0o555);
    if (writable(dir)) rmSync(dir, { recursive: true }); // root writes anyway: a missing directory fails the same way
    const failure = await applyRetention(
      { db: db.db, kind: db.kind },
      { ...POLICY, exportDir: dir },
      { now: NOW },
    ).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(RetentionExportError);
    const error = failure as RetentionExportError;
    expect(error.partition).toBe(before[0]?.name);
    expect(error.report.dropped_partitions).toEqual([]);
    expect(error.message).toContain(`could not export partition ${before[0]?.name} to ${dir}`);
    expect(error.message).not.toContain("\n");
    // Every partition past the retention is still attached, with all its rows; nothing was written.
    expect(await doomed(db)).toEqual(before);
    const [{ n: after } = { n: 0 }] = await db.db.select({ n: sql<number>`count(*)::int` }).from(alerts);
    expect(after).toBe(stored);
    // Once the directory is fixed, the next run exports and drops them.
    rmSync(dir, { recursive: true, force: true });
    dir = mkdtempSync(join(tmpdir(), "teleops-export-"));
    const report = await applyRetention({ db: db.db, kind: db.kind }, { ...POLICY, exportDir: dir }, { now: NOW });
    expect(report.dropped_partitions).toEqual(before.map((p) => p.name));
    expect(readdirSync(dir)).toHaveLength(before.length);
  });

  it("writes no file when no export directory is set", async () => {
    const before = await doomed(db);
    const exported: Array<string | undefined> = [];
    const report = await applyRetention({ db: db.db, kind: db.kind }, POLICY, {
      now: NOW,
      onDrop: (drop) => exported.push(drop.exported_to),
    });
    expect(report.dropped_partitions).toEqual(before.map((p) => p.name));
    expect(exported.every((file) => file === undefined)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });
});

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    const probe = join(dir, ".probe");
    writeFileSync(probe, "");
    rmSync(probe);
    return true;
  } catch {
    return false;
  }
}
