/**
 * The incident's external tickets, and the buttons that open one in ServiceNow or Jira: the real system when the
 * server is configured for it, else the built-in mock, and the button says which.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Incident, TicketSystem } from "@teleops/schema";
import { failureSentence } from "../lib/errors.ts";
import { trpc } from "../trpc.ts";
import { EmptyState, ErrorState, LoadingState } from "./StateViews.tsx";
import { TicketTable } from "./TicketTable.tsx";
import "../integrations.css";
import { RoleGate } from "./RoleGate.tsx";

const REFRESH_MS = 10_000;

const CREATE: Array<{ system: TicketSystem; real: string; mock: string }> = [
  {
    system: "servicenow",
    real: "Create ServiceNow incident",
    mock: "Create mock ServiceNow incident (no instance configured)",
  },
  { system: "jira", real: "Create Jira issue", mock: "Create mock Jira issue (no Jira site configured)" },
];

export function TicketsCard({ incident }: { incident: Incident }) {
  const queryClient = useQueryClient();
  const tickets = useQuery(
    trpc.integrations.tickets.queryOptions({ incidentId: incident.id }, { refetchInterval: REFRESH_MS }),
  );
  const systems = useQuery(trpc.integrations.systems.queryOptions());
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
            {CREATE.map(({ system, real, mock }) => {
              const mode = systems.data?.[system].mode;
              const label = mode === "real" ? real : mode === "mock" ? mock : real;
              return (
                <button
                  key={system}
                  type="button"
                  className="button"
                  disabled={create.isPending || !tickets.isSuccess || !systems.isSuccess || created(system)}
                  title={
                    created(system)
                      ? "Already created for this incident"
                      : mode === "real"
                        ? `Opens it in ${systems.data?.[system].target ?? system}`
                        : "Only the built-in mock store: nobody outside TeleOps sees this ticket"
                  }
                  onClick={() => create.mutate({ incidentId: incident.id, system })}
                  data-testid={`create-ticket-${system}`}
                  data-mode={mode}
                >
                  {create.isPending && create.variables.system === system ? `${label}…` : label}
                </button>
              );
            })}
          </div>
        </RoleGate>
      </div>
      {create.isError ? (
        <p className="notice notice--error" role="alert">
          Could not create the ticket. {failureSentence(create.error)}
        </p>
      ) : null}
      {create.isSuccess && create.data.mock ? (
        <p className="notice" role="status" data-testid="mock-ticket-notice">
          {create.data.number} is a mock ticket in TeleOps' built-in store; no ServiceNow or Jira was called.
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
