import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { listAudit } from "@teleops/core";
import { seedIncident, type TestDatabase, testBackends } from "@teleops/db/testing";
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

const TENANT = "noc";

describe.each(testBackends())("teleops incidents assign | note on $name", (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  const env = { TELEOPS_TOKEN: "olga-token-0123456789" };
  beforeAll(async () => {
    database = await backend.open();
    const usersFile = join(mkdtempSync(join(tmpdir(), "teleops-owners-")), "users.json");
    writeFileSync(
      usersFile,
      JSON.stringify({
        users: [
          { name: "olga", role: "operator", tenant: TENANT, token_sha256: sha256Hex("olga-token-0123456789") },
          { name: "ivan", role: "admin", tenant: TENANT, token_sha256: sha256Hex("ivan-token-0123456789") },
        ],
      }),
    );
    server = await startTestServer(database, { auth: loadAuthenticator(usersFile) });
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  const seed = () =>
    seedIncident(database.db, TENANT, [
      { host: "fra1-rtr-01", alertType: "link_down", timestamp: "2026-11-25T09:00:00Z", severity: "critical" },
    ]);

  it("assigns and unassigns, printing the incident with its owner as one JSON document", async () => {
    const { id } = await seed();
    const assigned = await teleops(["incidents", "assign", id, "--to", "ivan", "--json", "--server", server.url], env);
    expect(assigned.stderr).toBe("");
    expect(assigned.code).toBe(0);
    expect(JSON.parse(assigned.stdout).incident).toMatchObject({ id, owner: "ivan" });

    const listed = await teleops(["incidents", "--owner", "ivan", "--json", "--server", server.url], env);
    expect(JSON.parse(listed.stdout).incidents).toEqual([expect.objectContaining({ id, owner: "ivan" })]);

    const cleared = await teleops(["incidents", "assign", id, "--unassign", "--json", "--server", server.url], env);
    expect(JSON.parse(cleared.stdout).incident).toMatchObject({ id, owner: null });
    const unowned = await teleops(["incidents", "--unassigned", "--json", "--server", server.url], env);
    expect(JSON.parse(unowned.stdout).incidents.map((i: { id: string }) => i.id)).toContain(id);

    const audit = await listAudit(database.db, TENANT, { incidentId: id });
    expect(audit.events.map((e) => [e.actor, e.action])).toEqual([
      ["olga", "incident.assign"],
      ["olga", "incident.assign"],
    ]);
  });

  it("refuses an unknown user with exit 1 and the reason on stderr, and a missing --to with exit 2", async () => {
    const { id } = await seed();
    const unknown = await teleops(
      ["incidents", "assign", id, "--to", "mallory", "--json", "--server", server.url],
      env,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toContain('unknown user "mallory"');
    const usage = await teleops(["incidents", "assign", id, "--json", "--server", server.url], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--to <user> or --unassign");
  });

  it("adds a note as the signed-in user and prints it", async () => {
    const { id } = await seed();
    const text = "Checked the patch panel: **fibre cut**, field team dispatched";
    const added = await teleops(["incidents", "note", id, "--text", text, "--json", "--server", server.url], env);
    expect(added.stderr).toBe("");
    const { note } = JSON.parse(added.stdout);
    expect(note).toMatchObject({ id: expect.any(Number), author: "olga", text });
    expect(Date.parse(note.created_at)).not.toBeNaN();
    const blank = await teleops(["incidents", "note", id, "--text", " ", "--server", server.url], env);
    expect(blank.code).toBe(1);
    expect(blank.stderr).toContain("a note needs some text");
  });

  it("imports old history stored resolved and says how many in the summary", async () => {
    const dir = mkdtempSync(join(tmpdir(), "teleops-history-"));
    const file = join(dir, "history.jsonl");
    const line = (second: number, alertType: string) =>
      JSON.stringify({
        timestamp: `2025-04-02T03:00:${String(second).padStart(2, "0")}Z`,
        source_system: "snmp",
        host: "ams1-core-9",
        service: "backbone",
        severity: "critical",
        alert_type: alertType,
        message: `${alertType} on ams1-core-9`,
      });
    writeFileSync(file, `${line(0, "link_down")}\n${line(4, "bgp_session_down")}\n`);
    const imported = await teleops(["import", file, "--json", "--server", server.url], env);
    expect(imported.code).toBe(0);
    const summary = JSON.parse(imported.stdout);
    expect(summary.incidents).toHaveLength(1);
    expect(summary.resolved_history).toBe(1);
    const open = await teleops(
      ["incidents", "--status", "open", "--text", "ams1-core-9", "--json", "--server", server.url],
      env,
    );
    expect(JSON.parse(open.stdout).incidents).toEqual([]);
    const text = await teleops(["import", file, "--server", server.url], env);
    expect(text.stdout).not.toContain("stored resolved");
  });
});
