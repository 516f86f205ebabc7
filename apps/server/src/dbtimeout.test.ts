/**
 * A PostgreSQL that stops answering (issue 16, item 8): a network partition leaves connections open and silent,
 * so nothing fails by itself. Webhooks must still get their 503 within a few seconds, `/readyz` within one, and
 * everything must work again once the database answers.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { createDb, type DbHandle } from "@teleops/db";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startTestServer, type TestServer } from "./testing.ts";

const postgres = testBackends().find((backend) => backend.name === "postgres");

/** A TCP relay to PostgreSQL that can go silent: bytes are held, not refused, as in a partition. */
class Partition {
  private readonly pairs = new Set<[Socket, Socket]>();
  private silent = false;
  private server: Server | undefined;

  constructor(private readonly target: { host: string; port: number }) {}

  async listen(): Promise<number> {
    const port = await freePort();
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on("error", drop).on("close", drop);
      upstream.on("error", drop).on("close", drop);
      if (this.silent) this.hold(pair);
      else this.relay(pair);
    });
    await new Promise<void>((resolve) => this.server?.listen(port, "127.0.0.1", resolve));
    return port;
  }

  cut(): void {
    this.silent = true;
    for (const pair of this.pairs) this.hold(pair);
  }

  heal(): void {
    this.silent = false;
    for (const pair of this.pairs) this.relay(pair);
  }

  close(): void {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.server?.close();
  }

  private relay([client, upstream]: [Socket, Socket]): void {
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private hold([client, upstream]: [Socket, Socket]): void {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  }
}

const alert = (n: number) => ({
  timestamp: new Date(Date.parse("2026-11-25T02:00:00Z") + n * 1_000).toISOString(),
  host: "par1-core-01",
  severity: "major",
  alert_type: "interface_errors",
});

async function timed(url: string, init: RequestInit = {}): Promise<{ status: number; ms: number; text: string }> {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
  const text = await response.text();
  return { status: response.status, ms: performance.now() - started, text };
}

describe.runIf(postgres)("a PostgreSQL that stops answering", () => {
  let database: TestDatabase;
  let partition: Partition;
  let proxied: DbHandle;
  let server: TestServer;
  const post = (n: number) =>
    timed(`${server.url}/webhooks/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([alert(n)]),
    });

  beforeAll(async () => {
    if (!postgres) return;
    database = await postgres.open();
    const url = new URL(database.url ?? "");
    partition = new Partition({ host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(await partition.listen());
    proxied = await createDb({ databaseUrl: url.toString(), poolSize: 4, connectTimeoutMs: 2_000 });
    server = await startTestServer(proxied, { security: { databaseTimeoutMs: 2_000 } });
  });
  afterAll(async () => {
    await server?.close();
    partition?.close();
    await proxied?.close().catch(() => undefined);
    await database?.dispose();
  });

  it("answers webhooks 503 within a few seconds and /readyz within one, then recovers", {
    timeout: 120_000,
  }, async () => {
    expect((await post(1)).status).toBe(202);
    expect((await timed(`${server.url}/readyz`)).status).toBe(200);

    partition.cut();
    const refused = await Promise.all([post(2), post(3), post(4)]);
    for (const answer of refused) {
      expect(answer.status).toBe(503);
      expect(answer.ms).toBeLessThan(5_000);
      expect(JSON.parse(answer.text).error).toMatch(/database/);
    }
    for (let probe = 0; probe < 3; probe++) {
      const ready = await timed(`${server.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(1_000);
    }
    expect((await timed(`${server.url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/teleops_webhook_refusals_unrecorded_total\{route="\/webhooks\/alerts"\} [1-9]/);

    partition.heal();
    let status = 0;
    for (let i = 0; i < 100 && status !== 202; i++) {
      status = (await post(2)).status;
      if (status !== 202) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(202);
    expect((await timed(`${server.url}/readyz`)).status).toBe(200);
    // Redelivering what was refused stores each alert once, whatever became of the abandoned writes.
    for (const n of [3, 4]) expect((await post(n)).status).toBe(202);
    const overview = await (await fetch(`${server.url}/trpc/metrics.overview`)).json();
    expect((overview as { result: { data: { alerts: number } } }).result.data.alerts).toBe(4);
  });
});
