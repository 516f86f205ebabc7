/** Evaluation: hand-labelled incident cases (the label file) and the report that scores RCA engines on them. */
import { z } from "zod";
import { alertInputSchema } from "./alert.ts";
import { severityInputSchema } from "./severity.ts";
import { rcaCategorySchema } from "./taxonomy.ts";

/** Largest label set (serialized) the server scores in one run. */
export const LABEL_CASES_MAX_BYTES = 5 * 1024 * 1024;
/** Most cases one evaluation run may carry, and most generated scenarios in synthetic mode. */
export const LABEL_CASES_MAX = 1_000;
export const SYNTHETIC_CASES_MAX = 500;

/**
 * One labelled case, one line of the JSONL label file. Unknown extra fields are ignored (stripped); `alerts`
 * use the canonical alert input fields, and without them an engine sees only the summary.
 */
export const labelCaseSchema = z.object({
  case_id: z.string().trim().min(1, "case_id must not be empty").max(64),
  incident_summary: z.string().trim().min(1, "incident_summary must not be empty").max(2_000),
  root_cause: z.string().trim().min(1, "root_cause must not be empty").max(2_000),
  category: rcaCategorySchema,
  root_component: z.string().trim().min(1, "root_component must not be empty").max(255),
  severity: severityInputSchema,
  alerts: z.array(alertInputSchema).max(10_000, "a case carries at most 10,000 alerts").optional(),
});
export type LabelCase = z.infer<typeof labelCaseSchema>;
export type LabelCaseInput = z.input<typeof labelCaseSchema>;

export const EVALUATION_SOURCES = ["manual", "synthetic", "cases"] as const;
export type EvaluationSource = (typeof EVALUATION_SOURCES)[number];

export const EVALUATION_ENGINES = ["baseline", "llm", "all"] as const;
export type EvaluationEngineChoice = (typeof EVALUATION_ENGINES)[number];

/** The rubric bands: exact, right cause with the wrong or no component, adjacent cause, wrong. */
export const SCORE_BANDS = [
  "exact",
  "category_only",
  "adjacent",
  "other_low_confidence",
  "other_confident",
  "wrong",
] as const;
export type ScoreBand = (typeof SCORE_BANDS)[number];

/** One case as the contract's report shows it: the engine's top hypothesis and its rubric score. */
export const caseScoreSchema = z.object({
  case_id: z.string(),
  score: z.number(),
  category: rcaCategorySchema.nullable(),
  root_component: z.string().nullable(),
  hypothesis: z.string().nullable(),
  confidence: z.number(),
});
export type CaseScore = z.infer<typeof caseScoreSchema>;

/** A case with what the SPA needs beside the contract's fields: the label, the band and the top-3 verdict. */
export const caseResultSchema = caseScoreSchema.extend({
  band: z.enum(SCORE_BANDS),
  expected_category: rcaCategorySchema,
  expected_component: z.string(),
  category_correct: z.boolean(),
  component_correct: z.boolean(),
  top3_correct: z.boolean(),
  /** Set when the engine failed on this case (an LLM error); the case then scores 0. */
  error: z.string().nullable(),
  /** The engine's uncalibrated score for its top hypothesis (runs stored before calibration lack it). */
  raw_confidence: z.number().optional(),
  /** The top confidence as calibrated by a curve fitted without this case's fold (k-fold cross-validation). */
  cv_confidence: z.number().optional(),
});
export type CaseResult = z.infer<typeof caseResultSchema>;

/** One confidence bin of the reliability diagram: how often the top category was right at that confidence. */
export const reliabilityBinSchema = z.object({
  lower: z.number(),
  upper: z.number(),
  count: z.number().int(),
  mean_confidence: z.number().nullable(),
  accuracy: z.number().nullable(),
});
export type ReliabilityBin = z.infer<typeof reliabilityBinSchema>;

export const categoryBreakdownSchema = z.object({
  category: rcaCategorySchema,
  cases: z.number().int(),
  mean_score: z.number(),
  category_accuracy: z.number(),
  component_accuracy: z.number(),
});
export type CategoryBreakdown = z.infer<typeof categoryBreakdownSchema>;

/** Wrong-but-confident where the engine's confidence actually is: at or above its own top-decile confidence. */
export const confidentTailSchema = z.object({
  /** The 90th percentile of the engine's top confidence on these cases. */
  threshold: z.number(),
  /** Cases at or above the threshold. */
  cases: z.number().int(),
  /** Of those, how many score 0. */
  wrong: z.number().int(),
  /** Of those, how many have the wrong category (the event the confidence predicts). */
  category_wrong: z.number().int(),
});
export type ConfidentTail = z.infer<typeof confidentTailSchema>;

/**
 * The contract's per-engine summary. `ece` and `wrong_but_confident` are over the confidence the engine emits
 * (calibrated with the shipped curve); the optional fields were added with calibration (issue 18).
 */
export const engineReportSchema = z.object({
  cases: z.number().int(),
  mean_score: z.number(),
  category_accuracy: z.number(),
  component_accuracy: z.number(),
  top3_category_accuracy: z.number(),
  wrong_but_confident: z.number().int(),
  ece: z.number(),
  per_case: z.array(caseScoreSchema),
  /** Brier score of the emitted confidence against "top category right". */
  brier: z.number().optional(),
  /** ECE and Brier of the raw, uncalibrated scores. */
  ece_raw: z.number().optional(),
  brier_raw: z.number().optional(),
  /** ECE and Brier of the confidence calibrated by k-fold cross-validation (never fitted on the case it scores). */
  ece_cv: z.number().optional(),
  brier_cv: z.number().optional(),
  wrong_but_confident_top_decile: confidentTailSchema.optional(),
});
export type EngineReport = z.infer<typeof engineReportSchema>;

