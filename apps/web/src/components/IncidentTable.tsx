/** The queue table: one row per incident, most urgent columns first; a row opens the incident, its box selects it. */
import type { Incident } from "@teleops/schema";
import type { KeyboardEvent, MouseEvent } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { durationBetween, formatRelative, formatUtc } from "../lib/format.ts";
import type { Direction, QueueSort } from "../lib/queueFilters.ts";
import type { QueueSelection } from "../lib/selection.ts";
import { SeverityBadge, StatusBadge, SyntheticBadge } from "./Badges.tsx";

interface SortProps {
  sort: QueueSort;
  direction: Direction;
  onSort: (sort: QueueSort, direction: Direction) => void;
}

function SortHeader({
  column,
  label,
  className,
  sort,
  direction,
  onSort,
}: SortProps & {
  column: QueueSort;
  label: string;
  className?: string;
}) {
  const active = sort === column;
  const ariaSort = active ? (direction === "asc" ? "ascending" : "descending") : "none";
  // A new column starts with what an operator wants first: most severe, newest, largest.
  const next: Direction = active ? (direction === "desc" ? "asc" : "desc") : "desc";
  return (
    <th scope="col" aria-sort={ariaSort} className={className}>
      <button
        type="button"
        className={`sort${active ? " sort--active" : ""}`}
        onClick={() => onSort(column, next)}
        data-testid={`sort-${column}`}
      >
        {label}
        <span className="sort__arrow" aria-hidden="true">
          {active ? (direction === "desc" ? "▼" : "▲") : "↕"}
        </span>
      </button>
    </th>
  );
}

export function IncidentTable({
  incidents,
  selection,
  ...sortProps
}: SortProps & { incidents: Incident[]; selection?: QueueSelection | undefined }) {
  const navigate = useNavigate();
  // The detail page's "back" link returns to this exact filtered view.
  const backState = { queueSearch: useLocation().search };
  const open = (id: string) => navigate(`/incidents/${encodeURIComponent(id)}`, { state: backState });
  const onRowClick = (event: MouseEvent<HTMLTableRowElement>, id: string) => {
    // Let the id link, text selection and modified clicks (new tab) behave natively.
    if (event.defaultPrevented || event.metaKey || event.ctrlKey || window.getSelection()?.toString()) return;
    if (event.target instanceof HTMLElement && event.target.closest("a, input, label")) return;
    open(id);
  };
  const onRowKey = (event: KeyboardEvent<HTMLTableRowElement>, id: string) => {
    if (event.key === "Enter" && event.target === event.currentTarget) open(id);
  };
  const now = Date.now();
  return (
    <div className="table-wrap">
      <table className="table table--incidents" data-testid="incident-table">
        <thead>
          <tr>
            {selection ? (
              <th scope="col" className="col-select">
                <input
                  type="checkbox"
                  aria-label="Select every incident on this page"
                  checked={incidents.length > 0 && incidents.every((i) => selection.selected.has(i.id))}
                  onChange={selection.toggleAll}
                  data-testid="select-all"
                />
              </th>
            ) : null}
            <th scope="col">Incident</th>
            <SortHeader column="severity" label="Severity" {...sortProps} />
            <th scope="col">Status</th>
            <th scope="col">Owner</th>
            <th scope="col" className="col-title">
              Title
            </th>
            <SortHeader column="alert_count" label="Alerts" className="num" {...sortProps} />
            <th scope="col" className="num">
              Hosts
            </th>
            <SortHeader column="start_time" label="Started (UTC)" {...sortProps} />
            <th scope="col" className="num">
              Duration
            </th>
          </tr>
        </thead>
        <tbody>
          {incidents.map((incident) => (
            <tr
              key={incident.id}
              className={`row row--${incident.severity}${incident.status === "resolved" ? " row--resolved" : ""}${
                selection?.selected.has(incident.id) ? " row--selected" : ""
              }`}
              data-selected={selection?.selected.has(incident.id) ? "true" : undefined}
              onClick={(event) => onRowClick(event, incident.id)}
              onKeyDown={(event) => onRowKey(event, incident.id)}
              // Focusable from the keyboard shortcuts (j/k) without adding a Tab stop per row.
              tabIndex={-1}
              data-testid="incident-row"
              data-incident-id={incident.id}
            >
              {selection ? (
                <td className="col-select">
                  <input
                    type="checkbox"
                    aria-label={`Select ${incident.id}`}
                    checked={selection.selected.has(incident.id)}
                    readOnly
                    onClick={(event) => selection.toggle(incident.id, event.shiftKey)}
                    data-testid="select-incident"
                  />
                </td>
              ) : null}
              <td className="mono">
                <Link to={`/incidents/${encodeURIComponent(incident.id)}`} state={backState}>
                  {incident.id}
                </Link>
              </td>
              <td>
                <SeverityBadge severity={incident.severity} />
              </td>
              <td>
                <StatusBadge status={incident.status} />
              </td>
              <td data-testid="incident-owner-cell">{incident.owner ?? <span className="muted">unassigned</span>}</td>
              <td className="col-title" title={incident.title}>
                {incident.synthetic ? (
                  <>
                    <SyntheticBadge />{" "}
                  </>
                ) : null}
                {incident.title}
              </td>
              <td className="num">{incident.alert_count}</td>
              <td className="num" title={incident.hosts.join(", ")}>
                {incident.hosts.length}
              </td>
              <td className="nowrap">
                <span className="mono">{formatUtc(incident.start_time, false)}</span>
                <span className="muted small"> · {formatRelative(incident.start_time, now)}</span>
              </td>
              <td className="num">{durationBetween(incident.start_time, incident.end_time)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
