/**
 * Evaluation runs: picks the label set (the shipped manual set, generated scenarios, or cases the client sent),
 * scores the engines on it, and stores the run per tenant so results can be compared over time.
 */
import { type DbOrTx, type EvaluationRunRow, evaluationRuns } from "@teleops/db";
import type {
  EngineDetail,
  EvaluationEngineChoice,
  EvaluationReport,
  EvaluationRun,
  EvaluationRunSummary,
  EvaluationSource,
  LabelCase,
  LabelSetDetail,
} from "@teleops/schema";
import { and, desc, eq } from "drizzle-orm";
import { NotFoundError, ValidationError } from "../errors.ts";
import {
  loadLabelFile,
  MANUAL_LABELS_NAME,
  MANUAL_LABELS_PATH,
  VENDOR_LABELS_NAME,
  VENDOR_LABELS_PATH,
} from "./labels.ts";
import { toEngineReport } from "./metrics.ts";
import { type EvaluationProgress, type EvaluationServices, evaluateLabelSets, type LabelSetInput } from "./run.ts";
import { SYNTHETIC_DEFAULT_CASES, SYNTHETIC_DEFAULT_SEED, syntheticCases } from "./synthetic.ts";

export interface RunEvaluationParams {
  tenantId: string;
  actor: string;
  source: EvaluationSource;
  engine: EvaluationEngineChoice;
  /** Synthetic mode: number of generated scenarios and the first seed. */
  synthetic?: number | undefined;
  seed?: number | undefined;
  /** `cases` mode: the parsed label file and its name. */
  cases?: LabelCase[] | undefined;
  labelsFile?: string | undefined;
  services: EvaluationServices;
  onProgress?: (progress: EvaluationProgress) => void;
}

const shippedCache = new Map<string, LabelCase[]>();

/** A shipped label file, read once; a broken shipped file is a server fault, reported with its lines. */
function shippedLabels(path: string, name: string): LabelCase[] {
  let cases = shippedCache.get(path);
  if (!cases) {
    const parsed = loadLabelFile(path);
    if (parsed.errors.length > 0) {
      const first = parsed.errors[0];
      throw new Error(`${name} has ${parsed.errors.length} bad lines (line ${first?.line}: ${first?.message})`);
    }
    cases = parsed.cases;
    shippedCache.set(path, cases);
  }
  return cases;
}

/** The shipped manual label set. */
export function manualLabels(): LabelCase[] {
  return shippedLabels(MANUAL_LABELS_PATH, MANUAL_LABELS_NAME);
}

/** The shipped label set in real vendor wording (syslog and Alertmanager text run through the importers). */
export function vendorLabels(): LabelCase[] {
  return shippedLabels(VENDOR_LABELS_PATH, VENDOR_LABELS_NAME);
}

/** The label sets a run scores: the shipped source scores the manual set and, beside it, the vendor-wording set. */
function labelSets(params: RunEvaluationParams): LabelSetInput[] {
  const main = labelSet(params);
  const sets: LabelSetInput[] = [{ name: params.source, labels_file: main.name, cases: main.cases }];
  if (params.source === "manual") sets.push({ name: "vendor", labels_file: VENDOR_LABELS_NAME, cases: vendorLabels() });
  return sets;
}

function labelSet(params: RunEvaluationParams): { cases: LabelCase[]; name: string } {
  if (params.source === "manual") return { cases: manualLabels(), name: MANUAL_LABELS_NAME };
  if (params.source === "synthetic") {
    const topology = params.services.topology;
    if (!topology) throw new ValidationError("synthetic evaluation needs the network topology");
    const count = params.synthetic ?? SYNTHETIC_DEFAULT_CASES;
    const seed = params.seed ?? SYNTHETIC_DEFAULT_SEED;
    return { cases: syntheticCases(topology, { count, seed }), name: `synthetic:${count}@seed${seed}` };
  }
  if (!params.cases || params.cases.length === 0) throw new ValidationError("source 'cases' needs at least one case");
  return { cases: params.cases, name: params.labelsFile ?? "(cases sent by the client)" };
}

