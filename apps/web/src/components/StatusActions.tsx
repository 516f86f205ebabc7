/** Acknowledge, resolve and reopen: the only state changes an operator makes on an incident here. */

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { Incident, IncidentStatus } from "@teleops/schema";
import { failureSentence } from "../lib/errors.ts";
import { trpc } from "../trpc.ts";
import { RoleGate } from "./RoleGate.tsx";

interface Action {
  status: IncidentStatus;
  label: string;
  primary: boolean;
}

const ACTIONS: Record<IncidentStatus, Action[]> = {
  open: [
    { status: "acknowledged", label: "Acknowledge", primary: true },
    { status: "resolved", label: "Resolve", primary: false },
  ],
  acknowledged: [
    { status: "resolved", label: "Resolve", primary: true },
    { status: "open", label: "Reopen", primary: false },
  ],
  resolved: [{ status: "open", label: "Reopen", primary: false }],
};

export function StatusActions({ incident }: { incident: Incident }) {
  const queryClient = useQueryClient();
  const mutation = useMutation(
    trpc.incidents.setStatus.mutationOptions({
      onSuccess: (updated) => {
        queryClient.setQueryData(trpc.incidents.byId.queryKey({ id: updated.id }), updated);
        void queryClient.invalidateQueries({ queryKey: trpc.incidents.list.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.metrics.pathKey() });
      },
    }),
  );
  return (
    <RoleGate min="operator" action="Changing an incident's status">
      <div className="actions" data-testid="status-actions">
        {ACTIONS[incident.status].map((action) => (
          <button
            key={action.status}
            type="button"
            className={action.primary ? "button button--primary" : "button"}
            disabled={mutation.isPending}
            onClick={() => mutation.mutate({ id: incident.id, status: action.status })}
            data-testid={`action-${action.label.toLowerCase()}`}
          >
            {mutation.isPending && mutation.variables.status === action.status ? `${action.label}…` : action.label}
          </button>
        ))}
        {mutation.isError ? (
          <p className="notice notice--error actions__error" role="alert">
            Could not change the status. {failureSentence(mutation.error)}
          </p>
        ) : null}
      </div>
    </RoleGate>
  );
}
