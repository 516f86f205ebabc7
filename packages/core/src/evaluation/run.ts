/**
 * Runs the RCA engines over labelled cases and scores them with the rubric. Each case becomes the input an
 * engine gets for a stored incident: its summary as the title and its alerts with synthetic ids.
 */
import type {
  Alert,
  CaseResult,
  EngineDetail,
  EvaluationEngineChoice,
  Hypothesis,
  LabelCase,
  LabelSetDetail,
  Topology,
} from "@teleops/schema";
import { deriveFingerprint } from "../alerts/fingerprint.ts";
import { calibrateRanking, type RcaInput, rankRootCauses } from "../rca/baseline/index.ts";
import { type CalibrationFile, calibrateHypotheses, shippedCalibration } from "../rca/calibration.ts";
import { type LlmEngine, LlmNotConfiguredError, LlmRunError } from "../rca/llm/index.ts";
import type { RunbookIndex } from "../rca/retrieval.ts";
import { LLM_NOT_CONFIGURED } from "../rca/store.ts";
import { createRedactor } from "../redaction/index.ts";
import { crossValidatedConfidences } from "./calibration.ts";
import { summarizeEngine } from "./metrics.ts";
import { scoreCase } from "./rubric.ts";

export interface EvaluationServices {
  runbooks: RunbookIndex;
  llm?: LlmEngine | undefined;
  topology?: Topology | undefined;
  /** The calibration to score with: omitted = the shipped one, `null` = raw scores. */
  calibration?: CalibrationFile | null | undefined;
}

export interface EvaluationProgress {
  engine: "baseline" | "llm";
  done: number;
  total: number;
}

export interface EngineResults {
  baseline: EngineDetail | null;
  llm: EngineDetail | null;
  /** Why an engine is null: not requested, or not configured. */
  notes: string[];
}

/** How many LLM requests run at once: enough to hide latency, few enough not to trip rate limits. */
const LLM_CONCURRENCY = 4;

/** A case's alerts as the engines read stored alerts: ids 1…n in time order, fingerprints derived when absent. */
export function caseAlerts(label: LabelCase): Alert[] {
  return (label.alerts ?? [])
    .map((alert, index) => ({ alert, index }))
    .sort((a, b) => a.alert.timestamp.localeCompare(b.alert.timestamp) || a.index - b.index)
    .map(({ alert }, i) => ({
      id: i + 1,
      fingerprint: alert.fingerprint ?? deriveFingerprint(alert),
      timestamp: alert.timestamp,
      source_system: alert.source_system,
      host: alert.host,
      service: alert.service,
      severity: alert.severity,
      alert_type: alert.alert_type,
      message: alert.message,
      tags: alert.tags,
      raw_payload: alert.raw_payload,
      tenant_id: null,
      status: alert.status,
      incident_id: label.case_id,
    }));
}

function rcaInput(label: LabelCase): RcaInput {
  return { incidentId: label.case_id, summary: label.incident_summary, alerts: caseAlerts(label) };
}

function topologyRoles(topology: Topology | undefined, alerts: Alert[]): Record<string, string> | undefined {
  if (!topology) return undefined;
  const hosts = new Set(alerts.map((alert) => alert.host));
  const roles: Record<string, string> = {};
  for (const device of topology.devices) if (hosts.has(device.name)) roles[device.name] = device.role;
  return roles;
}

/** Runs `worker` over `items` with at most `limit` in flight, keeping the input order in the output. */
async function mapLimited<T, R>(items: readonly T[], limit: number, worker: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      const item = items[index] as T;
      out[index] = await worker(item);
    }
  });
  await Promise.all(lanes);
  return out;
}

/**
 * The model's words in a scored case, redacted after scoring (so a component is compared as the model named it)
 * and before the run is stored or exported: whatever engine answered, its text is untrusted.
 */
function redactModelText(result: CaseResult): CaseResult {
  const redactor = createRedactor();
  const text = (value: string | null) => (value === null ? null : redactor.redactText(value));
  return {
    ...result,
    root_component: text(result.root_component),
    hypothesis: text(result.hypothesis),
    error: text(result.error),
  };
}

interface ScoredEngine {
  results: CaseResult[];
  durationMs: number;
  model: string | null;
}

interface ScoredEngines {
  baseline: ScoredEngine | null;
  llm: ScoredEngine | null;
  notes: string[];
}

/** The scored case with the engine's raw top score beside the calibrated one it is scored on. */
function withRaw(result: CaseResult, raw: readonly Hypothesis[]): CaseResult {
  const top = [...raw].sort((a, b) => a.rank - b.rank)[0];
  return { ...result, raw_confidence: top?.confidence ?? 0 };
}

/**
 * Runs and scores the chosen engines on one label set. The baseline always runs (the LLM gets its ranking as a
 * hint); an engine that was not chosen or is not configured is null, never zeros. Engines run raw and their scores
 * are calibrated here with the same function the engines use, so raw and calibrated figures come from one run.
 */
