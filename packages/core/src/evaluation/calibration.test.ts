import { describe, expect, it } from "vitest";
import { calibrate, calibrationFileSchema, logOdds, shippedCalibration } from "../rca/calibration.ts";
import { loadRunbookIndex } from "../rca/retrieval.ts";
import {
  CALIBRATION_CEILING,
  CALIBRATION_FLOOR,
  crossValidatedConfidences,
  fitCalibration,
  fitIsotonic,
  fitPlatt,
} from "./calibration.ts";
import { MANUAL_LABELS_NAME, VENDOR_LABELS_NAME } from "./labels.ts";
import { expectedCalibrationError } from "./metrics.ts";
import { evaluateLabelSets } from "./run.ts";
import { manualLabels, vendorLabels } from "./store.ts";

const point = (confidence: number, correct: boolean) => ({ confidence, correct });

describe("isotonic calibration", () => {
  it("pools adjacent violators into a non-decreasing curve and clamps it away from 0 and 1", () => {
    const curve = fitIsotonic([
      point(0.1, false),
      point(0.2, true),
      point(0.3, false),
      point(0.6, true),
      point(0.9, true),
    ]);
    expect(curve.method).toBe("isotonic");
    // 0.2 (right) and 0.3 (wrong) violate the order and are pooled at 0.5.
    expect(curve.x).toEqual([0.1, 0.25, 0.6, 0.9]);
    expect(curve.y).toEqual([CALIBRATION_FLOOR, 0.5, CALIBRATION_CEILING, CALIBRATION_CEILING]);
    for (let i = 1; i < curve.y.length; i += 1) expect(curve.y[i]).toBeGreaterThanOrEqual(curve.y[i - 1] ?? 0);
  });

  it("maps one raw score to one value even when it was right and wrong, and interpolates between knots", () => {
    const curve = fitIsotonic([point(0.3, true), point(0.3, false), point(0.3, true), point(0.7, true)]);
    expect(calibrate(curve, 0.3)).toBeCloseTo(0.6667, 3);
    expect(calibrate(curve, 0.5)).toBeCloseTo((0.6667 + CALIBRATION_CEILING) / 2, 3);
    expect(calibrate(curve, 0.05)).toBeCloseTo(0.6667, 3);
    expect(calibrate(null, 0.42)).toBe(0.42);
  });

  it("fixes an under-confident engine: cross-validated ECE far below the raw ECE on a learnable pattern", () => {
    // Raw scores around 0.3–0.5 that are right about 90 % of the time whatever the score (the baseline's shape
    // before calibration); which cases are wrong comes from a hash, unrelated to the score.
    const points = Array.from({ length: 200 }, (_, i) =>
      point(0.3 + (i % 20) * 0.01, (Math.imul(i + 1, 2654435761) >>> 0) % 10 !== 0),
    );
    const raw = expectedCalibrationError(points);
    const cv = crossValidatedConfidences(points).map((confidence, i) => point(confidence, points[i]?.correct ?? false));
    expect(raw).toBeGreaterThan(0.4);
    expect(expectedCalibrationError(cv)).toBeLessThan(0.12);
  });

  it("never lets a case's own outcome into the curve that calibrates it", () => {
    // Every score is distinct, so an in-sample fit would return each case's own outcome (ECE 0); held-out it cannot.
    const points = Array.from({ length: 40 }, (_, i) => point(i / 40, i % 2 === 0));
    const cv = crossValidatedConfidences(points);
    const inSample = points.map((p) => point(calibrate(fitIsotonic(points), p.confidence), p.correct));
    const heldOut = cv.map((c, i) => point(c, points[i]?.correct ?? false));
    expect(expectedCalibrationError(heldOut)).toBeGreaterThan(expectedCalibrationError(inSample));
  });
});

