/**
 * Working an incident on its page: who owns it (assign, unassign), a note box, and the timeline of notes beside
 * status changes, owners, RCA reviews, tickets, merges and splits. Notes are Markdown, rendered safely by
 * NoteMarkdown (react-markdown: no raw HTML).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type Incident, NOTE_TEXT_MAX, type TimelineEntry } from "@teleops/schema";
import { type FormEvent, lazy, Suspense, useId, useState } from "react";
import { failureSentence } from "../lib/errors.ts";
import { formatRelative, formatUtc } from "../lib/format.ts";
import { useSession } from "../lib/session.ts";
import { trpc } from "../trpc.ts";
import { RoleGate } from "./RoleGate.tsx";
import "../work.css";

const NoteMarkdown = lazy(() => import("./NoteMarkdown.tsx"));

/** Ticket links: http(s) only. */
function safeUrl(url: string): string {
  return /^https?:\/\//i.test(url) ? url : "";
}

/** A note: its Markdown rendered safely (the plain text shows while the renderer loads). */
export function NoteText({ text }: { text: string }) {
  return (
    <div className="note__text" data-testid="note-text">
      <Suspense fallback={<p className="note__plain">{text}</p>}>
        <NoteMarkdown text={text} />
      </Suspense>
    </div>
  );
}

function useIncidentChanged(id: string) {
  const queryClient = useQueryClient();
  return (updated?: Incident) => {
    if (updated) queryClient.setQueryData(trpc.incidents.byId.queryKey({ id }), updated);
    void queryClient.invalidateQueries({ queryKey: trpc.incidents.pathKey() });
  };
}

/** The owner, and (for operators) a picker of the tenant's users to assign or unassign. */
export function OwnerControl({ incident }: { incident: Incident }) {
  const selectId = useId();
  const changed = useIncidentChanged(incident.id);
  const assignees = useQuery(trpc.incidents.assignees.queryOptions(undefined, { staleTime: 60_000 }));
  const [choice, setChoice] = useState("");
  const assign = useMutation(trpc.incidents.assign.mutationOptions({ onSuccess: (updated) => changed(updated) }));
  const me = useSession()?.name;
  const users = assignees.data?.users ?? [];
  return (
    <div className="owner" data-testid="owner-control">
      <span className="owner__label muted small">Owner</span>{" "}
      <strong data-testid="owner-name">{incident.owner ?? "unassigned"}</strong>
      <RoleGate min="operator" action="Assigning the incident">
        <form
          className="owner__form"
          onSubmit={(event) => {
            event.preventDefault();
            if (choice !== "") assign.mutate({ id: incident.id, to: choice });
          }}
        >
          <label htmlFor={selectId} className="visually-hidden">
            Assign to
          </label>
          <select
            id={selectId}
            value={choice}
            onChange={(event) => setChoice(event.target.value)}
            data-testid="assign-select"
            disabled={assign.isPending || users.length === 0}
          >
            <option value="">Assign to…</option>
            {users.map((user) => (
              <option key={user} value={user}>
                {user === me ? `${user} (me)` : user}
              </option>
            ))}
          </select>
          <button
            type="submit"
            className="button"
            disabled={choice === "" || assign.isPending}
            data-testid="assign-submit"
          >
            {assign.isPending && assign.variables.to !== null ? "Assigning…" : "Assign"}
          </button>
          {incident.owner !== null ? (
            <button
              type="button"
              className="button button--ghost"
              disabled={assign.isPending}
              onClick={() => assign.mutate({ id: incident.id, to: null })}
              data-testid="unassign"
            >
              Unassign
            </button>
          ) : null}
        </form>
        {assign.isError ? (
          <p className="notice notice--error" role="alert">
            Could not assign. {failureSentence(assign.error)}
          </p>
        ) : null}
      </RoleGate>
    </div>
  );
}

const KIND_LABELS: Record<TimelineEntry["kind"], string> = {
  note: "Note",
  status: "Status",
  assign: "Owner",
  review: "RCA review",
  ticket: "Ticket",
  merge: "Merge",
  split: "Split",
  move: "Alerts moved",
  reopen: "Reopened",
  cleared: "Cleared",
};

/** The note box and the incident's timeline, oldest first, newest at the bottom next to the box. */
export function IncidentTimeline({ incident }: { incident: Incident }) {
  const textId = useId();
  const timeline = useQuery(trpc.incidents.timeline.queryOptions({ id: incident.id }));
  const changed = useIncidentChanged(incident.id);
  const [text, setText] = useState("");
  const addNote = useMutation(
    trpc.incidents.addNote.mutationOptions({
      onSuccess: () => {
        setText("");
        changed();
      },
    }),
  );
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (text.trim() !== "") addNote.mutate({ id: incident.id, text });
  };
  const now = Date.now();
  return (
    <section className="card timeline" aria-labelledby="work-timeline-title" data-testid="incident-timeline">
      <h2 id="work-timeline-title">Notes and history</h2>
      {timeline.isPending ? <p className="muted">Loading the timeline…</p> : null}
      {timeline.isError ? (
        <p className="notice notice--error" role="alert">
          Could not load the timeline. {failureSentence(timeline.error)}
        </p>
      ) : null}
      {timeline.data && timeline.data.length === 0 ? (
        <p className="muted">Nothing yet: no notes, status changes or tickets.</p>
      ) : null}
      <ol className="timeline__list">
        {(timeline.data ?? []).map((entry) => (
          <li
            key={entry.source}
            className={`timeline__entry timeline__entry--${entry.kind}`}
            data-testid="timeline-entry"
            data-kind={entry.kind}
          >
            <div className="timeline__meta small">
              <span className="timeline__kind">{KIND_LABELS[entry.kind]}</span>
              <span className="mono"> {formatUtc(entry.at)}</span>
              <span className="muted"> · {formatRelative(entry.at, now)} · </span>
              <span data-testid="timeline-actor">{entry.actor}</span>
            </div>
            {entry.kind === "note" && entry.text !== undefined ? (
              <NoteText text={entry.text} />
            ) : (
              <p className="timeline__summary" data-testid="timeline-summary">
                {entry.url ? (
                  <a href={safeUrl(entry.url)} target="_blank" rel="noreferrer">
                    {entry.summary}
                  </a>
                ) : (
                  entry.summary
                )}
              </p>
            )}
          </li>
        ))}
      </ol>
      <RoleGate min="operator" action="Writing a note">
        <form className="note-form" onSubmit={onSubmit}>
          <label htmlFor={textId}>Add a note</label>
          <textarea
            id={textId}
            value={text}
            maxLength={NOTE_TEXT_MAX}
            rows={3}
            placeholder="What was checked or done (Markdown)"
            onChange={(event) => setText(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) onSubmit(event);
            }}
            data-testid="note-text-input"
          />
          <div className="note-form__actions">
            <span className="muted small">Markdown; Ctrl+Enter adds it.</span>
            <button
              type="submit"
              className="button button--primary"
              disabled={text.trim() === "" || addNote.isPending}
              data-testid="note-submit"
            >
              {addNote.isPending ? "Adding…" : "Add note"}
            </button>
          </div>
          {addNote.isError ? (
            <p className="notice notice--error" role="alert">
              Could not add the note. {failureSentence(addNote.error)}
            </p>
          ) : null}
        </form>
      </RoleGate>
    </section>
  );
}