async function scoreEngines(
  cases: readonly LabelCase[],
  choice: EvaluationEngineChoice,
  services: EvaluationServices,
  onProgress?: (progress: EvaluationProgress) => void,
): Promise<ScoredEngines> {
  const notes: string[] = [];
  const calibration = services.calibration === undefined ? shippedCalibration() : services.calibration;
  const started = performance.now();
  const baselineRuns = cases.map((label, i) => {
    const input = rcaInput(label);
    const outcome = rankRootCauses(input, {
      runbooks: services.runbooks,
      topology: services.topology,
      calibration: null,
    });
    const calibrated = calibrateRanking(outcome, input.alerts.length > 0, calibration?.engines.baseline).hypotheses;
    onProgress?.({ engine: "baseline", done: i + 1, total: cases.length });
    return { label, input, outcome, calibrated };
  });
  const baselineMs = performance.now() - started;

  let baseline: ScoredEngine | null = null;
  if (choice === "baseline" || choice === "all") {
    const results = baselineRuns.map(({ label, outcome, calibrated }) =>
      withRaw(scoreCase(label, calibrated), outcome.hypotheses),
    );
    baseline = { results, durationMs: baselineMs, model: null };
  } else {
    notes.push("baseline: not requested");
  }

  let llm: ScoredEngine | null = null;
  if (choice === "baseline") {
    notes.push("llm: not requested");
  } else if (!services.llm?.configured) {
    notes.push(`llm: ${LLM_NOT_CONFIGURED}`);
  } else {
    const engine = services.llm;
    const llmStarted = performance.now();
    let done = 0;
    let notConfigured = false;
    const results = await mapLimited(baselineRuns, LLM_CONCURRENCY, async ({ label, input, outcome, calibrated }) => {
      const chunks = outcome.retrieval.flatMap((ref) => {
        const chunk = services.runbooks.byId(ref.id);
        return chunk ? [{ id: chunk.id, file: chunk.file, heading: chunk.heading, text: chunk.text }] : [];
      });
      let hypotheses: Hypothesis[] = [];
      let error: string | null = null;
      try {
        const answer = await engine.run({
          incidentId: label.case_id,
          summary: label.incident_summary,
          alerts: input.alerts,
          baseline: calibrated,
          chunks,
          topologyRoles: topologyRoles(services.topology, input.alerts),
        });
        hypotheses = answer.hypotheses;
      } catch (failure) {
        if (failure instanceof LlmNotConfiguredError) notConfigured = true;
        else if (!(failure instanceof LlmRunError)) throw failure;
        error = failure instanceof Error ? failure.message : String(failure);
      }
      done += 1;
      onProgress?.({ engine: "llm", done, total: baselineRuns.length });
      const scored = scoreCase(label, calibrateHypotheses(hypotheses, calibration?.engines.llm), error);
      return withRaw(redactModelText(scored), hypotheses);
    });
    if (notConfigured) notes.push(`llm: ${LLM_NOT_CONFIGURED}`);
    else llm = { results, durationMs: performance.now() - llmStarted, model: engine.describe().model };
  }
  return { baseline, llm, notes };
}

/**
 * Sets each case's cross-validated confidence: the raw score through a curve fitted (by the shipped method) on the
 * other folds of all the given cases (pooled over label sets, so each fit sees as many cases as possible).
 */
function crossValidate(results: CaseResult[]): CaseResult[] {
  const points = results.map((r) => ({ confidence: r.raw_confidence ?? r.confidence, correct: r.category_correct }));
  const cv = crossValidatedConfidences(points);
  return results.map((r, i) => ({ ...r, cv_confidence: cv[i] ?? r.confidence }));
}

/** Scores the chosen engines on the cases (one label set), with cross-validated calibration figures. */
export async function evaluateEngines(
  cases: readonly LabelCase[],
  choice: EvaluationEngineChoice,
  services: EvaluationServices,
  onProgress?: (progress: EvaluationProgress) => void,
): Promise<EngineResults> {
  const { engines, notes } = await evaluateLabelSets(
    [{ name: "cases", labels_file: "", cases }],
    choice,
    services,
    onProgress,
  );
  return { ...engines, notes };
}

export interface LabelSetInput {
  name: string;
  labels_file: string;
  cases: readonly LabelCase[];
}

/**
 * Scores the engines on several label sets, each summarized on its own; the cross-validated calibration is fitted
 * over all sets' cases together. `engines` is the first set's summary (the contract's top-level report).
 */
export async function evaluateLabelSets(
  sets: readonly LabelSetInput[],
  choice: EvaluationEngineChoice,
  services: EvaluationServices,
  onProgress?: (progress: EvaluationProgress) => void,
): Promise<{
  engines: { baseline: EngineDetail | null; llm: EngineDetail | null };
  sets: LabelSetDetail[];
  notes: string[];
}> {
  const scored: ScoredEngines[] = [];
  for (const set of sets) scored.push(await scoreEngines(set.cases, choice, services, onProgress));
  const notes = [...new Set(scored.flatMap((s) => s.notes))];

  const summarize = (engine: "baseline" | "llm"): (EngineDetail | null)[] => {
    const present = scored.map((s) => s[engine]);
    if (present.some((p) => p === null)) return present.map(() => null);
    const pooled = crossValidate(present.flatMap((p) => (p as ScoredEngine).results));
    let offset = 0;
    return present.map((p) => {
      const engineRun = p as ScoredEngine;
      const results = pooled.slice(offset, offset + engineRun.results.length);
      offset += engineRun.results.length;
      return summarizeEngine(results, { model: engineRun.model, durationMs: engineRun.durationMs });
    });
  };
  const baseline = summarize("baseline");
  const llm = summarize("llm");
  const details: LabelSetDetail[] = sets.map((set, i) => ({
    name: set.name,
    labels_file: set.labels_file,
    cases: set.cases.length,
    engines: { baseline: baseline[i] ?? null, llm: llm[i] ?? null },
  }));
  return { engines: { baseline: baseline[0] ?? null, llm: llm[0] ?? null }, sets: details, notes };
}
