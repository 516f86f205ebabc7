import { testBackends } from "@teleops/db/testing";
import { describe, expect, it } from "vitest";
import { ConfigError, labEnabled, loadConfig } from "./config.ts";
import { startTestServer } from "./testing.ts";

describe("the Lab switch (TELEOPS_LAB)", () => {
  it("is on in development and off in production unless TELEOPS_LAB says otherwise", () => {
    expect(labEnabled(loadConfig({}))).toBe(true);
    expect(labEnabled(loadConfig({ NODE_ENV: "production" }))).toBe(false);
    expect(labEnabled(loadConfig({ TELEOPS_ENV: "production" }))).toBe(false);
    expect(labEnabled(loadConfig({ TELEOPS_ENV: "production", TELEOPS_LAB: "1" }))).toBe(true);
    expect(labEnabled(loadConfig({ TELEOPS_LAB: "0" }))).toBe(false);
    expect(labEnabled(loadConfig({ TELEOPS_LAB: "off" }))).toBe(false);
  });

  it("refuses a value it cannot read, naming the variable", () => {
    expect(() => loadConfig({ TELEOPS_LAB: "maybe" })).toThrow(ConfigError);
    expect(() => loadConfig({ TELEOPS_LAB: "maybe" })).toThrow(/TELEOPS_LAB/);
  });
});

describe.each(testBackends())("a production server without the Lab on $name", (backend) => {
  it("answers 403 to generation and reset, and tells the SPA the Lab is absent", async () => {
    const database = await backend.open();
    const server = await startTestServer(database, { lab: false });
    try {
      const post = (path: string, body: unknown) =>
        fetch(`${server.url}/trpc/${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const generate = await post("scenarios.generate", { scenario: "dns_outage" });
      expect(generate.status).toBe(403);
      expect(((await generate.json()) as { error: { message: string } }).error.message).toContain("TELEOPS_LAB=1");
      expect((await post("admin.reset", { confirm: "default" })).status).toBe(403);
      const whoami = (await (await fetch(`${server.url}/trpc/session.whoami`)).json()) as {
        result: { data: { lab: boolean } };
      };
      expect(whoami.result.data.lab).toBe(false);
    } finally {
      await server.close();
      await database.dispose();
    }
  });
});
