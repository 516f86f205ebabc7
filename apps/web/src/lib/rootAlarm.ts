/**
 * The incident's root alarm, marked on its timeline: the earliest alert an RCA hypothesis cites on the component
 * it blames (an accepted artifact first, else the newest one awaiting review), or, without a usable RCA, the
 * earliest alert of at least minor severity.
 */
import { type Alert, type RcaArtifact, type Severity, severityRank } from "@teleops/schema";

export interface RootAlarm {
  alert: Alert;
  /** Why this alert: `rca` when a hypothesis cites it, `first_significant` otherwise. */
  source: "rca" | "first_significant";
}

const SIGNIFICANT: Severity = "minor";

function usableArtifact(artifacts: ReadonlyArray<RcaArtifact | null | undefined>): RcaArtifact | undefined {
  const present = artifacts.filter((artifact): artifact is RcaArtifact => Boolean(artifact));
  const accepted = present.find((artifact) => artifact.status === "accepted");
  if (accepted) return accepted;
  return present
    .filter((artifact) => artifact.status === "pending_review" && artifact.hypotheses.length > 0)
    .sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
}

function earliest(alerts: readonly Alert[]): Alert | undefined {
  let first: Alert | undefined;
  for (const alert of alerts) {
    if (!first || alert.timestamp < first.timestamp) first = alert;
  }
  return first;
}

export function findRootAlarm(
  alerts: readonly Alert[],
  artifacts: ReadonlyArray<RcaArtifact | null | undefined>,
): RootAlarm | null {
  const top = usableArtifact(artifacts)?.hypotheses[0];
  if (top) {
    const ids = new Set(top.evidence.alert_ids);
    const cited = alerts.filter((alert) => ids.has(alert.id));
    const onComponent = cited.filter((alert) => alert.host === top.root_component);
    const alert = earliest(onComponent.length > 0 ? onComponent : cited);
    if (alert) return { alert, source: "rca" };
  }
  const significant = earliest(alerts.filter((alert) => severityRank(alert.severity) <= severityRank(SIGNIFICANT)));
  return significant ? { alert: significant, source: "first_significant" } : null;
}
