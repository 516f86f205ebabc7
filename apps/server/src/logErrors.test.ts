import { describe, expect, it } from "vitest";
import { serializeError } from "./logErrors.ts";

describe("serializeError", () => {
  it("keeps what explains a failed statement and drops its megabyte of parameters", () => {
    const cause = Object.assign(new Error("connection closed"), { code: "CONNECTION_CLOSED" });
    const failed = Object.assign(new Error(`Failed query: insert into alerts ${"x".repeat(10_000)}`), {
      query: "insert into alerts …",
      params: ["t", "y".repeat(1_000_000)],
      cause,
    });
    const logged = serializeError(failed) as Record<string, unknown>;
    const text = JSON.stringify(logged);
    expect(text.length).toBeLessThan(10_000);
    expect(logged.params).toBeUndefined();
    expect(logged.query).toBe("insert into alerts …");
    expect(String(logged.message)).toMatch(/^Failed query: insert into alerts x+… \(\d+ characters\)$/);
    expect((logged.cause as Record<string, unknown>).code).toBe("CONNECTION_CLOSED");
    expect(typeof logged.stack).toBe("string");
  });
});

describe("serializeError on a refused body", () => {
  it("cuts drizzle's params out of message and stack, drops PostgreSQL's quoting fields and redacts the rest", () => {
    const body = '{"message":"password=hunter2-logged","api_key":"sk-live-0000"}';
    const failed = Object.assign(
      new Error(`Failed query: insert into "integration_events" values ($1)\nparams: ${body}`),
      {
        detail: `Token "${body}" is invalid.`,
        where: `JSON data, line 1: ${body}`,
        parameters: [body],
        args: [body],
        code: "22P02",
        cause: new Error("connect ECONNREFUSED 10.20.30.40:5432 for postgres://teleops:s3cret@db:5432/teleops"),
      },
    );
    const text = JSON.stringify(serializeError(failed));
    for (const secret of ["hunter2-logged", "sk-live-0000", "s3cret", "10.20.30.40"]) {
      expect([secret, text.includes(secret)]).toEqual([secret, false]);
    }
    expect(text).toContain('Failed query: insert into \\"integration_events\\" values ($1)\\nparams: [withheld]');
    expect(text).toContain('"code":"22P02"');
  });
});
