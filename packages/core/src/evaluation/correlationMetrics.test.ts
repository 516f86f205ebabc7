import type { CorrelationStreamResult } from "@teleops/schema";
import { describe, expect, it } from "vitest";
import { correlationReport, scoreTally, sumTallies, tallyCorrelation, targetFailures } from "./correlationMetrics.ts";
import { pairwiseCounts, pairwiseScores } from "./pairwise.ts";

// Ten alerts, four true incidents (A, B, C, D) and three noise alerts. The correlator made four incidents:
// 0 = {A, A}, 1 = {A, B, B}, 2 = {C, noise}, 3 = {noise}; one noise alert and D's only alert stay unassigned.
const TRUTH = ["A", "A", "A", "B", "B", "C", null, null, null, "D"];
const ASSIGNMENT = Int32Array.from([0, 0, 1, 1, 1, 2, 2, 3, -1, -1]);

function result(name: string, assignment: ArrayLike<number>, truth: Array<string | null>) {
  const tally = tallyCorrelation(assignment, truth);
  const stream: CorrelationStreamResult = {
    name,
    file: `${name}.jsonl`,
    description: "",
    topology: false,
    errors: [],
    ...scoreTally(tally),
  };
  return { result: stream, tally };
}

describe("correlation metrics", () => {
  it("counts pairs by hand: 5 predicted, 4 true, 2 shared", () => {
    expect(pairwiseCounts(ASSIGNMENT, [0, 0, 0, 1, 1, 2, -1, -1, -1, 3])).toEqual({
      together: 2,
      predicted: 5,
      truth: 4,
    });
    expect(pairwiseScores([0, 0, 1, 1, -1], [5, 5, 6, 6, -1])).toEqual({ precision: 1, recall: 1 });
  });

  it("scores a hand-made partition: split, merged, phantom, missed, compression and the unassigned shares", () => {
    expect(scoreTally(tallyCorrelation(ASSIGNMENT, TRUTH))).toEqual({
      alerts: 10,
      noise_alerts: 3,
      precision: 0.4,
      recall: 0.5,
      f1: 0.4444,
      incidents: 4,
      truth_incidents: 4,
      phantom: 1,
      split_truths: 1,
      merged_truths: 1,
      missed_truths: 1,
      compression: 2,
      unassigned_share: 0.2,
      noise_in_incidents: 0.6667,
    });
  });

  it("does not reward a correlator that splits per host: compression stays low and every truth is split", () => {
    // One true incident of 12 alerts on 4 hosts, three alerts each; the correlator makes one incident per host.
    const truth = Array.from({ length: 12 }, () => "cut");
    const perHost = Array.from({ length: 12 }, (_, i) => Math.floor(i / 3));
    const score = scoreTally(tallyCorrelation(perHost, truth));
    expect(score).toMatchObject({ incidents: 4, truth_incidents: 1, split_truths: 1, compression: 3, precision: 1 });
    expect(score.recall).toBeCloseTo(12 / 66, 4);
    expect(score.f1).toBeLessThan(0.4);
  });

  it("leaves ratios without a denominator empty instead of inventing a number", () => {
    expect(scoreTally(tallyCorrelation([-1, -1], ["a", "b"]))).toMatchObject({
      incidents: 0,
      compression: null,
      unassigned_share: 1,
      noise_in_incidents: null,
      missed_truths: 2,
      precision: 1,
      recall: 1,
    });
  });

  it("micro-averages over streams by summing pairs and counts, and names the worst stream", () => {
    const first = result("mixed", ASSIGNMENT, TRUTH);
    const second = result("clean", [0, 0, -1], ["X", "X", null]);
    const report = correlationReport([first, second]);
    expect(report.overall).toMatchObject({
      streams: 2,
      alerts: 13,
      noise_alerts: 4,
      // 3 shared pairs of 6 predicted and 5 true, not the mean of 0.4 and 1.
      precision: 0.5,
      recall: 0.6,
      f1: 0.5455,
      incidents: 5,
      truth_incidents: 5,
      phantom: 1,
      split_truths: 1,
      merged_truths: 1,
      compression: 2,
      unassigned_share: 0.2308,
      noise_in_incidents: 0.5,
      // Each stream once: (0.4444 + 1) / 2.
      macro_f1: 0.7222,
      worst_stream: { name: "mixed", file: "mixed.jsonl", f1: 0.4444 },
    });
    expect(sumTallies([first.tally, second.tally]).pairs).toEqual({ together: 3, predicted: 6, truth: 5 });
    expect(report.targets).toEqual({
      f1: 0.95,
      incident_count_tolerance: 0.1,
      phantom_share: 0.05,
      met: false,
      failures: ["mixed: F1 0.444 is below 0.95", "mixed: 1 of 4 incidents are made only of noise (more than 5%)"],
    });
    expect(correlationReport([second]).targets).toMatchObject({ met: true, failures: [] });
  });

  it("holds the incident count within ±10 % of the truth, one incident off out of ten passing", () => {
    const stream = { name: "s", f1: 1, incidents: 11, truth_incidents: 10, phantom: 0 } as CorrelationStreamResult;
    expect(targetFailures(stream)).toEqual([]);
    expect(targetFailures({ ...stream, incidents: 12 })).toEqual(["s: 12 incidents for 10 true ones (more than ±10%)"]);
    expect(targetFailures({ ...stream, incidents: 1, truth_incidents: 0, phantom: 1 })).toHaveLength(2);
  });

  it("does not meet the targets with nothing scored", () => {
    expect(correlationReport([]).targets).toMatchObject({ met: false, failures: ["no stream was scored"] });
    expect(correlationReport([]).overall).toMatchObject({ worst_stream: null, macro_f1: null });
  });
});
