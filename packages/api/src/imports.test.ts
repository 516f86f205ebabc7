import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { alerts, imports } from "@teleops/db";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "./context.ts";
import { callerFor } from "./testing.ts";

const admin: Actor = { name: "ada", role: "admin", tenantId: "northwind" };
const operator: Actor = { name: "olga", role: "operator", tenantId: "northwind" };
const viewer: Actor = { name: "vic", role: "viewer", tenantId: "northwind" };
const stranger: Actor = { name: "eve", role: "operator", tenantId: "contoso" };
const strangerViewer: Actor = { name: "val", role: "viewer", tenantId: "contoso" };

const SAMPLE = fileURLToPath(new URL("../../../fixtures/data_samples/anonymized_alerts.jsonl", import.meta.url));

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    return error instanceof TRPCError ? error.code : "NOT_TRPC";
  }
}

const alert = (host: string, second: number, extra: Record<string, unknown> = {}) => ({
  timestamp: `2025-09-24T12:00:${String(second).padStart(2, "0")}Z`,
  source_system: "net-snmp",
  host,
  service: "backbone",
  severity: "critical",
  alert_type: "link_down",
  message: `link down on ${host}`,
  tags: { site: "ams-nik" },
  ...extra,
});

describe.each(testBackends())("imports router on $name", (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await backend.open();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("stores batches, correlates them, and reports a second run as duplicates", async () => {
    const caller = callerFor(database.db, operator);
    const records = [1, 2, 3, 4].map((i) => ({ line: i, alert: alert("core-router-9", i) }));
    const run = async () => {
      const started = await caller.imports.start({ fileName: "routers.jsonl", format: "jsonl" });
      const batch = await caller.imports.batch({ importId: started.id, records });
      const summary = await caller.imports.finish({ importId: started.id, read: 4, rejected: 0, errors: [] });
      return { batch, summary };
    };
    const first = await run();
    expect(first.batch).toMatchObject({ imported: 4, duplicates: 0, rejected: [] });
    expect(first.summary).toMatchObject({
      file: "routers.jsonl",
      format: "jsonl",
      tenant: "northwind",
      actor: "olga",
      status: "completed",
      read: 4,
      imported: 4,
      duplicates: 0,
      rejected: 0,
    });
    expect(first.summary.incidents).toEqual([{ id: expect.stringMatching(/^INC-/), alert_count: 4 }]);

    const again = await run();
    expect(again.summary).toMatchObject({ imported: 0, duplicates: 4, incidents: [] });
    expect((await callerFor(database.db, viewer).alerts.list({ limit: 100 })).alerts).toHaveLength(4);
  });

  it("validates every record again and rejects bad ones with their line numbers, storing the rest", async () => {
    const caller = callerFor(database.db, operator);
    const started = await caller.imports.start({ fileName: "mixed.jsonl", format: "jsonl" });
    const batch = await caller.imports.batch({
      importId: started.id,
      records: [
        { line: 10, alert: alert("edge-7", 10) },
        { line: 11, alert: alert("edge-7", 11, { severity: "urgent" }) },
        { line: 12, alert: { host: "edge-7" } },
        { line: 13, alert: alert("edge-7", 13, { message: "nul \u0000 byte" }) },
        { line: 14, alert: alert("edge-7", 14, { timestamp: "2999-01-01T00:00:00Z" }) },
      ],
    });
    expect(batch.imported).toBe(1);
    expect(batch.rejected.map((r) => r.line)).toEqual([11, 12, 13, 14]);
    const summary = await caller.imports.finish({
      importId: started.id,
      read: 6,
      rejected: 1,
      errors: [{ line: 2, message: "not valid JSON: …" }],
    });
    expect(summary).toMatchObject({ read: 6, imported: 1, rejected: 5, status: "completed" });
    expect(summary.errors.map((e) => e.line)).toEqual([2, 11, 12, 13, 14]);
    expect(
      await codeOf(caller.imports.batch({ importId: started.id, records: [{ line: 1, alert: alert("x", 1) }] })),
    ).toBe("CONFLICT");
  });

  it("leaves nothing half-stored when a batch fails after its alerts were inserted", async () => {
    const caller = callerFor(database.db, operator);
    const started = await caller.imports.start({ fileName: "doomed.jsonl", format: "jsonl" });
    // The counter update that ends each batch's transaction overflows: the database refuses the whole batch.
    await database.db.update(imports).set({ imported: 2_147_483_647 }).where(eq(imports.id, started.id));
    const before = await database.db.$count(alerts);
    const records = [1, 2, 3].map((i) => ({ line: i, alert: alert("doomed-1", 40 + i) }));
    await expect(caller.imports.batch({ importId: started.id, records })).rejects.toThrow();
    expect(await database.db.$count(alerts)).toBe(before);
  });

  it("refuses an import that names another tenant, even from an admin, and stores nothing there", async () => {
    for (const actor of [operator, admin]) {
      const caller = callerFor(database.db, actor);
      expect(await codeOf(caller.imports.start({ fileName: "x.csv", format: "csv", tenant: "contoso" }))).toBe(
        "FORBIDDEN",
      );
      expect(await codeOf(caller.imports.dryRun({ fileName: "x.jsonl", content: "{}", tenant: "contoso" }))).toBe(
        "FORBIDDEN",
      );
    }
    const own = await callerFor(database.db, admin).imports.start({
      fileName: "x.csv",
      format: "csv",
      tenant: "northwind",
    });
    expect(own.tenant).toBe("northwind");
    expect(
      await codeOf(
        callerFor(database.db, admin).imports.batch({
          importId: own.id,
          tenant: "contoso",
          records: [{ line: 2, alert: alert("mad-fw-1", 5) }],
        }),
      ),
    ).toBe("FORBIDDEN");
    expect((await callerFor(database.db, strangerViewer).alerts.list({ limit: 10 })).alerts).toEqual([]);
    expect(await callerFor(database.db, strangerViewer).imports.list()).toEqual([]);
  });

  it("hides an import from other tenants and keeps viewers from importing", async () => {
    const mine = await callerFor(database.db, operator).imports.start({ fileName: "a.log", format: "syslog" });
    const other = callerFor(database.db, stranger);
    expect(await codeOf(other.imports.batch({ importId: mine.id, records: [{ line: 1, alert: alert("h", 1) }] }))).toBe(
      "NOT_FOUND",
    );
    expect(await codeOf(other.imports.byId({ id: mine.id }))).toBe("NOT_FOUND");
    expect(await codeOf(callerFor(database.db, viewer).imports.start({ fileName: "a", format: "csv" }))).toBe(
      "FORBIDDEN",
    );
  });

  it("dry-runs a file sent as text without storing anything, then uploads it and finds its incidents", async () => {
    const caller = callerFor(database.db, operator);
    const content = readFileSync(SAMPLE, "utf8");
    const lines = content.trim().split("\n").length;
    const before = await caller.alerts.list({ limit: 1_000 });
    const dry = await caller.imports.dryRun({ fileName: "anonymized_alerts.jsonl", content });
    expect(dry).toMatchObject({ format: "jsonl", read: lines, valid: lines, rejected: 0, errors: [] });
    expect((await caller.alerts.list({ limit: 1_000 })).alerts).toHaveLength(before.alerts.length);

    const uploaded = await caller.imports.upload({ fileName: "anonymized_alerts.jsonl", content });
    expect(uploaded).toMatchObject({ read: lines, imported: lines, duplicates: 0, rejected: 0 });
    expect(uploaded.incidents.length).toBeGreaterThanOrEqual(5);
    const history = await caller.imports.list();
    expect(history[0]).toMatchObject({ id: uploaded.id, file: "anonymized_alerts.jsonl", imported: lines });
  });

  it("answers a clear client error for an empty file or one whose format cannot be told", async () => {
    const caller = callerFor(database.db, operator);
    expect(await codeOf(caller.imports.dryRun({ fileName: "empty.jsonl", content: "  \n" }))).toBe("BAD_REQUEST");
    expect(await codeOf(caller.imports.upload({ fileName: "notes.txt", content: "hello" }))).toBe("BAD_REQUEST");
  });
});
