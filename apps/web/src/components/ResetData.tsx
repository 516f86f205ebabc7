/**
 * Deletes every alert and incident of the signed-in user's tenant (the Lab's "start over"): the admin types the
 * tenant's name to confirm, and the reset is written to the audit trail with its counts.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { failureSentence } from "../lib/errors.ts";
import { useSession } from "../lib/session.ts";
import { trpc } from "../trpc.ts";
import { RoleGate } from "./RoleGate.tsx";

export function ResetData() {
  const queryClient = useQueryClient();
  const session = useSession();
  const tenant = session?.tenant ?? "";
  const [typed, setTyped] = useState("");
  const mutation = useMutation(
    trpc.admin.reset.mutationOptions({
      onSuccess: () => {
        setTyped("");
        void queryClient.invalidateQueries();
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (typed === tenant) mutation.mutate({ confirm: typed });
  };
  return (
    <section className="card danger" aria-labelledby="reset-title">
      <h2 id="reset-title">Start over</h2>
      <p className="muted">
        Deletes every alert and incident of the tenant <strong>{tenant}</strong> (no other tenant's). This cannot be
        undone; the audit trail keeps a record of the reset.
      </p>
      <RoleGate min="admin" action="Deleting all data">
        <form className="actions" onSubmit={submit}>
          <label htmlFor="reset-confirm-name">
            Type <code>{tenant}</code> to confirm
          </label>
          <input
            id="reset-confirm-name"
            className="input"
            autoComplete="off"
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            data-testid="reset-confirm-name"
          />
          <button
            type="submit"
            className="button button--danger"
            disabled={mutation.isPending || typed !== tenant}
            data-testid="reset-confirm"
          >
            {mutation.isPending ? "Deleting…" : "Delete all alerts and incidents"}
          </button>
        </form>
      </RoleGate>
      {mutation.isSuccess ? (
        <p className="notice" role="status" data-testid="reset-done">
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
