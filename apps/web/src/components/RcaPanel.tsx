/**
 * Root-cause analysis on the incident page: run the baseline and the LLM engine, compare their latest artifacts
 * side by side, point at the alerts each hypothesis cites, and accept or reject an artifact with notes.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Hypothesis, Incident, RcaArtifact, RcaEngine, RunbookChunkRef } from "@teleops/schema";
import { type ReactNode, useState } from "react";
import { Link } from "react-router";
import { failureSentence } from "../lib/errors.ts";
import { formatRelative, formatUtc, humanize } from "../lib/format.ts";
import { type RouterOutputs, trpc } from "../trpc.ts";
import { ErrorState, LoadingState } from "./StateViews.tsx";
import "../rca.css";
import { useCan } from "../lib/session.ts";
import { RoleGate } from "./RoleGate.tsx";

type Engines = RouterOutputs["rca"]["engines"];

const ACRONYMS: Record<string, string> = {
  bgp: "BGP",
  dns: "DNS",
  mpls: "MPLS",
  vpn: "VPN",
  cdn: "CDN",
  ddos: "DDoS",
  isp: "ISP",
};

/** `mpls_vpn_leak` → `MPLS VPN leak`. */
export function categoryTitle(category: string): string {
  return humanize(category)
    .split(" ")
    .map((word) => ACRONYMS[word.toLowerCase()] ?? word)
    .join(" ");
}

const ENGINE_TITLE: Record<RcaEngine, string> = { baseline: "Baseline engine", llm: "LLM engine" };
const STATUS_LABEL: Record<RcaArtifact["status"], string> = {
  pending_review: "Pending review",
  accepted: "Accepted",
  rejected: "Rejected",
  failed: "Failed",
};

export interface RcaPanelProps {
  incident: Incident;
  /** Alert ids currently highlighted in the incident's timeline and table. */
  highlighted: ReadonlySet<number>;
  onHighlight: (ids: ReadonlySet<number>) => void;
}

export function RcaPanel({ incident, highlighted, onHighlight }: RcaPanelProps) {
  const incidentId = incident.id;
  const queryClient = useQueryClient();
  const engines = useQuery(trpc.rca.engines.queryOptions());
  const baseline = useQuery(trpc.rca.latest.queryOptions({ incidentId, engine: "baseline" }));
  const llm = useQuery(trpc.rca.latest.queryOptions({ incidentId, engine: "llm" }));
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.rca.pathKey() });
  };
  const run = useMutation(
    trpc.rca.run.mutationOptions({
      onSuccess: (artifact) => {
        const top = artifact.hypotheses[0];
        if (top) onHighlight(new Set(top.evidence.alert_ids));
      },
      // A failed LLM run is stored too: refresh either way so its column shows the failure and its trace.
      onSettled: refresh,
    }),
  );
  const llmConfigured = engines.data?.llm.configured ?? false;

  return (
    <section className="card rca" aria-labelledby="rca-title" data-testid="rca-panel">
      <div className="card__header">
        <h2 id="rca-title">Root-cause analysis</h2>
        <RoleGate min="operator" action="Running an RCA engine">
          <div className="actions">
            <button
              type="button"
              className="button button--primary"
              disabled={run.isPending}
              onClick={() => run.mutate({ incidentId, engine: "baseline" })}
              data-testid="rca-run-baseline"
            >
              {run.isPending && run.variables.engine === "baseline" ? "Running baseline…" : "Run baseline"}
            </button>
            <button
              type="button"
              className="button"
              disabled={run.isPending || !llmConfigured}
              title={llmConfigured ? undefined : "The LLM engine is not configured on this server"}
              onClick={() => run.mutate({ incidentId, engine: "llm" })}
              data-testid="rca-run-llm"
            >
              {run.isPending && run.variables.engine === "llm" ? "Asking the LLM…" : "Run LLM"}
            </button>
          </div>
        </RoleGate>
      </div>
      {incident.suspected_category ? (
        <p className="notice rca__accepted" data-testid="rca-suspected">
          <strong>Accepted root cause:</strong> {categoryTitle(incident.suspected_category)}
          {incident.suspected_component ? (
            <>
              {" at "}
              <span className="mono">{incident.suspected_component}</span>
            </>
          ) : null}{" "}
          — {incident.suspected_root_cause}
        </p>
      ) : null}
      {run.isError ? (
        <p className="notice notice--error" role="alert" data-testid="rca-run-error">
          The {run.variables?.engine === "llm" ? "LLM" : "baseline"} run failed. {failureSentence(run.error)}
        </p>
      ) : null}
      {highlighted.size > 0 ? (
        <p className="notice rca__highlight-note">
          {highlighted.size} cited alert{highlighted.size === 1 ? " is" : "s are"} highlighted in the timeline and the
          alert table below.{" "}
          <button type="button" className="link-button" onClick={() => onHighlight(new Set())}>
            Clear highlight
          </button>
        </p>
      ) : null}
      <div className="rca__columns">
        <EngineColumn
          engine="baseline"
          query={baseline}
          engines={engines.data}
          highlighted={highlighted}
          onHighlight={onHighlight}
        />
        <EngineColumn
          engine="llm"
          query={llm}
          engines={engines.data}
          highlighted={highlighted}
          onHighlight={onHighlight}
        />
      </div>
    </section>
  );
}

