import { imports, incidents } from "@teleops/db";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import type { CanonicalAlert } from "@teleops/schema";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withFingerprint } from "../alerts/fingerprint.ts";
import { listAudit } from "../audit/events.ts";
import { DEFAULT_CORRELATION_CONFIG, type TopologyView } from "../correlation/correlator.ts";
import { storeAndCorrelate } from "../correlation/persist.ts";
import { importContent, startImport } from "../importers/store.ts";
import { resolveAlertmanagerAlerts } from "../integrations/alertmanager.ts";
import { upsertInboundTicket } from "../integrations/tickets.ts";
import { resolveClearedIncidents } from "./lifecycle.ts";
import { getIncident, incidentAlerts } from "./queries.ts";

const MINUTE = 60_000;
const NO_TOPOLOGY: TopologyView = { siteOf: () => undefined, neighbours: () => undefined };
/** Alarms a few minutes old, so the pass sees live traffic. */
const base = Date.now() - 30 * MINUTE;
const at = (minutes: number) => new Date(base + minutes * MINUTE).toISOString();

function alarm(
  host: string,
  alertType: string,
  minutes: number,
  extra: { message?: string; status?: "firing" | "resolved" } = {},
): CanonicalAlert {
  return withFingerprint({
    fingerprint: undefined,
    timestamp: at(minutes),
    source_system: "syslog",
    host,
    service: "backbone",
    severity: "critical",
    alert_type: alertType,
    message: extra.message ?? `${alertType} on ${host} interface xe-0/0/1`,
    tags: {},
    raw_payload: {},
    tenant_id: null,
    status: extra.status ?? "firing",
  });
}

