/**
 * The labelling rubric, applied mechanically to an engine's ranked hypotheses for one labelled case
 * (docs/evaluation/labeling_rubric.md): 1.0 category and component right, 0.7 category right, 0.4 adjacent
 * category, 0.0 wrong; `other` cases reward a low-confidence `other` that names the right component.
 */
import { type CaseResult, categoryMatches, type Hypothesis, type LabelCase, type ScoreBand } from "@teleops/schema";
import { isAdjacent } from "./adjacency.ts";

export const SCORE_EXACT = 1.0;
export const SCORE_CATEGORY_ONLY = 0.7;
export const SCORE_ADJACENT = 0.4;
export const SCORE_WRONG = 0.0;
/** For an `other` case, an `other` hypothesis at or below this confidence is the right answer, held loosely. */
export const OTHER_CONFIDENCE_MAX = 0.5;
/** A hypothesis text naming more of the case's hosts than this is listing, not pointing: no credit from the text. */
export const TEXT_MATCH_MAX_HOSTS = 3;

function normalize(value: string): string {
  return value.trim().toLowerCase();
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Whether `text` names `component` as a whole token: `core-router-1` is not found in `core-router-10`. */
export function namesComponent(text: string, component: string): boolean {
  const needle = normalize(component);
  if (needle.length === 0) return false;
  // A trailing sentence dot is fine; a dot that continues a domain name is not a boundary.
  const pattern = new RegExp(`(^|[^a-z0-9_.-])${escapeRegExp(needle)}(?![a-z0-9_-]|\\.[a-z0-9])`, "i");
  return pattern.test(text);
}

/**
 * The root component is right when the hypothesis names it as `root_component` (case-insensitive), or names it
 * in its text without naming more than `TEXT_MATCH_MAX_HOSTS` of the case's hosts.
 */
export function componentMatches(expected: string, hypothesis: Hypothesis, caseHosts: readonly string[] = []): boolean {
  if (hypothesis.root_component !== null && normalize(hypothesis.root_component) === normalize(expected)) return true;
  if (!namesComponent(hypothesis.hypothesis, expected)) return false;
  const named = new Set(caseHosts.filter((host) => namesComponent(hypothesis.hypothesis, host)).map(normalize));
  return named.size <= TEXT_MATCH_MAX_HOSTS;
}

function ranked(hypotheses: readonly Hypothesis[]): Hypothesis[] {
  return [...hypotheses].sort((a, b) => a.rank - b.rank);
}

/** Scores the top-ranked hypothesis against the label; no hypothesis at all scores 0. */
export function scoreCase(
  label: LabelCase,
  hypotheses: readonly Hypothesis[],
  error: string | null = null,
): CaseResult {
  const ordered = ranked(hypotheses);
  const top = ordered[0];
  const hosts = [...new Set((label.alerts ?? []).map((alert) => alert.host))];
  const base = {
    case_id: label.case_id,
    expected_category: label.category,
    expected_component: label.root_component,
    top3_correct: ordered.slice(0, 3).some((h) => categoryMatches(label.category, h.category)),
    error,
  };
  if (!top) {
    return {
      ...base,
      score: SCORE_WRONG,
      band: "wrong",
      category: null,
      root_component: null,
      hypothesis: null,
      confidence: 0,
      category_correct: false,
      component_correct: false,
    };
  }
  // A category that refines the label's (`power_or_environment` for an `other` label) answers it.
  const categoryCorrect = categoryMatches(label.category, top.category);
  const componentCorrect = componentMatches(label.root_component, top, hosts);
  const { score, band } = rubricBand(label, top, categoryCorrect, componentCorrect);
  return {
    ...base,
    score,
    band,
    category: top.category,
    root_component: top.root_component,
    hypothesis: top.hypothesis,
    confidence: top.confidence,
    category_correct: categoryCorrect,
    component_correct: componentCorrect,
  };
}

function rubricBand(
  label: LabelCase,
  top: Hypothesis,
  categoryCorrect: boolean,
  componentCorrect: boolean,
): { score: number; band: ScoreBand } {
  if (label.category === "other") {
    if (!categoryCorrect) return { score: SCORE_WRONG, band: "wrong" };
    // "Not a catalog failure" is only half an answer: the operator still needs the box to go to.
    if (!componentCorrect) return { score: SCORE_CATEGORY_ONLY, band: "category_only" };
    return top.confidence <= OTHER_CONFIDENCE_MAX
      ? { score: SCORE_EXACT, band: "other_low_confidence" }
      : { score: SCORE_CATEGORY_ONLY, band: "other_confident" };
  }
  if (categoryCorrect) {
    return componentCorrect
      ? { score: SCORE_EXACT, band: "exact" }
      : { score: SCORE_CATEGORY_ONLY, band: "category_only" };
  }
  if (isAdjacent(label.category, top.category)) return { score: SCORE_ADJACENT, band: "adjacent" };
  return { score: SCORE_WRONG, band: "wrong" };
}