interface ColumnQuery {
  data: RcaArtifact | null | undefined;
  isPending: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => unknown;
}

function EngineColumn({
  engine,
  query,
  engines,
  highlighted,
  onHighlight,
}: {
  engine: RcaEngine;
  query: ColumnQuery;
  engines: Engines | undefined;
  highlighted: ReadonlySet<number>;
  onHighlight: (ids: ReadonlySet<number>) => void;
}) {
  const artifact = query.data;
  let body: ReactNode;
  if (query.isPending) body = <LoadingState label="Loading the latest result…" />;
  else if (query.isError)
    body = (
      <ErrorState what="Could not load the latest result." error={query.error} onRetry={() => void query.refetch()} />
    );
  else if (!artifact && engine === "llm" && engines && !engines.llm.configured)
    body = <LlmNotConfigured engines={engines} />;
  else if (!artifact)
    body = (
      <p className="muted rca__empty">
        Not run on this incident yet. Press <strong>Run {engine === "llm" ? "LLM" : "baseline"}</strong>.
      </p>
    );
  else body = <ArtifactView artifact={artifact} highlighted={highlighted} onHighlight={onHighlight} />;

  return (
    <section className="rca__column" aria-label={ENGINE_TITLE[engine]} data-testid={`rca-column-${engine}`}>
      <h3 className="rca__engine">
        {ENGINE_TITLE[engine]}
        {artifact?.model ? <span className="muted small mono"> · {artifact.model}</span> : null}
      </h3>
      {artifact && engine === "llm" && engines && !engines.llm.configured ? (
        <p className="muted small">The LLM engine is not configured now; this result is from an earlier run.</p>
      ) : null}
      {body}
    </section>
  );
}

function LlmNotConfigured({ engines }: { engines: Engines }) {
  return (
    <div className="rca__not-configured" data-testid="llm-not-configured">
      <p className="rca__not-configured-title">LLM engine not configured</p>
      <p className="small">{engines.llm.how_to_configure}</p>
      <pre className="rca__pre small">
        {`LLM_BASE_URL=http://127.0.0.1:11434/v1   # any OpenAI-compatible endpoint
LLM_MODEL=llama3.1:8b
LLM_API_KEY=…                            # if the endpoint needs one
LLM_TIMEOUT_MS=60000`}
      </pre>
      <p className="muted small">Set these in the server's environment and restart it.</p>
    </div>
  );
}

function ArtifactView({
  artifact,
  highlighted,
  onHighlight,
}: {
  artifact: RcaArtifact;
  highlighted: ReadonlySet<number>;
  onHighlight: (ids: ReadonlySet<number>) => void;
}) {
  const chunks = new Map(artifact.retrieval.map((chunk) => [chunk.id, chunk]));
  return (
    <div className="rca__artifact" data-testid="rca-artifact" data-status={artifact.status}>
      <p className="rca__meta small">
        <span className={`badge rca__status rca__status--${artifact.status}`} data-testid="rca-status">
          {STATUS_LABEL[artifact.status]}
        </span>{" "}
        run by {artifact.created_by}{" "}
        <span title={formatUtc(artifact.created_at)}>{formatRelative(artifact.created_at)}</span> in{" "}
        {artifact.duration_ms} ms
        {artifact.trace ? (
          <>
            {" · "}
            <Link to={`/rca/${artifact.id}/trace`} data-testid="rca-trace-link">
              LLM trace
            </Link>
          </>
        ) : null}
      </p>
      {artifact.error ? (
        <p className="notice notice--error" data-testid="rca-artifact-error">
          {artifact.error}
        </p>
      ) : null}
      {artifact.hypotheses.length > 0 ? (
        <ol className="rca__hypotheses">
          {artifact.hypotheses.map((hypothesis) => (
            <HypothesisCard
              key={hypothesis.rank}
              hypothesis={hypothesis}
              chunks={chunks}
              highlighted={highlighted}
              onHighlight={onHighlight}
            />
          ))}
        </ol>
      ) : artifact.status !== "failed" ? (
        <p className="muted">The engine found no hypothesis.</p>
      ) : null}
      <RunbookExcerpts retrieval={artifact.retrieval} />
      <Review artifact={artifact} />
    </div>
  );
}

