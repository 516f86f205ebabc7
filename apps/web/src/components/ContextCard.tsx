/** What an operator reads first about an incident: scope, time span, who owns it (hosts are in Affected devices). */
import type { Incident } from "@teleops/schema";
import { useState } from "react";
import { durationBetween, formatRelative, formatUtc } from "../lib/format.ts";
import { StatusBadge } from "./Badges.tsx";
import "../ux.css";

const LIST_PREVIEW = 12;

function TagList({ items, label }: { items: string[]; label: string }) {
  const [expanded, setExpanded] = useState(false);
  if (items.length === 0) return <span className="muted">none</span>;
  const shown = expanded ? items : items.slice(0, LIST_PREVIEW);
  return (
    <span className="taglist">
      {shown.map((item) => (
        <span key={item} className="tag mono">
          {item}
        </span>
      ))}
      {items.length > LIST_PREVIEW ? (
        <button type="button" className="link-button" onClick={() => setExpanded(!expanded)}>
          {expanded ? "show fewer" : `+${items.length - LIST_PREVIEW} more ${label}`}
        </button>
      ) : null}
    </span>
  );
}

export function ContextCard({ incident }: { incident: Incident }) {
  return (
    <section className="card context" aria-label="Incident context" data-testid="context-card">
      <dl className="context__grid context__grid--compact">
        <div className="context__item">
          <dt>Status</dt>
          <dd>
            <StatusBadge status={incident.status} />
          </dd>
        </div>
        <div className="context__item">
          <dt>Owner</dt>
          <dd data-testid="incident-owner">{incident.owner ?? <span className="muted">unassigned</span>}</dd>
        </div>
        <div className="context__item">
          <dt>Alerts</dt>
          <dd className="context__number" data-testid="incident-alert-count">
            {incident.alert_count}
          </dd>
        </div>
        <div className="context__item">
          <dt>Hosts</dt>
          <dd className="context__number" data-testid="incident-host-count">
            {incident.hosts.length}
          </dd>
        </div>
        <div className="context__item">
          <dt>Duration</dt>
          <dd className="context__number">{durationBetween(incident.start_time, incident.end_time)}</dd>
        </div>
        <div className="context__item">
          <dt>First alert (UTC)</dt>
          <dd>
            <span className="mono">{formatUtc(incident.start_time)}</span>{" "}
            <span className="muted small context__relative">{formatRelative(incident.start_time)}</span>
          </dd>
        </div>
        <div className="context__item">
          <dt>Last alert (UTC)</dt>
          <dd>
            <span className="mono">{formatUtc(incident.end_time)}</span>{" "}
            <span className="muted small context__relative">{formatRelative(incident.end_time)}</span>
          </dd>
        </div>
        <div className="context__item context__item--wide">
          <dt>Services ({incident.services.length})</dt>
          <dd>
            <TagList items={incident.services} label="services" />
          </dd>
        </div>
        <div className="context__item context__item--wide">
          <dt>Sites ({incident.sites.length})</dt>
          <dd>
            <TagList items={incident.sites} label="sites" />
          </dd>
        </div>
      </dl>
    </section>
  );
}
