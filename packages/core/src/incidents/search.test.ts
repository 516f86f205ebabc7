import { incidents } from "@teleops/db";
import { type SeedAlert, seedIncident, type TestDatabase, testBackends } from "@teleops/db/testing";
import { SEARCH_TOTAL_CAP } from "@teleops/schema";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ListIncidentsParams, listIncidents } from "./queries.ts";

const TENANT = "acme";

function at(hour: number): string {
  return new Date(Date.UTC(2026, 10, 20, hour)).toISOString();
}

function list(db: TestDatabase["db"], params: Partial<ListIncidentsParams>, cap?: number) {
  return listIncidents(db, TENANT, { limit: 50, offset: 0, ...params }, cap);
}

describe.each(testBackends())("search totals capped on $name", (backend) => {
  let database: TestDatabase;
  /** Incidents whose alerts carry 198.51.100.7, newest first. */
  let address: string[] = [];
  /** Of those, the ones that also hit port ge-0/0/3, newest first. */
  let portToo: string[] = [];
  let resolved: string[] = [];
  let everything = 0;
  let manyWords: string[] = [];

  beforeAll(async () => {
    database = await backend.open();
    const db = database.db;
    const severities = ["critical", "major", "major", "minor", "warning", "info"] as const;
    const seeded: string[] = [];
    for (const [n, severity] of severities.entries()) {
      const alert: SeedAlert = {
        host: `zrh9-edge-0${n}`,
        alertType: "bgp_session_down",
        timestamp: at(n + 1),
        severity,
        message: `BGP neighbor 198.51.100.7 down${n % 2 === 0 ? " on ge-0/0/3" : ""}`,
      };
      seeded.push((await seedIncident(db, TENANT, [alert])).id);
    }
    address = [...seeded].reverse();
    portToo = address.filter((_, i) => (severities.length - 1 - i) % 2 === 0);
    resolved = [seeded[0], seeded[3]].filter((id): id is string => id !== undefined);
    await db
      .update(incidents)
      .set({ status: "resolved" })
      .where(and(eq(incidents.tenantId, TENANT), inArray(incidents.id, resolved)));
    // A port alone, and an incident that matches nothing searched here.
    await seedIncident(db, TENANT, [
      { host: "ams1-rtr-01", alertType: "link_down", timestamp: at(9), message: "ge-0/0/3 down" },
    ]);
    await seedIncident(db, TENANT, [{ host: "ams1-rtr-02", alertType: "high_cpu", timestamp: at(10) }]);
    // More than 500 distinct words holding "qqz": a term the search looks for in the word lists instead.
    const spread = (from: number, count: number, hour: number): SeedAlert[] =>
      Array.from({ length: count }, (_, i) => ({
        host: "fra1-sw-01",
        alertType: "port_flap",
        timestamp: at(hour),
        message: `flap on qqz-${from + i}`,
      }));
    manyWords = [];
    manyWords.push((await seedIncident(db, TENANT, spread(0, 300, 11))).id);
    manyWords.push((await seedIncident(db, TENANT, spread(300, 300, 12))).id);
    manyWords.push((await seedIncident(db, TENANT, spread(600, 1, 13))).id);
    manyWords.reverse();
    everything = severities.length + 2 + 3;
  }, 120_000);

  afterAll(async () => {
    await database?.dispose();
  });

  it("counts a search exactly when it matches no more than the cap", async () => {
    for (const cap of [address.length, address.length + 1, SEARCH_TOTAL_CAP]) {
      const page = await list(database.db, { text: "198.51.100.7" }, cap);
      expect(page.total).toBe(address.length);
      expect(page.totalExact).toBe(true);
      expect(page.countsExact).toBe(true);
      expect(page.incidents.map((i) => i.id)).toEqual(address);
      expect(page.bySeverity).toEqual({ critical: 1, major: 2, minor: 1, warning: 1, info: 1 });
      expect(page.byStatus).toEqual({ open: 4, acknowledged: 0, resolved: 2 });
    }
  });

  it("stops counting at the cap and says the total is a lower bound, while the page still holds every match in order", async () => {
    for (const cap of [1, 3, address.length - 1]) {
      const page = await list(database.db, { text: "198.51.100.7" }, cap);
      expect(page.total).toBe(cap);
      expect(page.totalExact).toBe(false);
      expect(page.countsExact).toBe(false);
      const counted = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
      expect(counted(page.bySeverity)).toBe(cap);
      expect(counted(page.byStatus)).toBe(cap);
      expect(page.incidents.map((i) => i.id)).toEqual(address);
      const second = await list(database.db, { text: "198.51.100.7", limit: 2, offset: 2 }, cap);
      expect(second.incidents.map((i) => i.id)).toEqual(address.slice(2, 4));
    }
  });

  it("counts a status filter under a capped search up to the cap on its own", async () => {
    const few = await list(database.db, { text: "198.51.100.7", status: ["resolved"] }, 3);
    expect(few).toMatchObject({ total: resolved.length, totalExact: true, countsExact: false });
    expect(few.incidents.map((i) => i.id).sort()).toEqual([...resolved].sort());
    const many = await list(database.db, { text: "198.51.100.7", status: ["open"] }, 3);
    expect(many).toMatchObject({ total: 3, totalExact: false, countsExact: false });
    expect(many.incidents).toHaveLength(address.length - resolved.length);
  });

  it("applies every word and filter to the matches before counting them", async () => {
    const both = await list(database.db, { text: "198.51.100.7 ge-0/0/3" }, 2);
    expect(both.incidents.map((i) => i.id)).toEqual(portToo);
    expect(both).toMatchObject({ total: 2, totalExact: false });
    // With a cap of 4 the port's four incidents travel as a list of ids, the address's six as a test of each incident read.
    for (const cap of [portToo.length, portToo.length + 1]) {
      const exact = await list(database.db, { text: "198.51.100.7 ge-0/0/3" }, cap);
      expect(exact).toMatchObject({ total: portToo.length, totalExact: true, countsExact: true });
      expect(exact.incidents.map((i) => i.id)).toEqual(portToo);
    }
    const window = await list(database.db, { text: "198.51.100.7", lastAlertFrom: at(5) }, 1);
    expect(window.incidents.map((i) => i.id)).toEqual(address.slice(0, 2));
    expect(window).toMatchObject({ total: 1, totalExact: false });
    const inWindow = await list(database.db, { text: "198.51.100.7", lastAlertFrom: at(5) }, 2);
    expect(inWindow).toMatchObject({ total: 2, totalExact: true });
  });

  it("counts an incident once when its title and its alerts both hold the word", async () => {
    for (const cap of [address.length, 2 * address.length]) {
      const page = await list(database.db, { text: "zrh9-edge" }, cap);
      expect(page).toMatchObject({ total: address.length, totalExact: true, countsExact: true });
      expect(page.incidents.map((i) => i.id)).toEqual(address);
    }
  });

  it("caps a term found in the word lists as it caps one found through the vocabulary", async () => {
    const capped = await list(database.db, { text: "qqz" }, 2);
    expect(capped).toMatchObject({ total: 2, totalExact: false });
    expect(capped.incidents.map((i) => i.id)).toEqual(manyWords);
    const exact = await list(database.db, { text: "qqz" }, 3);
    expect(exact).toMatchObject({ total: 3, totalExact: true });
  });

  it("keeps the queue without text exact whatever the cap", async () => {
    const page = await list(database.db, {}, 1);
    expect(page).toMatchObject({ total: everything, totalExact: true, countsExact: true });
    const unassigned = await list(database.db, { unassigned: true, severity: ["major"] }, 1);
    // Two of the address's incidents, the two at ams1 and the three with many words.
    expect(unassigned).toMatchObject({ total: 7, totalExact: true });
  });
});
