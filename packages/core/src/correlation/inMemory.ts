/** Correlates a whole alert list in memory: used by benchmarks, evaluation and the quality tests. */
import type { CanonicalAlert } from "@teleops/schema";
import {
  type AlertGroup,
  type CorrelationConfig,
  type CorrelationInput,
  Correlator,
  DEFAULT_CORRELATION_CONFIG,
  type LearnedRelations,
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
  options: {
    config?: CorrelationConfig;
    topology?: TopologyView;
    siteOfHost?: (host: string) => string | null;
    relations?: LearnedRelations;
    defaultTenant?: string;
  } = {},
): InMemoryCorrelation {
  const correlator = new Correlator<number>(options.config ?? DEFAULT_CORRELATION_CONFIG, options);
  const tenant = options.defaultTenant ?? "default";
  const times = new Float64Array(alerts.length);
  let ordered = true;
  for (let i = 0; i < alerts.length; i++) {
    times[i] = Date.parse((alerts[i] as CanonicalAlert).timestamp);
    if (i > 0 && (times[i] as number) < (times[i - 1] as number)) ordered = false;
  }
  // Streams usually come in event-time order; otherwise a sort by time, ties in input order.
  const order = new Int32Array(alerts.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  if (!ordered) order.sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
  for (const index of order) {
    correlator.add(inputOf(alerts[index] as CanonicalAlert, index, tenant, times[index] as number));
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

/** The correlator's view of a canonical alert. */
export function correlationInput<Ref>(alert: CanonicalAlert, ref: Ref, defaultTenant: string): CorrelationInput<Ref> {
  return inputOf(alert, ref, defaultTenant, Date.parse(alert.timestamp));
}

function inputOf<Ref>(alert: CanonicalAlert, ref: Ref, defaultTenant: string, timeMs: number): CorrelationInput<Ref> {
  return {
    ref,
    tenantId: alert.tenant_id ?? defaultTenant,
    timeMs,
    host: alert.host,
    service: alert.service,
    severity: alert.severity,
    alertType: alert.alert_type,
    message: alert.message,
    tags: alert.tags,
    status: alert.status,
    site: alert.tags.site ?? alert.tags.region ?? null,
    group: typeof alert.raw_payload.groupKey === "string" ? alert.raw_payload.groupKey : null,
    detail: descriptionOf(alert.raw_payload),
  };
}

/** The `description` annotation of an Alertmanager alert's raw payload, or null. */
function descriptionOf(raw: Readonly<Record<string, unknown>>): string | null {
  const annotations = raw.annotations;
  if (typeof annotations !== "object" || annotations === null) return null;
  const description = (annotations as Record<string, unknown>).description;
  return typeof description === "string" ? description : null;
}
