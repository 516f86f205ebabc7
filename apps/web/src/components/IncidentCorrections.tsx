/**
 * Correcting the correlator from the incident page: split the selected alerts into a new incident, move them to
 * another incident, or merge other incidents into this one. Each asks for confirmation before it changes anything.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { Incident } from "@teleops/schema";
import { type FormEvent, useId, useState } from "react";
import { useNavigate } from "react-router";
import { failureSentence } from "../lib/errors.ts";
import { trpc } from "../trpc.ts";
import { RoleGate } from "./RoleGate.tsx";
import "../corrections.css";

/** `INC-000042`, `inc-42` or `42` → `INC-000042`; anything else is kept as typed (the server says it is unknown). */
export function normalizeIncidentId(value: string): string {
  const text = value.trim();
  const number = /^(?:inc-?)?(\d{1,12})$/i.exec(text)?.[1];
  return number ? `INC-${number.padStart(6, "0")}` : text;
}

function incidentIds(value: string): string[] {
  return [
    ...new Set(
      value
        .split(/[\s,]+/)
        .filter(Boolean)
        .map(normalizeIncidentId),
    ),
  ];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

type Pending = { kind: "split" } | { kind: "move"; to: string } | { kind: "merge"; from: string[] } | { kind: "none" };

export function IncidentCorrections({
  incident,
  selected,
  onDone,
}: {
  incident: Incident;
  /** Alert ids ticked in the alert table. */
  selected: ReadonlySet<number>;
  /** Clears the selection once alerts have left this incident. */
  onDone: () => void;
}) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const moveId = useId();
  const mergeId = useId();
  const [pending, setPending] = useState<Pending>({ kind: "none" });
  const [moveTo, setMoveTo] = useState("");
  const [mergeFrom, setMergeFrom] = useState("");
  const [merged, setMerged] = useState<string[] | null>(null);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.incidents.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.metrics.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() });
  };
  const leave = (target: Incident) => {
    setPending({ kind: "none" });
    onDone();
    refresh();
    navigate(`/incidents/${target.id}`);
  };
  // A refusal closes the question; the error says why and nothing changed.
  const closeQuestion = () => setPending({ kind: "none" });
  const split = useMutation(trpc.incidents.split.mutationOptions({ onSuccess: leave, onError: closeQuestion }));
  const move = useMutation(trpc.incidents.moveAlerts.mutationOptions({ onSuccess: leave, onError: closeQuestion }));
  const merge = useMutation(
    trpc.incidents.merge.mutationOptions({
      onError: closeQuestion,
      onSuccess: (updated, variables) => {
        queryClient.setQueryData(trpc.incidents.byId.queryKey({ id: updated.id }), updated);
        setPending({ kind: "none" });
        setMergeFrom("");
        setMerged(variables.from);
        refresh();
      },
    }),
  );
  const busy = split.isPending || move.isPending || merge.isPending;
  const failed = [split, move, merge].find((m) => m.isError);
  const alertIds = [...selected];
  const count = plural(alertIds.length, "alert");

  const reset = () => {
    split.reset();
    move.reset();
    merge.reset();
    setMerged(null);
  };
  const askMove = (event: FormEvent) => {
    event.preventDefault();
    const to = normalizeIncidentId(moveTo);
    if (to === "" || alertIds.length === 0) return;
    reset();
    setPending({ kind: "move", to });
  };
  const askMerge = (event: FormEvent) => {
    event.preventDefault();
    const from = incidentIds(mergeFrom);
    if (from.length === 0) return;
    reset();
    setPending({ kind: "merge", from });
  };

  return (
    <RoleGate min="operator" action="Splitting, moving and merging alerts">
      <div className="corrections" data-testid="corrections">
        <div className="corrections__row">
          <span className="corrections__count" aria-live="polite" data-testid="selected-count">
            {alertIds.length === 0 ? "Tick alerts to split or move them" : `${count} selected`}
          </span>
          <button
            type="button"
            className="button"
            disabled={alertIds.length === 0 || busy}
            onClick={() => {
              reset();
              setPending({ kind: "split" });
            }}
            data-testid="split-start"
          >
            Split into new incident
          </button>
          <form className="corrections__form" onSubmit={askMove}>
            <label htmlFor={moveId}>Move to…</label>
            <input
              id={moveId}
              className="corrections__input"
              value={moveTo}
              onChange={(event) => setMoveTo(event.target.value)}
              placeholder="INC-000123"
              autoComplete="off"
              spellCheck={false}
              data-testid="move-to"
            />
            <button
              type="submit"
              className="button"
              disabled={alertIds.length === 0 || moveTo.trim() === "" || busy}
              data-testid="move-start"
            >
              Move
            </button>
          </form>
          <form className="corrections__form corrections__form--end" onSubmit={askMerge}>
            <label htmlFor={mergeId}>Merge…</label>
            <input
              id={mergeId}
              className="corrections__input corrections__input--wide"
              value={mergeFrom}
              onChange={(event) => setMergeFrom(event.target.value)}
              placeholder="INC-000124, INC-000125"
              autoComplete="off"
              spellCheck={false}
              aria-describedby={`${mergeId}-hint`}
              data-testid="merge-from"
            />
            <span id={`${mergeId}-hint`} className="visually-hidden">
              Incident ids to merge into {incident.id}, separated by commas or spaces
            </span>
            <button
              type="submit"
              className="button"
              disabled={mergeFrom.trim() === "" || busy}
              data-testid="merge-start"
            >
              Merge into this
            </button>
          </form>
        </div>

        {pending.kind !== "none" ? (
          <div className="corrections__confirm" data-testid="correction-question">
            <p>
              {pending.kind === "split"
                ? `Split ${count} out of ${incident.id} into a new incident?`
                : pending.kind === "move"
                  ? `Move ${count} from ${incident.id} to ${pending.to}?`
                  : `Merge ${pending.from.join(", ")} into ${incident.id}? ${
                      pending.from.length === 1 ? "It is" : "They are"
                    } resolved and ${pending.from.length === 1 ? "its" : "their"} alerts move here.`}
            </p>
            <div className="actions">
              <button
                type="button"
                className="button button--primary"
                disabled={busy}
                // biome-ignore lint/a11y/noAutofocus: focus moves to the button that answers the question just asked
                autoFocus
                onClick={() => {
                  if (pending.kind === "split") split.mutate({ id: incident.id, alertIds });
                  else if (pending.kind === "move") move.mutate({ alertIds, to: pending.to });
                  else merge.mutate({ into: incident.id, from: pending.from });
                }}
                data-testid="correction-confirm"
              >
                {busy
                  ? "Working…"
                  : pending.kind === "split"
                    ? "Yes, split"
                    : pending.kind === "move"
                      ? "Yes, move"
                      : "Yes, merge"}
              </button>
              <button
                type="button"
                className="button"
                disabled={busy}
                onClick={() => setPending({ kind: "none" })}
                data-testid="correction-cancel"
              >
                Cancel
              </button>
            </div>
          </div>
        ) : null}

        {merged ? (
          <p className="notice" role="status" data-testid="merge-done">
            Merged {merged.join(", ")} into {incident.id}.
          </p>
        ) : null}
        {failed?.isError ? (
          <p className="notice notice--error" role="alert" data-testid="correction-error">
            Nothing changed. {failureSentence(failed.error)}
          </p>
        ) : null}
      </div>
    </RoleGate>
  );
}
