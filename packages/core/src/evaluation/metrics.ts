/** Aggregate measures over scored cases: accuracies, calibration (ECE and the reliability diagram), agreement. */
import {
  type CaseResult,
  type CategoryBreakdown,
  type ConfidentTail,
  type EngineDetail,
  type EngineReport,
  RCA_CATEGORIES,
  type ReliabilityBin,
} from "@teleops/schema";

/** Confidence at or above this with a score of 0 counts as wrong-but-confident (the contract's fixed measure). */
export const CONFIDENT_THRESHOLD = 0.7;
/** The share of cases, by confidence, counted as the engine's "confident" tail: its top decile. */
export const CONFIDENT_TAIL_SHARE = 0.1;
export const CALIBRATION_BINS = 10;

export interface CalibrationPoint {
  confidence: number;
  correct: boolean;
}

function round(value: number, digits = 4): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Equal-width bins over [0, 1]; a confidence of exactly 1 falls in the last bin. */
export function reliabilityBins(points: readonly CalibrationPoint[], bins = CALIBRATION_BINS): ReliabilityBin[] {
  const buckets: CalibrationPoint[][] = Array.from({ length: bins }, () => []);
  for (const point of points) {
    const clamped = Math.min(1, Math.max(0, point.confidence));
    buckets[Math.min(bins - 1, Math.floor(clamped * bins))]?.push(point);
  }
  return buckets.map((bucket, i) => ({
    lower: round(i / bins),
    upper: round((i + 1) / bins),
    count: bucket.length,
    mean_confidence: bucket.length > 0 ? round(mean(bucket.map((p) => p.confidence))) : null,
    accuracy: bucket.length > 0 ? round(mean(bucket.map((p) => (p.correct ? 1 : 0)))) : null,
  }));
}

/** Expected calibration error: the case-weighted gap between confidence and accuracy, over the bins. */
export function expectedCalibrationError(points: readonly CalibrationPoint[], bins = CALIBRATION_BINS): number {
  if (points.length === 0) return 0;
  let total = 0;
  for (const bin of reliabilityBins(points, bins)) {
    if (bin.count === 0 || bin.accuracy === null || bin.mean_confidence === null) continue;
    total += (bin.count / points.length) * Math.abs(bin.accuracy - bin.mean_confidence);
  }
  return round(total);
}

/** Cohen's kappa between two raters' labels for the same items: 1 is perfect agreement, 0 is chance. */
export function cohensKappa(first: readonly string[], second: readonly string[]): number {
  if (first.length !== second.length) throw new RangeError("both raters must label the same items");
  if (first.length === 0) throw new RangeError("no items to compare");
  const n = first.length;
  let agreed = 0;
  const countsA = new Map<string, number>();
  const countsB = new Map<string, number>();
  first.forEach((a, i) => {
    const b = second[i] ?? "";
    if (a === b) agreed += 1;
    countsA.set(a, (countsA.get(a) ?? 0) + 1);
    countsB.set(b, (countsB.get(b) ?? 0) + 1);
  });
  const observed = agreed / n;
  let chance = 0;
  for (const [label, count] of countsA) chance += (count / n) * ((countsB.get(label) ?? 0) / n);
  if (chance === 1) return observed === 1 ? 1 : 0;
  return round((observed - chance) / (1 - chance));
}

/** Mean squared gap between confidence and outcome (0 is perfect; always saying 0.5 gives 0.25). */
export function brier(points: readonly CalibrationPoint[]): number {
  if (points.length === 0) return 0;
  return round(mean(points.map((p) => (p.confidence - (p.correct ? 1 : 0)) ** 2)));
}

/**
 * Wrong-but-confident at the confidence the engine actually reaches: the threshold is the lowest confidence among
 * its surest tenth of cases (at least one case), and the tail is every case at or above it (more on ties).
 */
export function confidentTail(results: readonly CaseResult[], share = CONFIDENT_TAIL_SHARE): ConfidentTail {
  if (results.length === 0) return { threshold: 0, cases: 0, wrong: 0, category_wrong: 0 };
  const sorted = results.map((r) => r.confidence).sort((a, b) => a - b);
  const rank = Math.max(0, sorted.length - Math.max(1, Math.ceil(share * sorted.length)));
  const threshold = sorted[rank] ?? 0;
  const tail = results.filter((r) => r.confidence >= threshold);
  return {
    threshold: round(threshold),
    cases: tail.length,
    wrong: tail.filter((r) => r.score === 0).length,
    category_wrong: tail.filter((r) => !r.category_correct).length,
  };
}

