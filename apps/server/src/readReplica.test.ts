import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { openReadReplica } from "@teleops/db";
import { pgBin, startThrowawayPair, type ThrowawayPair } from "@teleops/db/cluster";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";
import { freePort } from "./testing.ts";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

interface ReadyAnswer {
  status: string;
  read_replica?: { status: string; serving: boolean; replay_paused: boolean; lag_ms: number | null };
}
interface QueueAnswer {
  total: number;
  incidents: Array<{ id: string; status: string; alert_count: number }>;
}

const delivery = (host: string, start: string) =>
  ["link_down", "bgp_session_down", "packet_loss"].map((alert_type, i) => ({
    timestamp: new Date(Date.parse(start) + i * 1_000).toISOString(),
    host,
    severity: "critical",
    alert_type,
    message: `${alert_type} on ${host}`,
  }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, tries = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await read();
    if (done(value)) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("DATABASE_READ_URL", () => {
  it("is refused without a PostgreSQL DATABASE_URL, naming the fix", () => {
    const replicaOnly = { DATABASE_READ_URL: "postgres://reader@replica.example.net/teleops" };
    expect(() => loadConfig(replicaOnly)).toThrow(ConfigError);
    expect(() => loadConfig(replicaOnly)).toThrow(/DATABASE_READ_URL needs DATABASE_URL.*set DATABASE_URL=postgres/);
  });

  it("must be a postgres:// URL, and is unset by default", () => {
    const primary = "postgres://teleops@db.example.net/teleops";
    expect(() => loadConfig({ DATABASE_URL: primary, DATABASE_READ_URL: "mysql://replica/teleops" })).toThrow(
      /DATABASE_READ_URL: a postgres:\/\/ URL/,
    );
    expect(loadConfig({ DATABASE_URL: primary }).DATABASE_READ_URL).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: primary, DATABASE_READ_URL: `${primary}-replica` }).DATABASE_READ_URL).toBe(
      `${primary}-replica`,
    );
  });
});