export function toEvaluationRun(row: EvaluationRunRow): EvaluationRun {
  // Written by this module from validated engine results.
  const report = row.report as {
    engines: { baseline: EngineDetail | null; llm: EngineDetail | null };
    notes: string[];
    label_sets?: LabelSetDetail[];
  };
  return {
    id: row.id,
    created_at: row.createdAt.toISOString(),
    actor: row.actor,
    source: row.source,
    engine: row.engine,
    labels_file: row.labelsFile,
    cases: row.cases,
    duration_ms: row.durationMs,
    engines: report.engines,
    notes: report.notes,
    ...(report.label_sets ? { label_sets: report.label_sets } : {}),
  };
}

function toSummary(row: Omit<EvaluationRunRow, "report" | "tenantId">): EvaluationRunSummary {
  return {
    id: row.id,
    created_at: row.createdAt.toISOString(),
    actor: row.actor,
    source: row.source,
    engine: row.engine,
    labels_file: row.labelsFile,
    cases: row.cases,
    duration_ms: row.durationMs,
    baseline_mean_score: row.baselineMeanScore,
    llm_mean_score: row.llmMeanScore,
  };
}

/** The contract's report (`teleops evaluate --json`) for a stored run. */
export function toEvaluationReport(run: EvaluationRun): EvaluationReport {
  return {
    labels_file: run.labels_file,
    cases: run.cases,
    engines: {
      baseline: run.engines.baseline ? toEngineReport(run.engines.baseline) : null,
      llm: run.engines.llm ? toEngineReport(run.engines.llm) : null,
    },
    ...(run.label_sets
      ? {
          label_sets: run.label_sets.map((set) => ({
            name: set.name,
            labels_file: set.labels_file,
            cases: set.cases,
            engines: {
              baseline: set.engines.baseline ? toEngineReport(set.engines.baseline) : null,
              llm: set.engines.llm ? toEngineReport(set.engines.llm) : null,
            },
          })),
        }
      : {}),
  };
}

/** Scores the chosen engines on the chosen label set and stores the run. */
export async function runEvaluation(db: DbOrTx, params: RunEvaluationParams): Promise<EvaluationRun> {
  const started = performance.now();
  const sets = labelSets(params);
  const first = sets[0] as LabelSetInput;
  const { cases, labels_file: name } = first;
  const scored = await evaluateLabelSets(sets, params.engine, params.services, params.onProgress);
  const results = { ...scored.engines, notes: scored.notes };
  const [row] = await db
    .insert(evaluationRuns)
    .values({
      id: crypto.randomUUID(),
      tenantId: params.tenantId,
      actor: params.actor,
      source: params.source,
      engine: params.engine,
      labelsFile: name,
      cases: cases.length,
      baselineMeanScore: results.baseline?.mean_score ?? null,
      llmMeanScore: results.llm?.mean_score ?? null,
      durationMs: Math.round(performance.now() - started),
      report: {
        engines: { baseline: results.baseline, llm: results.llm },
        notes: results.notes,
        label_sets: scored.sets,
      },
    })
    .returning();
  if (!row) throw new Error("evaluation run insert returned no row");
  return toEvaluationRun(row);
}

/** The tenant's runs, newest first, headline numbers only (for the history chart). */
export async function listEvaluationRuns(db: DbOrTx, tenantId: string, limit = 50): Promise<EvaluationRunSummary[]> {
  const rows = await db
    .select({
      id: evaluationRuns.id,
      createdAt: evaluationRuns.createdAt,
      actor: evaluationRuns.actor,
      source: evaluationRuns.source,
      engine: evaluationRuns.engine,
      labelsFile: evaluationRuns.labelsFile,
      cases: evaluationRuns.cases,
      durationMs: evaluationRuns.durationMs,
      baselineMeanScore: evaluationRuns.baselineMeanScore,
      llmMeanScore: evaluationRuns.llmMeanScore,
    })
    .from(evaluationRuns)
    .where(eq(evaluationRuns.tenantId, tenantId))
    .orderBy(desc(evaluationRuns.createdAt), desc(evaluationRuns.id))
    .limit(limit);
  return rows.map(toSummary);
}

export async function getEvaluationRun(db: DbOrTx, tenantId: string, id: string): Promise<EvaluationRun> {
  const [row] = await db
    .select()
    .from(evaluationRuns)
    .where(and(eq(evaluationRuns.tenantId, tenantId), eq(evaluationRuns.id, id)));
  if (!row) throw new NotFoundError(`evaluation run ${id} not found`);
  return toEvaluationRun(row);
}