describe.each(testBackends())("incidents that resolve themselves on $name", (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await backend.open();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function store(tenantId: string, batch: CanonicalAlert[]) {
    return storeAndCorrelate(database.db, { tenantId }, [batch]);
  }

  /** One run of the auto-resolver (it sweeps every tenant); what it resolved of this tenant. */
  async function sweep(tenantId: string, now: Date, holdMs: number) {
    const done = await resolveClearedIncidents(database.db, { now, holdMs });
    return done.filter((resolved) => resolved.tenantId === tenantId);
  }

  async function statusOf(tenantId: string, id: string) {
    const [row] = await database.db
      .select({ status: incidents.status, clearedAt: incidents.clearedAt, owner: incidents.owner })
      .from(incidents)
      .where(and(eq(incidents.tenantId, tenantId), eq(incidents.id, id)));
    return row;
  }

  /** An outage of two critical alarms on one router: one incident. */
  async function outage(tenantId: string, host: string) {
    const raised = [alarm(host, "link_down", 0), alarm(host, "bgp_session_down", 0.2)];
    const outcome = await store(tenantId, raised);
    expect(outcome.incidents).toHaveLength(1);
    return { id: outcome.incidents[0]?.id as string, raised };
  }

  it("clears an incident when Alertmanager resolves its alerts, and resolves it as system with a hold of 0", async () => {
    const tenant = "am-hold0";
    const { id, raised } = await outage(tenant, "core-1");
    expect((await statusOf(tenant, id))?.clearedAt).toBeNull();
    // One of two resolved: still firing, nothing to resolve.
    await database.db.transaction((tx) =>
      resolveAlertmanagerAlerts(tx, tenant, [{ ...(raised[0] as CanonicalAlert), status: "resolved", ends_at: at(5) }]),
    );
    expect((await statusOf(tenant, id))?.clearedAt).toBeNull();
    expect(await sweep(tenant, new Date(), 0)).toEqual([]);

    await database.db.transaction((tx) =>
      resolveAlertmanagerAlerts(tx, tenant, [{ ...(raised[1] as CanonicalAlert), status: "resolved", ends_at: at(6) }]),
    );
    expect((await statusOf(tenant, id))?.clearedAt?.toISOString()).toBe(at(6));
    const resolved = await sweep(tenant, new Date(), 0);
    expect(resolved).toEqual([{ tenantId: tenant, id, from: "open" }]);
    expect((await statusOf(tenant, id))?.status).toBe("resolved");
    const audit = await listAudit(database.db, tenant, { incidentId: id });
    expect(audit.events[0]).toMatchObject({
      actor: "system",
      action: "incident.status",
      details: { from: "open", to: "resolved", reason: "every alarm cleared" },
    });
    // A second sweep (another server process) finds nothing left to do.
    expect(await sweep(tenant, new Date(), 0)).toEqual([]);
  });

  it("waits out the hold: not resolved before cleared_at + hold, resolved after", async () => {
    const tenant = "am-hold5";
    const { id, raised } = await outage(tenant, "core-2");
    await database.db.transaction((tx) =>
      resolveAlertmanagerAlerts(
        tx,
        tenant,
        raised.map((alert) => ({ ...alert, status: "resolved" as const, ends_at: at(10) })),
      ),
    );
    const cleared = Date.parse(at(10));
    const hold = 5 * MINUTE;
    expect(await sweep(tenant, new Date(cleared + 4 * MINUTE), hold)).toEqual([]);
    expect((await statusOf(tenant, id))?.status).toBe("open");
    const done = await sweep(tenant, new Date(cleared + 5 * MINUTE + 1), hold);
    expect(done.map((r) => r.id)).toEqual([id]);
    expect((await statusOf(tenant, id))?.status).toBe("resolved");
  });

  it("lets syslog clears (link up, session up) resolve the alarms they clear, and clears the incident", async () => {
    const tenant = "syslog-clear";
    const { id } = await outage(tenant, "core-3");
    await store(tenant, [alarm("core-3", "link_up", 3)]);
    expect((await statusOf(tenant, id))?.clearedAt).toBeNull();
    const partly = await incidentAlerts(database.db, tenant, id);
    expect(partly.map((a) => [a.alert_type, a.status])).toEqual([
      ["link_down", "resolved"],
      ["bgp_session_down", "firing"],
      ["link_up", "resolved"],
    ]);
    await store(tenant, [alarm("core-3", "bgp_session_up", 4)]);
    expect((await statusOf(tenant, id))?.clearedAt?.toISOString()).toBe(at(4));
    expect((await incidentAlerts(database.db, tenant, id)).every((a) => a.status === "resolved")).toBe(true);
  });

  it("takes cleared_at back when an alarm of the incident fires again during the hold", async () => {
    const tenant = "refire-hold";
    const { id, raised } = await outage(tenant, "core-4");
    await database.db.transaction((tx) =>
      resolveAlertmanagerAlerts(
        tx,
        tenant,
        raised.map((alert) => ({ ...alert, status: "resolved" as const, ends_at: at(2) })),
      ),
    );
    expect((await statusOf(tenant, id))?.clearedAt).not.toBeNull();
    await store(tenant, [alarm("core-4", "link_down", 3)]);
    expect((await statusOf(tenant, id))?.clearedAt).toBeNull();
    expect(await sweep(tenant, new Date(), 0)).toEqual([]);
  });

  it("reopens a resolved incident, as system, when a member alarm fires again within the quiet period", async () => {
    const tenant = "reopen";
    const { id } = await outage(tenant, "core-5");
    await store(tenant, [alarm("core-5", "link_up", 1), alarm("core-5", "bgp_session_up", 1.1)]);
    await sweep(tenant, new Date(), 0);
    expect((await statusOf(tenant, id))?.status).toBe("resolved");

    // The same link goes down again 3 minutes after clearing (quiet period: 5 minutes).
    const outcome = await store(tenant, [alarm("core-5", "link_down", 4.1)]);
    const after = await getIncident(database.db, tenant, id);
    expect(after).toMatchObject({ status: "open", alert_count: 5, cleared_at: null });
    const members = await incidentAlerts(database.db, tenant, id);
    expect(members.filter((a) => a.status === "firing").map((a) => a.alert_type)).toEqual(["link_down"]);
    // Whatever the pass had made of the refire alone now points at the reopened incident.
    for (const ref of outcome.incidents.filter((ref) => ref.id !== id)) {
      expect((await getIncident(database.db, tenant, ref.id)).merged_into).toBe(id);
    }
    const audit = await listAudit(database.db, tenant, { incidentId: id, action: "incident.reopen" });
    expect(audit.events).toHaveLength(1);
    expect(audit.events[0]).toMatchObject({ actor: "system", details: { from: "resolved", to: "open" } });
  });

  it("reopens with an alarm that alone stays below the incident bar, moving it into the incident", async () => {
    const tenant = "reopen-small";
    const raised = [
      alarm("core-8", "link_down", 0),
      { ...alarm("core-8", "packet_loss", 0.1), severity: "warning" as const },
    ];
    const outcome = await store(tenant, raised);
    const id = outcome.incidents[0]?.id as string;
    expect(outcome.incidents).toHaveLength(1);
    await database.db.transaction((tx) =>
      resolveAlertmanagerAlerts(
        tx,
        tenant,
        raised.map((alert) => ({ ...alert, status: "resolved" as const, ends_at: at(1) })),
      ),
    );
    expect((await sweep(tenant, new Date(), 0)).map((r) => r.id)).toEqual([id]);
    const again = await store(tenant, [{ ...alarm("core-8", "packet_loss", 3), severity: "warning" as const }]);
    expect(again.incidents).toEqual([]);
    const members = await incidentAlerts(database.db, tenant, id);
    expect(members.map((a) => [a.alert_type, a.status])).toEqual([
      ["link_down", "resolved"],
      ["packet_loss", "resolved"],
      ["packet_loss", "firing"],
    ]);
    expect(await getIncident(database.db, tenant, id)).toMatchObject({ status: "open", alert_count: 3 });
  });

  it("resolves a cleared incident once when two server processes sweep at the same moment", async () => {
    const tenant = "two-sweepers";
    const { id, raised } = await outage(tenant, "core-9");
    await database.db.transaction((tx) =>
      resolveAlertmanagerAlerts(
        tx,
        tenant,
        raised.map((alert) => ({ ...alert, status: "resolved" as const, ends_at: at(1) })),
      ),
    );
    const [first, second] = await Promise.all([sweep(tenant, new Date(), 0), sweep(tenant, new Date(), 0)]);
    expect([...(first ?? []), ...(second ?? [])].map((r) => r.id)).toEqual([id]);
    const audit = await listAudit(database.db, tenant, { incidentId: id, action: "incident.status" });
    expect(audit.events).toHaveLength(1);
  });

  it("holds a cleared incident back while an import that loads it is still running", async () => {
    const tenant = "import-running";
    const { id, raised } = await outage(tenant, "core-10");
    await database.db.transaction((tx) =>
      resolveAlertmanagerAlerts(
        tx,
        tenant,
        raised.map((alert) => ({ ...alert, status: "resolved" as const, ends_at: at(1) })),
      ),
    );
    const started = await startImport(database.db, {
      tenantId: tenant,
      actor: "olga",
      fileName: "h.jsonl",
      format: "jsonl",
    });
    await database.db
      .update(imports)
      .set({ incidentIds: [id] })
      .where(eq(imports.id, started.id));
    expect(await sweep(tenant, new Date(), 0)).toEqual([]);
    // An import abandoned over an hour ago holds nothing back.
    expect((await sweep(tenant, new Date(Date.now() + 61 * MINUTE), 0)).map((r) => r.id)).toEqual([id]);
  });

  it("leaves a resolved incident alone when the alarm fires again after the quiet period", async () => {
    const tenant = "no-reopen";
    const { id } = await outage(tenant, "core-6");
    await store(tenant, [alarm("core-6", "link_up", 1), alarm("core-6", "bgp_session_up", 1.1)]);
    await sweep(tenant, new Date(), 0);
    await store(tenant, [alarm("core-6", "link_down", 9)]);
    expect((await getIncident(database.db, tenant, id)).status).toBe("resolved");
    expect((await listAudit(database.db, tenant, { action: "incident.reopen" })).events).toHaveLength(0);
  });

  it("stores imported history resolved by system and says how many; recent incidents stay open", async () => {
    const tenant = "history";
    const old = (minutes: number) => new Date(Date.parse("2025-06-01T10:00:00Z") + minutes * MINUTE).toISOString();
    const line = (timestamp: string, host: string, alertType: string) =>
      JSON.stringify({
        timestamp,
        source_system: "snmp",
        host,
        service: "backbone",
        severity: "critical",
        alert_type: alertType,
        message: `${alertType} on ${host}`,
      });
    const content = [
      line(old(0), "edge-1", "link_down"),
      line(old(0.5), "edge-1", "bgp_session_down"),
      line(at(29), "edge-2", "link_down"),
      line(at(29.2), "edge-2", "bgp_session_down"),
    ].join("\n");
    const summary = await importContent(
      database.db,
      {
        tenantId: tenant,
        actor: "olga",
        topology: NO_TOPOLOGY,
        correlation: DEFAULT_CORRELATION_CONFIG,
      },
      { fileName: "history.jsonl", content },
    );
    expect(summary.incidents).toHaveLength(2);
    expect(summary.resolved_history).toBe(1);
    const states = await Promise.all(summary.incidents.map((ref) => getIncident(database.db, tenant, ref.id)));
    const byHost = Object.fromEntries(states.map((incident) => [incident.hosts[0], incident.status]));
    expect(byHost).toEqual({ "edge-1": "resolved", "edge-2": "open" });
    const oldId = states.find((incident) => incident.hosts[0] === "edge-1")?.id as string;
    const audit = await listAudit(database.db, tenant, { incidentId: oldId });
    expect(audit.events[0]).toMatchObject({ actor: "system", details: { to: "resolved" } });
  });

  it("clears an incident when its linked ServiceNow ticket is closed", async () => {
    const tenant = "ticket-closed";
    const { id } = await outage(tenant, "core-7");
    const ticket = (state: string, updated: string) => ({
      system: "servicenow" as const,
      externalId: "sys-1",
      number: "INC0010001",
      title: "core-7 down",
      status: state,
      priority: "1",
      url: undefined,
      externalUpdatedAt: new Date(updated),
      raw: { state },
      incidentRefs: [id],
    });
    await upsertInboundTicket(database.db, tenant, ticket("In Progress", at(1)));
    expect((await statusOf(tenant, id))?.clearedAt).toBeNull();
    await upsertInboundTicket(database.db, tenant, ticket("Closed", at(2)));
    expect((await statusOf(tenant, id))?.clearedAt).not.toBeNull();
    expect((await sweep(tenant, new Date(), 0)).map((r) => r.id)).toEqual([id]);
  });
});
