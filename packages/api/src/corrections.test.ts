import { lockTenant, verifyAudit } from "@teleops/core";
import { alerts, correlationFeedback, incidents } from "@teleops/db";
import { type SeedAlert, seedIncident, type TestDatabase, testBackends } from "@teleops/db/testing";
import { TRPCError } from "@trpc/server";
import { and, asc, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "./context.ts";
import { callerFor } from "./testing.ts";

const operator: Actor = { name: "olga", role: "operator", tenantId: "acme" };
const viewer: Actor = { name: "vic", role: "viewer", tenantId: "acme" };
const stranger: Actor = { name: "eve", role: "admin", tenantId: "globex" };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    return error instanceof TRPCError ? error.code : "NOT_TRPC";
  }
}

async function messageOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function at(minute: number, second = 0): string {
  return new Date(Date.UTC(2026, 10, 25, 8, minute, second)).toISOString();
}

/** A fibre cut at fra1 (LOS, then link downs) and a DDoS at nyc1 the correlator wrongly kept apart or together. */
const FIBRE: SeedAlert[] = [
  { host: "fra1-opt-01", alertType: "optical_los", timestamp: at(0), severity: "critical", site: "fra1" },
  { host: "fra1-rtr-01", alertType: "link_down", timestamp: at(0, 20), severity: "major", site: "fra1" },
  { host: "fra1-rtr-02", alertType: "link_down", timestamp: at(0, 40), severity: "major", site: "fra1" },
];
const DDOS: SeedAlert[] = [
  { host: "nyc1-edge-01", alertType: "ddos_detected", timestamp: at(3), severity: "critical", site: "nyc1" },
  { host: "nyc1-edge-01", alertType: "high_cpu", timestamp: at(4), severity: "warning", site: "nyc1" },
];

