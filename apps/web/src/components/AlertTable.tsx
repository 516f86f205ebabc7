/**
 * The incident's alerts in event order, with why each joined the incident; long incidents show the first rows
 * and expand on request. Operators can tick alerts (checkboxes, so Tab and Space work) to split or move them.
 * Each alert's type opens it in the alert drawer (every field, labels, payload and links).
 */
import type { Alert } from "@teleops/schema";
import { useState } from "react";
import { useOpenAlert } from "../lib/alertDrawer.ts";
import { formatUtc } from "../lib/format.ts";
import { SeverityBadge, SilencedBadge } from "./Badges.tsx";

const FIRST_ROWS = 100;

export interface AlertSelection {
  selected: ReadonlySet<number>;
  onChange: (next: ReadonlySet<number>) => void;
}

export function AlertTable({
  alerts,
  highlighted,
  selection,
}: {
  alerts: Alert[];
  /** Alerts an RCA hypothesis cites: marked so the operator sees the evidence in place. */
  highlighted?: ReadonlySet<number>;
  /** Given when the viewer may correct the incident: a checkbox per row and one for every row shown. */
  selection?: AlertSelection;
}) {
  const [showAll, setShowAll] = useState(false);
  const { open } = useOpenAlert();
  const shown = showAll ? alerts : alerts.slice(0, FIRST_ROWS);
  // Alerts correlated before the correlator explained itself have no reason: the column appears when one has.
  const explained = alerts.some((alert) => alert.correlation_reason);
  const toggle = (id: number, on: boolean) => {
    if (!selection) return;
    const next = new Set(selection.selected);
    if (on) next.add(id);
    else next.delete(id);
    selection.onChange(next);
  };
  const allShown = selection !== undefined && shown.length > 0 && shown.every((a) => selection.selected.has(a.id));
  const someShown = selection !== undefined && shown.some((a) => selection.selected.has(a.id));
  return (
    <div>
      <div className="table-wrap table-wrap--scroll">
        <table className="table table--alerts" data-testid="alert-table">
          <thead>
            <tr>
              {selection ? (
                <th scope="col" className="col-select">
                  <input
                    type="checkbox"
                    aria-label={`Select all ${shown.length} alerts shown`}
                    checked={allShown}
                    ref={(box) => {
                      if (box) box.indeterminate = someShown && !allShown;
                    }}
                    onChange={(event) =>
                      selection.onChange(event.target.checked ? new Set(shown.map((a) => a.id)) : new Set())
                    }
                    data-testid="alert-select-all"
                  />
                </th>
              ) : null}
              <th scope="col">Time (UTC)</th>
              <th scope="col">Severity</th>
              <th scope="col">Host</th>
              <th scope="col">Service</th>
              <th scope="col">Type</th>
              <th scope="col">Message</th>
              {explained ? <th scope="col">Why it joined</th> : null}
            </tr>
          </thead>
          <tbody>
            {shown.map((alert) => (
              <tr
                key={alert.id}
                data-testid="alert-row"
                data-alert-id={alert.id}
                data-cited={highlighted?.has(alert.id) ? "true" : undefined}
                className={[
                  alert.status === "resolved" ? "row--resolved" : "",
                  highlighted?.has(alert.id) ? "row--cited" : "",
                  selection?.selected.has(alert.id) ? "row--selected" : "",
                ].join(" ")}
              >
                {selection ? (
                  <td className="col-select">
                    <input
                      type="checkbox"
                      aria-label={`Select alert ${alert.id}: ${alert.alert_type} on ${alert.host}`}
                      checked={selection.selected.has(alert.id)}
                      onChange={(event) => toggle(alert.id, event.target.checked)}
                      data-testid="alert-select"
                    />
                  </td>
                ) : null}
                <td className="mono nowrap">
                  {formatUtc(alert.timestamp)}
                  {highlighted?.has(alert.id) ? <span className="visually-hidden"> (cited by the RCA)</span> : null}
                </td>
                <td>
                  <SeverityBadge severity={alert.severity} />
                </td>
                <td className="mono nowrap">{alert.host}</td>
                <td className="nowrap">{alert.service || <span className="muted">—</span>}</td>
                <td className="mono nowrap">
                  <button
                    type="button"
                    className="link-button mono"
                    onClick={() => open(alert.id)}
                    aria-label={`Open alert ${alert.id}: ${alert.alert_type} on ${alert.host}`}
                    data-testid="alert-open"
                  >
                    {alert.alert_type}
                  </button>
                </td>
                <td className="col-message">
                  {alert.silenced_by ? (
                    <>
                      <SilencedBadge silenceId={alert.silenced_by} />{" "}
                    </>
                  ) : null}
                  {alert.message}
                  {alert.status === "resolved" ? <span className="muted small"> (resolved)</span> : null}
                </td>
                {explained ? (
                  <td className="col-reason small" data-testid="alert-reason">
                    {alert.correlation_reason ?? null}
                  </td>
                ) : null}
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
