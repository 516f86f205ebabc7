import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { listPartitions } from "@teleops/db";
import { seedIncident, type TestDatabase, testBackends } from "@teleops/db/testing";
import { startTestServer, type TestServer } from "@teleops/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

function teleops(args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", MAIN, ...args],
      { env: { ...process.env, TELEOPS_URL: "", TELEOPS_TOKEN: "" } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const [pglite] = testBackends({});
const DAY_MS = 24 * 60 * 60_000;

describe("teleops retention run", () => {
  let database: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    if (!pglite) throw new Error("no PGlite backend");
    database = await pglite.open();
    const old = new Date(Date.now() - 400 * DAY_MS).toISOString();
    const recent = new Date(Date.now() - DAY_MS).toISOString();
    await seedIncident(database.db, "default", [
      { host: "core-rtr-01", alertType: "link_down", timestamp: old },
      { host: "core-rtr-02", alertType: "link_down", timestamp: old },
    ]);
    await seedIncident(database.db, "default", [{ host: "core-rtr-03", alertType: "bgp_down", timestamp: recent }]);
    server = await startTestServer(database);
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  it("prints one JSON document naming the partitions dropped and the alerts removed", async () => {
    const result = await teleops(["retention", "run", "--json", "--server", server.url]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { dropped_partitions: string[]; alerts_removed: number };
    expect(report).toEqual(
      expect.objectContaining({
        dropped_partitions: [expect.stringMatching(/^alerts_until_\d{8}$/)],
        alerts_removed: 2,
      }),
    );
    const again = JSON.parse((await teleops(["retention", "run", "--json", "--server", server.url])).stdout);
    expect(again).toEqual(expect.objectContaining({ dropped_partitions: [], alerts_removed: 0 }));
  });

  it("exits 1 with one line on stderr when the export fails, dropping nothing", async () => {
    await seedIncident(database.db, "default", [
      { host: "core-rtr-04", alertType: "link_down", timestamp: new Date(Date.now() - 400 * DAY_MS).toISOString() },
    ]);
    const missing = join(tmpdir(), `teleops-missing-${process.pid}-${Date.now()}`);
    const failing = await startTestServer(database, {
      retention: { alertsDays: 90, eventsDays: 30, exportDir: missing, everyMs: 3_600_000 },
    });
    try {
      const result = await teleops(["retention", "run", "--json", "--server", failing.url]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(
        new RegExp(
          `^teleops: retention stopped: could not export partition alerts_until_\\d{8} to ${missing} \\(.*\\); it was not dropped`,
        ),
      );
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      const names = (await listPartitions(database.db, "alerts")).map((p) => p.name);
      expect(names.some((name) => name.startsWith("alerts_until_"))).toBe(true);
    } finally {
      await failing.close();
    }
  });
});
