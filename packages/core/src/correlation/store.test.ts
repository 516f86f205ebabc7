/** Storing alerts already correlated (`storeAndCorrelate`), on PGlite and, with TEST_DATABASE_URL, PostgreSQL. */
import { alerts, incidents, integrationEvents } from "@teleops/db";
import { seedIncident, type TestDatabase, testBackends } from "@teleops/db/testing";
import type { CanonicalAlert } from "@teleops/schema";
import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeliveryWriter } from "../alerts/deliveries.ts";
import { ingestAlerts } from "../alerts/ingest.ts";
import { generateScenario, loadTopology } from "../generator/index.ts";
import { metricsOverview, resetTenant } from "../incidents/queries.ts";
import { DEFAULT_CORRELATION_CONFIG, topologyView } from "./index.ts";
import { correlatePending, epochMicros, storeAndCorrelate } from "./persist.ts";

const topology = loadTopology();
const options = (tenantId: string) => ({
  tenantId,
  topology: topologyView(topology),
  config: DEFAULT_CORRELATION_CONFIG,
});

function scenario(name: "fiber_cut" | "bgp_flap", seed: number, start: string): CanonicalAlert[] {
  return generateScenario(
    { scenario: name, seed, durationMinutes: 10, ratePerMinute: 60, noisePerMinute: 0 },
    topology,
    new Date(start),
  ).alerts;
}

describe("epochMicros", () => {
  it("reads an ISO time to the microsecond, whatever the offset notation", () => {
    expect(epochMicros("2026-03-01T10:00:00.123456Z")).toBe(epochMicros("2026-03-01T11:00:00.123456+01:00"));
    expect(epochMicros("2026-03-01T10:00:00.123456Z")).not.toBe(epochMicros("2026-03-01T10:00:00.123457Z"));
    expect(epochMicros("2026-03-01T10:00:00Z")).toBe(String(Date.parse("2026-03-01T10:00:00Z") * 1000));
    expect(epochMicros("2026-03-01T10:00:00.5Z")).toBe(String(Date.parse("2026-03-01T10:00:00.500Z") * 1000));
  });
});

