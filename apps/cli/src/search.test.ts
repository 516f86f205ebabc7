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
      { env: { ...process.env, TELEOPS_URL: "", TELEOPS_TOKEN: "", TELEOPS_USERS_FILE: "" } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The tenant of the development user the server acts as without a users file. */
const TENANT = "default";

describe.each(testBackends())("teleops incidents --text on $name", (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  let victim = "";
  let other = "";
  beforeAll(async () => {
    database = await backend.open();
    server = await startTestServer(database);
    const ddos = await seedIncident(database.db, TENANT, [
      {
        host: "nyc1-edge-01",
        alertType: "ddos_detected",
        timestamp: "2026-11-20T08:00:00Z",
        site: "nyc1",
        message: "Volumetric DDoS towards 203.0.113.69 (udp/53)",
      },
    ]);
    const link = await seedIncident(database.db, TENANT, [
      { host: "fra1-rtr-02", alertType: "link_down", timestamp: "2026-11-20T10:00:00Z", site: "fra1" },
    ]);
    victim = ddos.id;
    other = link.id;
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  it("finds the incident whose alert message holds the IP, as `teleops incidents --json` prints incidents", async () => {
    const run = await teleops(["incidents", "--text", "203.0.113.69", "--json", "--server", server.url]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { incidents: Array<Record<string, unknown>> };
    expect(out.incidents.map((i) => i.id)).toEqual([victim]);
    expect(out).toMatchObject({ total: 1, total_exact: true });
    const [incident] = out.incidents;
    for (const key of ["id", "title", "severity", "status", "start_time", "end_time", "alert_count", "hosts"]) {
      expect(incident).toHaveProperty(key);
    }
  });

  it("narrows by site and time, and finds nothing for an address no alert holds", async () => {
    const bySite = await teleops(["incidents", "--site", "fra1", "--json", "--server", server.url]);
    expect((JSON.parse(bySite.stdout) as { incidents: Array<{ id: string }> }).incidents.map((i) => i.id)).toEqual([
      other,
    ]);
    const since = await teleops(["incidents", "--since", "2026-11-20T09:00:00Z", "--json", "--server", server.url]);
    expect((JSON.parse(since.stdout) as { incidents: Array<{ id: string }> }).incidents.map((i) => i.id)).toEqual([
      other,
    ]);
    const until = await teleops(["incidents", "--until", "2026-11-20T09:00:00Z", "--json", "--server", server.url]);
    expect((JSON.parse(until.stdout) as { incidents: Array<{ id: string }> }).incidents.map((i) => i.id)).toEqual([
      victim,
    ]);
    const none = await teleops(["incidents", "--text", "198.51.100.1", "--json", "--server", server.url]);
    expect(JSON.parse(none.stdout)).toMatchObject({ incidents: [] });
  });

  it("refuses a time that is not ISO-8601 with exit code 2, naming the flag", async () => {
    const run = await teleops(["incidents", "--since", "yesterday", "--json", "--server", server.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--since");
    expect(run.stdout).toBe("");
  });
});
