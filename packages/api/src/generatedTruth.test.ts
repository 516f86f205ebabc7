import { truthOfAlerts } from "@teleops/core";
import { alerts, generatedTruth } from "@teleops/db";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { type GroundTruth, SCENARIO_TYPES } from "@teleops/schema";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "./context.ts";
import { callerFor } from "./testing.ts";

const operator: Actor = { name: "olga", role: "operator", tenantId: "acme" };
const TRUTH_TAGS = ["scenario", "noise", "ground_truth", "root_cause", "root_component"];

describe.each(testBackends())("scenarios.generate keeps the truth beside the alerts on $name", (backend) => {
  let database: TestDatabase;
  let truths: GroundTruth[] = [];
  let inserted = 0;
  let noise = 0;

  beforeAll(async () => {
    database = await backend.open();
    // Seed 2 puts two unrelated failures at one site minutes apart (see generator.test).
    const outcome = await callerFor(database.db, { ...operator, role: "admin" }).scenarios.generate({
      scenario: "mixed",
      seed: 2,
      durationMinutes: 20,
      ratePerMinute: 10,
      noisePerMinute: 3,
      startTime: "2026-11-25T08:00:00Z",
    });
    truths = Array.isArray(outcome.ground_truth) ? outcome.ground_truth : [outcome.ground_truth];
    inserted = outcome.alerts_inserted;
    noise = outcome.noise_alerts;
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("stores no alert with a ground-truth tag or a scenario name in its tags, only the synthetic marker", async () => {
    const stored = await database.db.select().from(alerts).where(eq(alerts.tenantId, operator.tenantId));
    expect(stored).toHaveLength(inserted);
    const scenarioNames = new Set<string>(SCENARIO_TYPES);
    for (const alert of stored) {
      for (const tag of TRUTH_TAGS) expect(alert.tags, `alert ${alert.id}`).not.toHaveProperty(tag);
      for (const value of Object.values(alert.tags)) expect(scenarioNames.has(value), `alert ${alert.id}`).toBe(false);
      for (const key of TRUTH_TAGS) expect(alert.rawPayload, `alert ${alert.id}`).not.toHaveProperty(key);
      expect(alert.tags.synthetic).toBe("true");
    }
  });

  it("records each stored alert's scenario (or noise) beside it, matching the returned ground truth", async () => {
    const rows = await database.db.select().from(generatedTruth).where(eq(generatedTruth.tenantId, operator.tenantId));
    expect(rows).toHaveLength(inserted);
    expect(rows.filter((row) => row.scenario === null)).toHaveLength(noise);
    truths.forEach((truth, member) => {
      const own = rows.filter((row) => row.member === member);
      expect(own).toHaveLength(truth.alert_count);
      expect(new Set(own.map((row) => row.scenario))).toEqual(new Set([truth.scenario]));
    });

    const ids = (await database.db.select({ id: alerts.id }).from(alerts)).map((row) => row.id);
    const byAlert = await truthOfAlerts(database.db, operator.tenantId, ids);
    expect(byAlert.size).toBe(ids.length);
    expect(new Set([...byAlert.values()].map((truth) => truth.scenario))).toEqual(
      new Set([...truths.map((t) => t.scenario), null]),
    );
    expect(await truthOfAlerts(database.db, "globex", ids)).toEqual(new Map());
  });

  it("marks the incidents made of generated alerts synthetic, and a real alert's incident not", async () => {
    const caller = callerFor(database.db, operator);
    const generated = await caller.incidents.list({ limit: 500 });
    expect(generated.incidents.length).toBeGreaterThan(0);
    for (const incident of generated.incidents) expect(incident.synthetic, incident.id).toBe(true);

    const line = JSON.stringify({
      timestamp: "2026-11-26T03:00:00Z",
      source_system: "syslog",
      host: "edge-router-9",
      service: "backbone",
      severity: "critical",
      alert_type: "link_down",
      message: "Interface et-0/0/1 down",
    });
    await caller.imports.upload({ fileName: "real.jsonl", format: "jsonl", content: line });
    const real = await caller.incidents.list({ limit: 500, text: "edge-router-9" });
    expect(real.incidents).toHaveLength(1);
    expect(real.incidents[0]?.synthetic).toBe(false);
  });

  it("forgets the truth with the tenant's data on reset", async () => {
    const admin = callerFor(database.db, { ...operator, role: "admin" });
    await admin.admin.reset({ confirm: operator.tenantId });
    const left = await database.db.select().from(generatedTruth).where(eq(generatedTruth.tenantId, operator.tenantId));
    expect(left).toEqual([]);
  });
});
