import { type CanonicalAlert, SCENARIO_TYPES } from "@teleops/schema";
import { describe, expect, it } from "vitest";
import { generateScenario, loadTopology } from "../generator/index.ts";
import { correlateAlerts, pairwiseScores } from "./inMemory.ts";
import { topologyView } from "./topologyView.ts";

const topology = loadTopology();
const view = topologyView(topology);
const START = new Date("2026-11-25T06:00:00Z");

/** What a real stream carries: every tag but `site` removed, so nothing can lean on ground truth. */
function stripTags(alerts: CanonicalAlert[]): CanonicalAlert[] {
  return alerts.map((a): CanonicalAlert => {
    const tags: Record<string, string> = a.tags.site ? { site: a.tags.site } : {};
    return { ...a, tags };
  });
}

/** Maps each predicted incident to the scenario most of its alerts came from. */
function dominantScenario(assignment: Int32Array, membership: number[], incident: number): number {
  const votes = new Map<number, number>();
  assignment.forEach((a, i) => {
    if (a === incident) votes.set(membership[i] ?? -1, (votes.get(membership[i] ?? -1) ?? 0) + 1);
  });
  return [...votes].sort((x, y) => y[1] - x[1])[0]?.[0] ?? -1;
}

describe("correlation quality on generated mixed streams", () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    "groups mixed seed %i with pairwise precision and recall of at least 0.95",
    (seed) => {
      const generated = generateScenario(
        { scenario: "mixed", seed, durationMinutes: 30, ratePerMinute: 25, noisePerMinute: 4 },
        topology,
        START,
      );
      const { assignment, incidents } = correlateAlerts(stripTags(generated.alerts), { topology: view });
      const scores = pairwiseScores(assignment, generated.membership);
      expect(scores.precision).toBeGreaterThanOrEqual(0.95);
      expect(scores.recall).toBeGreaterThanOrEqual(0.95);
      // One incident per injected scenario: as many incidents as scenarios, each led by a different one.
      expect(incidents).toHaveLength(generated.groundTruth.length);
      const leaders = incidents.map((_, i) => dominantScenario(assignment, generated.membership, i));
      expect(new Set(leaders).size).toBe(generated.groundTruth.length);
      expect(leaders).not.toContain(-1);
    },
  );

  it.each(SCENARIO_TYPES)(
    "makes exactly one incident of a lone %s with every scenario alert and no noise",
    (scenario) => {
      for (const seed of [11, 12, 13]) {
        const generated = generateScenario(
          { scenario, seed, durationMinutes: 10, ratePerMinute: 25, noisePerMinute: 3 },
          topology,
          START,
        );
        const { assignment, incidents } = correlateAlerts(stripTags(generated.alerts), { topology: view });
        expect(incidents).toHaveLength(1);
        const inIncident = generated.membership.filter((_, i) => assignment[i] === 0);
        expect(inIncident).toHaveLength(generated.groundTruth[0]?.alert_count ?? -1);
        expect(inIncident.every((m) => m === 0)).toBe(true);
      }
    },
  );

  it("forms the same incidents whether or not the generator's scenario tags are present", () => {
    const generated = generateScenario(
      { scenario: "mixed", seed: 21, durationMinutes: 20, ratePerMinute: 30, noisePerMinute: 5 },
      topology,
      START,
    );
    const tagged = correlateAlerts(generated.alerts, { topology: view }).assignment;
    const bare = correlateAlerts(stripTags(generated.alerts), { topology: view }).assignment;
    expect(Array.from(bare)).toEqual(Array.from(tagged));
  });

  it("splits a recurrence on the same devices an hour later into a new incident", () => {
    const params = {
      scenario: "router_freeze" as const,
      seed: 5,
      durationMinutes: 10,
      ratePerMinute: 20,
      noisePerMinute: 0,
    };
    const first = generateScenario(params, topology, START);
    const again = generateScenario(params, topology, new Date(START.getTime() + 70 * 60_000));
    const { incidents } = correlateAlerts(stripTags([...first.alerts, ...again.alerts]), { topology: view });
    expect(incidents).toHaveLength(2);
  });
});
