/**
 * One alert opened in full beside the list it came from: every field, tags, Alertmanager labels and annotations,
 * the raw payload and the links it carries, with the next steps (silence alerts like it, see the device's alerts).
 * Viewers get it redacted by the server, as LLM prompts are.
 */
import { useQuery } from "@tanstack/react-query";
import type { AlertDetail } from "@teleops/schema";
import { useEffect, useRef } from "react";
import { Link } from "react-router";
import { httpUrl, silenceLikeHref } from "../lib/alertDrawer.ts";
import { formatUtc } from "../lib/format.ts";
import { trpc } from "../trpc.ts";
import { SeverityBadge } from "./Badges.tsx";
import { ErrorState, LoadingState } from "./StateViews.tsx";
import "../drawer.css";

const LINK_LABELS: Record<AlertDetail["links"][number]["kind"], string> = {
  runbook: "Runbook",
  generator: "Source graph (generatorURL)",
  alertmanager: "Alertmanager",
  source: "Source",
};

export default function AlertDrawer({ alertId, onClose }: { alertId: number; onClose: () => void }) {
  const query = useQuery(trpc.alerts.get.queryOptions({ id: alertId }));
  const panel = useRef<HTMLElement>(null);

  useEffect(() => {
    panel.current?.focus();
    // Capture phase, so Esc closes the drawer before a page's own Esc (back to the queue) sees it.
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      event.preventDefault();
      event.stopPropagation();
      onClose();
    };
    document.addEventListener("keydown", onKey, true);
    return () => document.removeEventListener("keydown", onKey, true);
  }, [onClose]);

  return (
    <>
      <div className="drawer-backdrop" onClick={onClose} onKeyDown={undefined} aria-hidden="true" />
      <aside
        ref={panel}
        className="drawer"
        role="dialog"
        aria-modal="true"
        aria-labelledby="alert-drawer-title"
        tabIndex={-1}
        data-testid="alert-drawer"
      >
        <div className="drawer__head">
          <h2 id="alert-drawer-title">Alert {alertId}</h2>
          <button type="button" className="button button--ghost" onClick={onClose} data-testid="alert-drawer-close">
            Close <kbd>Esc</kbd>
          </button>
        </div>
        {query.isPending ? (
          <LoadingState label="Loading the alert…" />
        ) : query.isError ? (
          <ErrorState what="Could not load this alert." error={query.error} onRetry={() => void query.refetch()} />
        ) : (
          <AlertDetailView detail={query.data} />
        )}
      </aside>
    </>
  );
}

function AlertDetailView({ detail }: { detail: AlertDetail }) {
  const { alert } = detail;
  return (
    <div className="drawer__body">
      {detail.redacted ? (
        <p className="notice small" data-testid="alert-redacted">
          Redacted for your role, as LLM prompts are: addresses, subscriber numbers and credentials read as tokens like{" "}
          <code>&lt;ipv4-1&gt;</code>.
        </p>
      ) : null}
      <p className="drawer__message" data-testid="alert-drawer-message">
        {alert.message}
      </p>
      <div className="drawer__actions">
        <Link className="button" to={silenceLikeHref(alert.host, alert.alert_type)} data-testid="alert-silence-like">
          Silence alerts like this
        </Link>
        <Link
          className="button button--ghost"
          to={`/alerts?host=${encodeURIComponent(alert.host)}`}
          data-testid="alert-device-alerts"
        >
          Show other alerts of this device
        </Link>
      </div>
      {detail.links.length > 0 ? (
        <section>
          <h3 className="drawer__subtitle">Links</h3>
          <ul className="drawer__links" data-testid="alert-links">
            {detail.links.map((link) => {
              const href = httpUrl(link.url);
              return (
                <li key={`${link.field}:${link.url}`}>
                  {LINK_LABELS[link.kind]}:{" "}
                  {href ? (
                    <a href={href} target="_blank" rel="noopener noreferrer" data-testid={`alert-link-${link.kind}`}>
                      {link.url}
                    </a>
                  ) : (
                    <span className="mono">{link.url}</span>
                  )}{" "}
                  <span className="muted small">({link.field})</span>
                </li>
              );
            })}
          </ul>
        </section>
      ) : null}
      <section>
        <h3 className="drawer__subtitle">Fields</h3>
        <dl className="drawer__fields" data-testid="alert-fields">
          <Field name="Time (UTC)" value={formatUtc(alert.timestamp)} />
          <Field name="Received (UTC)" value={formatUtc(detail.received_at)} />
          <div>
            <dt>Severity</dt>
            <dd>
              <SeverityBadge severity={alert.severity} />
            </dd>
          </div>
          <Field
            name="Status"
            value={detail.ends_at ? `${alert.status} (ends ${formatUtc(detail.ends_at)})` : alert.status}
          />
          <Field name="Host" value={alert.host} mono />
          <Field name="Service" value={alert.service || "—"} />
          <Field name="Type" value={alert.alert_type} mono />
          <Field name="Source" value={alert.source_system} />
          <Field name="Fingerprint" value={alert.fingerprint} mono />
          <div>
            <dt>Incident</dt>
            <dd>
              {alert.incident_id ? <Link to={`/incidents/${alert.incident_id}`}>{alert.incident_id}</Link> : "none"}
            </dd>
          </div>
          {alert.silenced_by ? <Field name="Silenced by" value={alert.silenced_by} mono /> : null}
          {alert.correlation_reason ? <Field name="Why it joined" value={alert.correlation_reason} /> : null}
        </dl>
      </section>
      <KeyValues title="Tags" values={alert.tags} testId="alert-tags" />
      {detail.labels ? <KeyValues title="Alertmanager labels" values={detail.labels} testId="alert-labels" /> : null}
      {detail.annotations ? (
        <KeyValues title="Alertmanager annotations" values={detail.annotations} testId="alert-annotations" />
      ) : null}
      <section>
        <h3 className="drawer__subtitle">Raw payload</h3>
        <pre className="drawer__raw" data-testid="alert-raw">
          {JSON.stringify(alert.raw_payload, null, 2)}
        </pre>
      </section>
    </div>
  );
}

function Field({ name, value, mono }: { name: string; value: string; mono?: boolean }) {
  return (
    <div>
      <dt>{name}</dt>
      <dd className={mono ? "mono" : undefined}>{value}</dd>
    </div>
  );
}

function KeyValues({ title, values, testId }: { title: string; values: Record<string, string>; testId: string }) {
  const entries = Object.entries(values).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section>
      <h3 className="drawer__subtitle">{title}</h3>
      {entries.length === 0 ? (
        <p className="muted small">none</p>
      ) : (
        <table className="table table--compact" data-testid={testId}>
          <tbody>
            {entries.map(([key, value]) => (
              <tr key={key}>
                <th scope="row" className="mono">
                  {key}
                </th>
                <td className="mono">{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
