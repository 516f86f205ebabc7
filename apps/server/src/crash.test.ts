import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { testBackends } from "@teleops/db/testing";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "./testing.ts";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const BATCHES = 60;
const BATCH_SIZE = 200;

async function startServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "error" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error("server did not become ready");
}

/** Distinct alerts on a handful of linked devices at one site, so they also form incidents. */
function batch(index: number): unknown[] {
  const hosts = ["lon1-core-01", "lon1-core-02", "lon1-agg-01", "lon1-pe-01", "lon1-edge-01"];
  return Array.from({ length: BATCH_SIZE }, (_, i) => {
    const n = index * BATCH_SIZE + i;
    return {
      timestamp: new Date(Date.parse("2026-11-25T03:00:00Z") + n * 1_000).toISOString(),
      source_system: "crash-test",
      host: hosts[n % hosts.length],
      service: "backbone",
      severity: n % 50 === 0 ? "critical" : "major",
      alert_type: "interface_errors",
      message: `sequence ${n}`,
      tags: { site: "lon1", seq: String(n) },
    };
  });
}

async function post(url: string, index: number): Promise<number> {
  const response = await fetch(`${url}/webhooks/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(batch(index)),
  });
  return response.status;
}

interface Consistency {
  alerts: number;
  distinct: number;
  incidentAlerts: number;
  incidentCountSum: number;
}

async function trpc<T>(url: string, path: string): Promise<T> {
  const response = await fetch(`${url}/trpc/${path}`);
  return ((await response.json()) as { result: { data: T } }).result.data;
}

async function consistency(url: string): Promise<Consistency> {
  const overview = await trpc<{ alerts: number; unassigned_alerts: number }>(url, "metrics.overview");
  const page = await trpc<{ incidents: Array<{ id: string; alert_count: number }> }>(
    url,
    `incidents.list?input=${encodeURIComponent(JSON.stringify({ limit: 500 }))}`,
  );
  const seqs = new Set<string>();
  const members = new Map<string, number>();
  for (let cursor: number | null | undefined; ; ) {
    const input = encodeURIComponent(JSON.stringify({ limit: 1000, ...(cursor ? { cursor } : {}) }));
    const list = await trpc<{
      alerts: Array<{ tags: Record<string, string>; incident_id: string | null }>;
      nextCursor: number | null;
    }>(url, `alerts.list?input=${input}`);
    for (const alert of list.alerts) {
      seqs.add(alert.tags.seq ?? "");
      const key = alert.incident_id ?? "unassigned";
      members.set(key, (members.get(key) ?? 0) + 1);
    }
    if (!list.nextCursor) break;
    cursor = list.nextCursor;
  }
  // Every alert of a stored incident exists and each incident's count matches its members.
  let incidentAlerts = members.get("unassigned") ?? 0;
  for (const incident of page.incidents) {
    const stored = members.get(incident.id) ?? 0;
    if (stored === incident.alert_count) incidentAlerts += stored;
  }
  return {
    alerts: overview.alerts,
    distinct: seqs.size,
    incidentAlerts,
    incidentCountSum: page.incidents.reduce((sum, i) => sum + i.alert_count, 0) + overview.unassigned_alerts,
  };
}

const backends = testBackends();
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe.each(backends)("crash safety on $name", (backend) => {
  it("keeps every acknowledged alert exactly once across a SIGKILL, and redelivery completes the set", {
    timeout: 240_000,
  }, async () => {
    let env: Record<string, string>;
    if (backend.name === "postgres") {
      const database = await backend.open();
      await database.close();
      cleanups.push(() => database.dispose());
      // One process: the SIGKILL here is the whole server dying, which under a cluster would reach the primary only.
      env = { DATABASE_URL: database.url ?? "", TELEOPS_WORKERS: "1" };
    } else {
      const dir = mkdtempSync(join(tmpdir(), "teleops-crash-"));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      env = { TELEOPS_DATA_DIR: dir };
    }

    let server = await startServer(env);
    const acknowledged = new Set<number>();
    let next = 0;
    const killAfter = BATCHES / 3;
    const senders = Array.from({ length: 3 }, async () => {
      for (let index = next++; index < BATCHES; index = next++) {
        if (acknowledged.size >= killAfter && !server.child.killed) server.child.kill("SIGKILL");
        const status = await post(server.url, index).catch(() => 0);
        if (status === 202) acknowledged.add(index);
      }
    });
    await Promise.all(senders);
    expect(acknowledged.size).toBeGreaterThanOrEqual(killAfter);
    expect(acknowledged.size).toBeLessThan(BATCHES);
    const killed = server.child;
    await new Promise((resolve) =>
      killed.exitCode !== null || killed.signalCode !== null ? resolve(null) : killed.once("exit", resolve),
    );

    server = await startServer(env);
    try {
      const afterCrash = await consistency(server.url);
      // Every acknowledged batch survived; nothing is stored twice.
      expect(afterCrash.alerts).toBeGreaterThanOrEqual(acknowledged.size * BATCH_SIZE);
      expect(afterCrash.distinct).toBe(afterCrash.alerts);
      expect(afterCrash.incidentAlerts).toBe(afterCrash.alerts);
      expect(afterCrash.incidentCountSum).toBe(afterCrash.alerts);

      // The senders redeliver what was never acknowledged (and, being careful, everything else too).
      for (let index = 0; index < BATCHES; index++) expect(await post(server.url, index)).toBe(202);
      const complete = await consistency(server.url);
      expect(complete.alerts).toBe(BATCHES * BATCH_SIZE);
      expect(complete.distinct).toBe(BATCHES * BATCH_SIZE);
      expect(complete.incidentCountSum).toBe(complete.alerts);
      expect(complete.incidentAlerts).toBe(complete.alerts);
    } finally {
      server.child.kill("SIGTERM");
      await new Promise((resolve) => server.child.once("exit", resolve));
    }
  });
});
