/**
 * Fitting the confidence calibration: isotonic regression (pool-adjacent-violators) of "top category right" on the
 * raw score, and k-fold cross-validation to measure it on cases it was not fitted on.
 *
 * Isotonic regression was chosen over Platt scaling because the raw scores are not a logistic function of
 * correctness (the baseline's vote shares cluster at 0.3 for right answers and wrong ones alike); it assumes only
 * that a higher raw score is not less likely to be right. No npm package for it is both small and maintained, so
 * the ~40 lines are here.
 */
import type { CalibrationCurve } from "../rca/calibration.ts";
import { calibrate } from "../rca/calibration.ts";
import type { CalibrationPoint } from "./metrics.ts";

/** Fitted probabilities are kept inside this range: 82 cases cannot justify "never" or "always". */
export const CALIBRATION_FLOOR = 0.02;
export const CALIBRATION_CEILING = 0.98;
export const CALIBRATION_FOLDS = 5;

function round(value: number, digits = 4): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * Pool-adjacent-violators over the points sorted by raw score: blocks whose mean accuracy decreases are merged
 * until the sequence is non-decreasing. Each block becomes one knot at its mean raw score.
 */
export function fitIsotonic(points: readonly CalibrationPoint[]): CalibrationCurve {
  if (points.length === 0) return { method: "identity", x: [], y: [] };
  const sorted = [...points].sort((a, b) => a.confidence - b.confidence);
  const blocks: { sumX: number; sumY: number; n: number }[] = [];
  for (const p of sorted) {
    blocks.push({ sumX: p.confidence, sumY: p.correct ? 1 : 0, n: 1 });
    // Merge equal raw scores too: one score must map to one value.
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1] as (typeof blocks)[number];
      const a = blocks[blocks.length - 2] as (typeof blocks)[number];
      const sameX = a.sumX / a.n === b.sumX / b.n;
      if (!sameX && a.sumY / a.n <= b.sumY / b.n) break;
      blocks.splice(blocks.length - 2, 2, { sumX: a.sumX + b.sumX, sumY: a.sumY + b.sumY, n: a.n + b.n });
    }
  }
  const clamp = (v: number) => Math.min(CALIBRATION_CEILING, Math.max(CALIBRATION_FLOOR, v));
  const x = blocks.map((b) => round(b.sumX / b.n));
  const y = blocks.map((b) => round(clamp(b.sumY / b.n)));
  // A knot inside a flat run changes nothing in the interpolation: keep the run's two ends only.
  const keep = x.map((_, i) => i === 0 || i === x.length - 1 || y[i - 1] !== y[i] || y[i] !== y[i + 1]);
  return { method: "isotonic", x: x.filter((_, i) => keep[i]), y: y.filter((_, i) => keep[i]) };
}

/** mulberry32: the fold assignment is a seeded shuffle, so the same cases always fall in the same folds. */
function shuffled(count: number, seed: number): number[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

/**
 * Each point's confidence as calibrated by a curve fitted on the other folds only: the honest estimate of how the
 * calibration does on cases it has not seen. Fewer points than folds: leave-one-out.
 */
export function crossValidatedConfidences(
  points: readonly CalibrationPoint[],
  folds = CALIBRATION_FOLDS,
  seed = 18,
): number[] {
  const k = Math.max(2, Math.min(folds, points.length));
  const fold = new Array<number>(points.length);
  shuffled(points.length, seed).forEach((index, position) => {
    fold[index] = position % k;
  });
  const out = new Array<number>(points.length);
  for (let f = 0; f < k; f += 1) {
    const training = points.filter((_, i) => fold[i] !== f);
    const curve = fitIsotonic(training);
    points.forEach((p, i) => {
      if (fold[i] === f) out[i] = round(calibrate(curve, p.confidence));
    });
  }
  return out;
}