function sameIds(a: ReadonlySet<number>, b: number[]): boolean {
  return a.size === b.length && b.every((id) => a.has(id));
}

function HypothesisCard({
  hypothesis,
  chunks,
  highlighted,
  onHighlight,
}: {
  hypothesis: Hypothesis;
  chunks: Map<string, RunbookChunkRef>;
  highlighted: ReadonlySet<number>;
  onHighlight: (ids: ReadonlySet<number>) => void;
}) {
  const percent = Math.round(hypothesis.confidence * 100);
  const cited = hypothesis.evidence.alert_ids;
  const active = cited.length > 0 && sameIds(highlighted, cited);
  const counts = Object.entries(hypothesis.evidence.counts_by_type).sort((a, b) => b[1] - a[1]);
  // The top hypothesis shows everything; the runners-up keep their evidence one click away.
  const details = (
    <>
      {hypothesis.evidence.notes.length > 0 ? (
        <>
          <h4 className="rca__subtitle">Evidence</h4>
          <ul className="rca__notes" data-testid="rca-evidence">
            {hypothesis.evidence.notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </>
      ) : null}
      {counts.length > 0 ? (
        <p className="taglist">
          {counts.map(([type, n]) => (
            <span
              key={type}
              className="tag mono small"
              title={`first seen ${hypothesis.evidence.first_seen[type] ?? "?"}`}
            >
              {type} × {n}
            </span>
          ))}
        </p>
      ) : null}
      {hypothesis.remediation_steps.length > 0 ? (
        <>
          <h4 className="rca__subtitle">Remediation</h4>
          <ol className="steps small" data-testid="rca-remediation">
            {hypothesis.remediation_steps.map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
        </>
      ) : null}
      {hypothesis.runbook_refs.length > 0 ? (
        <p className="small muted">
          Runbooks:{" "}
          {hypothesis.runbook_refs.map((ref, i) => {
            const chunk = chunks.get(ref);
            return (
              <span key={ref}>
                {i > 0 ? ", " : ""}
                <Link className="mono" to={runbookHref(ref)} data-testid="rca-runbook-link">
                  {chunk ? `${chunk.file} › ${chunk.heading}` : ref}
                </Link>
              </span>
            );
          })}
        </p>
      ) : null}
    </>
  );
  return (
    <li className="rca__hypothesis" data-testid="rca-hypothesis">
      <div className="rca__hypothesis-head">
        <span className="rca__rank">#{hypothesis.rank}</span>
        <span className="rca__category" data-testid="rca-category">
          {categoryTitle(hypothesis.category)}
        </span>
        {hypothesis.root_component ? (
          <span className="tag mono" data-testid="rca-component">
            {hypothesis.root_component}
          </span>
        ) : (
          <span className="muted small">component unknown</span>
        )}
      </div>
      <div className="rca__confidence">
        <span className="rca__bar" aria-hidden="true">
          <span className="rca__bar-fill" style={{ width: `${percent}%` }} />
        </span>
        <span className="small" data-testid="rca-confidence">
          {percent}% confidence
        </span>
      </div>
      <p className="rca__text" data-testid="rca-hypothesis-text">
        {hypothesis.hypothesis}
      </p>
      {cited.length > 0 ? (
        <p className="small">
          Cites {cited.length} alert{cited.length === 1 ? "" : "s"}{" "}
          <span className="mono muted">
            ({cited.slice(0, 8).join(", ")}
            {cited.length > 8 ? ", …" : ""})
          </span>{" "}
          <button
            type="button"
            className="link-button"
            aria-pressed={active}
            onClick={() => onHighlight(active ? new Set() : new Set(cited))}
            data-testid="rca-highlight"
          >
            {active ? "Clear highlight" : "Highlight them"}
          </button>
        </p>
      ) : null}
      {hypothesis.rank === 1 ? (
        details
      ) : (
        <details className="rca__more">
          <summary className="small">Evidence and remediation</summary>
          {details}
        </details>
      )}
    </li>
  );
}

const RUNBOOKS_SHOWN = 3;

/** The SPA's view of a cited runbook section: `fiber_cut#diagnosis` → `/runbooks/fiber_cut/diagnosis`. */
function runbookHref(ref: string): string {
  const [runbook = "", section = ""] = ref.split("#");
  return `/runbooks/${encodeURIComponent(runbook)}/${encodeURIComponent(section)}`;
}

function RunbookSection({ chunk }: { chunk: RunbookChunkRef }) {
  return (
    <li className="rca__runbook" data-testid="rca-runbook">
      <p className="small">
        <Link to={runbookHref(chunk.id)} data-testid="rca-runbook-section-link">
          <span className="mono">{chunk.file}</span> › <strong>{chunk.heading}</strong>
        </Link>{" "}
        <span className="muted">score {chunk.score.toFixed(1)}</span>
      </p>
      {chunk.excerpt ? <blockquote className="rca__excerpt small">{chunk.excerpt}</blockquote> : null}
    </li>
  );
}

/** The best-matching runbook sections with their excerpts; the rest of the retrieval one click away. */
function RunbookExcerpts({ retrieval }: { retrieval: RunbookChunkRef[] }) {
  if (retrieval.length === 0) return null;
  const rest = retrieval.slice(RUNBOOKS_SHOWN);
  return (
    <section className="rca__runbooks" data-testid="rca-runbooks">
      <h4 className="rca__subtitle">Runbook excerpts</h4>
      <ul className="rca__runbook-list">
        {retrieval.slice(0, RUNBOOKS_SHOWN).map((chunk) => (
          <RunbookSection key={chunk.id} chunk={chunk} />
        ))}
      </ul>
      {rest.length > 0 ? (
        <details className="rca__more">
          <summary className="small">{rest.length} more retrieved sections</summary>
          <ul className="rca__runbook-list">
            {rest.map((chunk) => (
              <RunbookSection key={chunk.id} chunk={chunk} />
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}

function Review({ artifact }: { artifact: RcaArtifact }) {
  const queryClient = useQueryClient();
  const [notes, setNotes] = useState("");
  const canReview = useCan("operator");
  const review = useMutation(
    trpc.rca.review.mutationOptions({
      onSettled: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.rca.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.incidents.byId.queryKey({ id: artifact.incident_id }) });
        void queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() });
      },
    }),
  );
  if (artifact.reviewed_at) {
    return (
      <div className="rca__review rca__review--done" data-testid="rca-review-done">
        <p className="small">
          <strong>{STATUS_LABEL[artifact.status]}</strong> by {artifact.reviewer} on{" "}
          <span className="mono">{formatUtc(artifact.reviewed_at)}</span> UTC
        </p>
        {artifact.review_notes ? <p className="small rca__review-notes">“{artifact.review_notes}”</p> : null}
      </div>
    );
  }
  if (!canReview) {
    return (
      <p className="muted small rca__review" data-testid="role-note">
        Awaiting review: reviewing needs the operator role.
      </p>
    );
  }
  const noteId = `review-notes-${artifact.id}`;
  return (
    <form
      className="rca__review"
      onSubmit={(event) => event.preventDefault()}
      aria-label={`Review the ${artifact.engine} result`}
    >
      <label htmlFor={noteId} className="small">
        Review notes
      </label>
      <textarea
        id={noteId}
        className="rca__notes-input"
        rows={2}
        maxLength={4000}
        value={notes}
        onChange={(event) => setNotes(event.target.value)}
        placeholder="What you checked, e.g. “BGP neighbor log confirms hold-timer expiry”"
        data-testid="rca-review-notes"
      />
      <div className="actions">
        <button
          type="button"
          className="button button--primary"
          disabled={review.isPending || artifact.status === "failed" || artifact.hypotheses.length === 0}
          title={artifact.status === "failed" ? "A failed run cannot be accepted" : undefined}
          onClick={() => review.mutate({ artifactId: artifact.id, decision: "accepted", notes })}
          data-testid="rca-accept"
        >
          Accept
        </button>
        <button
          type="button"
          className="button"
          disabled={review.isPending}
          onClick={() => review.mutate({ artifactId: artifact.id, decision: "rejected", notes })}
          data-testid="rca-reject"
        >
          Reject
        </button>
        <span className="muted small">Accepting sets the incident's suspected root cause.</span>
      </div>
      {review.isError ? (
        <p className="notice notice--error" role="alert">
          Could not record the review. {failureSentence(review.error)}
        </p>
      ) : null}
    </form>
  );
}
