import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
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
});
