/** The incident's external tickets, and the buttons that open one in the mock ServiceNow or Jira. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Incident, TicketSystem } from "@teleops/schema";
import { failureSentence } from "../lib/errors.ts";
import { trpc } from "../trpc.ts";
import { EmptyState, ErrorState, LoadingState } from "./StateViews.tsx";
import { TicketTable } from "./TicketTable.tsx";
import "../integrations.css";
import { RoleGate } from "./RoleGate.tsx";

const REFRESH_MS = 10_000;

const CREATE: Array<{ system: TicketSystem; label: string }> = [
  { system: "servicenow", label: "Create ServiceNow incident" },
  { system: "jira", label: "Create Jira issue" },
];

export function TicketsCard({ incident }: { incident: Incident }) {
  const queryClient = useQueryClient();
  const tickets = useQuery(
    trpc.integrations.tickets.queryOptions({ incidentId: incident.id }, { refetchInterval: REFRESH_MS }),
  );
  const create = useMutation(
    trpc.integrations.createTicket.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.integrations.pathKey() }),
    }),
  );
  const created = (system: TicketSystem) =>
    tickets.data?.some((ticket) => ticket.system === system && ticket.origin === "outbound") ?? false;

  return (
    <section className="card" aria-labelledby="tickets-title" data-testid="tickets-card">
      <div className="card__header">
        <h2 id="tickets-title">Linked tickets</h2>
        <RoleGate min="operator" action="Creating tickets">
          <div className="actions">
            {CREATE.map(({ system, label }) => (
              <button
                key={system}
                type="button"
                className="button"
                disabled={create.isPending || !tickets.isSuccess || created(system)}
                title={created(system) ? "Already created for this incident" : undefined}
                onClick={() => create.mutate({ incidentId: incident.id, system })}
                data-testid={`create-ticket-${system}`}
              >
                {create.isPending && create.variables.system === system ? `${label}…` : label}
              </button>
            ))}
          </div>
        </RoleGate>
      </div>
      {create.isError ? (
        <p className="notice notice--error" role="alert">
          Could not create the ticket. {failureSentence(create.error)}
        </p>
      ) : null}
      {tickets.isPending ? (
        <LoadingState label="Loading linked tickets…" />
      ) : tickets.isError ? (
        <ErrorState
          what="Could not load the linked tickets."
          error={tickets.error}
          onRetry={() => void tickets.refetch()}
        />
      ) : tickets.data.length === 0 ? (
        <EmptyState title="No ticket names this incident yet.">
          <p className="muted small">
            A ServiceNow incident or Jira issue whose correlation id, label or summary mentions{" "}
            <span className="mono">{incident.id}</span> is linked here when its webhook arrives.
          </p>
        </EmptyState>
      ) : (
        <TicketTable tickets={tickets.data} />
      )}
    </section>
  );
}
