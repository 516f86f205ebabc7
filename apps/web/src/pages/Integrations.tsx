/** Integrations: what the webhooks received and what came of it, linked tickets, and which ticket systems are real. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import {
  INTEGRATION_OUTCOMES,
  INTEGRATION_SOURCES,
  type IntegrationOutcome,
  type IntegrationSource,
} from "@teleops/schema";
import { lazy, Suspense, useState } from "react";
import { Pagination } from "../components/Pagination.tsx";
import { RefreshControl } from "../components/RefreshControl.tsx";
import { RoleGate } from "../components/RoleGate.tsx";
import { EmptyState, ErrorState, LoadingState } from "../components/StateViews.tsx";
import { TicketSystems } from "../components/TicketSystems.tsx";
import { TicketTable } from "../components/TicketTable.tsx";
import { formatRelative, formatUtc } from "../lib/format.ts";
import { useDocumentTitle } from "../lib/useDocumentTitle.ts";
import { type RouterOutputs, trpc } from "../trpc.ts";
import "../integrations.css";

// Admin-only and rarely opened: kept out of the initial bundle.
const NotificationChannels = lazy(() => import("../components/NotificationChannels.tsx"));

const REFRESH_MS = 5_000;
const PAGE_SIZE = 25;

type IntegrationEvent = RouterOutputs["integrations"]["events"]["events"][number];

const ROUTES: Array<{ path: string; sender: string; credential: string }> = [
  {
    path: "/webhooks/alertmanager",
    sender: "Prometheus Alertmanager (webhook v4)",
    credential: "Bearer TELEOPS_WEBHOOK_TOKEN",
  },
  {
    path: "/webhooks/jira",
    sender: "Jira Cloud issue events",
    credential: "X-Hub-Signature with JIRA_WEBHOOK_SECRET",
  },
  {
    path: "/webhooks/servicenow",
    sender: "ServiceNow Business Rule (incident record)",
    credential: "SERVICENOW_WEBHOOK_TOKEN as bearer or basic-auth password",
  },
  {
    path: "/webhooks/alerts",
    sender: "Any script: canonical alerts",
    credential: "Bearer TELEOPS_WEBHOOK_TOKEN",
  },
];

/** One line on what came of a delivery: counts for accepted ones, the reason for refused ones. */
function outcomeLine(event: IntegrationEvent): string {
  if (event.outcome === "rejected" || event.outcome === "failed") return event.error ?? event.outcome;
  const s = event.summary;
  // A ticket TeleOps opened in a real ServiceNow or Jira.
  if (s.direction === "outbound" && typeof s.ticket === "object" && s.ticket !== null && "number" in s.ticket) {
    return `created ticket ${String(s.ticket.number)} in ${String(s.target)}`;
  }
  const parts = [`${String(s.accepted ?? 0)} accepted`, `${String(s.duplicates ?? 0)} duplicate`];
  if (typeof s.resolved_updated === "number" && s.resolved_updated > 0) parts.push(`${s.resolved_updated} resolved`);
  if (typeof s.truncated_alerts === "number") parts.push(`${s.truncated_alerts} truncated by Alertmanager`);
  const ticket = s.ticket;
  if (typeof ticket === "object" && ticket !== null && "number" in ticket) {
    parts.push(`ticket ${String(ticket.number)}`);
  }
  return parts.join(" · ");
}

function EventRow({ event, now }: { event: IntegrationEvent; now: number }) {
  return (
    <tr data-testid="integration-event-row" data-outcome={event.outcome}>
      <td className="nowrap">
        <span className="mono">{formatUtc(event.received_at)}</span>
        <span className="muted small"> · {formatRelative(event.received_at, now)}</span>
      </td>
      <td>{event.source}</td>
      <td>
        <span className={`badge outcome--${event.outcome}`}>{event.outcome}</span>
      </td>
      <td className="num mono">{event.http_status}</td>
      <td>
        <details className="integrations__details">
          <summary>{outcomeLine(event)}</summary>
          <pre className="integrations__json">
            {JSON.stringify(
              { dedup_key: event.dedup_key, summary: event.summary, headers: event.headers, payload: event.payload },
              null,
              2,
            )}
          </pre>
        </details>
      </td>
    </tr>
  );
}

