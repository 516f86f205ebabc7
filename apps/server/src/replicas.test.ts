import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstChange, freePort } from "./testing.ts";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const postgresBackend = testBackends().find((b) => b.name === "postgres");

async function startReplica(databaseUrl: string): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "warn",
      TELEOPS_WORKERS: "1",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    const ready = await fetch(`${url}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ready) return { url, process: child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`replica on ${port} did not become ready`);
}

// Needs a PostgreSQL server: replicas cannot share an embedded database. CI sets TEST_DATABASE_URL.
describe.runIf(postgresBackend)("two server replicas on one PostgreSQL", () => {
  let database: TestDatabase;
  const replicas: Array<{ url: string; process: ChildProcess }> = [];
  beforeAll(async () => {
    if (!postgresBackend) return;
    database = await postgresBackend.open();
    const url = database.url ?? "";
    // Both start together: migrations are serialized by an advisory lock.
    replicas.push(...(await Promise.all([startReplica(url), startReplica(url)])));
  });
  afterAll(async () => {
    for (const replica of replicas) replica.process.kill("SIGTERM");
    await Promise.all(replicas.map((r) => new Promise((resolve) => r.process.once("exit", resolve))));
    await database?.dispose();
  });

  it("tells a browser on one replica about alerts that arrived at the other", async () => {
    const [a, b] = replicas;
    const abort = new AbortController();
    const change = firstChange(a?.url ?? "", abort.signal);
    await new Promise((r) => setTimeout(r, 300));
    const posted = await fetch(`${b?.url}/webhooks/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        timestamp: "2026-11-25T06:00:00Z",
        host: "nyc1-srv-99",
        severity: "info",
        alert_type: "probe",
      }),
    });
    expect(posted.status).toBe(202);
    expect(JSON.parse(await change)).toMatchObject({ kinds: ["alerts"] });
    abort.abort();
  });

  it("forms exactly one incident when one failure's alerts arrive alternately at both", async () => {
    const start = Date.parse("2026-11-25T07:00:00Z");
    const hosts = ["fra1-core-01", "fra1-core-02", "fra1-agg-01", "fra1-pe-01"];
    const posts = Array.from({ length: 40 }, (_, i) => {
      const alert = {
        timestamp: new Date(start + i * 5_000).toISOString(),
        source_system: "net-snmp",
        host: hosts[i % hosts.length],
        service: "backbone",
        severity: i === 0 ? "critical" : "major",
        alert_type: i % 2 === 0 ? "link_down" : "bgp_neighbor_down",
        message: `event ${i}`,
        tags: { site: "fra1" },
      };
      const replica = replicas[i % 2];
      return fetch(`${replica?.url}/webhooks/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(alert),
      }).then((r) => r.status);
    });
    expect(await Promise.all(posts)).toEqual(Array(40).fill(202));

    for (const replica of replicas) {
      const response = await fetch(`${replica.url}/trpc/incidents.list`);
      const body = (await response.json()) as {
        result: { data: { total: number; incidents: Array<{ alert_count: number }> } };
      };
      expect(body.result.data.total).toBe(1);
      expect(body.result.data.incidents[0]?.alert_count).toBe(40);
    }
  });
});
