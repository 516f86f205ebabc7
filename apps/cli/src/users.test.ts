import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
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
      { env: { ...process.env, TELEOPS_URL: "", TELEOPS_TOKEN: "", TELEOPS_USERS_FILE: "", ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const [pglite] = testBackends({});

describe("teleops users", () => {
  const dir = mkdtempSync(join(tmpdir(), "teleops-users-cli-"));
  const file = join(dir, "users.json");
  let database: TestDatabase;
  let server: TestServer;
  let token = "";
  beforeAll(async () => {
    if (!pglite) throw new Error("no PGlite backend");
    database = await pglite.open();
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  it("adds a user, prints the token once and writes only its SHA-256 to a new owner-only file", async () => {
    const added = await teleops([
      "users",
      "add",
      "--name",
      "olga",
      "--role",
      "operator",
      "--tenant",
      "acme",
      "--file",
      file,
      "--json",
      "--server",
      "http://127.0.0.1:9",
    ]);
    expect(added.code).toBe(0);
    const report = JSON.parse(added.stdout);
    expect(Object.keys(report)).toEqual(expect.arrayContaining(["name", "role", "tenant", "token"]));
    expect(report).toMatchObject({ name: "olga", role: "operator", tenant: "acme" });
    token = report.token;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = readFileSync(file, "utf8");
    expect(stored).not.toContain(token);
    expect(JSON.parse(stored).users).toEqual([
      { name: "olga", role: "operator", tenant: "acme", token_sha256: sha256Hex(token) },
    ]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("refuses a duplicate name, an unknown role and a bad tenant with exit code 2, changing nothing", async () => {
    const before = readFileSync(file, "utf8");
    const duplicate = await teleops([
      "users",
      "add",
      "--name",
      "olga",
      "--role",
      "viewer",
      "--tenant",
      "acme",
      "--file",
      file,
    ]);
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toContain('a user named "olga" already exists');
    const role = await teleops(["users", "add", "--name", "x", "--role", "root", "--tenant", "acme", "--file", file]);
    expect(role.code).toBe(2);
    expect(role.stderr).toContain("--role must be one of viewer, operator, admin");
    const tenant = await teleops([
      "users",
      "add",
      "--name",
      "x",
      "--role",
      "viewer",
      "--tenant",
      "a b",
      "--file",
      file,
    ]);
    expect(tenant.code).toBe(2);
    expect((await teleops(["users", "add", "--name", "x", "--role", "viewer", "--tenant", "acme"])).code).toBe(2);
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("lists users and webhook tokens without any token or hash", async () => {
    const hook = await teleops([
      "users",
      "webhook-token",
      "--tenant",
      "acme",
      "--sources",
      "alerts",
      "--file",
      file,
      "--json",
    ]);
    expect(hook.code).toBe(0);
    expect(JSON.parse(hook.stdout)).toMatchObject({ tenant: "acme", sources: ["alerts"] });
    await teleops(["users", "add", "--name", "vic", "--role", "viewer", "--tenant", "acme"], {
      TELEOPS_USERS_FILE: file,
    });
    const listed = await teleops(["users", "list", "--file", file, "--json"]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({
      file,
      users: [
        { name: "olga", role: "operator", tenant: "acme" },
        { name: "vic", role: "viewer", tenant: "acme" },
      ],
      webhook_tokens: [{ name: null, tenant: "acme", sources: ["alerts"] }],
    });
    expect(listed.stdout).not.toContain("sha256");
    const table = await teleops(["users", "list", "--file", file]);
    expect(table.stdout).toMatch(/NAME\s+ROLE\s+TENANT/);
  });

  it("signs in to a server with the printed token, and exits 3 once the user is removed", async () => {
    server = await startTestServer(database, { auth: loadAuthenticator(file) });
    const incidents = await teleops(["incidents", "--json", "--server", server.url, "--token", token]);
    expect(incidents.code).toBe(0);
    expect((await teleops(["incidents", "--server", server.url, "--token", "not-a-token"])).code).toBe(3);
    const removed = await teleops(["users", "remove", "--name", "olga", "--file", file]);
    expect(removed.code).toBe(0);
    const later = new Date(Date.now() + 5_000);
    utimesSync(file, later, later);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const refused = await teleops(["incidents", "--server", server.url, "--token", token]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("a valid bearer token is required");
  });

  it("refuses a broken users file with exit code 2 and a reason", async () => {
    const broken = join(dir, "broken.json");
    writeFileSync(broken, '{"users":[{"name":"x"}]}');
    const answer = await teleops([
      "users",
      "add",
      "--name",
      "y",
      "--role",
      "viewer",
      "--tenant",
      "t",
      "--file",
      broken,
    ]);
    expect(answer.code).toBe(2);
    expect(answer.stderr).toContain("is not a valid users file: users.0.role");
  });
});
