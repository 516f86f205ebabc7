/**
 * Slow and hostile clients: senders that trickle their headers or body (slowloris), a thousand connections that
 * never send anything, and one tenant flooding the webhook while another keeps working. The server runs with a
 * short request timeout so the test takes seconds, not minutes.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticatorFromUsers } from "./auth.ts";
import { startTestServer, type TestServer } from "./testing.ts";

const TIMEOUT_MS = 1_500;
/** Node sweeps for timed-out requests every TIMEOUT_MS / 4; this bounds how long a slow sender stays connected. */
const CUT_OFF_WITHIN_MS = TIMEOUT_MS + TIMEOUT_MS / 4 + 1_500;
/** What "answered at once" means on a shared two-core CI machine that is also running the database. */
const PROMPT_MS = 1_000;
const LIMIT_PER_MIN = 120;
const IDLE_CONNECTIONS = 1_000;

const TOKENS = { probe: "probe-token-0123456789", noisy: "noisy-token-0123456789", quiet: "quiet-token-0123456789" };
const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

/** The file descriptors 1,000 idle connections need on both ends, with room for the database and vitest. */
function openFileLimit(): number {
  try {
    return Number(execFileSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).trim()) || 0;
  } catch {
    return 0;
  }
}

const alerts = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({
    timestamp: new Date(Date.parse("2026-06-01T00:00:00Z") + i * 1_000).toISOString(),
    source_system: "slow-client-test",
    host: `edge-${i % 7}`,
    service: "backbone",
    severity: "major",
    alert_type: "interface_errors",
    message: `${tag} ${i}`,
    tags: { run: tag },
  }));

interface Answer {
  status: number;
  retryAfter: string | undefined;
  ms: number;
}

/** One request on its own connection, optionally from another loopback address (another sender). */
function post(port: number, token: string, body: unknown, localAddress = "127.0.0.1"): Promise<Answer> {
  const text = JSON.stringify(body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        localAddress,
        method: "POST",
        path: "/webhooks/alerts",
        agent: false,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(text),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => {
          const retry = res.headers["retry-after"];
          resolve({ status: res.statusCode ?? 0, retryAfter: retry, ms: performance.now() - started });
        });
      },
    );
    // A refused sender may see its connection closed before it finished writing; the answer still counts.
    req.on("error", reject);
    req.end(text);
  });
}

function healthz(port: number): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port, path: "/healthz", agent: false }, (res) => {
      res.resume();
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, retryAfter: undefined, ms: performance.now() - started }),
      );
    })
      .on("error", reject)
      .end();
  });
}

interface Watched {
  socket: Socket;
  /** What the server wrote before closing; empty if it only closed. */
  received: () => string;
  closed: Promise<number>;
}

/** A raw connection whose close time (ms after opening) and received bytes are recorded. */
function openSocket(port: number): Promise<Watched> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let received = "";
    const socket = connect({ host: "127.0.0.1", port });
    const closed = new Promise<number>((done) => socket.once("close", () => done(performance.now() - started)));
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("utf8");
    });
    socket.once("error", () => {});
    socket.once("connect", () => resolve({ socket, received: () => received, closed }));
    socket.once("error", reject);
  });
}

/** Writes `text` one byte every `everyMs` until the socket closes or the text runs out. */
function trickle(socket: Socket, text: string, everyMs: number): () => void {
  let index = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || index >= text.length) return clearInterval(timer);
    socket.write(text[index++] ?? "");
  }, everyMs);
  return () => clearInterval(timer);
}

function portOf(server: TestServer): number {
  return Number(new URL(server.url).port);
}

