import { describe, expect, it } from "vitest";
import { estimateGeneration, GENERATE_ALERT_LIMIT } from "./scenario.ts";

describe("estimateGeneration", () => {
  it("counts duration × (rate × scenarios + noise), with five scenarios for mixed", () => {
    expect(
      estimateGeneration({ scenario: "fiber_cut", durationMinutes: 10, ratePerMinute: 25, noisePerMinute: 2 }).total,
    ).toBe(270);
    expect(
      estimateGeneration({ scenario: "mixed", durationMinutes: 10, ratePerMinute: 25, noisePerMinute: 2 }).total,
    ).toBe(1_270);
  });

  it("allows exactly 200,000 alerts and refuses one more, naming the total and the limit", () => {
    const atLimit = estimateGeneration({
      scenario: "fiber_cut",
      durationMinutes: 100,
      ratePerMinute: 1_900,
      noisePerMinute: 100,
    });
    expect(atLimit).toMatchObject({ total: GENERATE_ALERT_LIMIT, refusal: null });
    const mixedAtLimit = estimateGeneration({
      scenario: "mixed",
      durationMinutes: 100,
      ratePerMinute: 380,
      noisePerMinute: 100,
    });
    expect(mixedAtLimit).toMatchObject({ total: GENERATE_ALERT_LIMIT, refusal: null });
    const over = estimateGeneration({
      scenario: "fiber_cut",
      durationMinutes: 100,
      ratePerMinute: 1_900,
      noisePerMinute: 100.01,
    });
    expect(over.total).toBe(GENERATE_ALERT_LIMIT + 1);
    expect(over.refusal).toMatch(/up to 200,001 alerts .*the limit is 200,000 per request/);
  });

  it("refuses the request that used to exhaust the server's memory", () => {
    const crash = estimateGeneration({
      scenario: "mixed",
      durationMinutes: 1_440,
      ratePerMinute: 10_000,
      noisePerMinute: 10_000,
    });
    expect(crash.total).toBe(86_400_000);
    expect(crash.refusal).toBe(
      "this request would generate up to 86,400,000 alerts (1,440 min × (10,000/min × 5 scenarios + 10,000 noise/min)); the limit is 200,000 per request: shorten the duration or lower the rate or noise",
    );
  });
});
