/**
 * Scores a correlator's incidents against a stream's truth: pairwise precision/recall/F1, incidents against
 * truth incidents, phantom, split and merged incidents, compression and what was left unassigned; and the
 * same summed over streams (micro-averaged), checked against the targets.
 */
import {
  CORRELATION_TARGETS,
  type CorrelationEvaluation,
  type CorrelationScore,
  type CorrelationStreamResult,
} from "@teleops/schema";
import { type PairCounts, pairwiseCounts, pairwiseFromCounts } from "./pairwise.ts";

/** The counts behind a score: they add up over streams, the ratios do not. */
export interface CorrelationTally {
  alerts: number;
  noise_alerts: number;
  pairs: PairCounts;
  incidents: number;
  truth_incidents: number;
  phantom: number;
  split_truths: number;
  merged_truths: number;
  missed_truths: number;
  alerts_in_incidents: number;
  noise_in_incidents: number;
}

/**
 * Tallies one stream: `assignment[i]` is the incident index of alert i or -1 (unassigned), `truth[i]` its real
 * incident's label or null (noise).
 */
export function tallyCorrelation(assignment: ArrayLike<number>, truth: ReadonlyArray<string | null>): CorrelationTally {
  if (assignment.length !== truth.length)
    throw new RangeError("the assignment and the truth must cover the same alerts");
  const labelIds = new Map<string, number>();
  const truthIds = truth.map((label) => {
    if (label === null) return -1;
    let id = labelIds.get(label);
    if (id === undefined) {
      id = labelIds.size;
      labelIds.set(label, id);
    }
    return id;
  });
  // Per incident: its truth labels (noise left out) and whether it holds any true alert; per truth: its incidents.
  const incidentTruths = new Map<number, Set<number>>();
  const truthIncidents = new Map<number, Set<number>>();
  let alertsInIncidents = 0;
  let noise = 0;
  let noiseInIncidents = 0;
  for (let i = 0; i < truthIds.length; i++) {
    const incident = assignment[i] as number;
    const label = truthIds[i] as number;
    if (label < 0) noise += 1;
    if (incident < 0) continue;
    alertsInIncidents += 1;
    let labels = incidentTruths.get(incident);
    if (!labels) {
      labels = new Set();
      incidentTruths.set(incident, labels);
    }
    if (label < 0) {
      noiseInIncidents += 1;
      continue;
    }
    labels.add(label);
    let incidents = truthIncidents.get(label);
    if (!incidents) {
      incidents = new Set();
      truthIncidents.set(label, incidents);
    }
    incidents.add(incident);
  }
  let phantom = 0;
  let merged = 0;
  for (const labels of incidentTruths.values()) {
    if (labels.size === 0) phantom += 1;
    if (labels.size > 1) merged += 1;
  }
  let split = 0;
  for (const incidents of truthIncidents.values()) if (incidents.size > 1) split += 1;
  return {
    alerts: truth.length,
    noise_alerts: noise,
    pairs: pairwiseCounts(assignment, truthIds),
    incidents: incidentTruths.size,
    truth_incidents: labelIds.size,
    phantom,
    split_truths: split,
    merged_truths: merged,
    missed_truths: labelIds.size - truthIncidents.size,
    alerts_in_incidents: alertsInIncidents,
    noise_in_incidents: noiseInIncidents,
  };
}

/** Several streams' tallies as one: pairs, alerts and incidents summed, never ratios averaged. */
export function sumTallies(tallies: readonly CorrelationTally[]): CorrelationTally {
  const total: CorrelationTally = {
    alerts: 0,
    noise_alerts: 0,
    pairs: { together: 0, predicted: 0, truth: 0 },
    incidents: 0,
    truth_incidents: 0,
    phantom: 0,
    split_truths: 0,
    merged_truths: 0,
    missed_truths: 0,
    alerts_in_incidents: 0,
    noise_in_incidents: 0,
  };
  for (const tally of tallies) {
    total.alerts += tally.alerts;
    total.noise_alerts += tally.noise_alerts;
    total.pairs.together += tally.pairs.together;
    total.pairs.predicted += tally.pairs.predicted;
    total.pairs.truth += tally.pairs.truth;
    total.incidents += tally.incidents;
    total.truth_incidents += tally.truth_incidents;
    total.phantom += tally.phantom;
    total.split_truths += tally.split_truths;
    total.merged_truths += tally.merged_truths;
    total.missed_truths += tally.missed_truths;
    total.alerts_in_incidents += tally.alerts_in_incidents;
    total.noise_in_incidents += tally.noise_in_incidents;
  }
  return total;
}

