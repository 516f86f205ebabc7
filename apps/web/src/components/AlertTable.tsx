/** The incident's alerts in event order; long incidents show the first rows and expand on request. */
import type { Alert } from "@teleops/schema";
import { useState } from "react";
import { formatUtc } from "../lib/format.ts";
import { SeverityBadge } from "./Badges.tsx";

const FIRST_ROWS = 100;

export function AlertTable({
  alerts,
  highlighted,
}: {
  alerts: Alert[];
  /** Alerts an RCA hypothesis cites: marked so the operator sees the evidence in place. */
  highlighted?: ReadonlySet<number>;
}) {
  const [showAll, setShowAll] = useState(false);
  const shown = showAll ? alerts : alerts.slice(0, FIRST_ROWS);
  return (
    <div>
      <div className="table-wrap table-wrap--scroll">
        <table className="table table--alerts" data-testid="alert-table">
          <thead>
            <tr>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Severity</th>
              <th scope="col">Host</th>
              <th scope="col">Service</th>
              <th scope="col">Type</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((alert) => (
              <tr
                key={alert.id}
                data-testid="alert-row"
                data-cited={highlighted?.has(alert.id) ? "true" : undefined}
                className={[
                  alert.status === "resolved" ? "row--resolved" : "",
                  highlighted?.has(alert.id) ? "row--cited" : "",
                ].join(" ")}
              >
                <td className="mono nowrap">
                  {formatUtc(alert.timestamp)}
                  {highlighted?.has(alert.id) ? <span className="visually-hidden"> (cited by the RCA)</span> : null}
                </td>
                <td>
                  <SeverityBadge severity={alert.severity} />
                </td>
                <td className="mono nowrap">{alert.host}</td>
                <td className="nowrap">{alert.service || <span className="muted">—</span>}</td>
                <td className="mono nowrap">{alert.alert_type}</td>
                <td className="col-message">
                  {alert.message}
                  {alert.status === "resolved" ? <span className="muted small"> (resolved)</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {alerts.length > FIRST_ROWS ? (
        <button type="button" className="button button--ghost table-more" onClick={() => setShowAll(!showAll)}>
          {showAll ? `Show the first ${FIRST_ROWS}` : `Show all ${alerts.length} alerts`}
        </button>
      ) : null}
    </div>
  );
}
