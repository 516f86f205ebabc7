/**
 * Incidents' evidence kept in process between passes (evidence.ts) must decide exactly as evidence read from the
 * database would: after a pass that rolled back, and when several server processes take turns on one database.
 */
import { alerts, createDb, incidentEvidence, incidents } from "@teleops/db";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import type { CanonicalAlert } from "@teleops/schema";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corpusAlerts, storedAlertKey } from "./corpusStream.ts";
import { evidenceCacheOf } from "./evidence.ts";
import { correlateAlerts } from "./inMemory.ts";
import { storeAndCorrelate } from "./persist.ts";

/** Every incident's alerts and their reasons, as one canonical list. */
async function outcome(db: TestDatabase["db"], tenantId: string): Promise<string[]> {
  const rows = await db
    .select({
      fingerprint: alerts.fingerprint,
      timestamp: alerts.timestamp,
      incidentId: alerts.incidentId,
      reason: alerts.correlationReason,
    })
    .from(alerts)
    .where(eq(alerts.tenantId, tenantId));
  const groups = new Map<string, string[]>();
  for (const row of rows) {
    if (row.incidentId === null) continue;
    const list = groups.get(row.incidentId) ?? [];
    list.push(`${storedAlertKey(row)}:${row.reason}`);
    groups.set(row.incidentId, list);
  }
  return [...groups.values()].map((list) => list.sort().join(",")).sort();
}

/** Cuts a stream into `parts` deliveries of similar size. */
function deliveries(stream: CanonicalAlert[], parts: number): CanonicalAlert[][] {
  const size = Math.ceil(stream.length / parts);
  const out: CanonicalAlert[][] = [];
  for (let i = 0; i < stream.length; i += size) out.push(stream.slice(i, i + size));
  return out;
}

const STREAMS = ["syslog-lis-mad-fibre-cut.jsonl", "am-fra1-core-transport.jsonl", "syslog-ios-xe-fra1-site.jsonl"];

describe.each(testBackends())("evidence kept between passes, on $name", (backend) => {
  let db: TestDatabase;
  let run = 0;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db.dispose();
  });

  it.each(STREAMS)(
    "forgets what a rolled-back pass added (%s)",
    async (file) => {
      const parts = deliveries(corpusAlerts(file), 8);
      // Each delivery in turn is refused once (its transaction rolls back after the pass ran) and never sent again:
      // what follows must be decided as if it had never been seen, as a fresh run without it decides.
      for (let skipped = 1; skipped < parts.length - 1; skipped++) {
        const tried = `rollback-${run++}`;
        const clean = `clean-${run++}`;
        for (const [index, part] of parts.entries()) {
          if (index === skipped) {
            await expect(
              storeAndCorrelate(db.db, { tenantId: tried }, [part], async () => {
                throw new Error("refused");
              }),
            ).rejects.toThrow("refused");
            continue;
          }
          await storeAndCorrelate(db.db, { tenantId: tried }, [part]);
          await storeAndCorrelate(db.db, { tenantId: clean }, [part]);
        }
        expect(await outcome(db.db, tried)).toEqual(await outcome(db.db, clean));
      }
    },
    120_000,
  );

  it("gives a storm-sized incident (looked up by key, not indexed key by key) the incidents of one pass in memory", async () => {
    const stream = corpusAlerts("storm-fra2-dc-power.jsonl");
    const { assignment } = correlateAlerts(stream);
    const expected = new Map<number, string[]>();
    stream.forEach((alert, i) => {
      const incident = assignment[i] ?? -1;
      if (incident >= 0) expected.set(incident, [...(expected.get(incident) ?? []), storedAlertKey(alert)]);
    });
    const tenantId = `storm-${run++}`;
    for (const part of deliveries(stream, 9)) await storeAndCorrelate(db.db, { tenantId }, [part]);
    // The storm's incident outgrows the bar for indexing key by key after the first deliveries.
    expect(evidenceCacheOf(db.db).keptKeys(tenantId)).toBeGreaterThan(1_000);
    const stored = new Map<string, string[]>();
    const rows = await db.db
      .select({ fingerprint: alerts.fingerprint, timestamp: alerts.timestamp, incidentId: alerts.incidentId })
      .from(alerts)
      .where(eq(alerts.tenantId, tenantId));
    for (const row of rows) {
      if (row.incidentId !== null)
        stored.set(row.incidentId, [...(stored.get(row.incidentId) ?? []), storedAlertKey(row)]);
    }
    const canonical = (groups: Iterable<string[]>) => [...groups].map((keys) => keys.sort().join(",")).sort();
    expect(canonical(stored.values())).toEqual(canonical(expected.values()));
  }, 120_000);

  it("stores only the keys a pass changed, at the incident's next revision", async () => {
    const tenantId = `revisions-${run++}`;
    const parts = deliveries(corpusAlerts("syslog-lis-mad-fibre-cut.jsonl"), 4);
    await storeAndCorrelate(db.db, { tenantId }, [parts[0] as CanonicalAlert[]]);
    const [first] = await db.db.select().from(incidents).where(eq(incidents.tenantId, tenantId));
    expect(first?.correlationRev).toBe(1);
    expect(first?.correlation).toMatchObject({ v: 2, base: 1 });
    const before = await db.db
      .select()
      .from(incidentEvidence)
      .where(eq(incidentEvidence.incidentId, first?.id ?? ""));
    expect(before.length).toBeGreaterThan(10);
    expect(new Set(before.map((row) => row.rev))).toEqual(new Set([1]));
    // The process kept its copy: the next delivery reads no evidence row back and writes only what it changed.
    expect(evidenceCacheOf(db.db).keptKeys(tenantId)).toBe(before.length);
    await storeAndCorrelate(db.db, { tenantId }, [parts[1] as CanonicalAlert[]]);
    const [second] = await db.db
      .select()
      .from(incidents)
      .where(eq(incidents.id, first?.id ?? ""));
    expect(second?.correlationRev).toBe(2);
    const after = await db.db
      .select()
      .from(incidentEvidence)
      .where(eq(incidentEvidence.incidentId, first?.id ?? ""));
    const rewritten = after.filter((row) => row.rev === 2).length;
    expect(rewritten).toBeGreaterThan(0);
    expect(rewritten).toBeLessThan(after.length);
  });

  it.runIf(backend.name === "postgres")(
    "decides the same when two server processes take turns on one database",
    async () => {
      const other = await createDb({ databaseUrl: db.url, poolSize: 2 });
      try {
        for (const file of STREAMS) {
          const parts = deliveries(corpusAlerts(file), 10);
          const alone = `alone-${run++}`;
          const turns = `turns-${run++}`;
          for (const [index, part] of parts.entries()) {
            await storeAndCorrelate(db.db, { tenantId: alone }, [part]);
            // Deliveries alternate between the two processes, each with its own copies of the evidence.
            await storeAndCorrelate(index % 2 === 0 ? db.db : other.db, { tenantId: turns }, [part]);
          }
          expect(await outcome(db.db, turns)).toEqual(await outcome(db.db, alone));
        }
      } finally {
        await other.close();
      }
    },
    120_000,
  );
});