/** A seeded uniform generator (mulberry32), so the synthetic data is the same on every run. */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("Platt calibration on log-odds", () => {
  it("recovers a known logistic curve from synthetic scores", () => {
    const random = uniform(7);
    const truth = { a: 2, b: 1 };
    const points = Array.from({ length: 4000 }, () => {
      const raw = 0.03 + random() * 0.94;
      const p = 1 / (1 + Math.exp(-(truth.a * logOdds(raw) + truth.b)));
      return point(raw, random() < p);
    });
    const curve = fitPlatt(points);
    expect(curve.method).toBe("platt");
    expect(curve.a).toBeGreaterThan(truth.a - 0.2);
    expect(curve.a).toBeLessThan(truth.a + 0.2);
    expect(curve.b).toBeGreaterThan(truth.b - 0.2);
    expect(curve.b).toBeLessThan(truth.b + 0.2);
    for (const raw of [0.1, 0.3, 0.5, 0.7]) {
      const expected = 1 / (1 + Math.exp(-(truth.a * logOdds(raw) + truth.b)));
      expect(
        Math.abs(calibrate(curve, raw) - Math.min(CALIBRATION_CEILING, Math.max(CALIBRATION_FLOOR, expected))),
      ).toBeLessThan(0.03);
    }
  });

  it("falls towards the floor below the labelled scores where isotonic regression stays flat", () => {
    // The labelled sets' shape: nothing below raw 0.22 and all of it right up to 0.26, a few wrong answers at
    // 0.27–0.37, everything right above. Isotonic extends the lowest block's accuracy down to raw 0.
    const points = [
      ...[0.22, 0.25, 0.25].map((raw) => point(raw, true)),
      ...[0.27, 0.29, 0.31, 0.37].map((raw) => point(raw, false)),
      ...Array.from({ length: 14 }, () => point(0.3, true)),
      ...Array.from({ length: 60 }, (_, i) => point(0.32 + i * 0.0085, true)),
    ];
    const platt = fitPlatt(points);
    const isotonic = fitIsotonic(points);
    expect(calibrate(isotonic, 0.1)).toBeGreaterThanOrEqual(0.6);
    expect(calibrate(platt, 0.1)).toBeLessThan(0.15);
    expect(calibrate(platt, 0)).toBe(CALIBRATION_FLOOR);
    expect(calibrate(platt, 0.8)).toBe(CALIBRATION_CEILING);
    for (let raw = 0; raw < 1; raw += 0.01)
      expect(calibrate(platt, raw + 0.01)).toBeGreaterThanOrEqual(calibrate(platt, raw));
  });

  it("never slopes downwards: a score that predicts being wrong gives a constant at the accuracy", () => {
    const points = Array.from({ length: 40 }, (_, i) => point(0.1 + i * 0.02, i < 30));
    const curve = fitPlatt(points);
    expect(curve.a).toBe(0);
    expect(calibrate(curve, 0.1)).toBeCloseTo(0.75, 3);
    expect(calibrate(curve, 0.9)).toBeCloseTo(0.75, 3);
  });

  it("ships a valid calibration file with a Platt curve for the baseline and no LLM curve (never measured)", () => {
    const file = shippedCalibration();
    expect(file).not.toBeNull();
    expect(calibrationFileSchema.safeParse(file).success).toBe(true);
    expect(file?.engines.baseline?.method).toBe("platt");
    expect(file?.engines.llm).toBeNull();
  });

  it("ships the curve a refit on the current engine and labels gives (else: pnpm calibration:fit)", async () => {
    const scored = await evaluateLabelSets(
      [
        { name: "manual", labels_file: MANUAL_LABELS_NAME, cases: manualLabels() },
        { name: "vendor", labels_file: VENDOR_LABELS_NAME, cases: vendorLabels() },
      ],
      "baseline",
      { runbooks: loadRunbookIndex(), calibration: null },
    );
    const results = scored.sets.flatMap((set) => set.engines.baseline?.per_case ?? []);
    const refit = fitCalibration(
      results.map((r) => ({ confidence: r.raw_confidence ?? r.confidence, correct: r.category_correct })),
    );
    expect(shippedCalibration()?.engines.baseline).toEqual(refit);
  });
});
