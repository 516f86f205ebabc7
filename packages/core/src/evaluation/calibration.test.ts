import { describe, expect, it } from "vitest";
import { calibrate, calibrationFileSchema, shippedCalibration } from "../rca/calibration.ts";
import { CALIBRATION_CEILING, CALIBRATION_FLOOR, crossValidatedConfidences, fitIsotonic } from "./calibration.ts";
import { expectedCalibrationError } from "./metrics.ts";

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

  it("ships a valid calibration file with a baseline curve and no LLM curve (never measured)", () => {
    const file = shippedCalibration();
    expect(file).not.toBeNull();
    expect(calibrationFileSchema.safeParse(file).success).toBe(true);
    expect(file?.engines.baseline?.method).toBe("isotonic");
    expect(file?.engines.llm).toBeNull();
  });
});
