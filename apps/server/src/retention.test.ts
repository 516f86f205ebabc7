/** The retention scheduler: at start and on its timer, one replica at a time, logged, and on /metrics. */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seedIncident, type TestDatabase, testBackends } from "@teleops/db/testing";
import { sql } from "drizzle-orm";
import pino from "pino";
import client from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";
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

  it("with TELEOPS_RETENTION_EXPORT_DIR, exports before dropping; a failed export keeps the partition and logs it", async () => {
    await seedIncident(db.db, "acme", [
      { host: "r4", alertType: "link_down", timestamp: new Date(Date.now() - 500 * DAY_MS).toISOString() },
    ]);
    const gone = join(tmpdir(), `teleops-missing-${process.pid}-${Date.now()}`);
    const { logger, lines } = captureLog();
    const failing = startRetention({
      database: db,
      logger,
      registry: new client.Registry(),
      schedule: { alertsDays: 90, eventsDays: 30, exportDir: gone, everyMs: 3_600_000 },
    });
    await expect.poll(() => lines.some((l) => l.msg?.toString().startsWith("retention export failed"))).toBe(true);
    await failing.stop();
    const failed = lines.find((l) => l.msg?.toString().startsWith("retention export failed"));
    expect(failed?.level).toBe(50);
    expect(failed?.retention).toEqual(
      expect.objectContaining({ table: "alerts", partition: expect.stringMatching(/^alerts_/), export_dir: gone }),
    );
    expect(lines.some((l) => l.msg === "retention dropped a partition")).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), "teleops-export-"));
    try {
      const working = startRetention({
        database: db,
        logger,
        registry: new client.Registry(),
        schedule: { alertsDays: 90, eventsDays: 30, exportDir: dir, everyMs: 3_600_000 },
      });
      await expect.poll(() => lines.some((l) => l.msg === "retention dropped a partition")).toBe(true);
      await working.stop();
      const drop = lines.find((l) => l.msg === "retention dropped a partition")?.retention as Record<string, unknown>;
      expect(drop.exported_to).toBe(join(dir, `${drop.partition}.jsonl.gz`));
      expect(readdirSync(dir)).toEqual([`${drop.partition}.jsonl.gz`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("TELEOPS_RETENTION_EXPORT_DIR at start-up", () => {
  it("must be an existing, writable directory; unset means no export", () => {
    expect(loadConfig({}).TELEOPS_RETENTION_EXPORT_DIR).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), "teleops-export-"));
    try {
      expect(loadConfig({ TELEOPS_RETENTION_EXPORT_DIR: dir }).TELEOPS_RETENTION_EXPORT_DIR).toBe(dir);
      const missing = join(dir, "nope");
      expect(() => loadConfig({ TELEOPS_RETENTION_EXPORT_DIR: missing })).toThrow(ConfigError);
      expect(() => loadConfig({ TELEOPS_RETENTION_EXPORT_DIR: missing })).toThrow(
        `TELEOPS_RETENTION_EXPORT_DIR: ${missing} does not exist`,
      );
      writeFileSync(join(dir, "file"), "");
      expect(() => loadConfig({ TELEOPS_RETENTION_EXPORT_DIR: join(dir, "file") })).toThrow(
        /TELEOPS_RETENTION_EXPORT_DIR: .* is not a directory/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
