/** One line above the timeline naming the root alarm and why it was chosen; its height is kept while loading. */
import { formatUtcTime } from "../lib/format.ts";
import type { RootAlarm } from "../lib/rootAlarm.ts";
import { SeverityBadge } from "./Badges.tsx";
import "../ux.css";

export function RootAlarmLine({ root, loading }: { root: RootAlarm | null; loading: boolean }) {
  if (loading || !root) {
    return (
      <p className="root-alarm muted" data-testid="root-alarm">
        {loading ? "Finding the root alarm…" : "No alert of minor severity or worse: no root alarm to mark."}
      </p>
    );
  }
  const { alert, source } = root;
  return (
    <p className="root-alarm" data-testid="root-alarm">
      <span className="root-alarm__label">Root alarm</span>{" "}
      <span className="mono">{formatUtcTime(alert.timestamp)} UTC</span> ·{" "}
      <span className="mono">{alert.alert_type}</span> on <span className="mono">{alert.host}</span>{" "}
      <SeverityBadge severity={alert.severity} />{" "}
      <span className="muted small">
        {source === "rca" ? "— cited by the RCA" : "— first alert of minor severity or worse"}
      </span>
    </p>
  );
}
