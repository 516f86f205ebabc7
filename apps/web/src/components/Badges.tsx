/** Severity, status and lab-data badges: colour plus text, so the meaning never depends on colour alone. */
import type { IncidentStatus, Severity } from "@teleops/schema";

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span className={`badge badge--sev badge--${severity}`} data-testid="severity-badge">
      <span className="badge__dot" aria-hidden="true" />
      {severity}
    </span>
  );
}

const STATUS_LABEL: Record<IncidentStatus, string> = {
  open: "Open",
  acknowledged: "Acknowledged",
  resolved: "Resolved",
};

export function StatusBadge({ status }: { status: IncidentStatus }) {
  return (
    <span className={`badge badge--status badge--${status}`} data-testid="status-badge">
      {STATUS_LABEL[status]}
    </span>
  );
}

export function statusLabel(status: IncidentStatus): string {
  return STATUS_LABEL[status];
}

/** Marks an incident made of generated alerts, so a drill is never mistaken for an outage. */
export function SyntheticBadge() {
  return (
    <span className="badge badge--synthetic" title="Made of generated (synthetic) alerts" data-testid="synthetic-badge">
      Lab data
    </span>
  );
}

/** Marks an alert a silence held: stored, but in no incident and notifying nobody. */
export function SilencedBadge({ silenceId }: { silenceId: string }) {
  return (
    <span
      className="badge badge--silenced"
      title={`Silenced by ${silenceId}: stored, kept out of incidents and notifications`}
      data-testid="silenced-badge"
    >
      silenced
    </span>
  );
}