describe.each(testBackends())("storeAndCorrelate on $name", (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db.dispose();
  });

  async function stats(tenantId: string) {
    const [stored] = await db.db.select({ n: count() }).from(alerts).where(eq(alerts.tenantId, tenantId));
    const [pending] = await db.db
      .select({ n: count() })
      .from(alerts)
      .where(sql`${alerts.tenantId} = ${tenantId} and ${alerts.correlatedAt} is null`);
    const rows = await db.db
      .select({ id: incidents.id, alertCount: incidents.alertCount })
      .from(incidents)
      .where(eq(incidents.tenantId, tenantId));
    const members = await db.db
      .select({ incidentId: alerts.incidentId, n: count() })
      .from(alerts)
      .where(eq(alerts.tenantId, tenantId))
      .groupBy(alerts.incidentId);
    return { stored: stored?.n ?? 0, pending: pending?.n ?? 0, incidents: rows, members };
  }

  it("stores a failure's alerts as one incident in one write per alert, counts agreeing with the rows", async () => {
    const batch = scenario("fiber_cut", 7, "2026-03-01T10:00:00Z");
    const outcome = await storeAndCorrelate(db.db, options("store-a"), [batch]);
    expect(outcome.batches).toEqual([{ accepted: batch.length, duplicates: 0 }]);
    const s = await stats("store-a");
    expect(s.stored).toBe(batch.length);
    expect(s.pending).toBe(0);
    expect(s.incidents).toHaveLength(1);
    const incident = s.incidents[0];
    expect(outcome.incidents).toEqual([{ id: incident?.id, alert_count: batch.length }]);
    expect(s.members).toEqual([{ incidentId: incident?.id, n: batch.length }]);
  });

  it("changes nothing when the same alerts are delivered again, and counts repeats within one call once", async () => {
    const batch = scenario("bgp_flap", 3, "2026-03-02T10:00:00Z");
    await storeAndCorrelate(db.db, options("store-b"), [batch]);
    const before = await stats("store-b");
    const again = await storeAndCorrelate(db.db, options("store-b"), [batch, batch.slice(0, 5)]);
    expect(again.batches).toEqual([
      { accepted: 0, duplicates: batch.length },
      { accepted: 0, duplicates: 5 },
    ]);
    expect(await stats("store-b")).toEqual(before);

    const fresh = scenario("bgp_flap", 3, "2026-03-02T12:00:00Z");
    const repeated = await storeAndCorrelate(db.db, options("store-b"), [fresh.slice(0, 10), fresh.slice(5, 10)]);
    expect(repeated.batches).toEqual([
      { accepted: 10, duplicates: 0 },
      { accepted: 0, duplicates: 5 },
    ]);
  });

  it("finds stored alerts it was not told of (stored by an import, another process): same answer, nothing twice", async () => {
    // This process never stored these, so its first attempt leaves out the check (repeats.ts); the insert finds them.
    const batch = scenario("fiber_cut", 11, "2026-03-05T10:00:00Z");
    const importedPart = batch.slice(0, 20);
    await ingestAlerts(db.db, "store-r", importedPart);
    const outcome = await storeAndCorrelate(db.db, options("store-r"), [batch]);
    expect(outcome.batches).toEqual([
      { accepted: batch.length - importedPart.length, duplicates: importedPart.length },
    ]);
    const s = await stats("store-r");
    expect(s.stored).toBe(batch.length);
    expect(s.pending).toBe(0);
    expect(s.incidents).toHaveLength(1);
    expect(s.incidents[0]?.alertCount).toBe(batch.length);
    // A whole delivery stored before, by a tenant whose repeats this process has not seen yet.
    await ingestAlerts(db.db, "store-s", batch);
    await storeAndCorrelate(db.db, options("store-s"), [[]]);
    const before = await stats("store-s");
    const again = await storeAndCorrelate(db.db, options("store-s"), [batch]);
    expect(again.batches).toEqual([{ accepted: 0, duplicates: batch.length }]);
    expect(await stats("store-s")).toEqual(before);
  });

  it("tells apart alerts a microsecond apart and matches one time written two ways", async () => {
    const [base] = scenario("fiber_cut", 1, "2026-03-03T10:00:00Z");
    if (!base) throw new Error("the generator gave no alert");
    const at = (timestamp: string) => ({ ...base, timestamp });
    const first = await storeAndCorrelate(db.db, options("store-c"), [
      [at("2026-03-03T10:00:00.123456Z"), at("2026-03-03T10:00:00.123457Z")],
    ]);
    expect(first.batches).toEqual([{ accepted: 2, duplicates: 0 }]);
    const second = await storeAndCorrelate(db.db, options("store-c"), [[at("2026-03-03T12:00:00.123456+02:00")]]);
    expect(second.batches).toEqual([{ accepted: 0, duplicates: 1 }]);
  });

  it("keeps the overview's unassigned count equal to the alerts without an incident, through every kind of write", async () => {
    const tenant = "store-counts";
    const unassigned = async () => {
      const [row] = await db.db
        .select({ n: count() })
        .from(alerts)
        .where(sql`${alerts.tenantId} = ${tenant} and ${alerts.incidentId} is null`);
      return row?.n ?? 0;
    };
    const expectAgreement = async () => {
      const overview = await metricsOverview(db.db, tenant);
      const [total] = await db.db.select({ n: count() }).from(alerts).where(eq(alerts.tenantId, tenant));
      expect(overview.unassigned_alerts).toBe(await unassigned());
      expect(overview.alerts).toBe(total?.n ?? 0);
    };
    // Stored without correlation (every alert unassigned), then correlated (most join an incident).
    const failure = scenario("fiber_cut", 21, "2026-03-05T10:00:00Z");
    await ingestAlerts(db.db, tenant, failure);
    expect((await metricsOverview(db.db, tenant)).unassigned_alerts).toBe(failure.length);
    await correlatePending(db.db, options(tenant));
    await expectAgreement();
    // A lone alert far away stays unassigned; a redelivery changes nothing; another tenant is not counted.
    const [first] = scenario("bgp_flap", 22, "2026-03-07T10:00:00Z");
    if (!first) throw new Error("the generator gave no alert");
    // At warning a lone session flap stays below the incident bar.
    const lone = { ...first, severity: "warning" as const };
    await storeAndCorrelate(db.db, options(tenant), [[lone], failure]);
    await storeAndCorrelate(db.db, options("store-counts-other"), [[lone]]);
    await expectAgreement();
    expect(await unassigned()).toBeGreaterThan(0);
    // A reset deletes everything: nothing is left unassigned.
    await resetTenant(db.db, tenant);
    expect(await metricsOverview(db.db, tenant)).toMatchObject({ alerts: 0, unassigned_alerts: 0 });
    expect((await metricsOverview(db.db, "store-counts-other")).unassigned_alerts).toBe(1);
  });

  it("correlates alerts stored earlier without correlation (an import) in the same pass as new ones", async () => {
    const batch = scenario("fiber_cut", 11, "2026-03-04T10:00:00Z");
    const half = Math.floor(batch.length / 2);
    await ingestAlerts(db.db, "store-d", batch.slice(0, half));
    expect((await stats("store-d")).pending).toBe(half);
    const outcome = await storeAndCorrelate(db.db, options("store-d"), [batch]);
    expect(outcome.batches).toEqual([{ accepted: batch.length - half, duplicates: half }]);
    const s = await stats("store-d");
    expect(s.pending).toBe(0);
    expect(s.incidents).toHaveLength(1);
    expect(s.incidents[0]?.alertCount).toBe(batch.length);
    expect(s.members).toEqual([{ incidentId: s.incidents[0]?.id, n: batch.length }]);
  });

  it("grows the open incident across deliveries instead of opening a second one", async () => {
    const batch = scenario("fiber_cut", 5, "2026-03-05T10:00:00Z");
    for (let start = 0; start < batch.length; start += 20) {
      await storeAndCorrelate(db.db, options("store-e"), [batch.slice(start, start + 20)]);
    }
    const s = await stats("store-e");
    expect(s.incidents).toHaveLength(1);
    expect(s.incidents[0]?.alertCount).toBe(batch.length);
    expect(s.members).toEqual([{ incidentId: s.incidents[0]?.id, n: batch.length }]);
    // Nothing is left for a correlation pass to do.
    expect((await correlatePending(db.db, options("store-e"))).correlated).toBe(0);
  });

  it("writes the delivery's integration event in the same transaction: a failed event leaves no alert behind", async () => {
    const write = createDeliveryWriter(db.db, { topology: topologyView(topology), config: DEFAULT_CORRELATION_CONFIG });
    const batch = scenario("bgp_flap", 9, "2026-03-06T10:00:00Z");
    const event = (status: number) => () => ({
      tenantId: "store-f",
      source: "alerts" as const,
      outcome: "accepted" as const,
      httpStatus: status,
      headers: {},
      summary: {},
    });
    // http_status is an integer column: a fractional one fails the event insert, and with it the delivery.
    await expect(write("store-f", [{ alerts: batch, event: event(202.5) }])).rejects.toThrow();
    expect((await stats("store-f")).stored).toBe(0);

    const [stored] = await write("store-f", [{ alerts: batch, event: event(202) }]);
    expect(stored?.accepted).toBe(batch.length);
    const [events] = await db.db
      .select({ n: count() })
      .from(integrationEvents)
      .where(eq(integrationEvents.tenantId, "store-f"));
    expect(events?.n).toBe(1);
    expect((await stats("store-f")).stored).toBe(batch.length);
  });

  it("leaves other tenants' alerts alone", async () => {
    const batch = scenario("fiber_cut", 7, "2026-03-01T10:00:00Z");
    // Same alerts as the first test's tenant: for this tenant they are new.
    const outcome = await storeAndCorrelate(db.db, options("store-g"), [batch]);
    expect(outcome.batches).toEqual([{ accepted: batch.length, duplicates: 0 }]);
    expect((await stats("store-a")).stored).toBe(batch.length);
  });

  it("grows incidents whose state an operator's correction cleared, never merging them back together", async () => {
    // Two open incidents without correlation state (as a split leaves them), on one router a minute apart.
    const at = (second: number) => new Date(Date.parse("2026-04-02T09:00:00Z") + second * 1000).toISOString();
    const down = (second: number) => ({
      host: "fra1-cr9",
      alertType: "link_down",
      timestamp: at(second),
      severity: "critical" as const,
      site: "fra1",
    });
    const a = await seedIncident(db.db, "store-h", [down(0), down(2)]);
    const b = await seedIncident(db.db, "store-h", [down(60), down(62)]);
    const late = {
      ...scenario("fiber_cut", 7, "2026-04-02T09:00:00Z")[0],
      timestamp: at(90),
      host: "fra1-cr9",
      alert_type: "link_down",
      message: "xe-0/0/2 down",
      tags: { site: "fra1" },
      fingerprint: "late-fra1-cr9",
    } as CanonicalAlert;
    const outcome = await storeAndCorrelate(db.db, options("store-h"), [[late]]);
    expect(outcome.incidents.map((ref) => ref.id).sort()).toEqual(
      [a.id, b.id].filter((id) => outcome.incidents.some((r) => r.id === id)).sort(),
    );
    expect(outcome.incidents).toHaveLength(1);
    const rows = await db.db
      .select({ id: incidents.id, mergedInto: incidents.mergedInto })
      .from(incidents)
      .where(eq(incidents.tenantId, "store-h"));
    expect(rows.every((row) => row.mergedInto === null)).toBe(true);
  });
});
