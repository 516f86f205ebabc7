import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./testing.ts";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
/** The server's V8 heap is capped here: a request that tried to hold millions of alerts would kill it. */
const HEAP_LIMIT_MIB = 384;
/** How much the server's resident memory may grow while it answers one bounded generation request. */
const GROWTH_LIMIT_MIB = 300;

/** Resident memory of a process (Linux `VmRSS`), in MiB. */
function rssMib(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
}

async function generate(url: string, input: Record<string, unknown>) {
  const response = await fetch(`${url}/trpc/scenarios.generate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as {
    result?: { data: { alerts_inserted: number; incidents: unknown[] } };
    error?: { message: string; data?: { code?: string } };
  };
  return { status: response.status, body };
}

describe.skipIf(process.platform !== "linux")("one generation request cannot take the server down", () => {
  let dir: string;
  let child: ChildProcess;
  let url: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "teleops-generate-"));
    const port = await freePort();
    child = spawn(process.execPath, [`--max-old-space-size=${HEAP_LIMIT_MIB}`, "--import", "tsx", MAIN], {
      env: { ...process.env, TELEOPS_DATA_DIR: dir, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "error" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 600; i++) {
      const ready = await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("server did not become ready");
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("answers the former crashing request (mixed, 1,440 min, 10,000/min, noise 10,000/min) with 400 and stays up", async () => {
    const refused = await generate(url, {
      scenario: "mixed",
      durationMinutes: 1_440,
      ratePerMinute: 10_000,
      noisePerMinute: 10_000,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error?.data?.code).toBe("BAD_REQUEST");
    expect(refused.body.error?.message).toMatch(/up to 86,400,000 alerts .*the limit is 200,000 per request/);
    expect((await fetch(`${url}/healthz`)).ok).toBe(true);
  });

  it(`generates 15,000 alerts with its memory growing less than ${GROWTH_LIMIT_MIB} MiB under a ${HEAP_LIMIT_MIB} MiB heap`, {
    timeout: 120_000,
  }, async () => {
    const before = rssMib(child.pid);
    let peak = before;
    // Sampled from outside the process, so the measurement costs the server nothing.
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMib(child.pid));
    }, 50);
    try {
      const done = await generate(url, {
        scenario: "fiber_cut",
        seed: 5,
        durationMinutes: 5,
        ratePerMinute: 2_950,
        noisePerMinute: 50,
        startTime: "2026-11-25T08:00:00Z",
      });
      expect(done.status).toBe(200);
      expect(done.body.result?.data.alerts_inserted).toBeGreaterThan(12_000);
    } finally {
      clearInterval(sampler);
    }
    console.info(`generate 15,000 alerts: server RSS ${before} MiB before, ${peak} MiB at most (+${peak - before})`);
    expect(peak - before).toBeLessThan(GROWTH_LIMIT_MIB);
    expect(child.exitCode).toBeNull();
    expect((await fetch(`${url}/healthz`)).ok).toBe(true);
  });
});