/** One label set of a run, scored on its own: the shipped manual set and the vendor-wording set, side by side. */
export const labelSetReportSchema = z.object({
  name: z.string(),
  labels_file: z.string(),
  cases: z.number().int(),
  engines: z.object({ baseline: engineReportSchema.nullable(), llm: engineReportSchema.nullable() }),
});
export type LabelSetReport = z.infer<typeof labelSetReportSchema>;

/**
 * The contract's report (`teleops evaluate --json`); an engine not run or not configured is `null`. The top-level
 * keys describe the run's first label set; `label_sets` (added) lists every set of the run, the first included.
 */
export const evaluationReportSchema = z.object({
  labels_file: z.string(),
  cases: z.number().int(),
  engines: z.object({ baseline: engineReportSchema.nullable(), llm: engineReportSchema.nullable() }),
  label_sets: z.array(labelSetReportSchema).optional(),
});
export type EvaluationReport = z.infer<typeof evaluationReportSchema>;

/** The detailed per-engine result a run stores: the contract's summary plus the views the SPA draws. */
export const engineDetailSchema = engineReportSchema.extend({
  per_case: z.array(caseResultSchema),
  reliability: z.array(reliabilityBinSchema),
  per_category: z.array(categoryBreakdownSchema),
  /** expected category → predicted category (or `none`) → count. */
  confusion: z.record(z.string(), z.record(z.string(), z.number().int())),
  /** The LLM's model name; null for the baseline. */
  model: z.string().nullable(),
  duration_ms: z.number(),
  /** The reliability diagram of the raw scores and of the cross-validated calibration (added with calibration). */
  reliability_raw: z.array(reliabilityBinSchema).optional(),
  reliability_cv: z.array(reliabilityBinSchema).optional(),
});
export type EngineDetail = z.infer<typeof engineDetailSchema>;

export const labelSetDetailSchema = z.object({
  name: z.string(),
  labels_file: z.string(),
  cases: z.number().int(),
  engines: z.object({ baseline: engineDetailSchema.nullable(), llm: engineDetailSchema.nullable() }),
});
export type LabelSetDetail = z.infer<typeof labelSetDetailSchema>;

export const evaluationRunSchema = z.object({
  id: z.string(),
  created_at: z.string(),
  actor: z.string(),
  source: z.enum(EVALUATION_SOURCES),
  engine: z.enum(EVALUATION_ENGINES),
  labels_file: z.string(),
  cases: z.number().int(),
  duration_ms: z.number(),
  engines: z.object({ baseline: engineDetailSchema.nullable(), llm: engineDetailSchema.nullable() }),
  /** Why an engine is null: not requested, or not configured. */
  notes: z.array(z.string()),
  /** Every label set of the run, the first being the one `engines` describes (absent in runs stored before). */
  label_sets: z.array(labelSetDetailSchema).optional(),
});
export type EvaluationRun = z.infer<typeof evaluationRunSchema>;

/** A run as the history lists it: the headline numbers only. */
export interface EvaluationRunSummary {
  id: string;
  created_at: string;
  actor: string;
  source: EvaluationSource;
  engine: EvaluationEngineChoice;
  labels_file: string;
  cases: number;
  duration_ms: number;
  baseline_mean_score: number | null;
  llm_mean_score: number | null;
}

export const evaluationRunInputSchema = z
  .object({
    source: z.enum(EVALUATION_SOURCES).default("manual"),
    engine: z.enum(EVALUATION_ENGINES).default("all"),
    /** Synthetic mode: how many generated scenarios, spread over every category. */
    synthetic: z.number().int().min(1).max(SYNTHETIC_CASES_MAX).optional(),
    /** Synthetic mode: the first seed (scenario i uses seed + i). */
    seed: z.number().int().min(0).max(1_000_000).optional(),
    /** `cases` mode: the label file's cases, already parsed by the client. */
    cases: z.array(labelCaseSchema).min(1).max(LABEL_CASES_MAX).optional(),
    /** The label file's name, shown in the report as `labels_file`. */
    labelsFile: z.string().trim().min(1).max(512).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.source === "cases" && !input.cases) {
      ctx.addIssue({ code: "custom", path: ["cases"], message: "source 'cases' needs the cases to score" });
    }
    if (input.source !== "cases" && input.cases) {
      ctx.addIssue({
        code: "custom",
        path: ["cases"],
        message: `cases are only read with source 'cases', not '${input.source}'`,
      });
    }
    if (input.source !== "synthetic" && (input.synthetic !== undefined || input.seed !== undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["synthetic"],
        message: "synthetic and seed only apply to source 'synthetic'",
      });
    }
    if (input.cases && JSON.stringify(input.cases).length > LABEL_CASES_MAX_BYTES) {
      ctx.addIssue({
        code: "custom",
        path: ["cases"],
        message: "the label set is over 5 MB; split it into smaller files",
      });
    }
  });
export type EvaluationRunInput = z.input<typeof evaluationRunInputSchema>;