function perCategory(results: readonly CaseResult[]): CategoryBreakdown[] {
  return RCA_CATEGORIES.flatMap((category) => {
    const rows = results.filter((r) => r.expected_category === category);
    if (rows.length === 0) return [];
    return [
      {
        category,
        cases: rows.length,
        mean_score: round(mean(rows.map((r) => r.score))),
        category_accuracy: round(mean(rows.map((r) => (r.category_correct ? 1 : 0)))),
        component_accuracy: round(mean(rows.map((r) => (r.component_correct ? 1 : 0)))),
      },
    ];
  });
}

function confusion(results: readonly CaseResult[]): Record<string, Record<string, number>> {
  const matrix: Record<string, Record<string, number>> = {};
  for (const r of results) {
    const row = matrix[r.expected_category] ?? {};
    const predicted = r.category ?? "none";
    row[predicted] = (row[predicted] ?? 0) + 1;
    matrix[r.expected_category] = row;
  }
  return matrix;
}

/** The contract's summary of one engine over its scored cases, plus the SPA's views of them. */
export function summarizeEngine(
  results: readonly CaseResult[],
  extra: { model: string | null; durationMs: number },
): EngineDetail {
  const points = results.map((r) => ({ confidence: r.confidence, correct: r.category_correct }));
  const hasRaw = results.length > 0 && results.every((r) => r.raw_confidence !== undefined);
  const hasCv = results.length > 0 && results.every((r) => r.cv_confidence !== undefined);
  const rawPoints = results.map((r) => ({ confidence: r.raw_confidence ?? r.confidence, correct: r.category_correct }));
  const cvPoints = results.map((r) => ({ confidence: r.cv_confidence ?? r.confidence, correct: r.category_correct }));
  return {
    cases: results.length,
    mean_score: round(mean(results.map((r) => r.score))),
    category_accuracy: round(mean(results.map((r) => (r.category_correct ? 1 : 0)))),
    component_accuracy: round(mean(results.map((r) => (r.component_correct ? 1 : 0)))),
    top3_category_accuracy: round(mean(results.map((r) => (r.top3_correct ? 1 : 0)))),
    wrong_but_confident: results.filter((r) => r.score === 0 && r.confidence >= CONFIDENT_THRESHOLD).length,
    ece: expectedCalibrationError(points),
    per_case: [...results],
    reliability: reliabilityBins(points),
    per_category: perCategory(results),
    confusion: confusion(results),
    model: extra.model,
    duration_ms: Math.round(extra.durationMs),
    brier: brier(points),
    ...(hasRaw
      ? {
          ece_raw: expectedCalibrationError(rawPoints),
          brier_raw: brier(rawPoints),
          reliability_raw: reliabilityBins(rawPoints),
        }
      : {}),
    ...(hasCv
      ? {
          ece_cv: expectedCalibrationError(cvPoints),
          brier_cv: brier(cvPoints),
          reliability_cv: reliabilityBins(cvPoints),
        }
      : {}),
    wrong_but_confident_top_decile: confidentTail(results),
  };
}

function optional<K extends keyof EngineDetail>(
  detail: EngineDetail,
  keys: readonly K[],
): Partial<Pick<EngineDetail, K>> {
  const out: Partial<Pick<EngineDetail, K>> = {};
  for (const key of keys) if (detail[key] !== undefined) out[key] = detail[key];
  return out;
}

/** Strips a detailed engine result down to exactly the contract's report keys. */
export function toEngineReport(detail: EngineDetail): EngineReport {
  return {
    cases: detail.cases,
    mean_score: detail.mean_score,
    category_accuracy: detail.category_accuracy,
    component_accuracy: detail.component_accuracy,
    top3_category_accuracy: detail.top3_category_accuracy,
    wrong_but_confident: detail.wrong_but_confident,
    ece: detail.ece,
    ...optional(detail, ["brier", "ece_raw", "brier_raw", "ece_cv", "brier_cv", "wrong_but_confident_top_decile"]),
    per_case: detail.per_case.map((c) => ({
      case_id: c.case_id,
      score: c.score,
      category: c.category,
      root_component: c.root_component,
      hypothesis: c.hypothesis,
      confidence: c.confidence,
    })),
  };
}
