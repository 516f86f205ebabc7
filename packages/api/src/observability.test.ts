import { observabilityMetrics } from "@teleops/core";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "./context.ts";
import { callerFor } from "./testing.ts";

const operator: Actor = { name: "olga", role: "operator", tenantId: "acme" };
const viewer: Actor = { name: "vic", role: "viewer", tenantId: "acme" };
const stranger: Actor = { name: "eve", role: "admin", tenantId: "globex" };

describe.each(testBackends())("observability and topology procedures on $name", (backend) => {
  let database: TestDatabase;
  let incidentId = "";
  beforeAll(async () => {
    database = await backend.open();
    const caller = callerFor(database.db, { ...operator, role: "admin" });
    // A DDoS that ends now, and a router freeze three days ago: only the first is inside the last 24 hours. Both
    // are failures the correlator keeps whole, one incident each (a fiber cut now alarms at both sites).
    const recent = await caller.scenarios.generate({ scenario: "ddos_edge", seed: 15 });
    await caller.scenarios.generate({
      scenario: "router_freeze",
      seed: 9,
      startTime: new Date(Date.now() - 3 * 86_400_000).toISOString(),
    });
    incidentId = recent.incidents[0]?.id ?? "";
    const artifact = await caller.rca.run({ incidentId, engine: "baseline" });
    await caller.rca.review({ artifactId: artifact.id, decision: "accepted", notes: "" });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("counts the last day's alerts per hour and says how much correlation spared the operator", async () => {
    const day = await callerFor(database.db, viewer).metrics.observability({ range: "24h" });
    expect(day.bucket).toBe("hour");
    // Every hour of the window is present, quiet ones as zero.
    expect(day.timeline.length).toBeGreaterThanOrEqual(24);
    expect(day.timeline.length).toBeLessThanOrEqual(25);
    const total = day.timeline.reduce((sum, bucket) => sum + bucket.alerts, 0);
    expect(total).toBe(day.totals.alerts);
    expect(day.totals.incidents).toBe(1);
    // The incident gathers many alerts; the noise stays unassigned.
    expect(day.totals.compression).toBeGreaterThan(10);
    expect(day.totals.unassigned_share).toBeCloseTo(day.totals.unassigned_alerts / day.totals.alerts);
    for (const bucket of day.timeline) {
      expect(bucket.unassigned_share).toBe(
        bucket.alerts === 0 ? null : (bucket.alerts - bucket.alerts_in_incidents) / bucket.alerts,
      );
      expect(bucket.compression).toBe(
        bucket.incidents_touched === 0 ? null : bucket.alerts_in_incidents / bucket.incidents_touched,
      );
    }
    expect(day.timeline.reduce((sum, bucket) => sum + bucket.incidents_started, 0)).toBe(1);
    // Older data is still pointed at, so an empty window can say where the alerts are.
    expect(Date.parse(day.first_alert ?? "")).toBeLessThan(Date.parse(day.from ?? ""));

    const week = await callerFor(database.db, viewer).metrics.observability({ range: "7d" });
    expect(week.totals.incidents).toBe(2);
    expect(week.totals.alerts).toBeGreaterThan(day.totals.alerts);
  });

  it("groups incidents by their accepted root cause and leaves the others unreviewed", async () => {
    const week = await callerFor(database.db, viewer).metrics.observability({ range: "7d" });
    const incident = await callerFor(database.db, viewer).incidents.byId({ id: incidentId });
    expect(week.categories).toEqual(
      expect.arrayContaining([
        { category: incident.suspected_category, incidents: 1 },
        { category: "unreviewed", incidents: 1 },
      ]),
    );
  });

  it("reports RCA acceptance per engine and the time to the first hypothesis", async () => {
    const caller = callerFor(database.db, { ...operator, role: "admin" });
    const week = await caller.metrics.observability({ range: "7d" });
    expect(week.rca).toEqual([
      { engine: "baseline", accepted: 1, rejected: 0, pending_review: 0, failed: 0, acceptance_rate: 1 },
    ]);
    expect(week.totals.acceptance_rate).toBe(1);
    const latency = week.time_to_first_hypothesis;
    expect(latency.incidents).toBe(1);
    expect(latency.median_ms).toBeGreaterThanOrEqual(0);
    expect(latency.bins.reduce((sum, bin) => sum + bin.incidents, 0)).toBe(1);
    expect(latency.bins[0]).toMatchObject({ label: "< 1 min", incidents: 1 });
  });

  it("spans every stored alert with `all` and fills the quiet days between", async () => {
    const all = await callerFor(database.db, viewer).metrics.observability({ range: "all" });
    expect(all.totals.incidents).toBe(2);
    expect(all.bucket).toBe("day");
    expect(all.timeline.length).toBeGreaterThanOrEqual(3);
    expect(all.timeline.some((bucket) => bucket.alerts === 0)).toBe(true);
  });

  it("shows a tenant with no alerts an empty window rather than zeros pretending to be data", async () => {
    const empty = await callerFor(database.db, stranger).metrics.observability({ range: "all" });
    expect(empty).toMatchObject({ from: null, first_alert: null, timeline: [], categories: [], rca: [] });
    expect(empty.totals).toMatchObject({ compression: null, unassigned_share: null });
    const week = await callerFor(database.db, stranger).metrics.observability();
    expect(week.totals).toMatchObject({ alerts: 0, incidents: 0, acceptance_rate: null });
    expect(week.time_to_first_hypothesis.median_ms).toBeNull();
  });

  it("buckets in UTC at fixed boundaries whatever the window's end", async () => {
    const now = new Date("2031-03-30T01:30:00Z");
    const result = await observabilityMetrics(database.db, "nobody", { range: "24h", now });
    expect(result.timeline[0]?.start).toBe("2031-03-29T01:00:00.000Z");
    expect(result.timeline.at(-1)?.start).toBe("2031-03-30T01:00:00.000Z");
    expect(result.timeline).toHaveLength(25);
  });

  it("describes known hosts by site, layer and role and lists the hosts the topology does not know", async () => {
    const caller = callerFor(database.db, viewer);
    const found = await caller.topology.devices({ hosts: ["fra1-core-01", "lab-box-9", "fra1-roadm-01", "lab-box-9"] });
    expect(found.devices).toEqual([
      expect.objectContaining({ host: "fra1-core-01", site: "fra1", layer: "routing", role: "core" }),
      expect.objectContaining({ host: "fra1-roadm-01", site: "fra1", layer: "optical", role: "optical" }),
    ]);
    expect(found.unknown).toEqual(["lab-box-9"]);
  });

  it("refuses the aggregates to callers without credentials and rejects an unknown range", async () => {
    await expect(callerFor(database.db, null).metrics.observability()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    await expect(
      // @ts-expect-error: the range is checked at run time too, for clients that are not TypeScript.
      callerFor(database.db, viewer).metrics.observability({ range: "1y" }),
    ).rejects.toBeInstanceOf(TRPCError);
  });
});
