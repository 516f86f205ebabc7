/**
 * The audit trail: every RCA review and incident status change, filtered from the URL, with a check that the
 * hash chain is unbroken (no event edited or removed since it was written).
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type AuditEvent, REVIEW_DECISIONS } from "@teleops/schema";
import { type FormEvent, type ReactNode, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { categoryTitle } from "../components/RcaPanel.tsx";
import { EmptyState, ErrorState, LoadingState } from "../components/StateViews.tsx";
import { failureSentence } from "../lib/errors.ts";
import { formatUtc } from "../lib/format.ts";
import { useDocumentTitle } from "../lib/useDocumentTitle.ts";
import { type RouterInputs, trpc } from "../trpc.ts";
import "../rca.css";

const PAGE_SIZE = 100;
const FILTER_KEYS = ["incident", "decision", "actor", "from", "to"] as const;
type FilterKey = (typeof FILTER_KEYS)[number];
type Filters = Record<FilterKey, string>;

/** `datetime-local` gives a time without a zone; the page works in UTC like the rest of TeleOps. */
function utcIso(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(`${local}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function toQuery(filters: Filters, cursor: number | undefined): RouterInputs["audit"]["list"] {
  const decision = REVIEW_DECISIONS.find((d) => d === filters.decision);
  return {
    incidentId: filters.incident.trim() || undefined,
    decision,
    actor: filters.actor.trim() || undefined,
    from: utcIso(filters.from),
    to: utcIso(filters.to),
    cursor,
    limit: PAGE_SIZE,
  };
}

function describeEvent(event: AuditEvent): ReactNode {
  const details = event.details;
  const text = (key: string) => (typeof details[key] === "string" ? String(details[key]) : null);
  if (event.action === "rca.review") {
    const component = text("root_component");
    return (
      <>
        <strong data-testid="audit-decision">{text("decision") ?? "reviewed"}</strong> the {text("engine") ?? ""} result
        {text("category") ? (
          <>
            {" "}
            ({categoryTitle(text("category") ?? "")}
            {component ? (
              <>
                {" at "}
                <span className="mono">{component}</span>
              </>
            ) : null}
            )
          </>
        ) : null}
        {text("notes") ? <span className="muted"> — “{text("notes")}”</span> : null}
      </>
    );
  }
  if (event.action === "incident.status") {
    return (
      <>
        status {text("from") ?? "?"} → <strong>{text("to") ?? "?"}</strong>
        {text("reason") ? <span className="muted"> — {text("reason")}</span> : null}
        {details.bulk === true ? <span className="muted"> (bulk action)</span> : null}
      </>
    );
  }
  if (event.action === "incident.reopen") {
    return (
      <>
        <strong>reopened</strong>
        {text("reason") ? <span className="muted"> — {text("reason")}</span> : null}
      </>
    );
  }
  if (event.action === "incident.assign") {
    return text("to") ? (
      <>
        assigned to <strong>{text("to")}</strong>
      </>
    ) : (
      <>unassigned{text("from") ? <span className="muted"> (was {text("from")})</span> : null}</>
    );
  }
  if (event.action === "incident.note") {
    return <>added a note</>;
  }
  const ids = (key: string) => {
    const value = details[key];
    return Array.isArray(value) ? value.map(String).join(", ") : text(key);
  };
  if (event.action === "incident.merge") {
    return text("into") ? (
      <>
        merged into <strong className="mono">{text("into")}</strong>
      </>
    ) : (
      <>
        merged <span className="mono">{ids("from")}</span> into this incident
      </>
    );
  }
  if (event.action === "incident.split") {
    return (
      <>
        split alerts <span className="mono">{ids("alert_ids")}</span> into{" "}
        <strong className="mono">{text("into")}</strong>
      </>
    );
  }
  if (event.action === "incident.move_alerts") {
    return (
      <>
        moved alerts <span className="mono">{ids("alert_ids")}</span> here from{" "}
        <span className="mono">{text("from")}</span>
      </>
    );
  }
  if (event.action === "topology.import") {
    const count = (key: string) => (typeof details[key] === "number" ? String(details[key]) : "?");
    return (
      <>
        replaced the topology: <strong>{count("devices")}</strong> devices, {count("links")} links from{" "}
        {text("source") ?? "?"}
      </>
    );
  }
  if (event.action === "silence.create" || event.action === "silence.expire") {
    const matchers = Array.isArray(details.matchers)
      ? details.matchers
          .map((m) => (m && typeof m === "object" ? `${m.name ?? ""}${m.op ?? ""}${m.value ?? ""}` : ""))
          .join(", ")
      : "";
    return (
      <>
        {event.action === "silence.create" ? "created" : "expired"} silence{" "}
        <span className="mono">{event.entity_id}</span> (<span className="mono">{matchers}</span>)
        {event.action === "silence.create" && text("ends_at") ? <> until {text("ends_at")}</> : null}
        {text("comment") ? <span className="muted"> — “{text("comment")}”</span> : null}
      </>
    );
  }
  return <span className="mono small">{JSON.stringify(details)}</span>;
}

function VerifyBanner() {
  const verify = useQuery(trpc.audit.verify.queryOptions());
  let message: ReactNode;
  let tone = "";
  if (verify.isPending) message = "Verifying the hash chain…";
  else if (verify.isError) {
    message = `Could not verify the chain. ${failureSentence(verify.error)}`;
    tone = "audit__banner--broken";
  } else if (verify.data.ok) {
    message = (
      <>
        <strong>Chain verified.</strong>{" "}
        {verify.data.checked === 0
          ? "No events yet."
          : verify.data.checked === 1
            ? "The 1 event is intact: not edited or removed."
            : `All ${verify.data.checked} events are intact: none was edited or removed.`}
      </>
    );
    tone = "audit__banner--ok";
  } else {
    message = (
      <>
        <strong>Chain broken at event #{verify.data.first_broken?.id}.</strong> {verify.data.first_broken?.reason}.
        Checked {verify.data.checked} event{verify.data.checked === 1 ? "" : "s"}.
      </>
    );
    tone = "audit__banner--broken";
  }
  return (
    <div className={`audit__banner ${tone}`} role="status" data-testid="audit-verify">
      <span>{message}</span>
      <button type="button" className="button" disabled={verify.isFetching} onClick={() => void verify.refetch()}>
        {verify.isFetching ? "Verifying…" : "Verify chain"}
      </button>
    </div>
  );
}

function FilterForm({ filters, onApply }: { filters: Filters; onApply: (next: Filters) => void }) {
  const [draft, setDraft] = useState(filters);
  const set = (key: FilterKey) => (event: { target: { value: string } }) =>
    setDraft({ ...draft, [key]: event.target.value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };
  const empty: Filters = { incident: "", decision: "", actor: "", from: "", to: "" };
  return (
    <form className="audit__filters" onSubmit={submit} aria-label="Filter the audit trail">
      <div className="field">
        <label htmlFor="audit-incident">Incident</label>
        <input id="audit-incident" value={draft.incident} onChange={set("incident")} placeholder="INC-000001" />
      </div>
      <div className="field">
        <label htmlFor="audit-decision">Decision</label>
        <select id="audit-decision" value={draft.decision} onChange={set("decision")}>
          <option value="">any</option>
          {REVIEW_DECISIONS.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-actor">Reviewer / actor</label>
        <input id="audit-actor" value={draft.actor} onChange={set("actor")} placeholder="name" />
      </div>
      <div className="field">
        <label htmlFor="audit-from">From (UTC)</label>
        <input id="audit-from" type="datetime-local" value={draft.from} onChange={set("from")} />
      </div>
      <div className="field">
        <label htmlFor="audit-to">To (UTC)</label>
        <input id="audit-to" type="datetime-local" value={draft.to} onChange={set("to")} />
      </div>
      <div className="actions">
        <button type="submit" className="button button--primary">
          Apply
        </button>
        <button
          type="button"
          className="button button--ghost"
          onClick={() => {
            setDraft(empty);
            onApply(empty);
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}

export function Audit() {
  useDocumentTitle("Audit trail");
  const [params, setParams] = useSearchParams();
  const filters = Object.fromEntries(FILTER_KEYS.map((key) => [key, params.get(key) ?? ""])) as Filters;
  const [cursors, setCursors] = useState<number[]>([]);
  const cursor = cursors[cursors.length - 1];
  const query = useQuery(trpc.audit.list.queryOptions(toQuery(filters, cursor), { placeholderData: keepPreviousData }));
  const apply = (next: Filters) => {
    setCursors([]);
    setParams(Object.fromEntries(Object.entries(next).filter(([, value]) => value !== "")), { replace: true });
  };

  let body: ReactNode;
  if (query.isPending) body = <LoadingState label="Loading the audit trail…" />;
  else if (query.isError && !query.data)
    body = (
      <ErrorState what="Could not load the audit trail." error={query.error} onRetry={() => void query.refetch()} />
    );
  else if (query.data.events.length === 0)
    body = Object.values(filters).some((value) => value !== "") ? (
      <EmptyState title="No audit events match these filters.">
        <p>Widen the time range or clear the filters.</p>
      </EmptyState>
    ) : (
      <EmptyState title="No audit events yet.">
        <p>
          Acknowledging or resolving an incident, and accepting or rejecting an RCA result, is recorded here. Open an
          incident from the <Link to="/">queue</Link> and run the baseline RCA to start.
        </p>
      </EmptyState>
    );
  else
    body = (
      <>
        <div className="table-wrap">
          <table className="table" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Actor</th>
                <th scope="col">Incident</th>
                <th scope="col">What happened</th>
                <th scope="col">Hash</th>
              </tr>
            </thead>
            <tbody>
              {query.data.events.map((event) => (
                <tr key={event.id} data-testid="audit-row">
                  <td className="num mono">{event.id}</td>
                  <td className="mono nowrap">{formatUtc(event.at)}</td>
                  <td className="nowrap" data-testid="audit-actor">
                    {event.actor}
                  </td>
                  <td className="mono nowrap">
                    {event.incident_id ? <Link to={`/incidents/${event.incident_id}`}>{event.incident_id}</Link> : "—"}
                  </td>
                  <td>{describeEvent(event)}</td>
                  <td className="audit__hash" title={`hash ${event.hash}\nprev ${event.prev_hash}`}>
                    {event.hash.slice(0, 12)}…
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="actions">
          <button
            type="button"
            className="button"
            disabled={cursors.length === 0}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            Newer
          </button>
          <button
            type="button"
            className="button"
            disabled={query.data.nextCursor === null}
            onClick={() => query.data.nextCursor !== null && setCursors([...cursors, query.data.nextCursor])}
          >
            Older
          </button>
        </div>
      </>
    );

  return (
    <section className="page" aria-labelledby="audit-title">
      <div className="page__header">
        <div>
          <h1 id="audit-title">Audit trail</h1>
          <p className="lead">
            Reviews and status changes, newest first. Each event carries the hash of the one before it, so an edit or a
            deletion shows up as a broken chain.
          </p>
        </div>
      </div>
      <VerifyBanner />
      <section className="card">
        <FilterForm key={params.toString()} filters={filters} onApply={apply} />
        {body}
      </section>
    </section>
  );
}
