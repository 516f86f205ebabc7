/** The retention scheduler: at start and on its timer, one replica at a time, logged, and on /metrics. */
import { seedIncident, type TestDatabase, testBackends } from "@teleops/db/testing";
import { sql } from "drizzle-orm";
import pino from "pino";
import client from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRetention } from "./retention.ts";
import { startTestServer } from "./testing.ts";

const DAY_MS = 24 * 60 * 60_000;

function captureLog() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe.each(testBackends())("the retention scheduler on $name", (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it("drops old weeks at start, logs each drop as JSON, and shows the oldest day kept on /metrics", async () => {
    await seedIncident(db.db, "acme", [
      { host: "r1", alertType: "link_down", timestamp: new Date(Date.now() - 200 * DAY_MS).toISOString() },
    ]);
    const kept = new Date(Date.now() - 3 * DAY_MS);
    await seedIncident(db.db, "acme", [{ host: "r2", alertType: "link_down", timestamp: kept.toISOString() }]);
    const { logger, lines } = captureLog();
    const server = await startTestServer(db, { logger, retention: { alertsDays: 90, eventsDays: 30 } });
    try {
      await expect.poll(() => lines.filter((l) => l.msg === "retention dropped a partition").length).toBe(1);
      const drop = lines.find((l) => l.msg === "retention dropped a partition")?.retention as Record<string, unknown>;
      expect(drop).toEqual(
        expect.objectContaining({ table: "alerts", rows: 1, partition: expect.stringMatching(/^alerts_/) }),
      );
      await expect
        .poll(async () =>
          (await (await fetch(`${server.url}/metrics`)).text()).includes(
            'teleops_retention_oldest_kept_day_seconds{table="alerts"}',
          ),
        )
        .toBe(true);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      const day = Math.floor(kept.getTime() / DAY_MS) * DAY_MS;
      expect(metrics).toContain(`teleops_retention_oldest_kept_day_seconds{table="alerts"} ${day / 1000}`);
    } finally {
      await server.close();
    }
  });

  it("runs on one replica at a time: another that finds the advisory lock held skips and drops nothing", async () => {
    if (!db.url) return; // PGlite is one process with one connection: there is no second replica
    await seedIncident(db.db, "acme", [
      { host: "r3", alertType: "link_down", timestamp: new Date(Date.now() - 300 * DAY_MS).toISOString() },
    ]);
    const { logger } = captureLog();
    const replica = startRetention({ database: db, logger, registry: new client.Registry() });
    await db.db.transaction(async (tx) => {
      // What a replica applying retention holds for the length of its run.
      await tx.execute(sql`select pg_advisory_xact_lock(7314015)`);
      expect(await replica.run()).toEqual({
        dropped_partitions: [],
        alerts_removed: 0,
        events_removed: 0,
        skipped: true,
      });
    });
    const report = await replica.run();
    expect(report).toEqual(expect.objectContaining({ skipped: false, alerts_removed: 1 }));
    await replica.stop();
  });
});
