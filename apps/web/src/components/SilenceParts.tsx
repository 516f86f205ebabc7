/** Pieces the Silences pages share: a silence's state and matchers, its weekly schedule, and a compact alert list. */
import { formatMatcher, type Matcher, type Silence, type WeeklyRange } from "@teleops/schema";
import { Link } from "react-router";
import { formatUtc } from "../lib/format.ts";
import { SeverityBadge, SilencedBadge } from "./Badges.tsx";

export const DAY_LABEL = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

export function scheduleText(schedule: readonly WeeklyRange[]): string {
  return schedule
    .map(
      (range) => `${range.days.map((d) => DAY_LABEL[d - 1] ?? "?").join(", ")} ${range.start}–${range.end} ${range.tz}`,
    )
    .join("; ");
}

export function StateBadge({ silence }: { silence: Silence }) {
  const label =
    silence.state === "active" && silence.kind === "weekly"
      ? silence.silencing_now
        ? "in window"
        : "waiting for window"
      : silence.state;
  return (
    <span className={`badge badge--silence badge--silence-${silence.state}`} data-testid="silence-state">
      {label}
    </span>
  );
}

export function MatcherChips({ matchers }: { matchers: readonly Matcher[] }) {
  return (
    <span className="matcher-chips">
      {matchers.map((matcher) => (
        <code key={formatMatcher(matcher)} className="matcher-chip" data-testid="silence-matcher">
          {formatMatcher(matcher)}
        </code>
      ))}
    </span>
  );
}

type ListedAlert = {
  id: number;
  timestamp: string;
  host: string;
  alert_type: string;
  severity: Parameters<typeof SeverityBadge>[0]["severity"];
  message: string;
  incident_id: string | null;
  silenced_by?: string | null | undefined;
};

export function SilenceAlertList({ alerts, testId }: { alerts: readonly ListedAlert[]; testId: string }) {
  return (
    <div className="table-wrap">
      <table className="table table--silence-alerts" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">Time (UTC)</th>
            <th scope="col">Severity</th>
            <th scope="col">Host</th>
            <th scope="col">Type</th>
            <th scope="col">Message</th>
            <th scope="col">Incident</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((alert) => (
            <tr key={alert.id} data-testid="silence-alert-row">
              <td className="mono nowrap">{formatUtc(alert.timestamp)}</td>
              <td>
                <SeverityBadge severity={alert.severity} />
              </td>
              <td className="mono nowrap">{alert.host}</td>
              <td className="mono nowrap">{alert.alert_type}</td>
              <td className="col-message">
                {alert.silenced_by ? <SilencedBadge silenceId={alert.silenced_by} /> : null} {alert.message}
              </td>
              <td className="mono nowrap">
                {alert.incident_id ? (
                  <Link to={`/incidents/${encodeURIComponent(alert.incident_id)}`}>{alert.incident_id}</Link>
                ) : (
                  <span className="muted">none</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
