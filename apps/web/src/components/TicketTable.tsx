/** External tickets (ServiceNow incidents, Jira issues) with their current status, as TeleOps last heard it. */
import type { Ticket } from "@teleops/schema";
import { Link } from "react-router";
import { formatRelative, formatUtc } from "../lib/format.ts";

const SYSTEM_LABEL: Record<Ticket["system"], string> = { servicenow: "ServiceNow", jira: "Jira" };

/** Done, in progress or new, read from the many status names ServiceNow and Jira use. */
export function ticketPhase(status: string): "done" | "progress" | "new" {
  const s = status.toLowerCase();
  if (/(resolved|closed|done|cancel|deleted)/.test(s)) return "done";
  if (/(progress|hold|waiting|review|blocked)/.test(s)) return "progress";
  return "new";
}

export function TicketStatus({ status }: { status: string }) {
  return <span className={`badge ticket-status ticket-status--${ticketPhase(status)}`}>{status}</span>;
}

export function TicketTable({ tickets, showIncident = false }: { tickets: Ticket[]; showIncident?: boolean }) {
  const now = Date.now();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="ticket-table">
        <thead>
          <tr>
            <th scope="col">System</th>
            <th scope="col">Number</th>
            <th scope="col" className="col-title">
              Title
            </th>
            <th scope="col">Status</th>
            <th scope="col">Priority</th>
            {showIncident ? <th scope="col">Incident</th> : null}
            <th scope="col">Origin</th>
            <th scope="col">Updated (UTC)</th>
          </tr>
        </thead>
        <tbody>
          {tickets.map((ticket) => (
            <tr key={ticket.id} data-testid="ticket-row" data-ticket-number={ticket.number}>
              <td>{SYSTEM_LABEL[ticket.system]}</td>
              <td className="mono nowrap">
                {ticket.url ? (
                  <a href={ticket.url} target="_blank" rel="noreferrer noopener">
                    {ticket.number}
                  </a>
                ) : (
                  ticket.number
                )}
              </td>
              <td className="col-title" title={ticket.title}>
                {ticket.title}
              </td>
              <td>
                <TicketStatus status={ticket.status} />
              </td>
              <td className="nowrap">{ticket.priority ?? <span className="muted">—</span>}</td>
              {showIncident ? (
                <td className="mono nowrap">
                  {ticket.incident_id ? (
                    <Link to={`/incidents/${encodeURIComponent(ticket.incident_id)}`}>{ticket.incident_id}</Link>
                  ) : (
                    <span className="muted">not linked</span>
                  )}
                </td>
              ) : null}
              <td>{ticket.origin === "outbound" ? "created here" : "webhook"}</td>
              <td className="nowrap">
                <span className="mono">{formatUtc(ticket.updated_at, false)}</span>
                <span className="muted small"> · {formatRelative(ticket.updated_at, now)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
