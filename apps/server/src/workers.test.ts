/**
 * `TELEOPS_WORKERS` (issue 20, item 3): several HTTP worker processes on one port and one PostgreSQL, run by the
 * real entry point; exactly one process on the embedded database; the setting validated at start.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, httpWorkers, loadConfig } from "./config.ts";
import { freePort } from "./testing.ts";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const postgresBackend = testBackends().find((b) => b.name === "postgres");

interface Started {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];

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
  for (let i = 0; i < 600; i++) {
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

interface LogLine {
  msg: string;
  level: number;
  [field: string]: unknown;
}

function logLines(server: Started): LogLine[] {
  return server
    .stdout()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);
}

/** The first log line with this message, waiting for it to reach the pipe. */
async function logged(server: Started, msg: string, match: (line: LogLine) => boolean = () => true): Promise<LogLine> {
  for (let i = 0; i < 200; i++) {
    const line = logLines(server).find((l) => l.msg === msg && match(l));
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no "${msg}" in the log: ${server.stdout()}`);
}

/** A POST on a connection of its own (no keep-alive pool), so the cluster hands each one to the next worker. */
function postAlone(url: string, path: string, body: unknown): Promise<{ status: number; worker: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method: "POST", agent: false, headers: { "content-type": "application/json" } },
      (res) => {
        res.resume();
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, worker: res.headers["x-teleops-worker"] as string }),
        );
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

function alert(i: number) {
  return {
    timestamp: new Date(Date.parse("2026-11-25T06:00:00Z") + i * 1_000).toISOString(),
    host: `nyc1-srv-${i % 7}`,
    severity: "info",
    alert_type: "probe",
    message: `probe ${i}`,
  };
}

function parentPid(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[1]);
}

function childPids(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
  return text === "" ? [] : text.split(" ").map(Number);
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

describe("TELEOPS_WORKERS", () => {
  it("refuses 0, negative, fractional and non-numeric counts with an error naming the variable", () => {
    for (const value of ["0", "-1", "1.5", "two", "100000"]) {
      expect(() => loadConfig({ TELEOPS_WORKERS: value })).toThrow(ConfigError);
      expect(() => loadConfig({ TELEOPS_WORKERS: value })).toThrow(/TELEOPS_WORKERS: ".*" is no worker count/);
    }
    expect(loadConfig({ TELEOPS_WORKERS: "3" }).TELEOPS_WORKERS).toBe(3);
    expect(loadConfig({ TELEOPS_WORKERS: "" }).TELEOPS_WORKERS).toBeUndefined();
  });

  it("runs one worker per core on PostgreSQL unless told, and always one on the embedded database", () => {
    const postgres = "postgres://db.example.net/teleops";
    expect(httpWorkers({ DATABASE_URL: postgres, TELEOPS_WORKERS: undefined }, 8)).toEqual({ workers: 8 });
    expect(httpWorkers({ DATABASE_URL: postgres, TELEOPS_WORKERS: 3 }, 8)).toEqual({ workers: 3 });
    expect(httpWorkers({ DATABASE_URL: undefined, TELEOPS_WORKERS: undefined }, 8)).toEqual({ workers: 1 });
    const forced = httpWorkers({ DATABASE_URL: undefined, TELEOPS_WORKERS: 4 }, 8);
    expect(forced.workers).toBe(1);
    expect(forced.note).toContain("TELEOPS_WORKERS=4 ignored");
  });

  it("stops at once with one line when a worker cannot start, rather than forking again and again", {
    timeout: 30_000,
  }, async () => {
    const started = Date.now();
    const server = start({
      PORT: String(await freePort()),
      TELEOPS_WORKERS: "2",
      // Nothing listens there: the first worker cannot open the database.
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await closedPort()}/teleops`,
      TELEOPS_DB_TIMEOUT_MS: "1000",
    });
    expect(await server.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(server.stderr().trim().split("\n")).toEqual([expect.stringMatching(/^teleops: .*ECONNREFUSED/)]);
    expect(logLines(server).filter((l) => l.msg === "HTTP worker listening")).toEqual([]);
  });
});

