import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { pgBin, startThrowawayPair, type ThrowawayCluster, type ThrowawayPair } from "@teleops/db/cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./testing.ts";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

const alert = (n: number) => ({
  timestamp: new Date(Date.parse("2026-11-25T02:00:00Z") + n * 1_000).toISOString(),
  host: "par1-core-01",
  severity: "major",
  alert_type: "interface_errors",
  tags: { seq: String(n) },
});

// Every request on a connection of its own: stopping the cluster blocks this process for seconds, and a kept-alive
// socket the server timed out meanwhile would be reused and fail as "other side closed" (seen in CI under load).
const fresh = { connection: "close" };
const get = (url: string) => fetch(url, { headers: fresh });

async function post(url: string, n: number): Promise<Response> {
  return fetch(`${url}/webhooks/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json", ...fresh },
    body: JSON.stringify([alert(n)]),
  });
}

// A throwaway cluster of our own: stopping the shared server would break every other test.
describe.runIf(pgBin)("database faults", () => {
  let pair: ThrowawayPair | undefined;
  let cluster: ThrowawayCluster | undefined;
  let server: ChildProcess | undefined;
  let url = "";
  const start = () => cluster?.start();
  const stop = () => cluster?.stop();

  beforeAll(async () => {
    pair = await startThrowawayPair({ withStandby: false });
    cluster = pair.primary;
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ["--import", "tsx", MAIN], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        DATABASE_URL: cluster.url(),
        TELEOPS_WORKERS: "1",
        LOG_LEVEL: "fatal",
      },
      stdio: "ignore",
    });
    for (let i = 0; i < 300; i++) {
      if (
        await get(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("server did not become ready");
  });

  afterAll(async () => {
    server?.kill("SIGKILL");
    pair?.remove();
  });

  it("answers 503 with Retry-After while PostgreSQL is down and recovers without a restart", {
    timeout: 120_000,
  }, async () => {
    expect((await post(url, 1)).status).toBe(202);

    stop();
    const refused = await post(url, 2);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBeTruthy();
    expect(((await refused.json()) as { error: string }).error).toMatch(/database/i);
    expect((await get(`${url}/readyz`)).status).toBe(503);
    expect((await get(`${url}/healthz`)).status).toBe(200);

    start();
    let status = 0;
    for (let i = 0; i < 100 && status !== 202; i++) {
      status = (await post(url, 2)).status;
      if (status !== 202) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(202);
    expect((await get(`${url}/readyz`)).status).toBe(200);
    const overview = (await (await get(`${url}/trpc/metrics.overview`)).json()) as {
      result: { data: { alerts: number } };
    };
    // The refused delivery was never acknowledged; its redelivery stored it once.
    expect(overview.result.data.alerts).toBe(2);
  });
});
