import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "./testing.ts";

const [pglite] = testBackends({});

describe("shutdown with live views open", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    if (!pglite) throw new Error("no backend");
    database = await pglite.open();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("stops at once even while a browser holds a live-update stream open", async () => {
    const server = await startTestServer(database);
    const response = await fetch(`${server.url}/trpc/events.changes`, { headers: { accept: "text/event-stream" } });
    const reader = response.body?.getReader();
    if (!reader) throw new Error("no event stream");
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("connected");

    const started = performance.now();
    await server.close();
    expect(performance.now() - started).toBeLessThan(2_000);
    // The stream ends (the browser's EventSource then reconnects elsewhere) instead of holding shutdown open.
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return "ended";
      })(),
    ).rejects.toThrow();
  });
});