function round(value: number, digits = 4): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : round(part / whole));

/** The reported figures of a tally. */
export function scoreTally(tally: CorrelationTally): CorrelationScore {
  const { precision, recall } = pairwiseFromCounts(tally.pairs);
  return {
    alerts: tally.alerts,
    noise_alerts: tally.noise_alerts,
    precision: round(precision),
    recall: round(recall),
    f1: round(precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)),
    incidents: tally.incidents,
    truth_incidents: tally.truth_incidents,
    phantom: tally.phantom,
    split_truths: tally.split_truths,
    merged_truths: tally.merged_truths,
    missed_truths: tally.missed_truths,
    compression: ratio(tally.alerts_in_incidents, tally.incidents),
    unassigned_share: ratio(tally.alerts - tally.alerts_in_incidents, tally.alerts),
    noise_in_incidents: ratio(tally.noise_in_incidents, tally.noise_alerts),
  };
}

/** One sentence per target a stream misses (empty when it meets them all). */
export function targetFailures(stream: Pick<CorrelationStreamResult, "name" | keyof CorrelationScore>): string[] {
  const failures: string[] = [];
  if (stream.f1 < CORRELATION_TARGETS.f1) {
    failures.push(`${stream.name}: F1 ${stream.f1.toFixed(3)} is below ${CORRELATION_TARGETS.f1}`);
  }
  const offBy = Math.abs(stream.incidents - stream.truth_incidents);
  const allowed = CORRELATION_TARGETS.incident_count_tolerance * stream.truth_incidents;
  // A small epsilon: 10 % of 10 is 1.0000000000000002 in floating point, and 1 incident off must pass.
  if (offBy > allowed + 1e-9) {
    failures.push(
      `${stream.name}: ${stream.incidents} incidents for ${stream.truth_incidents} true ones (more than ±${CORRELATION_TARGETS.incident_count_tolerance * 100}%)`,
    );
  }
  if (stream.incidents > 0 && stream.phantom / stream.incidents > CORRELATION_TARGETS.phantom_share + 1e-9) {
    failures.push(
      `${stream.name}: ${stream.phantom} of ${stream.incidents} incidents are made only of noise (more than ${CORRELATION_TARGETS.phantom_share * 100}%)`,
    );
  }
  return failures;
}

/** The whole report: every stream, the micro-averaged overall figures, the worst stream and the targets. */
export function correlationReport(
  streams: ReadonlyArray<{ result: CorrelationStreamResult; tally: CorrelationTally }>,
): CorrelationEvaluation {
  const results = streams.map((s) => s.result);
  const worst = results.reduce<CorrelationStreamResult | undefined>(
    (lowest, stream) => (lowest === undefined || stream.f1 < lowest.f1 ? stream : lowest),
    undefined,
  );
  const failures = results.length === 0 ? ["no stream was scored"] : results.flatMap(targetFailures);
  return {
    streams: results,
    overall: {
      ...scoreTally(sumTallies(streams.map((s) => s.tally))),
      streams: results.length,
      macro_f1: results.length === 0 ? null : round(results.reduce((sum, s) => sum + s.f1, 0) / results.length),
      worst_stream: worst ? { name: worst.name, file: worst.file, f1: worst.f1 } : null,
    },
    targets: { ...CORRELATION_TARGETS, met: failures.length === 0, failures },
  };
}
