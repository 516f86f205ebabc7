/** The queue's bulk actions on the selected incidents: acknowledge, resolve, assign or unassign, in one call. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { BulkUpdateInput } from "@teleops/schema";
import { useId, useState } from "react";
import { failureSentence } from "../lib/errors.ts";
import type { QueueSelection } from "../lib/selection.ts";
import { useCan, useSession } from "../lib/session.ts";
import { trpc } from "../trpc.ts";
import "../work.css";

const DONE: Record<BulkUpdateInput["action"], string> = {
  acknowledge: "acknowledged",
  resolve: "resolved",
  assign: "assigned",
  unassign: "unassigned",
};

export function BulkBar({ selection }: { selection: QueueSelection }) {
  const queryClient = useQueryClient();
  const allowed = useCan("operator");
  const me = useSession()?.name;
  const selectId = useId();
  const [assignee, setAssignee] = useState("");
  const assignees = useQuery(trpc.incidents.assignees.queryOptions(undefined, { staleTime: 60_000, enabled: allowed }));
  const [outcome, setOutcome] = useState<string | null>(null);
  const bulk = useMutation(
    trpc.incidents.bulkUpdate.mutationOptions({
      onSuccess: (result, input) => {
        const unchanged = result.unchanged.length > 0 ? `; ${result.unchanged.length} already so` : "";
        setOutcome(`${result.updated.length} ${DONE[input.action]}${unchanged}.`);
        selection.clear();
        void queryClient.invalidateQueries({ queryKey: trpc.incidents.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.metrics.pathKey() });
      },
    }),
  );
  const count = selection.selected.size;
  if (!allowed) return null;
  if (count === 0) {
    return outcome ? (
      <p className="muted small" role="status" data-testid="bulk-outcome">
        {outcome}
      </p>
    ) : null;
  }
  const run = (action: BulkUpdateInput["action"], to?: string) =>
    bulk.mutate({ ids: [...selection.selected], action, ...(to ? { to } : {}) });
  return (
    <div className="bulk-bar" role="toolbar" aria-label="Bulk actions" data-testid="bulk-bar">
      <strong data-testid="bulk-count">{count} selected</strong>
      <button
        type="button"
        className="button button--primary"
        disabled={bulk.isPending}
        onClick={() => run("acknowledge")}
        data-testid="bulk-acknowledge"
      >
        Acknowledge
      </button>
      <button
        type="button"
        className="button"
        disabled={bulk.isPending}
        onClick={() => run("resolve")}
        data-testid="bulk-resolve"
      >
        Resolve
      </button>
      <label htmlFor={selectId} className="visually-hidden">
        Assign the selected incidents to
      </label>
      <select
        id={selectId}
        value={assignee}
        onChange={(event) => setAssignee(event.target.value)}
        data-testid="bulk-assignee"
      >
        <option value="">Assign to…</option>
        {(assignees.data?.users ?? []).map((user) => (
          <option key={user} value={user}>
            {user === me ? `${user} (me)` : user}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="button"
        disabled={bulk.isPending || assignee === ""}
        onClick={() => run("assign", assignee)}
        data-testid="bulk-assign"
      >
        Assign
      </button>
      <button
        type="button"
        className="button"
        disabled={bulk.isPending}
        onClick={() => run("unassign")}
        data-testid="bulk-unassign"
      >
        Unassign
      </button>
      <button type="button" className="button button--ghost" onClick={selection.clear} data-testid="bulk-clear">
        Clear selection
      </button>
      {bulk.isError ? (
        <p className="notice notice--error" role="alert">
          Nothing changed. {failureSentence(bulk.error)}
        </p>
      ) : null}
    </div>
  );
}
