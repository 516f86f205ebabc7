import { correlatePending, ingestAlerts, withFingerprint } from "@teleops/core";
import { searchVocabulary } from "@teleops/db";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { alertInputSchema } from "@teleops/schema";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "./context.ts";
import { createCaller } from "./root.ts";
import { callerFor, testServices } from "./testing.ts";

const admin: Actor = { name: "ada", role: "admin", tenantId: "acme" };
const operator: Actor = { name: "olga", role: "operator", tenantId: "acme" };
const viewer: Actor = { name: "vic", role: "viewer", tenantId: "acme" };
const stranger: Actor = { name: "eve", role: "admin", tenantId: "globex" };
const START = "2026-11-25T08:00:00Z";

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    return error instanceof TRPCError ? error.code : "NOT_TRPC";
  }
}

describe.each(testBackends())("appRouter on $name", (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await backend.open();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  // A failure the correlator keeps whole: since both ends of a cut span alarm, how a fiber cut groups is the
  // correlator's quality tests' business, not the router's.
  it("generates a DNS outage into exactly one incident holding all of its non-noise alerts", async () => {
    const result = await callerFor(database.db, { ...operator, role: "admin" }).scenarios.generate({
      scenario: "dns_outage",
      seed: 3,
      startTime: START,
    });
    const truth = Array.isArray(result.ground_truth) ? result.ground_truth[0] : result.ground_truth;
    expect(truth?.scenario).toBe("dns_outage");
    expect(result.incidents).toHaveLength(1);
    expect(result.incidents[0]?.alert_count).toBe(truth?.alert_count);
    expect(result.alerts_inserted).toBe((truth?.alert_count ?? 0) + result.noise_alerts);
  });

  it("stores nothing twice when the same scenario is generated again", async () => {
    const caller = callerFor(database.db, { ...operator, role: "admin" });
    const before = await caller.metrics.overview();
    const again = await caller.scenarios.generate({ scenario: "dns_outage", seed: 3, startTime: START });
    expect(again.alerts_inserted).toBe(0);
    expect(again.duplicates).toBeGreaterThan(0);
    expect(await caller.metrics.overview()).toEqual(before);
  });

  it("lists, filters and opens incidents, with the alerts in event order", async () => {
    const caller = callerFor(database.db, viewer);
    const page = await caller.incidents.list({ severity: ["critical"] });
    expect(page.total).toBe(1);
    const incident = page.incidents[0];
    if (!incident) throw new Error("no incident listed");
    expect(page.bySeverity.critical).toBe(1);
    expect(await caller.incidents.list({ severity: ["info"] })).toMatchObject({ total: 0, incidents: [] });
    expect((await caller.incidents.list({ text: incident.hosts[0] })).total).toBe(1);

    const detail = await caller.incidents.byId({ id: incident.id });
    expect(detail.title.length).toBeGreaterThan(5);
    const alerts = await caller.incidents.alerts({ id: incident.id });
    expect(alerts).toHaveLength(incident.alert_count);
    const times = alerts.map((a) => a.timestamp);
    expect([...times].sort()).toEqual(times);
  });

  it("records the acting user as owner when an incident is acknowledged", async () => {
    const caller = callerFor(database.db, operator);
    const [incident] = (await caller.incidents.list()).incidents;
    if (!incident) throw new Error("no incident");
    const acked = await caller.incidents.setStatus({ id: incident.id, status: "acknowledged" });
    expect(acked).toMatchObject({ status: "acknowledged", owner: "olga" });
    expect((await caller.incidents.list({ status: ["acknowledged"] })).total).toBe(1);
  });

  it("lets an alert arriving later join the open incident it belongs to", async () => {
    const caller = callerFor(database.db, operator);
    const [incident] = (await caller.incidents.list()).incidents;
    if (!incident) throw new Error("no incident");
    // The incident's latest alarm, raised again a minute after the incident's last alert (not cleared since).
    const [latest] = (await caller.alerts.list({ incidentId: incident.id, limit: 1 })).alerts;
    if (!latest) throw new Error("no alert");
    const late = withFingerprint(
      alertInputSchema.parse({
        timestamp: new Date(Date.parse(incident.end_time) + 60_000).toISOString(),
        source_system: "net-snmp",
        host: latest.host,
        severity: latest.severity,
        alert_type: latest.alert_type,
        message: latest.message,
      }),
    );
    await ingestAlerts(database.db, "acme", [late]);
    const topology = await testServices().topologies.view(database.db, "acme");
    const outcome = await correlatePending(database.db, { tenantId: "acme", topology });
    expect(outcome.incidents).toEqual([{ id: incident.id, alert_count: incident.alert_count + 1 }]);
    expect((await caller.incidents.byId({ id: incident.id })).alert_count).toBe(incident.alert_count + 1);
  });

  it("pages alerts newest first with a cursor", async () => {
    const caller = callerFor(database.db, viewer);
    const first = await caller.alerts.list({ limit: 5 });
    expect(first.alerts).toHaveLength(5);
    expect(first.nextCursor).not.toBeNull();
    const second = await caller.alerts.list({ limit: 5, cursor: first.nextCursor ?? undefined });
    const ids = [...first.alerts, ...second.alerts].map((a) => a.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(10);
  });

  it("reports compression and the unassigned share from stored alerts and incidents", async () => {
    const overview = await callerFor(database.db, viewer).metrics.overview();
    expect(overview.incidents).toBe(1);
    expect(overview.unassigned_alerts).toBeGreaterThan(0);
    expect(overview.compression).toBeCloseTo((overview.alerts - overview.unassigned_alerts) / overview.incidents);
    expect(overview.unassigned_share).toBeCloseTo(overview.unassigned_alerts / overview.alerts);
    expect(overview).not.toHaveProperty("noise_reduction");
  });

  it("never shows one tenant's incidents to another", async () => {
    const [incident] = (await callerFor(database.db, viewer).incidents.list()).incidents;
    if (!incident) throw new Error("no incident");
    const other = callerFor(database.db, stranger);
    expect((await other.incidents.list()).total).toBe(0);
    expect(await codeOf(other.incidents.byId({ id: incident.id }))).toBe("NOT_FOUND");
    expect(await codeOf(other.incidents.alerts({ id: incident.id }))).toBe("NOT_FOUND");
    expect(await codeOf(other.incidents.setStatus({ id: incident.id, status: "resolved" }))).toBe("NOT_FOUND");
    expect((await other.alerts.list()).alerts).toEqual([]);
  });

  it("refuses callers without credentials or with too low a role", async () => {
    expect(await codeOf(callerFor(database.db, null).incidents.list())).toBe("UNAUTHORIZED");
    expect(await codeOf(callerFor(database.db, viewer).scenarios.generate({ scenario: "dns_outage" }))).toBe(
      "FORBIDDEN",
    );
    expect(await codeOf(callerFor(database.db, operator).scenarios.generate({ scenario: "dns_outage" }))).toBe(
      "FORBIDDEN",
    );
    expect(await codeOf(callerFor(database.db, operator).admin.reset({ confirm: operator.tenantId }))).toBe(
      "FORBIDDEN",
    );
  });

  it("answers NOT_FOUND for an unknown incident and BAD_REQUEST for bad input", async () => {
    const caller = callerFor(database.db, viewer);
    expect(await codeOf(caller.incidents.byId({ id: "INC-999999" }))).toBe("NOT_FOUND");
    expect(await codeOf(caller.incidents.list({ limit: 0 }))).toBe("BAD_REQUEST");
  });

  it("resets only the admin's own tenant, once its name is typed, and records the reset in the audit trail", async () => {
    const caller = callerFor(database.db, admin);
    expect(await codeOf(caller.admin.reset({ confirm: "yes" }))).toBe("BAD_REQUEST");
    expect((await callerFor(database.db, viewer).metrics.overview()).alerts).toBeGreaterThan(0);
    const logged: Array<Record<string, unknown>> = [];
    const logging = createCaller({
      db: database.db,
      services: { ...testServices(), log: (fields) => logged.push(fields) },
      actor: admin,
    });
    const vocabulary = async () =>
      (await database.db.select().from(searchVocabulary).where(eq(searchVocabulary.tenantId, admin.tenantId))).length;
    expect(await vocabulary()).toBeGreaterThan(0);
    const result = await logging.admin.reset({ confirm: admin.tenantId });
    expect(result.deleted.incidents).toBe(1);
    // The search vocabulary goes with the data: nothing of the tenant's alerts is left to find.
    expect(await vocabulary()).toBe(0);
    expect((await callerFor(database.db, viewer).metrics.overview()).alerts).toBe(0);
    const audit = await caller.audit.list({});
    expect(audit.events.find((e) => e.action === "tenant.reset")).toMatchObject({
      actor: admin.name,
      details: { alerts_deleted: result.deleted.alerts, incidents_deleted: 1 },
    });
    expect(logged).toEqual([expect.objectContaining({ tenant: admin.tenantId, incidentsDeleted: 1 })]);
  });

  it("refuses generation and reset where the lab is off (production), even to an admin", async () => {
    const off = createCaller({ db: database.db, services: { ...testServices(), lab: false }, actor: admin });
    const refused = await off.scenarios.generate({ scenario: "dns_outage" }).catch((e: TRPCError) => e);
    expect(refused).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("TELEOPS_LAB=1") });
    expect(await codeOf(off.admin.reset({ confirm: admin.tenantId }))).toBe("FORBIDDEN");
  });
});
