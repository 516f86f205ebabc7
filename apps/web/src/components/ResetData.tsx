/** Deletes every alert and incident of the tenant, behind an explicit second click. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { failureSentence } from "../lib/errors.ts";
import { trpc } from "../trpc.ts";
import { RoleGate } from "./RoleGate.tsx";

export function ResetData() {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const mutation = useMutation(
    trpc.admin.reset.mutationOptions({
      onSuccess: () => {
        setConfirming(false);
        void queryClient.invalidateQueries();
      },
    }),
  );
  return (
    <section className="card danger" aria-labelledby="reset-title">
      <h2 id="reset-title">Start over</h2>
      <p className="muted">Deletes every alert and incident of this tenant. This cannot be undone.</p>
      <RoleGate min="admin" action="Deleting all data">
        {confirming ? (
          <div className="actions">
            <button
              type="button"
              className="button button--danger"
              disabled={mutation.isPending}
              onClick={() => mutation.mutate({ confirm: true })}
              data-testid="reset-confirm"
            >
              {mutation.isPending ? "Deleting…" : "Yes, delete all alerts and incidents"}
            </button>
            <button type="button" className="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        ) : (
          <button type="button" className="button" onClick={() => setConfirming(true)} data-testid="reset-start">
            Delete all data…
          </button>
        )}
      </RoleGate>
      {mutation.isSuccess ? (
        <p className="notice" role="status">
          Deleted {mutation.data.deleted.alerts} alerts and {mutation.data.deleted.incidents} incidents.
        </p>
      ) : null}
      {mutation.isError ? (
        <p className="notice notice--error" role="alert">
          Nothing was deleted. {failureSentence(mutation.error)}
        </p>
      ) : null}
    </section>
  );
}
