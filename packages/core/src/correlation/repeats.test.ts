import { describe, expect, it } from "vitest";
import { REPEAT_MEMORY_MS, RepeatOdds } from "./repeats.ts";

describe("RepeatOdds", () => {
  it("checks a tenant's deliveries for a while after a repeat, and any naming an alert stored here", () => {
    let now = 1_000_000;
    const odds = new RepeatOdds(() => now);
    expect(odds.shouldCheck("t", ["a|1", "b|2"])).toBe(false);
    odds.stored("t", ["a|1"]);
    expect(odds.shouldCheck("t", ["a|1"])).toBe(true);
    expect(odds.shouldCheck("t", ["b|2"])).toBe(false);
    // Per tenant: another tenant's alert with the same key is new to it.
    expect(odds.shouldCheck("u", ["a|1"])).toBe(false);
    odds.sawRepeat("u");
    expect(odds.shouldCheck("u", ["c|3"])).toBe(true);
    expect(odds.shouldCheck("t", ["c|3"])).toBe(false);
    now += REPEAT_MEMORY_MS;
    expect(odds.shouldCheck("u", ["c|3"])).toBe(false);
  });

  it("forgets the oldest stored alerts first once full", () => {
    const odds = new RepeatOdds();
    const keys = Array.from({ length: (1 << 18) + 10 }, (_, i) => `k${i}|0`);
    odds.stored("t", keys);
    expect(odds.shouldCheck("t", ["k0|0"])).toBe(false);
    expect(odds.shouldCheck("t", [`k${keys.length - 1}|0`])).toBe(true);
  });
});
