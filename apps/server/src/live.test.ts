import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstChange, startTestServer, type TestServer } from "./testing.ts";

const [pglite] = testBackends({});

describe("live updates", () => {
  let database: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    if (!pglite) throw new Error("no backend");
    database = await pglite.open();
    server = await startTestServer(database);
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  it("tells a subscribed browser that alerts arrived, without a reload", async () => {
    const abort = new AbortController();
    const change = firstChange(server.url, abort.signal);
    await new Promise((r) => setTimeout(r, 200));
    const posted = await fetch(`${server.url}/webhooks/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        timestamp: "2026-11-25T10:00:00Z",
        host: "lab-rtr-9",
        severity: "critical",
        alert_type: "link_down",
      }),
    });
    expect(posted.status).toBe(202);
    const message = JSON.parse(await change) as { kinds: string[]; events: number };
    abort.abort();
    expect(message.kinds).toContain("alerts");
    expect(message.events).toBeGreaterThanOrEqual(1);
  });
});
