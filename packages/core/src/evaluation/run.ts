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
  Topology,
} from "@teleops/schema";
import { deriveFingerprint } from "../alerts/fingerprint.ts";
import { type RcaInput, rankRootCauses } from "../rca/baseline/index.ts";
import { type LlmEngine, LlmNotConfiguredError, LlmRunError } from "../rca/llm/index.ts";
import type { RunbookIndex } from "../rca/retrieval.ts";
import { LLM_NOT_CONFIGURED } from "../rca/store.ts";
import { createRedactor } from "../redaction/index.ts";
import { summarizeEngine } from "./metrics.ts";
import { scoreCase } from "./rubric.ts";

export interface EvaluationServices {
  runbooks: RunbookIndex;
  llm?: LlmEngine | undefined;
  topology?: Topology | undefined;
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

/**
 * Scores the chosen engines on the cases. The baseline always runs (the LLM gets its ranking as a hint); an
 * engine that was not chosen or is not configured reports null, never zeros.
 */
export async function evaluateEngines(
  cases: readonly LabelCase[],
  choice: EvaluationEngineChoice,
  services: EvaluationServices,
  onProgress?: (progress: EvaluationProgress) => void,
): Promise<EngineResults> {
  const notes: string[] = [];
  const started = performance.now();
  const baselineRuns = cases.map((label, i) => {
    const input = rcaInput(label);
    const outcome = rankRootCauses(input, { runbooks: services.runbooks, topology: services.topology });
    onProgress?.({ engine: "baseline", done: i + 1, total: cases.length });
    return { label, input, outcome };
  });
  const baselineMs = performance.now() - started;

  let baseline: EngineDetail | null = null;
  if (choice === "baseline" || choice === "all") {
    const results = baselineRuns.map(({ label, outcome }) => scoreCase(label, outcome.hypotheses));
    baseline = summarizeEngine(results, { model: null, durationMs: baselineMs });
  } else {
    notes.push("baseline: not requested");
  }

  let llm: EngineDetail | null = null;
  if (choice === "baseline") {
    notes.push("llm: not requested");
  } else if (!services.llm?.configured) {
    notes.push(`llm: ${LLM_NOT_CONFIGURED}`);
  } else {
    const engine = services.llm;
    const llmStarted = performance.now();
    let done = 0;
    let notConfigured = false;
    const results = await mapLimited(baselineRuns, LLM_CONCURRENCY, async ({ label, input, outcome }) => {
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
          baseline: outcome.hypotheses,
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
      return redactModelText(scoreCase(label, hypotheses, error));
    });
    if (notConfigured) notes.push(`llm: ${LLM_NOT_CONFIGURED}`);
    else llm = summarizeEngine(results, { model: engine.describe().model, durationMs: performance.now() - llmStarted });
  }
  return { baseline, llm, notes };
}