// A primary and a streaming standby of our own (pg_basebackup -R), and the real server between them.
describe.runIf(pgBin)("reads from a streaming replica", () => {
  let pair: ThrowawayPair | undefined;
  let standbySql: postgres.Sql | undefined;
  let standbyUrl = "";
  const closers: Array<() => Promise<void>> = [];
  let server: ChildProcess | undefined;
  let url = "";

  const query = async <T>(path: string, input: unknown, cookie?: string): Promise<T> => {
    const search = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    const response = await fetch(`${url}/trpc/${path}${search}`, {
      headers: cookie ? { cookie } : {},
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { result: { data: T } }).result.data;
  };
  const queue = (cookie?: string) => query<QueueAnswer>("incidents.list", {}, cookie);
  const ready = async () => (await (await fetch(`${url}/readyz`)).json()) as ReadyAnswer;

  beforeAll(async () => {
    pair = await startThrowawayPair();
    const standby = pair.standby;
    if (!standby) throw new Error("no standby");
    standbyUrl = standby.url();
    standbySql = postgres(standbyUrl, { max: 1, onnotice: () => {} });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ["--import", "tsx", MAIN], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        DATABASE_URL: pair.primary.url(),
        DATABASE_READ_URL: standby.url(),
        // Two workers: a browser's read after its own write must reach the primary whichever worker serves it.
        TELEOPS_WORKERS: "2",
        LOG_LEVEL: "fatal",
      },
      stdio: "ignore",
    });
    await until(
      () =>
        fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        ),
      (ok) => ok,
      "the server to be ready",
      450,
    );
  }, 60_000);

  afterAll(async () => {
    server?.kill("SIGKILL");
    for (const close of closers) await close();
    await standbySql?.end({ timeout: 1 });
    pair?.remove();
  });

  it("serves the queue from the standby, which lags while its replay is paused, while a write's own reads do not", {
    timeout: 40_000,
  }, async () => {
    const sql = standbySql;
    if (!sql) throw new Error("no standby connection");
    expect((await ready()).read_replica).toMatchObject({ status: "streaming", serving: true });

    const first = await fetch(`${url}/webhooks/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(delivery("par1-core-01", "2026-12-01T10:00:00Z")),
    });
    expect(first.status).toBe(202);
    const before = await until(queue, (page) => page.total === 1, "the incident in the queue");
    const incident = before.incidents[0];
    if (!incident) throw new Error("no incident");
    expect(incident.status).toBe("open");

    // Replay paused: the standby keeps answering with what it had.
    await sql`select pg_wal_replay_pause()`;
    await until(
      async () => (await sql<Array<{ state: string }>>`select pg_get_wal_replay_pause_state() as state`)[0]?.state,
      (state) => state === "paused",
      "replay to pause",
    );
    const second = await fetch(`${url}/webhooks/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(delivery("fra2-edge-07", "2026-12-01T10:05:00Z")),
    });
    expect(second.status).toBe(202);
    // The alert list reads the primary: the new alerts are there at once.
    const alerts = await query<{ alerts: Array<{ host: string }> }>("alerts.list", {});
    expect(alerts.alerts.filter((a) => a.host === "fra2-edge-07")).toHaveLength(3);

    // An operator acknowledges: the answer (the primary, inside the write) and their own next reads show it.
    const acknowledged = await fetch(`${url}/trpc/incidents.setStatus`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: incident.id, status: "acknowledged" }),
    });
    expect(acknowledged.status).toBe(200);
    expect(((await acknowledged.json()) as { result: { data: { status: string } } }).result.data.status).toBe(
      "acknowledged",
    );
    const cookie = acknowledged.headers.get("set-cookie")?.split(";")[0];
    expect(cookie).toBe("teleops_primary_reads=1");
    const own = await queue(cookie);
    expect(own.total).toBe(2);
    expect(own.incidents.find((i) => i.id === incident.id)?.status).toBe("acknowledged");

    // Everyone else reads the standby, a second and a half behind and counting.
    for (let i = 0; i < 5; i++) {
      const lagging = await queue();
      expect(lagging.total).toBe(1);
      expect(lagging.incidents[0]?.status).toBe("open");
      expect((await query<{ alerts: number }>("metrics.overview", undefined)).alerts).toBe(3);
      await sleep(300);
    }
    // What live updates wait for: while replay is paused the wait gives up; once resumed it succeeds.
    const primary = pair?.primary;
    if (!primary) throw new Error("no primary");
    const primarySql = postgres(primary.url(), { max: 1, onnotice: () => {} });
    const replica = openReadReplica(standbyUrl, {
      poolSize: 1,
      connectTimeoutMs: 2_000,
      primaryLsn: async () =>
        (await primarySql<Array<{ lsn: string }>>`select pg_current_wal_lsn()::text as lsn`)[0]?.lsn ?? "",
    });
    closers.push(
      () => replica.close(),
      () => primarySql.end({ timeout: 1 }),
    );
    expect((await replica.check()).serving).toBe(true);
    expect(await replica.caughtUp(performance.now(), 300)).toBe(false);

    const paused = await ready();
    expect(paused.status).toBe("ready");
    expect(paused.read_replica).toMatchObject({ status: "streaming", serving: true, replay_paused: true });
    expect(paused.read_replica?.lag_ms).toBeGreaterThan(0);

    await sql`select pg_wal_replay_resume()`;
    const caughtUp = await until(queue, (page) => page.total === 2, "the standby to catch up");
    expect(caughtUp.incidents.find((i) => i.id === incident.id)?.status).toBe("acknowledged");
    expect((await query<{ alerts: number }>("metrics.overview", undefined)).alerts).toBe(6);
    expect(await replica.caughtUp(performance.now(), 5_000)).toBe(true);
  });

  it("keeps answering from the primary when the standby goes down", { timeout: 20_000 }, async () => {
    pair?.standby?.stop("immediate");
    const down = await until(ready, (answer) => answer.read_replica?.serving === false, "the replica to be down");
    expect(down.status).toBe("ready");
    expect(down.read_replica?.status).toBe("down");
    const page = await queue();
    expect(page.total).toBe(2);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^teleops_read_replica_serving 0$/m);
  });
});
