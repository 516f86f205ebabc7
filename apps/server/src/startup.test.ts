/**
 * Start-up of the real entry point (issue 16, items 3 and 4): one process per embedded data directory, a busy
 * port as one line, and webhook routes without credentials closed when the server is reachable from other
 * machines, with the start-up log saying which routes are open and why.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DATA_DIR_LOCK_FILE } from "@teleops/db";
import { afterAll, describe, expect, it } from "vitest";
import { sha256Hex } from "./auth.ts";
import { freePort } from "./testing.ts";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const children: ChildProcess[] = [];
const dirs: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

interface Started {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: { ...process.env, DATABASE_URL: "", TELEOPS_USERS_FILE: "", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${env.PORT}`, stdout: () => out, stderr: () => err, exited };
}

async function ready(server: Started): Promise<void> {
  // A fresh data directory is initialized and migrated first: tens of seconds on a busy two-core machine.
  for (let i = 0; i < 1_200; i++) {
    if (server.child.exitCode !== null) throw new Error(`server exited: ${server.stderr()}`);
    if (
      await fetch(`${server.url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("server did not become ready");
}

/** The start-up log line about webhook routes (it may reach the pipe a moment after the server answers). */
async function webhookLogLine(server: Started): Promise<{ msg: string; webhooks: Record<string, string> }> {
  for (let i = 0; i < 50; i++) {
    const line = server
      .stdout()
      .split("\n")
      .find((l) => l.includes('"webhooks"'));
    if (line) return JSON.parse(line) as { msg: string; webhooks: Record<string, string> };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no webhook log line in: ${server.stdout()}`);
}

async function stop(server: Started): Promise<void> {
  if (server.child.exitCode === null) server.child.kill("SIGTERM");
  await server.exited;
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("one process per embedded data directory", () => {
  it("refuses a second server on the same data directory at once, naming the first one's pid and DATABASE_URL", {
    timeout: 300_000,
  }, async () => {
    const dataDir = tempDir("teleops-lock-");
    const first = start({ PORT: String(await freePort()), TELEOPS_DATA_DIR: dataDir });
    await ready(first);
    expect(readFileSync(join(dataDir, DATA_DIR_LOCK_FILE), "utf8").trim()).toBe(String(first.child.pid));

    const started = Date.now();
    const second = start({ PORT: String(await freePort()), TELEOPS_DATA_DIR: dataDir });
    expect(await second.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    const lines = second.stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`in use by another TeleOps process (pid ${first.child.pid})`);
    expect(lines[0]).toContain("DATABASE_URL");
    // The first server never noticed.
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);

    await stop(first);
    expect(existsSync(join(dataDir, DATA_DIR_LOCK_FILE))).toBe(false);
  });

  it("takes over the lock of a server that was killed, so a crashed server restarts at once", {
    timeout: 300_000,
  }, async () => {
    const dataDir = tempDir("teleops-lock-");
    const port = String(await freePort());
    const killed = start({ PORT: port, TELEOPS_DATA_DIR: dataDir });
    await ready(killed);
    killed.child.kill("SIGKILL");
    await killed.exited;
    expect(existsSync(join(dataDir, DATA_DIR_LOCK_FILE))).toBe(true);
    const again = start({ PORT: port, TELEOPS_DATA_DIR: dataDir });
    await ready(again);
    await stop(again);
    // A pid file naming a pid that runs no Node process (reused after a reboot) is stale too.
    writeFileSync(join(dataDir, DATA_DIR_LOCK_FILE), "1\n");
    const afterReboot = start({ PORT: port, TELEOPS_DATA_DIR: dataDir });
    await ready(afterReboot);
    await stop(afterReboot);
  });

  it("answers a busy port at once with one line that says how to choose another, not an EADDRINUSE stack", {
    timeout: 300_000,
  }, async () => {
    const port = await freePort();
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(port, "127.0.0.1", resolve));
    try {
      const started = Date.now();
      const second = start({ PORT: String(port), TELEOPS_DATA_DIR: tempDir("teleops-port-") });
      expect(await second.exited).toBe(1);
      // Found before the database is opened and migrated.
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(second.stderr().trim()).toBe(
        `teleops: port ${port} on 127.0.0.1 is already in use (another TeleOps, or another program): stop it, or start this one on another port, e.g. PORT=${port + 1}`,
      );
    } finally {
      holder.close();
    }
  });
});

describe("webhooks of a development server reachable from other machines", () => {
  it("closes every route without a credential and logs which routes are open and why", {
    timeout: 300_000,
  }, async () => {
    const dir = tempDir("teleops-exposed-");
    const usersFile = join(dir, "users.json");
    writeFileSync(
      usersFile,
      JSON.stringify({ users: [{ name: "ada", role: "admin", tenant: "acme", token_sha256: sha256Hex("ada") }] }),
    );
    const port = String(await freePort());
    const server = start({
      PORT: port,
      HOST: "0.0.0.0",
      TELEOPS_USERS_FILE: usersFile,
      TELEOPS_DATA_DIR: join(dir, "data"),
      SERVICENOW_WEBHOOK_TOKEN: "sn-token",
    });
    await ready(server);
    const alert = { timestamp: "2026-11-25T10:00:00Z", host: "h1", severity: "major", alert_type: "x" };
    for (const route of ["alerts", "alertmanager", "jira"]) {
      const answer = await fetch(`${server.url}/webhooks/${route}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(alert),
      });
      expect([route, answer.status]).toEqual([route, 401]);
      expect(((await answer.json()) as { error: string }).error).toContain("HOST=0.0.0.0 is not loopback");
    }
    const logged = await webhookLogLine(server);
    expect(logged.msg).toBe("webhook routes need their credentials");
    expect(logged.webhooks).toEqual({
      "/webhooks/alerts": "closed: TELEOPS_WEBHOOK_TOKEN is not configured (HOST=0.0.0.0 is not loopback)",
      "/webhooks/alertmanager": "closed: TELEOPS_WEBHOOK_TOKEN is not configured (HOST=0.0.0.0 is not loopback)",
      "/webhooks/jira": "closed: JIRA_WEBHOOK_SECRET is not configured (HOST=0.0.0.0 is not loopback)",
      "/webhooks/servicenow": "credential: SERVICENOW_WEBHOOK_TOKEN",
    });
    await stop(server);
  });

  it("keeps a loopback development server's unconfigured routes open, and says so", { timeout: 300_000 }, async () => {
    const server = start({ PORT: String(await freePort()), TELEOPS_DATA_DIR: tempDir("teleops-loopback-") });
    await ready(server);
    const logged = await webhookLogLine(server);
    expect(logged.msg).toBe(
      "webhook routes open to anyone: /webhooks/alerts, /webhooks/alertmanager, /webhooks/jira, /webhooks/servicenow",
    );
    expect(logged.webhooks["/webhooks/alerts"]).toMatch(/^open: TELEOPS_WEBHOOK_TOKEN is not configured/);
    await stop(server);
  });
});
