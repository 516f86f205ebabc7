import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAuthenticator, sha256Hex } from "./auth.ts";
import { parseSourceList } from "./http/credentials.ts";
import { startTestServer, type TestServer } from "./testing.ts";

const [pglite] = testBackends({});

function usersFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), "teleops-users-")), "users.json");
  writeFileSync(file, JSON.stringify(content));
  return file;
}

const user = (name: string, role: string, tenant: string, token: string) => ({
  name,
  role,
  tenant,
  token_sha256: sha256Hex(token),
});

async function call(url: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`${url}${path}`, init);
  const text = await response.text();
  const json = response.headers.get("content-type")?.includes("json") && text ? JSON.parse(text) : null;
  return { status: response.status, headers: response.headers, text, json };
}

/** A GET with a chosen Host header, which fetch does not let a caller set. */
function getWithHost(url: string, path: string, host: string): Promise<{ status: number; text: string }> {
  const target = new URL(path, url);
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, path, headers: { host } }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end();
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("server hardening", () => {
  let database: TestDatabase;
  const servers: TestServer[] = [];
  async function serve(options: Parameters<typeof startTestServer>[1] = {}) {
    const server = await startTestServer(database, options);
    servers.push(server);
    return server;
  }
  beforeAll(async () => {
    if (!pglite) throw new Error("no PGlite backend");
    database = await pglite.open();
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await database?.dispose();
  });

  it("answers 429 with Retry-After once an address passes its limit, while health probes still answer", async () => {
    const server = await serve({ security: { rateLimits: { perAddressPerMin: 5, perTokenPerMin: 0 } } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(server.url, "/trpc/scenarios.list")).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const limited = await call(server.url, "/trpc/scenarios.list");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.json.error).toMatchObject({ data: { code: "TOO_MANY_REQUESTS" } });
    expect(limited.json.error.message).toMatch(/too many requests: try again in \d+ s/);
    expect((await call(server.url, "/webhooks/alerts", { method: "POST" })).status).toBe(429);
    expect((await call(server.url, "/readyz")).status).toBe(200);
  });

  it("limits each token on its own, and counts every call of a batched request", async () => {
    const file = usersFile({
      users: [user("ada", "viewer", "acme", "token-a"), user("bea", "viewer", "acme", "token-b")],
    });
    const server = await serve({
      auth: loadAuthenticator(file),
      security: { rateLimits: { perAddressPerMin: 0, perTokenPerMin: 4 } },
    });
    const batch = await call(server.url, "/trpc/scenarios.list,session.whoami,scenarios.list?batch=1", {
      headers: bearer("token-a"),
    });
    expect(batch.status).toBe(200);
    expect((await call(server.url, "/trpc/session.whoami", { headers: bearer("token-a") })).status).toBe(200);
    expect((await call(server.url, "/trpc/session.whoami", { headers: bearer("token-a") })).status).toBe(429);
    const other = await call(server.url, "/trpc/session.whoami", { headers: bearer("token-b") });
    expect(other.json.result.data).toEqual({
      name: "bea",
      role: "viewer",
      tenant: "acme",
      auth_mode: "users",
      lab: true,
    });
  });

  it("sends the security headers on the SPA and the API, and the SPA carries no inline script or style", async () => {
    const server = await serve();
    for (const path of ["/", "/incidents/INC-000001", "/trpc/scenarios.list", "/healthz"]) {
      const answer = await call(server.url, path);
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
      expect(answer.headers.get("referrer-policy")).toBe("no-referrer");
      expect(answer.headers.get("x-frame-options")).toBe("DENY");
      const csp = answer.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(answer.headers.get("access-control-allow-origin")).toBeNull();
    }
    const index = fileURLToPath(new URL("../../web/dist/index.html", import.meta.url));
    const html = readFileSync(index, "utf8");
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
  });

  it("refuses CORS preflights and cross-origin writes, and sends no CORS header", async () => {
    const server = await serve();
    const preflight = await call(server.url, "/trpc/admin.reset", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(405);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const forged = await call(server.url, "/trpc/admin.reset", {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "application/json" },
      body: '{"confirm":true}',
    });
    expect(forged.status).toBe(403);
    expect(forged.json.error.message).toContain("cross-origin request from https://evil.example refused");
    const sameOrigin = await call(server.url, "/trpc/session.whoami", { headers: { origin: server.url } });
    expect(sameOrigin.json.result.data).toMatchObject({ name: "local-admin", auth_mode: "local-admin" });
  });

  it("answers only localhost names without users, so a DNS-rebinding page cannot reach the local admin", async () => {
    const server = await serve();
    const port = new URL(server.url).port;
    const rebound = await getWithHost(server.url, "/trpc/incidents.list", `attacker.example:${port}`);
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.text).error.message).toContain("answers only to localhost names");
    expect((await getWithHost(server.url, "/", `attacker.example:${port}`)).status).toBe(403);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      expect([host, (await getWithHost(server.url, "/trpc/incidents.list", host)).status]).toEqual([host, 200]);
    }
  });

  it("answers an unexpected failure with a generic message: no stack trace, no SQL", async () => {
    if (!pglite) throw new Error("no PGlite backend");
    const doomed = await pglite.open();
    const server = await startTestServer(doomed);
    await doomed.dispose();
    const answer = await call(server.url, "/trpc/incidents.list");
    await server.close();
    expect(answer.status).toBe(500);
    expect(answer.json.error.message).toBe("internal error; the details are in the server log");
    expect(answer.json.error.data.stack).toBeUndefined();
    expect(answer.text).not.toMatch(/select|from "|\.ts:\d+|\n\s+at /i);
  });

  it("stores a webhook delivery in its credential's tenant only", async () => {
    const file = usersFile({
      users: [user("ada", "viewer", "acme", "viewer-acme"), user("nina", "viewer", "noc", "viewer-noc")],
      webhook_tokens: [{ tenant: "acme", sources: ["alerts"], token_sha256: sha256Hex("hook-acme") }],
    });
    const server = await serve({
      auth: loadAuthenticator(file),
      webhookToken: "env-hook",
      security: { webhookTenant: "noc" },
    });
    const post = (token: string, body: unknown) =>
      call(server.url, "/webhooks/alerts", {
        method: "POST",
        headers: { ...bearer(token), "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const alert = (host: string) => ({
      timestamp: "2026-11-25T10:00:00Z",
      source_system: "net-snmp",
      host,
      service: "backbone",
      severity: "critical",
      alert_type: "LinkDown",
      message: "down",
    });
    expect((await post("hook-acme", alert("acme-core-1"))).status).toBe(202);
    expect((await post("env-hook", alert("noc-core-1"))).status).toBe(202);
    const hostsOf = async (token: string) =>
      (await call(server.url, "/trpc/alerts.list", { headers: bearer(token) })).json.result.data.alerts.map(
        (a: { host: string }) => a.host,
      );
    expect(await hostsOf("viewer-acme")).toEqual(["acme-core-1"]);
    expect(await hostsOf("viewer-noc")).toEqual(["noc-core-1"]);
    const foreign = await post("hook-acme", { ...alert("acme-core-2"), tenant_id: "noc" });
    expect(foreign.status).toBe(400);
    expect(foreign.json.issues).toEqual([{ path: "tenant_id", message: 'must be "acme" or absent' }]);
    expect((await post("viewer-acme", alert("acme-core-3"))).status).toBe(401);
  });

  it("takes webhook deliveries only from allowed addresses when an allow-list is set, and counts the refusal", async () => {
    const closed = await serve({ security: { webhookAllowedSources: parseSourceList("10.0.0.0/8, 2001:db8::/32") } });
    const refused = await call(closed.url, "/webhooks/alerts", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "[]",
    });
    expect(refused.status).toBe(403);
    expect(refused.json.error).toContain("deliveries from 127.0.0.1 are not allowed");
    // Refused before any credential was checked: counted, and stored in no tenant's log.
    const events = await call(
      closed.url,
      `/trpc/integrations.events?input=${encodeURIComponent('{"outcome":"rejected"}')}`,
    );
    expect(events.json.result.data.events).toEqual([]);
    expect((await call(closed.url, "/metrics")).text).toContain(
      'teleops_webhook_refusals_total{route="/webhooks/alerts",status="403",authenticated="false"} 1',
    );
    const open = await serve({ security: { webhookAllowedSources: parseSourceList("127.0.0.1,::1") } });
    const accepted = await call(open.url, "/webhooks/alerts", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "[]",
    });
    expect(accepted.status).not.toBe(403);
    expect(() => parseSourceList("10.0.0.0/40")).toThrow('"10.0.0.0/40" is not an IP address or CIDR range');
  });

  it("refuses to start in production without users, or on a non-loopback address without them", async () => {
    const start = (env: Record<string, string>) =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ["--import", "tsx", fileURLToPath(new URL("./main.ts", import.meta.url))],
          { env: { ...process.env, PORT: "0", TELEOPS_USERS_FILE: "", DATABASE_URL: "", ...env }, timeout: 30_000 },
          (error, _stdout, stderr) => resolve({ code: typeof error?.code === "number" ? error.code : 0, stderr }),
        );
      });
    const production = await start({ TELEOPS_ENV: "production" });
    expect(production.code).toBe(1);
    expect(production.stderr.trim()).toBe(
      "teleops: TELEOPS_ENV=production needs TELEOPS_USERS_FILE: refusing to start without authentication",
    );
    const exposed = await start({ HOST: "0.0.0.0" });
    expect(exposed.code).toBe(1);
    expect(exposed.stderr).toContain("refusing to listen on 0.0.0.0 without TELEOPS_USERS_FILE");
  });

  it("applies a removed user within seconds, without a restart", async () => {
    const content = { users: [user("ada", "admin", "acme", "ada-token"), user("bob", "viewer", "acme", "bob-token")] };
    const file = usersFile(content);
    const server = await serve({ auth: loadAuthenticator(file) });
    expect((await call(server.url, "/trpc/session.whoami", { headers: bearer("bob-token") })).status).toBe(200);
    const listed = await call(server.url, "/trpc/users.list", { headers: bearer("ada-token") });
    expect(listed.json.result.data.users).toEqual([
      { name: "ada", role: "admin", tenant: "acme" },
      { name: "bob", role: "viewer", tenant: "acme" },
    ]);
    writeFileSync(file, JSON.stringify({ users: content.users.slice(0, 1) }));
    const later = new Date(Date.now() + 5_000);
    utimesSync(file, later, later);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const revoked = await call(server.url, "/trpc/session.whoami", { headers: bearer("bob-token") });
    expect(revoked.status).toBe(401);
    expect(revoked.json.error.message).toBe("a valid bearer token is required");
    expect((await call(server.url, "/trpc/session.whoami", { headers: bearer("ada-token") })).status).toBe(200);
  });

  it("refuses every token of a users file that was deleted until it is back, webhook tokens included", async () => {
    const content = {
      users: [user("ada", "admin", "acme", "ada-token")],
      webhook_tokens: [{ tenant: "acme", sources: ["alerts"], token_sha256: sha256Hex("acme-hook") }],
    };
    const file = usersFile(content);
    const events: string[] = [];
    const server = await serve({
      auth: loadAuthenticator(file, { onMissing: () => events.push("missing"), onRestored: () => events.push("back") }),
      production: true,
    });
    const hook = () =>
      call(server.url, "/webhooks/alerts", {
        method: "POST",
        headers: { ...bearer("acme-hook"), "content-type": "application/json" },
        body: JSON.stringify({ timestamp: "2026-11-25T10:00:00Z", host: "h1", severity: "major", alert_type: "x" }),
      });
    const whoami = () => call(server.url, "/trpc/session.whoami", { headers: bearer("ada-token") });
    expect((await whoami()).status).toBe(200);
    expect((await hook()).status).toBe(202);
    rmSync(file);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect((await whoami()).status).toBe(401);
    expect((await hook()).status).toBe(401);
    const listed = await call(server.url, "/trpc/users.list", { headers: bearer("ada-token") });
    expect(listed.status).toBe(401);
    writeFileSync(file, JSON.stringify(content));
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect((await whoami()).status).toBe(200);
    expect((await hook()).status).toBe(202);
    expect(events).toEqual(["missing", "back"]);
  });
});
