/**
 * The same alerts give the same incidents however deliveries split them: a property test over random batchings of
 * labelled real-format streams, stored through `storeAndCorrelate` on PGlite and, with TEST_DATABASE_URL,
 * PostgreSQL, compared with correlating the whole stream in one pass in memory.
 */
import { alerts } from "@teleops/db";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import type { CanonicalAlert } from "@teleops/schema";
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corpusAlerts, storedAlertKey } from "./corpusStream.ts";
import { correlateAlerts } from "./inMemory.ts";
import { storeAndCorrelate } from "./persist.ts";

/** A partition as a canonical string: each incident's alert keys sorted, incidents sorted. */
function canonical(groups: Iterable<string[]>): string[] {
  return [...groups].map((keys) => keys.sort().join(",")).sort();
}

function inMemoryPartition(stream: CanonicalAlert[]): string[] {
  const { assignment } = correlateAlerts(stream);
  const groups = new Map<number, string[]>();
  stream.forEach((alert, i) => {
    const incident = assignment[i] ?? -1;
    if (incident < 0) return;
    const list = groups.get(incident) ?? [];
    list.push(storedAlertKey(alert));
    groups.set(incident, list);
  });
  return canonical(groups.values());
}

describe.each(testBackends())("correlation does not depend on how deliveries are split, on $name", (backend) => {
  let db: TestDatabase;
  let run = 0;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db.dispose();
  });

  async function storedPartition(tenantId: string): Promise<string[]> {
    const rows = await db.db
      .select({ fingerprint: alerts.fingerprint, timestamp: alerts.timestamp, incidentId: alerts.incidentId })
      .from(alerts)
      .where(eq(alerts.tenantId, tenantId));
    const groups = new Map<string, string[]>();
    for (const row of rows) {
      if (row.incidentId === null) continue;
      const list = groups.get(row.incidentId) ?? [];
      list.push(storedAlertKey(row));
      groups.set(row.incidentId, list);
    }
    return canonical(groups.values());
  }

  /** Stores a stream in deliveries cut before each index of `cuts` and answers its incidents. */
  async function storeSplit(stream: CanonicalAlert[], cuts: number[]): Promise<string[]> {
    const tenantId = `batching-${run++}`;
    const bounds = [0, ...[...cuts].sort((a, b) => a - b), stream.length];
    for (let i = 0; i + 1 < bounds.length; i++) {
      await storeAndCorrelate(db.db, { tenantId }, [stream.slice(bounds[i], bounds[i + 1])]);
    }
    return storedPartition(tenantId);
  }

  // Splits found by running the property longer: a later delivery re-read an alert an earlier pass had left out
  // and let it join what came after it (a MAC flap three minutes before a spine crash on the same leaf), or read
  // back too little (a UPS on battery 20 minutes before its battery ran low), or a start moved back by a rule's
  // hold time was measured both ways (a transit port's utilisation and a circuit cut on its router).
  it.each([
    ["syslog-arista-dc-fabric.jsonl", [43]],
    ["snmp-traps-unknown-devices.jsonl", [11]],
    ["am-snmp-wan.jsonl", [10]],
  ])("gives %s cut at %j the incidents of one pass", async (file, cuts) => {
    const stream = corpusAlerts(file as string);
    expect(await storeSplit(stream, cuts as number[])).toEqual(inMemoryPartition(stream));
  });

  it.each([
    "syslog-lis-mad-fibre-cut.jsonl",
    "am-fra1-core-transport.jsonl",
    "syslog-ios-xe-fra1-site.jsonl",
    "syslog-optical-fra-ams.jsonl",
    "am-kube-clusters.jsonl",
    "am-snmp-wan.jsonl",
    "snmp-traps-unknown-devices.jsonl",
    "syslog-arista-dc-fabric.jsonl",
    "snow-em-events.jsonl",
    "syslog-asa-edge-lon.jsonl",
    "syslog-junos-ams-rtm.jsonl",
  ])(
    "gives %s the same incidents for any batching as in one pass",
    async (file) => {
      const stream = corpusAlerts(file);
      const expected = inMemoryPartition(stream);
      expect(expected.length).toBeGreaterThan(0);
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { minLength: 1, maxLength: 12 }),
          async (cuts) => {
            expect(await storeSplit(stream, cuts)).toEqual(expected);
          },
        ),
        { numRuns: 4, seed: 20261203 },
      );
    },
    120_000,
  );
});
