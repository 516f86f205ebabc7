import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { loadAuthenticator, sha256Hex } from "@teleops/server/auth";
import { startTestServer, type TestServer } from "@teleops/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

function teleops(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", MAIN, ...args],
      { env: { ...process.env, TELEOPS_URL: "", TELEOPS_TOKEN: "", ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const [pglite] = testBackends({});

describe("teleops CLI", () => {
  let database: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    if (!pglite) throw new Error("no PGlite backend");
    database = await pglite.open();
    server = await startTestServer(database);
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  it("generates fiber_cut seed 7 and reports what it stored, the incidents and the ground truth as one JSON document", async () => {
    const result = await teleops([
      "generate",
      "--scenario",
      "fiber_cut",
      "--seed",
      "7",
      "--json",
      "--server",
      server.url,
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.ground_truth).toMatchObject({ scenario: "fiber_cut" });
    expect(report.ground_truth.root_component).toEqual(expect.any(String));
    expect(report.ground_truth.remediation_steps.length).toBeGreaterThan(0);
    // How many incidents the cut forms is the correlator's to prove (both ends of the span alarm, noise
    // lands on affected devices); the contract is the shape.
    expect(report.incidents.length).toBeGreaterThan(0);
    for (const incident of report.incidents)
      expect(incident).toEqual({ id: expect.any(String), alert_count: expect.any(Number) });
    expect(report.alerts_inserted).toBe(report.ground_truth.alert_count + report.noise_alerts);
  });

  it("lists incidents and their alerts with the contract's keys", async () => {
    const incidents = await teleops(["incidents", "--json", "--server", server.url, "--severity", "critical"]);
    expect(incidents.code).toBe(0);
    const { incidents: list } = JSON.parse(incidents.stdout);
    expect(list).toHaveLength(1);
    expect(Object.keys(list[0])).toEqual(
      expect.arrayContaining(["id", "title", "severity", "status", "start_time", "end_time", "alert_count", "hosts"]),
    );
    // Made of generated alerts: marked as lab data.
    expect(list[0].synthetic).toBe(true);
    const alerts = await teleops([
      "alerts",
      "--incident",
      list[0].id,
      "--limit",
      "3",
      "--server",
      server.url,
      "--json",
    ]);
    const { alerts: rows } = JSON.parse(alerts.stdout);
    expect(rows).toHaveLength(3);
    expect(rows.every((a: { incident_id: string }) => a.incident_id === list[0].id)).toBe(true);
    expect(Object.keys(rows[0])).toEqual(
      expect.arrayContaining([
        "id",
        "fingerprint",
        "timestamp",
        "host",
        "service",
        "severity",
        "alert_type",
        "status",
        "tags",
        "raw_payload",
        "incident_id",
      ]),
    );
  });

  it("exits 2 with a clear message on a usage error or an unreachable server", async () => {
    const usage = await teleops(["generate", "--scenario", "volcano", "--json", "--server", server.url]);
    expect(usage.code).toBe(2);
    expect(usage.stdout).toBe("");
    expect(usage.stderr).toMatch(/--scenario must be one of/);
    const down = await teleops(["incidents", "--json", "--server", "http://127.0.0.1:9"]);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/cannot reach TeleOps/);
  });

  it("exits 2 naming the total and the limit when a generation would exceed 200,000 alerts", async () => {
    const refused = await teleops([
      "generate",
      "--scenario",
      "mixed",
      "--duration",
      "1440",
      "--rate",
      "10000",
      "--noise",
      "10000",
      "--json",
      "--server",
      server.url,
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(/up to 86,400,000 alerts .*the limit is 200,000 per request/);
  });

  it("exits 3 when the server refuses the credentials", async () => {
    const dir = mkdtempSync(join(tmpdir(), "teleops-cli-"));
    const usersFile = join(dir, "users.json");
    writeFileSync(
      usersFile,
      JSON.stringify({
        users: [{ name: "v", role: "viewer", tenant: "default", token_sha256: sha256Hex("viewer-token") }],
      }),
    );
    const secured = await startTestServer(database, { auth: loadAuthenticator(usersFile) });
    try {
      const none = await teleops(["incidents", "--json", "--server", secured.url]);
      expect(none.code).toBe(3);
      const viewer = await teleops(["generate", "--scenario", "dns_outage", "--json"], {
        TELEOPS_URL: secured.url,
        TELEOPS_TOKEN: "viewer-token",
      });
      expect(viewer.code).toBe(3);
      expect(viewer.stderr).toMatch(/requires the admin role; you are viewer/);
      const allowed = await teleops(["incidents", "--token", "viewer-token", "--server", secured.url, "--json"]);
      expect(allowed.code).toBe(0);
    } finally {
      await secured.close();
    }
  });
});
