/**
 * Calibrated confidence. An engine's raw score (the baseline's vote share, an LLM's self-reported number) is mapped
 * through a monotone curve fitted on the labelled sets, so that "0.8" means "right about 8 times in 10" on the
 * cases it was measured on. The curve is data (`calibration.json` beside this file), fitted by Platt scaling on the
 * raw score's log-odds with k-fold cross-validated figures by `pnpm calibration:fit` (scripts/fit-calibration.ts);
 * see docs/rca.md. Isotonic knots are still read (older files, tests).
 *
 * Applying it is a logistic function or a binary search over a few knots per hypothesis: nothing on the engine's hot
 * path.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Hypothesis } from "@teleops/schema";
import { z } from "zod";

/** A monotone piecewise-linear map from raw score to probability: knots `x` (ascending) and values `y`. */
const isotonicCurveSchema = z
  .object({
    method: z.enum(["isotonic", "identity"]),
    x: z.array(z.number().min(0).max(1)),
    y: z.array(z.number().min(0).max(1)),
  })
  .refine((c) => c.x.length === c.y.length, "x and y must have the same length")
  .refine((c) => c.x.every((v, i) => i === 0 || v >= (c.x[i - 1] ?? 0)), "x must be ascending")
  .refine((c) => c.y.every((v, i) => i === 0 || v >= (c.y[i - 1] ?? 0)), "y must be non-decreasing");

/**
 * Platt scaling on the raw score's log-odds: `p = σ(a · ln(raw / (1 − raw)) + b)`, kept within [`min`, `max`].
 * With `a > 0` the map is increasing and runs from `min` at raw 0 (no evidence) to `max` at raw 1, whatever the
 * data between; `a = 0` is a constant (no relation between score and correctness was found).
 */
const plattCurveSchema = z
  .object({
    method: z.literal("platt"),
    a: z.number().min(0),
    b: z.number(),
    min: z.number().min(0).max(1),
    max: z.number().min(0).max(1),
  })
  .refine((c) => c.min <= c.max, "min must not exceed max");

export const calibrationCurveSchema = z.union([plattCurveSchema, isotonicCurveSchema]);
export type CalibrationCurve = z.infer<typeof calibrationCurveSchema>;
export type PlattCurve = z.infer<typeof plattCurveSchema>;
export type IsotonicCurve = z.infer<typeof isotonicCurveSchema>;

export const calibrationFileSchema = z.object({
  version: z.literal(1),
  /** What a calibrated confidence predicts. */
  target: z.string(),
  fitted_at: z.string(),
  /** How to refit. */
  refit: z.string(),
  /** The label sets and case counts the curve was fitted on, and the cross-validated figures. */
  fitted_on: z.array(z.object({ name: z.string(), cases: z.number().int() })),
  cross_validation: z.record(z.string(), z.unknown()),
  engines: z.object({ baseline: calibrationCurveSchema.nullable(), llm: calibrationCurveSchema.nullable() }),
});
export type CalibrationFile = z.infer<typeof calibrationFileSchema>;

export const CALIBRATION_PATH = fileURLToPath(new URL("./calibration.json", import.meta.url));

let shipped: CalibrationFile | null | undefined;

/** The shipped calibration, read once; a missing or malformed file means raw scores (and says so on stderr). */
export function shippedCalibration(): CalibrationFile | null {
  if (shipped === undefined) {
    try {
      shipped = calibrationFileSchema.parse(JSON.parse(readFileSync(CALIBRATION_PATH, "utf8")));
    } catch (error) {
      process.emitWarning(`RCA calibration not loaded, using raw scores: ${String(error)}`);
      shipped = null;
    }
  }
  return shipped;
}

/** Raw scores are kept this far from 0 and 1 before taking their log-odds. */
const LOGIT_EPSILON = 1e-4;

/** ln(p / (1 − p)) of a raw score, kept finite. */
export function logOdds(raw: number): number {
  const p = Math.min(1 - LOGIT_EPSILON, Math.max(LOGIT_EPSILON, raw));
  return Math.log(p / (1 - p));
}

/**
 * The raw score through the curve. Platt: the logistic map, clamped to its range. Isotonic: linear between knots,
 * flat beyond the first and last.
 */
export function calibrate(curve: CalibrationCurve | null | undefined, raw: number): number {
  if (!curve || curve.method === "identity") return raw;
  if (curve.method === "platt") {
    const p = 1 / (1 + Math.exp(-(curve.a * logOdds(raw) + curve.b)));
    return Math.min(curve.max, Math.max(curve.min, p));
  }
  if (curve.x.length === 0) return raw;
  const { x, y } = curve;
  const last = x.length - 1;
  if (raw <= (x[0] ?? 0)) return y[0] ?? raw;
  if (raw >= (x[last] ?? 1)) return y[last] ?? raw;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((x[mid] ?? 0) <= raw) lo = mid;
    else hi = mid;
  }
  const x0 = x[lo] ?? 0;
  const x1 = x[hi] ?? 1;
  const y0 = y[lo] ?? 0;
  const y1 = y[hi] ?? 1;
  return x1 === x0 ? y1 : y0 + ((raw - x0) / (x1 - x0)) * (y1 - y0);
}

/** Hypotheses with calibrated confidence (rounded to 0.01); ranks and everything else unchanged. */
export function calibrateHypotheses(
  hypotheses: Hypothesis[],
  curve: CalibrationCurve | null | undefined,
): Hypothesis[] {
  if (!curve || curve.method === "identity") return hypotheses;
  return hypotheses.map((h) => ({ ...h, confidence: Math.round(calibrate(curve, h.confidence) * 100) / 100 }));
}
