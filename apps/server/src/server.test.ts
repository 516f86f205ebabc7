import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./testing.ts";

const alert = (overrides: Record<string, unknown> = {}) => ({
  timestamp: "2026-11-25T09:00:00Z",
  source_system: "net-snmp",
  host: "lab-rtr-1",
  service: "backbone",
  severity: "critical",
  alert_type: "LinkDown",
  message: "et-0/0/1 down",
  ...overrides,
});

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function alertCount(server: TestServer): Promise<number> {
  const response = await fetch(`${server.url}/trpc/metrics.overview`);
  const json = (await response.json()) as { result: { data: { alerts: number } } };
  return json.result.data.alerts;
}

describe.each(testBackends())("HTTP server on $name", (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    database = await backend.open();
    server = await startTestServer(database, { webhookToken: "s3cret" });
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });
  const auth = { authorization: "Bearer s3cret" };

  it("answers health, readiness and Prometheus metrics", async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", database: backend.name });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain("# TYPE teleops_http_requests_total counter");
  });

  it("accepts one alert or an array with 202 and counts redelivered ones as duplicates", async () => {
    const first = await post(`${server.url}/webhooks/alerts`, alert(), auth);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(typeof first.body.event_id).toBe("string");
    const batch = await post(
      `${server.url}/webhooks/alerts`,
      [alert(), alert({ timestamp: "2026-11-25T09:01:00Z" })],
      auth,
    );
    expect(batch.body).toMatchObject({ accepted: 1, duplicates: 1 });
    expect(await alertCount(server)).toBe(2);
  });

  it("turns a critical alert into an incident visible over tRPC", async () => {
    const response = await fetch(`${server.url}/trpc/incidents.list`);
    const json = (await response.json()) as {
      result: { data: { total: number; incidents: Array<{ hosts: string[] }> } };
    };
    expect(json.result.data.total).toBe(1);
    expect(json.result.data.incidents[0]?.hosts).toEqual(["lab-rtr-1"]);
  });

  it("rejects a batch with one bad alert with 400, field paths, and stores nothing", async () => {
    const before = await alertCount(server);
    const bad = await post(
      `${server.url}/webhooks/alerts`,
      [alert({ timestamp: "2026-11-25T09:05:00Z" }), alert({ severity: "apocalyptic" }), alert({ host: 7 })],
      auth,
    );
    expect(bad.status).toBe(400);
    const paths = (bad.body.issues as Array<{ path: string }>).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["[1].severity", "[2].host"]));
    expect(await alertCount(server)).toBe(before);
  });

  it("answers 400 for malformed JSON, 415 for other content types and 413 above 1 MiB", async () => {
    expect((await post(`${server.url}/webhooks/alerts`, "{not json", auth)).status).toBe(400);
    const text = await fetch(`${server.url}/webhooks/alerts`, {
      method: "POST",
      headers: { "content-type": "text/plain", ...auth },
      body: "hello",
    });
    expect(text.status).toBe(415);
    const huge = JSON.stringify([alert({ message: "x".repeat(1024 * 1024) })]);
    expect((await post(`${server.url}/webhooks/alerts`, huge, auth)).status).toBe(413);
  });

  it("refuses missing or wrong webhook tokens with 401", async () => {
    expect((await post(`${server.url}/webhooks/alerts`, alert())).status).toBe(401);
    expect((await post(`${server.url}/webhooks/alerts`, alert(), { authorization: "Bearer nope" })).status).toBe(401);
  });

  it("answers 404 for unknown routes instead of an error", async () => {
    expect((await post(`${server.url}/webhooks/nothing`, alert(), auth)).status).toBe(404);
    expect(
      (await fetch(`${server.url}/trpc/incidents.byId?input=${encodeURIComponent('{"id":"INC-404"}')}`)).status,
    ).toBe(404);
  });
});

describe("production mode", () => {
  it("closes webhooks whose token is not configured", async () => {
    const [pglite] = testBackends({});
    if (!pglite) throw new Error("no backend");
    const database = await pglite.open();
    const server = await startTestServer(database, { production: true });
    try {
      expect((await post(`${server.url}/webhooks/alerts`, alert())).status).toBe(401);
    } finally {
      await server.close();
      await database.dispose();
    }
  });
});
