/** Correlates a whole alert list in memory: used by benchmarks, evaluation and the quality tests. */
import type { CanonicalAlert } from "@teleops/schema";
import {
  type AlertGroup,
  type CorrelationConfig,
  Correlator,
  DEFAULT_CORRELATION_CONFIG,
  type TopologyView,
} from "./correlator.ts";

export interface InMemoryCorrelation {
  /** Incident groups; members reference alerts by their index in the input. */
  incidents: Array<AlertGroup<number>>;
  /** For each input alert, the index of its incident in `incidents`, or -1 when left unassigned. */
  assignment: Int32Array;
}

export function correlateAlerts(
  alerts: readonly CanonicalAlert[],
  options: { config?: CorrelationConfig; topology?: TopologyView; defaultTenant?: string } = {},
): InMemoryCorrelation {
  const correlator = new Correlator<number>(options.config ?? DEFAULT_CORRELATION_CONFIG, options.topology);
  const times = alerts.map((a) => Date.parse(a.timestamp));
  const order = alerts.map((_, i) => i).sort((a, b) => (times[a] as number) - (times[b] as number));
  for (const index of order) {
    const alert = alerts[index] as CanonicalAlert;
    correlator.add({
      ref: index,
      tenantId: alert.tenant_id ?? options.defaultTenant ?? "default",
      timeMs: times[index] as number,
      host: alert.host,
      service: alert.service,
      severity: alert.severity,
      alertType: alert.alert_type,
      site: alert.tags.site ?? null,
    });
  }
  const incidents = correlator.incidents();
  const assignment = new Int32Array(alerts.length).fill(-1);
  incidents.forEach((group, incidentIndex) => {
    for (const member of group.members) assignment[member.ref] = incidentIndex;
  });
  return { incidents, assignment };
}

/** Pairwise precision and recall of a grouping against true labels (-1 = belongs to no group). */
export function pairwiseScores(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
): { precision: number; recall: number } {
  // Count pairs through contingency tables instead of enumerating all pairs: O(n).
  const pairCount = (n: number) => (n * (n - 1)) / 2;
  const predSizes = new Map<number, number>();
  const truthSizes = new Map<number, number>();
  const joint = new Map<string, number>();
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i] as number;
    const t = truth[i] as number;
    if (p >= 0) predSizes.set(p, (predSizes.get(p) ?? 0) + 1);
    if (t >= 0) truthSizes.set(t, (truthSizes.get(t) ?? 0) + 1);
    if (p >= 0 && t >= 0) joint.set(`${p}:${t}`, (joint.get(`${p}:${t}`) ?? 0) + 1);
  }
  let together = 0;
  for (const n of joint.values()) together += pairCount(n);
  let predictedPairs = 0;
  for (const n of predSizes.values()) predictedPairs += pairCount(n);
  let truePairs = 0;
  for (const n of truthSizes.values()) truePairs += pairCount(n);
  return {
    precision: predictedPairs === 0 ? 1 : together / predictedPairs,
    recall: truePairs === 0 ? 1 : together / truePairs,
  };
}
