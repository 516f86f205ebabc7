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
} from "@teleops/schema";
import { and, desc, eq } from "drizzle-orm";
import { NotFoundError, ValidationError } from "../errors.ts";
import { loadLabelFile, MANUAL_LABELS_NAME, MANUAL_LABELS_PATH } from "./labels.ts";
import { toEngineReport } from "./metrics.ts";
import { type EvaluationProgress, type EvaluationServices, evaluateEngines } from "./run.ts";
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

let manualCache: LabelCase[] | undefined;

/** The shipped manual label set, read once; a broken shipped file is a server fault, reported with its lines. */
export function manualLabels(): LabelCase[] {
  if (!manualCache) {
    const parsed = loadLabelFile(MANUAL_LABELS_PATH);
    if (parsed.errors.length > 0) {
      const first = parsed.errors[0];
      throw new Error(
        `${MANUAL_LABELS_NAME} has ${parsed.errors.length} bad lines (line ${first?.line}: ${first?.message})`,
      );
    }
    manualCache = parsed.cases;
  }
  return manualCache;
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
  };
}

/** Scores the chosen engines on the chosen label set and stores the run. */
export async function runEvaluation(db: DbOrTx, params: RunEvaluationParams): Promise<EvaluationRun> {
  const started = performance.now();
  const { cases, name } = labelSet(params);
  const results = await evaluateEngines(cases, params.engine, params.services, params.onProgress);
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
      report: { engines: { baseline: results.baseline, llm: results.llm }, notes: results.notes },
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