describe.each(testBackends())("incident corrections on $name", (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await backend.open();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function membersOf(incidentId: string): Promise<number[]> {
    const rows = await database.db
      .select({ id: alerts.id })
      .from(alerts)
      .where(eq(alerts.incidentId, incidentId))
      .orderBy(asc(alerts.id));
    return rows.map((row) => row.id);
  }

  async function feedback() {
    return database.db
      .select()
      .from(correlationFeedback)
      .where(eq(correlationFeedback.tenantId, "acme"))
      .orderBy(asc(correlationFeedback.id));
  }

  it("merges incidents: the alerts move, the target's counts follow, the merged one is resolved and leaves the queue", async () => {
    const caller = callerFor(database.db, operator);
    const fibre = await seedIncident(database.db, "acme", FIBRE.slice(0, 1));
    const links = await seedIncident(database.db, "acme", FIBRE.slice(1));
    await database.db
      .update(incidents)
      .set({ correlation: { keys: ["stale"] } })
      .where(inArray(incidents.id, [fibre.id, links.id]));

    const merged = await caller.incidents.merge({ into: fibre.id, from: [links.id] });
    expect(merged).toMatchObject({
      id: fibre.id,
      alert_count: 3,
      severity: "critical",
      hosts: ["fra1-opt-01", "fra1-rtr-01", "fra1-rtr-02"],
      sites: ["fra1"],
      start_time: at(0),
      end_time: at(0, 40),
      merged_into: null,
      title: "Optical LOS on fra1-opt-01 and 2 more hosts · fra1",
    });
    expect(await membersOf(fibre.id)).toEqual([...fibre.alertIds, ...links.alertIds]);
    expect(await caller.incidents.byId({ id: links.id })).toMatchObject({
      status: "resolved",
      merged_into: fibre.id,
      alert_count: 0,
    });
    const queue = await caller.incidents.list({ status: ["open", "acknowledged"] });
    expect(queue.incidents.map((i) => i.id)).toContain(fibre.id);
    expect(queue.incidents.map((i) => i.id)).not.toContain(links.id);
    // The correlator rebuilds its state of both from their member alerts.
    const states = await database.db
      .select({ correlation: incidents.correlation })
      .from(incidents)
      .where(inArray(incidents.id, [fibre.id, links.id]));
    expect(states.map((s) => s.correlation)).toEqual([null, null]);

    expect((await feedback()).at(-1)).toMatchObject({
      kind: "merge",
      left: ["optical_los"],
      right: ["link_down"],
      actor: "olga",
    });
    const trail = await caller.audit.list({ incidentId: fibre.id });
    expect(trail.events[0]).toMatchObject({
      action: "incident.merge",
      actor: "olga",
      details: { from: [links.id], alerts_moved: 2 },
    });
    expect((await caller.audit.list({ incidentId: links.id })).events[0]).toMatchObject({
      action: "incident.merge",
      details: { into: fibre.id },
    });
    expect((await verifyAudit(database.db, "acme")).ok).toBe(true);
  });

  it("splits selected alerts into a new incident holding exactly those alerts", async () => {
    const caller = callerFor(database.db, operator);
    const mixed = await seedIncident(database.db, "acme", [...FIBRE, ...DDOS]);
    const ddosIds = mixed.alertIds.slice(3);

    const created = await caller.incidents.split({ id: mixed.id, alertIds: ddosIds });
    expect(created.id).toMatch(/^INC-\d{6}$/);
    expect(created.id).not.toBe(mixed.id);
    expect(created).toMatchObject({
      status: "open",
      alert_count: 2,
      hosts: ["nyc1-edge-01"],
      sites: ["nyc1"],
      severity: "critical",
      title: "DDoS detected on nyc1-edge-01 · nyc1",
    });
    expect(await membersOf(created.id)).toEqual(ddosIds);
    expect(await membersOf(mixed.id)).toEqual(mixed.alertIds.slice(0, 3));
    expect(await caller.incidents.byId({ id: mixed.id })).toMatchObject({
      alert_count: 3,
      sites: ["fra1"],
      end_time: at(0, 40),
    });
    expect((await caller.incidents.alerts({ id: created.id })).map((a) => a.id)).toEqual(ddosIds);

    expect((await feedback()).at(-1)).toMatchObject({
      kind: "split",
      left: ["link_down", "optical_los"],
      right: ["ddos_detected", "high_cpu"],
    });
    expect((await caller.audit.list({ incidentId: mixed.id })).events[0]).toMatchObject({
      action: "incident.split",
      actor: "olga",
      details: { into: created.id, alert_ids: ddosIds },
    });
  });

  it("moves alerts from one incident to another and recounts both", async () => {
    const caller = callerFor(database.db, operator);
    const fibre = await seedIncident(database.db, "acme", [...FIBRE, DDOS[1] as SeedAlert]);
    const ddos = await seedIncident(database.db, "acme", DDOS.slice(0, 1));
    const stray = fibre.alertIds.slice(3);

    const target = await caller.incidents.moveAlerts({ alertIds: stray, to: ddos.id });
    expect(target).toMatchObject({ id: ddos.id, alert_count: 2, end_time: at(4) });
    expect(await membersOf(ddos.id)).toEqual([...stray, ...ddos.alertIds].sort((a, b) => a - b));
    expect(await caller.incidents.byId({ id: fibre.id })).toMatchObject({
      alert_count: 3,
      hosts: FIBRE.map((a) => a.host),
    });
    expect((await feedback()).at(-1)).toMatchObject({ kind: "move", left: ["high_cpu"], right: ["ddos_detected"] });
    expect((await caller.audit.list({ incidentId: ddos.id })).events[0]).toMatchObject({
      action: "incident.move_alerts",
      details: { from: fibre.id, alert_ids: stray },
    });
  });

  it("refuses corrections that make no sense, with a sentence saying why, and changes nothing", async () => {
    const caller = callerFor(database.db, operator);
    const a = await seedIncident(database.db, "acme", FIBRE);
    const b = await seedIncident(database.db, "acme", DDOS);
    const feedbackBefore = (await feedback()).length;

    expect(await codeOf(caller.incidents.merge({ into: a.id, from: [a.id] }))).toBe("BAD_REQUEST");
    expect(await messageOf(caller.incidents.merge({ into: a.id, from: [a.id] }))).toContain("into itself");
    expect(await messageOf(caller.incidents.split({ id: a.id, alertIds: b.alertIds }))).toBe(
      `alert ${b.alertIds.join(", ")} is not in ${a.id}`,
    );
    expect(await codeOf(caller.incidents.split({ id: a.id, alertIds: a.alertIds }))).toBe("BAD_REQUEST");
    expect(await messageOf(caller.incidents.split({ id: a.id, alertIds: a.alertIds }))).toContain("at least one alert");
    expect(await messageOf(caller.incidents.moveAlerts({ alertIds: b.alertIds, to: a.id }))).toContain(
      "would leave it empty",
    );
    expect(await messageOf(caller.incidents.moveAlerts({ alertIds: a.alertIds.slice(0, 1), to: a.id }))).toContain(
      "already in",
    );
    expect(
      await codeOf(caller.incidents.moveAlerts({ alertIds: [a.alertIds[0] ?? 0, b.alertIds[0] ?? 0], to: a.id })),
    ).toBe("BAD_REQUEST");
    expect(await codeOf(caller.incidents.split({ id: a.id, alertIds: [] }))).toBe("BAD_REQUEST");
    expect(await codeOf(caller.incidents.merge({ into: a.id, from: ["INC-999999"] }))).toBe("NOT_FOUND");

    expect(await membersOf(a.id)).toEqual(a.alertIds);
    expect(await membersOf(b.id)).toEqual(b.alertIds);
    expect(await feedback()).toHaveLength(feedbackBefore);

    // A merged incident is history: nothing merges into it, out of it again, or reopens it.
    await caller.incidents.merge({ into: a.id, from: [b.id] });
    const c = await seedIncident(database.db, "acme", DDOS);
    expect(await messageOf(caller.incidents.merge({ into: b.id, from: [c.id] }))).toBe(
      `cannot merge into ${b.id}: it was merged into ${a.id}`,
    );
    expect(await codeOf(caller.incidents.merge({ into: c.id, from: [b.id] }))).toBe("BAD_REQUEST");
    expect(await codeOf(caller.incidents.setStatus({ id: b.id, status: "open" }))).toBe("BAD_REQUEST");
  });

  it("answers NOT_FOUND for another tenant's incidents and changes nothing", async () => {
    const a = await seedIncident(database.db, "acme", FIBRE);
    const b = await seedIncident(database.db, "acme", DDOS);
    const other = callerFor(database.db, stranger);
    expect(await codeOf(other.incidents.merge({ into: a.id, from: [b.id] }))).toBe("NOT_FOUND");
    expect(await codeOf(other.incidents.split({ id: a.id, alertIds: a.alertIds.slice(0, 1) }))).toBe("NOT_FOUND");
    expect(await codeOf(other.incidents.moveAlerts({ alertIds: b.alertIds.slice(0, 1), to: a.id }))).toBe("NOT_FOUND");
    // Its own incident as the target does not reach acme's alerts either.
    const own = await seedIncident(database.db, "globex", DDOS);
    expect(await codeOf(other.incidents.moveAlerts({ alertIds: b.alertIds.slice(0, 1), to: own.id }))).toBe(
      "BAD_REQUEST",
    );
    expect(await codeOf(other.incidents.merge({ into: own.id, from: [b.id] }))).toBe("NOT_FOUND");
    expect(await membersOf(a.id)).toEqual(a.alertIds);
    expect(await membersOf(b.id)).toEqual(b.alertIds);
    const rows = await database.db
      .select()
      .from(correlationFeedback)
      .where(and(eq(correlationFeedback.tenantId, "globex")));
    expect(rows).toEqual([]);
  });

  it("refuses viewers", async () => {
    const a = await seedIncident(database.db, "acme", FIBRE);
    const b = await seedIncident(database.db, "acme", DDOS);
    const caller = callerFor(database.db, viewer);
    expect(await codeOf(caller.incidents.merge({ into: a.id, from: [b.id] }))).toBe("FORBIDDEN");
    expect(await codeOf(caller.incidents.split({ id: a.id, alertIds: a.alertIds.slice(0, 1) }))).toBe("FORBIDDEN");
    expect(await codeOf(caller.incidents.moveAlerts({ alertIds: b.alertIds.slice(0, 1), to: a.id }))).toBe("FORBIDDEN");
    expect(await membersOf(a.id)).toEqual(a.alertIds);
  });

  it.skipIf(backend.name !== "postgres")(
    "waits for a correlation pass holding the tenant's lock before it splits",
    async () => {
      const mixed = await seedIncident(database.db, "acme", [...FIBRE, ...DDOS]);
      let locked = () => {};
      let release = () => {};
      const lockHeld = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const pass = database.db.transaction(async (tx) => {
        await lockTenant(tx, "acme");
        locked();
        await released;
      });
      await lockHeld;
      let split = false;
      const splitting = callerFor(database.db, operator)
        .incidents.split({ id: mixed.id, alertIds: mixed.alertIds.slice(3) })
        .then((created) => {
          split = true;
          return created;
        });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(split).toBe(false);
      release();
      await pass;
      expect((await splitting).alert_count).toBe(2);
    },
  );

  it("lists each alert with why it joined its incident, or null when the correlator did not say", async () => {
    const reason = "same site fra1, 20 s after the root; optical LOS → link down";
    const seeded = await seedIncident(database.db, "acme", [
      FIBRE[0] as SeedAlert,
      { ...(FIBRE[1] as SeedAlert), correlationReason: reason },
    ]);
    const listed = await callerFor(database.db, viewer).incidents.alerts({ id: seeded.id });
    expect(listed.map((a) => a.correlation_reason)).toEqual([null, reason]);
  });
});
