import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "./context.ts";
import { callerFor } from "./testing.ts";

const operator: Actor = { name: "olga", role: "operator", tenantId: "northwind" };
const viewer: Actor = { name: "vic", role: "viewer", tenantId: "northwind" };
const otherOperator: Actor = { name: "eve", role: "operator", tenantId: "contoso" };
const otherViewer: Actor = { name: "val", role: "viewer", tenantId: "contoso" };

const sample = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../../fixtures/data_samples/${name}`, import.meta.url)), "utf8");

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    return error instanceof TRPCError ? error.code : "NOT_TRPC";
  }
}

/**
 * Loss of signal at both ends of the LIS–MAD span, a minute apart, on two optical line systems at different sites,
 * with no site tags and nothing in the text tying them. Only the topology links them (the circuit LIS-MAD-2).
 */
const SPAN_ALARMS = [
  { timestamp: "2026-11-30T22:41:07Z", host: "lis-roadm-1", message: "Loss of signal on line port 1-5-2" },
  { timestamp: "2026-11-30T22:42:09Z", host: "mad-roadm-2", message: "Loss of signal on line port 1-3-1" },
]
  .map((a) => JSON.stringify({ ...a, source_system: "syslog", service: "", severity: "critical", alert_type: "los" }))
  .join("\n");

describe.each(testBackends())("topology router on $name", (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await backend.open();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("has no topology for a tenant that never imported one", async () => {
    expect(await callerFor(database.db, viewer).topology.get()).toBeNull();
    const devices = await callerFor(database.db, viewer).topology.devices({ hosts: ["lis-roadm-1"] });
    expect(devices).toEqual({ devices: [], unknown: ["lis-roadm-1"] });
  });

  it("imports a NetBox export, replaces the tenant's topology, and records it in the audit trail", async () => {
    const caller = callerFor(database.db, operator);
    const result = await caller.topology.import({
      content: sample("netbox_topology.json"),
      name: "netbox_topology.json",
    });
    expect(result).toMatchObject({
      tenant: "northwind",
      format: "netbox",
      source: "netbox: netbox_topology.json",
      devices: 14,
      links: 12,
      skipped_count: 3,
    });
    const stored = await callerFor(database.db, viewer).topology.get();
    expect(stored).toMatchObject({
      tenant: "northwind",
      device_count: 14,
      link_count: 12,
      source: "netbox: netbox_topology.json",
      updated_by: "olga",
      updated_at: result.updated_at,
    });
    expect(stored?.devices.find((d) => d.name === "lis-roadm-1")).toMatchObject({ role: "optical-line", site: "lis1" });
    const devices = await callerFor(database.db, viewer).topology.devices({ hosts: ["mad-edge-mx-3", "nowhere-1"] });
    expect(devices).toEqual({
      devices: [
        { host: "mad-edge-mx-3", role: "edge-router", site: "mad1", region: null, layer: null, vendor: "juniper" },
      ],
      unknown: ["nowhere-1"],
    });

    // A second import replaces the first whole.
    const csv = await caller.topology.import({
      devices: sample("netbox_devices.csv"),
      cables: sample("netbox_cables.csv"),
    });
    expect(csv).toMatchObject({ format: "netbox-csv", devices: 14, links: 11 });
    expect(await callerFor(database.db, viewer).topology.get()).toMatchObject({ link_count: 11, source: "netbox-csv" });

    const audit = await callerFor(database.db, viewer).audit.list({ action: "topology.import" });
    expect(audit.events.map((e) => [e.actor, e.details.format, e.details.devices, e.details.links])).toEqual([
      ["olga", "netbox-csv", 14, 11],
      ["olga", "netbox", 14, 12],
    ]);
    expect(audit.events[0]?.details.replaced).toEqual({ devices: 14, links: 12 });
    expect((await callerFor(database.db, viewer).audit.verify()).ok).toBe(true);
  });

  it("refuses a broken file with the line or field path, and keeps the topology it had", async () => {
    const caller = callerFor(database.db, operator);
    const before = await caller.topology.get();
    const error = await caller.topology
      .import({ format: "teleops", content: JSON.stringify({ devices: [{ name: "a", role: 5 }] }) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
    expect((error as TRPCError).message).toMatch(/devices\[0\]\.role/);
    expect(await codeOf(caller.topology.import({ content: 'Name,Role\nr1,core\nr2,"core"x\n' }))).toBe("BAD_REQUEST");
    expect(await caller.topology.get()).toEqual(before);
  });

  it("lets a viewer read but not import", async () => {
    const content = JSON.stringify({ devices: [{ name: "x" }], links: [] });
    expect(await codeOf(callerFor(database.db, viewer).topology.import({ content }))).toBe("FORBIDDEN");
    expect(await codeOf(callerFor(database.db, null).topology.get())).toBe("UNAUTHORIZED");
  });

  it("never shows one tenant's topology to another, and an import stays in the importer's tenant", async () => {
    expect(await callerFor(database.db, otherViewer).topology.get()).toBeNull();
    const devices = await callerFor(database.db, otherViewer).topology.devices({ hosts: ["lis-roadm-1"] });
    expect(devices.unknown).toEqual(["lis-roadm-1"]);
    await callerFor(database.db, otherOperator).topology.import({
      content: JSON.stringify({ devices: [{ name: "contoso-sw-1", role: "ToR" }], links: [] }),
    });
    expect(await callerFor(database.db, otherViewer).topology.get()).toMatchObject({ device_count: 1 });
    expect(await callerFor(database.db, viewer).topology.get()).toMatchObject({ device_count: 14 });
    const audit = await callerFor(database.db, otherViewer).audit.list({ action: "topology.import" });
    expect(audit.events.map((e) => e.actor)).toEqual(["eve"]);
  });

  it("correlates alarms on linked devices of the stored topology into one incident, and not in a tenant without it", async () => {
    const withTopology: Actor = { name: "tom", role: "operator", tenantId: "span-a" };
    const without: Actor = { name: "nia", role: "operator", tenantId: "span-b" };
    await callerFor(database.db, withTopology).topology.import({ content: sample("netbox_topology.json") });

    const a = await callerFor(database.db, withTopology).imports.upload({
      fileName: "span.jsonl",
      content: SPAN_ALARMS,
    });
    const b = await callerFor(database.db, without).imports.upload({ fileName: "span.jsonl", content: SPAN_ALARMS });
    expect([a.imported, b.imported]).toEqual([2, 2]);

    const incidentsOf = async (actor: Actor) =>
      (await callerFor(database.db, actor).incidents.list()).incidents.map((i) => [...i.hosts].sort());
    expect(await incidentsOf(withTopology)).toEqual([["lis-roadm-1", "mad-roadm-2"]]);
    expect((await incidentsOf(without)).sort()).toEqual([["lis-roadm-1"], ["mad-roadm-2"]]);
  });

  it("stores the demo topology for a tenant that generates demo data, and never over its own", async () => {
    const lab: Actor = { name: "lab", role: "admin", tenantId: "lab" };
    await callerFor(database.db, lab).scenarios.generate({
      scenario: "dns_outage",
      seed: 2,
      startTime: "2026-11-20T08:00:00Z",
    });
    const demo = await callerFor(database.db, lab).topology.get();
    expect(demo).toMatchObject({ source: "demo (fixtures/topology.json)", updated_by: "lab" });
    expect(demo?.device_count).toBeGreaterThan(20);

    // The tenant with its own NetBox topology keeps it when it generates demo data.
    await callerFor(database.db, { ...operator, role: "admin" }).scenarios.generate({
      scenario: "dns_outage",
      seed: 2,
      startTime: "2026-11-20T08:00:00Z",
    });
    expect(await callerFor(database.db, viewer).topology.get()).toMatchObject({
      source: "netbox-csv",
      device_count: 14,
    });
    // And no other tenant got one.
    expect(await callerFor(database.db, { ...viewer, tenantId: "untouched" }).topology.get()).toBeNull();
  });
});