describe("the embedded database", () => {
  // Start-up alone (loading, migrating) takes 10-25 s when the two cores are shared with other work.
  it("runs exactly one process when more workers are asked for, and says so in the log", {
    timeout: 60_000,
  }, async () => {
    // In memory: a fresh data directory on disk costs tens of seconds on a busy machine and proves nothing more.
    const server = start({ PORT: String(await freePort()), TELEOPS_WORKERS: "4", TELEOPS_DATA_DIR: "memory://" });
    await ready(server);
    const note = await logged(
      server,
      "TELEOPS_WORKERS=4 ignored: the embedded database serves one process; set DATABASE_URL to a PostgreSQL for several workers",
    );
    expect(note).toMatchObject({ level: 40, workers: 1 });
    expect(await logged(server, "TeleOps is listening")).toMatchObject({ workers: 1 });
    const answer = await fetch(`${server.url}/healthz`);
    // No cluster at all: no worker header, and the server process has no child processes.
    expect(answer.headers.get("x-teleops-worker")).toBeNull();
    expect(childPids(server.child.pid ?? 0)).toEqual([]);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return typeof address === "object" && address ? address.port : 1;
}

// Needs a PostgreSQL server: workers cannot share an embedded database. CI sets TEST_DATABASE_URL.
describe.runIf(postgresBackend)("two HTTP workers on one PostgreSQL", () => {
  let database: TestDatabase;
  let server: Started;
  /** Worker cluster id → pid, from the workers' "HTTP worker listening" log lines. */
  const pidOf = async (worker: string) =>
    Number((await logged(server, "HTTP worker listening", (l) => String(l.worker) === worker)).pid);

  beforeAll(async () => {
    if (!postgresBackend) return;
    database = await postgresBackend.open();
    server = start({ PORT: String(await freePort()), TELEOPS_WORKERS: "2", DATABASE_URL: database.url ?? "" });
    await ready(server);
    await logged(server, "TeleOps is listening");
  }, 60_000);
  afterAll(async () => {
    if (server?.child.exitCode === null) server.child.kill("SIGKILL");
    await database?.dispose();
  });

  it("starts two worker processes under one primary, and the start-up log says so", async () => {
    expect(await logged(server, "starting 2 HTTP worker processes")).toMatchObject({ workers: 2 });
    const listening = await logged(server, "TeleOps is listening");
    expect(listening).toMatchObject({ workers: 2, url: server.url });
    const pids = listening.pids as number[];
    expect(new Set(pids).size).toBe(2);
    for (const pid of pids) expect(parentPid(pid)).toBe(server.child.pid);
  });

  it("serves requests from two distinct worker processes, and /metrics sums both", async () => {
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await postAlone(server.url, "/webhooks/alerts", alert(i)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
    const workers = new Set(answers.map((a) => a.worker ?? "none"));
    expect(workers.size).toBe(2);
    const pids = await Promise.all([...workers].map(pidOf));
    expect(new Set(pids).size).toBe(2);
    expect(pids).not.toContain(server.child.pid);

    // The sum over both workers, whichever one the scrape reached.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^teleops_alerts_ingested_total\{route="\/webhooks\/alerts"\} 10$/m);
    expect(metrics).toMatch(/^teleops_http_workers 2$/m);
  });

  it("tells a live subscriber on one worker about an alert that arrived through the other", async () => {
    const abort = new AbortController();
    const stream = await fetch(`${server.url}/trpc/events.changes`, {
      headers: { accept: "text/event-stream" },
      signal: abort.signal,
    });
    const subscribedOn = stream.headers.get("x-teleops-worker");
    expect(subscribedOn).toMatch(/^\d+$/);
    const change = (async () => {
      const reader = stream.body?.getReader();
      const decoder = new TextDecoder();
      let text = "";
      for (;;) {
        const chunk = await reader?.read();
        if (!chunk || chunk.done) throw new Error("stream ended");
        text += decoder.decode(chunk.value, { stream: true });
        const match = /^data: (\{.*"kinds".*\})$/m.exec(text);
        if (match?.[1]) return JSON.parse(match[1]) as { kinds: string[] };
      }
    })();
    // Give the subscription a moment to start listening, then post until the other worker takes one.
    await new Promise((resolve) => setTimeout(resolve, 300));
    let postedOn: string | undefined;
    for (let i = 100; postedOn === undefined || postedOn === subscribedOn; i++) {
      const answer = await postAlone(server.url, "/webhooks/alerts", alert(i));
      expect(answer.status).toBe(202);
      postedOn = answer.worker;
      if (i > 120) throw new Error("every post reached the subscriber's worker");
    }
    expect(await change).toMatchObject({ kinds: ["alerts"] });
    abort.abort();
  });

  it("replaces a worker that dies and logs the death", async () => {
    const victim = await pidOf("2");
    process.kill(victim, "SIGKILL");
    const death = await logged(server, "HTTP worker died: starting another");
    expect(death).toMatchObject({ level: 50, pid: victim, signal: "SIGKILL", restartInMs: 0 });
    const replacement = await logged(server, "replacement HTTP worker listening");
    expect(replacement.pid).not.toBe(victim);
    expect(parentPid(Number(replacement.pid))).toBe(server.child.pid);
    const answers = [];
    for (let i = 200; i < 204; i++) answers.push(await postAlone(server.url, "/webhooks/alerts", alert(i)));
    expect(answers.map((a) => a.status)).toEqual(Array(4).fill(202));
    expect(new Set(answers.map((a) => a.worker))).toEqual(new Set(["1", String(replacement.worker)]));
  }, 30_000);

  it("stops every worker and then itself on SIGTERM, exiting 0", async () => {
    const pids = logLines(server)
      .filter((l) => l.msg === "HTTP worker listening")
      .map((l) => Number(l.pid))
      .filter(running);
    expect(pids).toHaveLength(2);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    for (const pid of pids) expect(running(pid)).toBe(false);
    expect(logLines(server).filter((l) => l.msg === "stopped")).toHaveLength(3);
  }, 30_000);

  // node:cluster ends a worker whose channel to the primary closes unexpectedly; this holds it to that.
  it("leaves no orphan behind when the primary is killed outright: its workers stop by themselves", async () => {
    const second = start({ PORT: String(await freePort()), TELEOPS_WORKERS: "2", DATABASE_URL: database.url ?? "" });
    await ready(second);
    const listening = await logged(second, "TeleOps is listening");
    const pids = listening.pids as number[];
    expect(pids.filter(running)).toHaveLength(2);
    second.child.kill("SIGKILL");
    for (let i = 0; i < 150 && pids.some(running); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pids.filter(running)).toEqual([]);
  }, 60_000);
});
