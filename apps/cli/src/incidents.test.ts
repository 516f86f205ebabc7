import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { listAudit } from "@teleops/core";
import { type SeedAlert, seedIncident, type TestDatabase, testBackends } from "@teleops/db/testing";
import { loadAuthenticator, sha256Hex } from "@teleops/server/auth";
import { startTestServer, type TestServer } from "@teleops/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

function teleops(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", MAIN, ...args],
      { env: { ...process.env, TELEOPS_URL: "", TELEOPS_TOKEN: "", TELEOPS_USERS_FILE: "", ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const [pglite] = testBackends({});
/** The tenant of the development user the server acts as without a users file. */
const TENANT = "default";

function alertsAt(host: string, alertType: string, count: number, minute: number): SeedAlert[] {
  return Array.from({ length: count }, (_, index) => ({
    host,
    alertType,
    timestamp: new Date(Date.UTC(2026, 10, 25, 9, minute, index)).toISOString(),
    severity: "critical",
    site: host.slice(0, 4),
  }));
}

describe("teleops incidents merge | split | move", () => {
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

  it("merges incidents into the first and prints the merged-into incident as one JSON document", async () => {
    const a = await seedIncident(database.db, TENANT, alertsAt("fra1-rtr-01", "link_down", 2, 0));
    const b = await seedIncident(database.db, TENANT, alertsAt("fra1-rtr-02", "link_down", 3, 1));
    const c = await seedIncident(database.db, TENANT, alertsAt("fra1-rtr-03", "bgp_session_down", 1, 2));
    const merged = await teleops(["incidents", "merge", a.id, b.id, c.id, "--json", "--server", server.url]);
    expect(merged.stderr).toBe("");
    expect(merged.code).toBe(0);
    const { incident } = JSON.parse(merged.stdout);
    expect(incident).toMatchObject({ id: a.id, alert_count: 6, merged_into: null });
    expect(incident.hosts).toEqual(["fra1-rtr-01", "fra1-rtr-02", "fra1-rtr-03"]);
    const trail = await listAudit(database.db, TENANT, { incidentId: a.id });
    expect(trail.events[0]).toMatchObject({ action: "incident.merge", actor: "local-admin" });
  });

  it("splits alerts into a new incident and prints the new one", async () => {
    const a = await seedIncident(database.db, TENANT, [
      ...alertsAt("lis1-opt-01", "optical_los", 2, 10),
      ...alertsAt("nyc1-edge-01", "ddos_detected", 3, 12),
    ]);
    const leaving = a.alertIds.slice(2);
    const split = await teleops([
      "incidents",
      "split",
      a.id,
      "--alerts",
      leaving.join(","),
      "--json",
      "--server",
      server.url,
    ]);
    expect(split.code).toBe(0);
    const { incident } = JSON.parse(split.stdout);
    expect(incident.id).not.toBe(a.id);
    expect(incident).toMatchObject({ alert_count: 3, hosts: ["nyc1-edge-01"], status: "open" });
  });

  it("moves alerts to another incident, with --json given before the subcommand too", async () => {
    const a = await seedIncident(database.db, TENANT, alertsAt("mad1-rtr-01", "link_down", 3, 20));
    const b = await seedIncident(database.db, TENANT, alertsAt("mad1-rtr-02", "link_down", 1, 21));
    const moved = await teleops([
      "incidents",
      "--json",
      "move",
      "--alerts",
      String(a.alertIds[0]),
      "--to",
      b.id,
      "--server",
      server.url,
    ]);
    expect(moved.code).toBe(0);
    expect(JSON.parse(moved.stdout).incident).toMatchObject({ id: b.id, alert_count: 2 });

    const human = await teleops(["incidents", "move", "--alerts", String(a.alertIds[1]), "--to", b.id], {
      TELEOPS_URL: server.url,
    });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`moved 1 alert into ${b.id}`);
  });

  it("exits 1 when the server refuses the correction, 2 on bad usage, 3 without the operator role", async () => {
    const a = await seedIncident(database.db, TENANT, alertsAt("ams1-rtr-01", "link_down", 2, 30));
    const itself = await teleops(["incidents", "merge", a.id, a.id, "--json", "--server", server.url]);
    expect(itself.code).toBe(1);
    expect(itself.stdout).toBe("");
    expect(itself.stderr).toContain("into itself");
    const everything = await teleops([
      "incidents",
      "split",
      a.id,
      "--alerts",
      a.alertIds.join(","),
      "--json",
      "--server",
      server.url,
    ]);
    expect(everything.code).toBe(1);
    expect(everything.stderr).toContain("at least one alert");
    const unknown = await teleops(["incidents", "merge", a.id, "INC-999999", "--server", server.url]);
    expect(unknown.code).toBe(1);

    const badIds = await teleops(["incidents", "split", a.id, "--alerts", "12,x", "--server", server.url]);
    expect(badIds.code).toBe(2);
    expect(badIds.stderr).toContain("--alerts");
    expect((await teleops(["incidents", "move", "--alerts", "1", "--server", server.url])).code).toBe(2);
    expect((await teleops(["incidents", "merge", a.id, "--server", server.url])).code).toBe(2);

    const dir = mkdtempSync(join(tmpdir(), "teleops-incidents-cli-"));
    const usersFile = join(dir, "users.json");
    writeFileSync(
      usersFile,
      JSON.stringify({
        users: [{ name: "v", role: "viewer", tenant: TENANT, token_sha256: sha256Hex("viewer-token") }],
      }),
    );
    const secured = await startTestServer(database, { auth: loadAuthenticator(usersFile) });
    try {
      const viewer = await teleops(["incidents", "merge", a.id, "INC-999999", "--json"], {
        TELEOPS_URL: secured.url,
        TELEOPS_TOKEN: "viewer-token",
      });
      expect(viewer.code).toBe(3);
      expect(viewer.stderr).toMatch(/operator/);
    } finally {
      await secured.close();
    }
  });
});