describe.each(testBackends())("slow and hostile clients on $name", (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  let port: number;

  beforeAll(async () => {
    database = await backend.open();
    server = await startTestServer(database, {
      auth: authenticatorFromUsers({
        users: [],
        webhook_tokens: Object.entries(TOKENS).map(([tenant, token]) => ({
          tenant,
          token_sha256: sha256(token),
          sources: ["alerts" as const],
        })),
      }),
      security: {
        requestTimeoutMs: TIMEOUT_MS,
        rateLimits: { perAddressPerMin: LIMIT_PER_MIN, perTokenPerMin: LIMIT_PER_MIN },
      },
    });
    port = portOf(server);
    // Warm the routes (module loading, first queries) so timings below measure serving, not start-up.
    expect((await post(port, TOKENS.probe, alerts(5, "warm-up"), "127.0.0.4")).status).toBe(202);
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  it("cuts off senders that trickle headers or a body with 408, while other clients are answered at once", async () => {
    const head = (length: number) =>
      `POST /webhooks/alerts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${TOKENS.probe}\r\nContent-Length: ${length}\r\n\r\n`;
    const slowBodies = await Promise.all(Array.from({ length: 10 }, () => openSocket(port)));
    const slowHeaders = await Promise.all(Array.from({ length: 10 }, () => openSocket(port)));
    const stops: Array<() => void> = [];
    for (const s of slowBodies) {
      s.socket.write(head(100_000));
      stops.push(trickle(s.socket, JSON.stringify(alerts(500, "slow body")), 100));
    }
    for (const s of slowHeaders) stops.push(trickle(s.socket, head(2), 100));

    const others: Answer[] = [];
    const until = performance.now() + TIMEOUT_MS * 2;
    for (let i = 0; performance.now() < until && i < 30; i++) {
      others.push(await post(port, TOKENS.probe, alerts(20, `prompt ${i}`), "127.0.0.5"));
      others.push(await healthz(port));
    }
    const closedAfter = await Promise.all([...slowBodies, ...slowHeaders].map((s) => s.closed));
    for (const stop of stops) stop();

    expect(others.map((a) => a.status).filter((s) => s !== 202 && s !== 200)).toEqual([]);
    expect(Math.max(...others.map((a) => a.ms))).toBeLessThan(PROMPT_MS);
    // Held until the timeout, not refused for some other reason, then cut off with 408.
    for (const ms of closedAfter) {
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
      expect(ms).toBeLessThan(CUT_OFF_WITHIN_MS);
    }
    for (const s of [...slowBodies, ...slowHeaders]) expect(s.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it.skipIf(openFileLimit() < IDLE_CONNECTIONS * 2 + 500)(
    "survives 1,000 idle connections, keeps answering others, and closes the idle ones after the timeout",
    async () => {
      const idle: Watched[] = [];
      for (let i = 0; i < IDLE_CONNECTIONS; i += 100) {
        idle.push(...(await Promise.all(Array.from({ length: 100 }, () => openSocket(port)))));
      }
      const answers: Answer[] = [];
      for (let i = 0; i < 10; i++) {
        answers.push(await post(port, TOKENS.probe, alerts(20, `beside idle ${i}`), "127.0.0.6"));
        answers.push(await healthz(port));
      }
      expect(answers.map((a) => a.status).filter((s) => s !== 202 && s !== 200)).toEqual([]);
      expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(PROMPT_MS);

      const closedAfter = await Promise.all(idle.map((s) => s.closed));
      expect(Math.min(...closedAfter)).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
      expect(Math.max(...closedAfter)).toBeLessThan(CUT_OFF_WITHIN_MS + 2_000);
      for (const s of idle) expect(s.received()).toMatch(/^(HTTP\/1\.1 408 |$)/);
      expect((await healthz(port)).status).toBe(200);
    },
    30_000,
  );

  it("refuses a flooding tenant with 429 and Retry-After while another tenant is served promptly", async () => {
    const flood: Answer[] = [];
    let flooding = true;
    const flooder = (async () => {
      const body = alerts(200, "flood");
      while (flooding) {
        const wave = await Promise.allSettled(
          Array.from({ length: 10 }, () => post(port, TOKENS.noisy, body, "127.0.0.2")),
        );
        for (const r of wave) if (r.status === "fulfilled") flood.push(r.value);
      }
    })();
    // Let the flood pass its allowance before the quiet tenant starts.
    while (!flood.some((a) => a.status === 429)) await new Promise((r) => setTimeout(r, 20));

    const quiet: Answer[] = [];
    for (let i = 0; i < 20; i++) quiet.push(await post(port, TOKENS.quiet, alerts(50, `quiet ${i}`), "127.0.0.3"));
    flooding = false;
    await flooder;

    const refused = flood.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((a) => Number(a.retryAfter) >= 1)).toBe(true);
    expect(flood.filter((a) => a.status === 202).length).toBeLessThanOrEqual(LIMIT_PER_MIN);
    expect(quiet.map((a) => a.status)).toEqual(quiet.map(() => 202));
    expect(Math.max(...quiet.map((a) => a.ms))).toBeLessThan(PROMPT_MS);
  });
});
