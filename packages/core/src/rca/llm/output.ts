/**
 * What a model says is untrusted text: every field of it that is kept (hypotheses, trace, error) is redacted
 * before it is stored or exported, even where the prompt was redacted, since a model can echo or invent values.
 */
import type { Hypothesis, LlmTrace } from "@teleops/schema";
import type { Redactor } from "../../redaction/index.ts";

/**
 * The hypothesis with its free text redacted. Category, confidence and cited ids are not prose: they were
 * checked against the enum, the incident's alerts and the retrieved runbook sections when the answer was parsed.
 */
export function redactHypothesis(h: Hypothesis, redactor: Redactor): Hypothesis {
  const text = (value: string) => redactor.redactText(value);
  return {
    ...h,
    root_component: h.root_component === null ? null : text(h.root_component),
    hypothesis: text(h.hypothesis),
    evidence: { ...h.evidence, notes: h.evidence.notes.map(text) },
    remediation_steps: h.remediation_steps.map(text),
  };
}

export function redactTrace(trace: LlmTrace, redactor: Redactor): LlmTrace {
  const text = (value: string) => redactor.redactText(value);
  return {
    ...trace,
    redacted_prompt: text(trace.redacted_prompt),
    raw_response: trace.raw_response === null ? null : text(trace.raw_response),
    parse_outcome: text(trace.parse_outcome),
    error: trace.error === null ? null : text(trace.error),
  };
}
