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
