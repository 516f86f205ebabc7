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

/** Kept here for the callers that score a correlation; the scoring itself lives with the evaluation. */
export { pairwiseScores } from "../evaluation/pairwise.ts";