function EventLog() {
  const [source, setSource] = useState<IntegrationSource | "">("");
  const [outcome, setOutcome] = useState<IntegrationOutcome | "">("");
  const [withPayload, setWithPayload] = useState(false);
  const [page, setPage] = useState(1);
  const events = useQuery({
    ...trpc.integrations.events.queryOptions(
      {
        source: source || undefined,
        outcome: outcome || undefined,
        withPayload,
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
      },
      { refetchInterval: REFRESH_MS },
    ),
    placeholderData: keepPreviousData,
  });
  const now = Date.now();
  return (
    <section className="card" aria-labelledby="events-title" data-testid="integration-events">
      <div className="card__header">
        <h2 id="events-title">Inbound deliveries</h2>
        <RefreshControl
          isFetching={events.isFetching}
          updatedAt={events.dataUpdatedAt}
          onRefresh={() => void events.refetch()}
          intervalMs={REFRESH_MS}
        />
      </div>
      <div className="integrations__filters">
        <label>
          Source
          <select
            value={source}
            onChange={(event) => {
              setSource(event.target.value as IntegrationSource | "");
              setPage(1);
            }}
            data-testid="events-source"
          >
            <option value="">All sources</option>
            {INTEGRATION_SOURCES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
        <label>
          Outcome
          <select
            value={outcome}
            onChange={(event) => {
              setOutcome(event.target.value as IntegrationOutcome | "");
              setPage(1);
            }}
            data-testid="events-outcome"
          >
            <option value="">All outcomes</option>
            {INTEGRATION_OUTCOMES.map((value) => (
              <option key={value} value={value}>
                {value}
                {events.data ? ` (${events.data.byOutcome[value]})` : ""}
              </option>
            ))}
          </select>
        </label>
        <label className="small">
          <span>
            <input type="checkbox" checked={withPayload} onChange={(event) => setWithPayload(event.target.checked)} />{" "}
            Show payloads
          </span>
        </label>
      </div>
      {events.isPending ? (
        <LoadingState label="Loading deliveries…" />
      ) : events.isError ? (
        <ErrorState
          what="Could not load the integration events."
          error={events.error}
          onRetry={() => void events.refetch()}
        />
      ) : events.data.events.length === 0 ? (
        <EmptyState title="No delivery matches yet.">
          <p className="muted small">
            Point Alertmanager, Jira or ServiceNow at the routes above; every delivery shows up here.
          </p>
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table" data-testid="integration-events-table">
              <thead>
                <tr>
                  <th scope="col">Received (UTC)</th>
                  <th scope="col">Source</th>
                  <th scope="col">Outcome</th>
                  <th scope="col" className="num">
                    HTTP
                  </th>
                  <th scope="col">What came of it</th>
                </tr>
              </thead>
              <tbody>
                {events.data.events.map((event) => (
                  <EventRow key={event.id} event={event} now={now} />
                ))}
              </tbody>
            </table>
          </div>
          <Pagination page={page} pageSize={PAGE_SIZE} total={events.data.total} onPage={setPage} />
        </>
      )}
    </section>
  );
}

function LinkedTickets() {
  const tickets = useQuery(trpc.integrations.tickets.queryOptions({}, { refetchInterval: REFRESH_MS * 2 }));
  return (
    <section className="card" aria-labelledby="all-tickets-title" data-testid="all-tickets">
      <div className="card__header">
        <h2 id="all-tickets-title">Tickets</h2>
      </div>
      {tickets.isPending ? (
        <LoadingState label="Loading tickets…" />
      ) : tickets.isError ? (
        <ErrorState what="Could not load the tickets." error={tickets.error} onRetry={() => void tickets.refetch()} />
      ) : tickets.data.length === 0 ? (
        <EmptyState title="No ServiceNow incident or Jira issue yet.">
          <p className="muted small">
            They arrive through the webhooks, or from the ServiceNow and Jira buttons on an incident.
          </p>
        </EmptyState>
      ) : (
        <TicketTable tickets={tickets.data} showIncident />
      )}
    </section>
  );
}

export function Integrations() {
  useDocumentTitle("Integrations");
  return (
    <section className="page" aria-labelledby="integrations-title">
      <div className="page__header">
        <h1 id="integrations-title">Integrations</h1>
      </div>
      <section className="card" aria-labelledby="routes-title">
        <h2 id="routes-title">Webhook routes</h2>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Route</th>
                <th scope="col">Sender</th>
                <th scope="col">Credential when configured</th>
              </tr>
            </thead>
            <tbody>
              {ROUTES.map((route) => (
                <tr key={route.path}>
                  <td className="mono nowrap">POST {route.path}</td>
                  <td>{route.sender}</td>
                  <td className="small">{route.credential}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <RoleGate min="admin" action="Configuring notification channels">
        <Suspense fallback={<LoadingState label="Loading notification channels…" />}>
          <NotificationChannels />
        </Suspense>
      </RoleGate>
      <EventLog />
      <LinkedTickets />
      <TicketSystems />
    </section>
  );
}
