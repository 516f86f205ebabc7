/**
 * Fitting the confidence calibration of "top category right" on the raw score, and k-fold cross-validation to
 * measure it on cases it was not fitted on.
 *
 * The shipped method is Platt scaling on the raw score's log-odds (`fitPlatt`): two parameters, increasing, and
 * anchored by its form at raw 0 (→ the floor) and raw 1 (→ the ceiling). Isotonic regression (`fitIsotonic`) was
 * the first method; it assumes only monotonicity, which is its weakness at the ends: where the labelled data has no
 * wrong answer (no case scores below raw 0.22, all of them right) it extends the lowest block's accuracy, 0.71, down
 * to raw 0, so an alert nothing recognizes (raw 0.1) would show 0.7. Both are small enough to keep here (no
 * maintained npm package for either is small).
 */
import type { CalibrationCurve, IsotonicCurve, PlattCurve } from "../rca/calibration.ts";
import { calibrate, logOdds } from "../rca/calibration.ts";
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
export function fitIsotonic(points: readonly CalibrationPoint[]): IsotonicCurve {
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

/**
 * Platt scaling on log-odds: maximum-likelihood logistic regression of "right" (1 or 0) on ln(raw / (1 − raw)), by
 * Newton's method with step halving. The slope is kept > 0 (a calibration must not rank a higher score lower): if
 * the best slope is not positive the fit is the constant of the accuracy. Fitted values are clamped to
 * [CALIBRATION_FLOOR, CALIBRATION_CEILING].
 *
 * Platt's (1999) smoothed targets ((N₊ + 1) / (N₊ + 2) and 1 / (N₋ + 2)) were tried and not kept: with 4 wrong
 * answers in 82 they aim every wrong answer at 1/6, which flattens the curve until raw 0.1 maps to 0.40.
 */
export function fitPlatt(points: readonly CalibrationPoint[]): PlattCurve {
  const f = points.map((p) => logOdds(p.confidence));
  const t = points.map((p) => (p.correct ? 1 : 0));
  const meanTarget = points.length === 0 ? 0.5 : t.reduce((sum: number, v) => sum + v, 0) / t.length;
  const constant = (): PlattCurve => ({
    method: "platt",
    a: 0,
    b: round(logOdds(meanTarget)),
    min: CALIBRATION_FLOOR,
    max: CALIBRATION_CEILING,
  });
  if (points.length === 0) return constant();

  const loss = (a: number, b: number): number => {
    let sum = 0;
    for (let i = 0; i < f.length; i += 1) {
      const z = a * (f[i] as number) + b;
      // −[t·ln σ(z) + (1 − t)·ln(1 − σ(z))], written to stay finite for large |z|.
      sum += Math.max(z, 0) - z * (t[i] as number) + Math.log1p(Math.exp(-Math.abs(z)));
    }
    return sum;
  };
  let a = 0;
  let b = logOdds(meanTarget);
  let current = loss(a, b);
  for (let iteration = 0; iteration < 100; iteration += 1) {
    let gA = 0;
    let gB = 0;
    let hAA = 1e-9;
    let hAB = 0;
    let hBB = 1e-9;
    for (let i = 0; i < f.length; i += 1) {
      const fi = f[i] as number;
      const p = 1 / (1 + Math.exp(-(a * fi + b)));
      const r = p - (t[i] as number);
      const w = p * (1 - p);
      gA += r * fi;
      gB += r;
      hAA += w * fi * fi;
      hAB += w * fi;
      hBB += w;
    }
    const det = hAA * hBB - hAB * hAB;
    if (det <= 0) break;
    const stepA = (hBB * gA - hAB * gB) / det;
    const stepB = (hAA * gB - hAB * gA) / det;
    let scale = 1;
    let next = loss(a - stepA, b - stepB);
    while (next > current && scale > 1e-6) {
      scale /= 2;
      next = loss(a - scale * stepA, b - scale * stepB);
    }
    if (next > current) break;
    a -= scale * stepA;
    b -= scale * stepB;
    const converged = current - next < 1e-12 && Math.abs(scale * stepA) + Math.abs(scale * stepB) < 1e-9;
    current = next;
    if (converged) break;
  }
  if (!(a > 0) || !Number.isFinite(a) || !Number.isFinite(b)) return constant();
  return { method: "platt", a: round(a), b: round(b), min: CALIBRATION_FLOOR, max: CALIBRATION_CEILING };
}

/** A calibration fitter. */
export type CalibrationFitter = (points: readonly CalibrationPoint[]) => CalibrationCurve;

/** The method the engine ships and the evaluation cross-validates. */
export const fitCalibration: CalibrationFitter = fitPlatt;

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
  fit: CalibrationFitter = fitCalibration,
): number[] {
  const k = Math.max(2, Math.min(folds, points.length));
  const fold = new Array<number>(points.length);
  shuffled(points.length, seed).forEach((index, position) => {
    fold[index] = position % k;
  });
  const out = new Array<number>(points.length);
  for (let f = 0; f < k; f += 1) {
    const training = points.filter((_, i) => fold[i] !== f);
    const curve = fit(training);
    points.forEach((p, i) => {
      if (fold[i] === f) out[i] = round(calibrate(curve, p.confidence));
    });
  }
  return out;
}
