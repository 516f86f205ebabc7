/** One RCA run's LLM trace: what left the process (redacted), what came back, and how it was parsed. */
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { ErrorState, LoadingState } from "../components/StateViews.tsx";
import { formatCount, formatUtc } from "../lib/format.ts";
import { useDocumentTitle } from "../lib/useDocumentTitle.ts";
import { trpc } from "../trpc.ts";
import "../rca.css";

export function LlmTrace() {
  const { artifactId = "" } = useParams();
  useDocumentTitle(`LLM trace ${artifactId.slice(0, 8)}`);
  const query = useQuery(trpc.rca.byId.queryOptions({ id: artifactId }));
  if (query.isPending) return <LoadingState label="Loading the trace…" />;
  if (query.isError) {
    return (
      <section className="page">
        <ErrorState
          what={`Could not load RCA run ${artifactId}.`}
          error={query.error}
          onRetry={() => void query.refetch()}
        />
      </section>
    );
  }
  const artifact = query.data;
  const trace = artifact.trace;
  return (
    <section className="page" aria-labelledby="trace-title">
      <Link className="back-link" to={`/incidents/${artifact.incident_id}`}>
        ← {artifact.incident_id}
      </Link>
      <div className="page__header">
        <div>
          <p className="eyebrow mono">{artifact.id}</p>
          <h1 id="trace-title">LLM trace</h1>
          <p className="lead">
            {artifact.engine} run on {artifact.incident_id} by {artifact.created_by} at {formatUtc(artifact.created_at)}{" "}
            UTC. The prompt is stored as it was sent: addresses, e-mails and subscriber numbers already replaced.
          </p>
        </div>
      </div>
      {!trace ? (
        <p className="notice" data-testid="trace-none">
          This run has no LLM trace: the {artifact.engine} engine does not call a model.
        </p>
      ) : (
        <>
          <section className="card" aria-label="Outcome">
            <dl className="trace__facts" data-testid="trace-facts">
              <div>
                <dt>Status</dt>
                <dd>{artifact.status}</dd>
              </div>
              <div>
                <dt>Model</dt>
                <dd className="mono">{artifact.model ?? "—"}</dd>
              </div>
              <div>
                <dt>Parse outcome</dt>
                <dd className="mono" data-testid="trace-parse-outcome">
                  {trace.parse_outcome}
                </dd>
              </div>
              <div>
                <dt>Attempts</dt>
                <dd>{trace.attempts}</dd>
              </div>
              <div>
                <dt>Latency</dt>
                <dd data-testid="trace-latency">{formatCount(Math.round(trace.latency_ms))} ms</dd>
              </div>
              <div>
                <dt>Tokens in / out</dt>
                <dd data-testid="trace-tokens">
                  {trace.prompt_tokens ?? "—"} / {trace.completion_tokens ?? "—"}
                </dd>
              </div>
            </dl>
            {trace.error ? <p className="notice notice--error">{trace.error}</p> : null}
          </section>
          <section className="card" aria-labelledby="trace-prompt">
            <h2 id="trace-prompt">Redacted prompt</h2>
            <pre className="rca__pre small" data-testid="trace-prompt">
              {trace.redacted_prompt}
            </pre>
          </section>
          <section className="card" aria-labelledby="trace-response">
            <h2 id="trace-response">Raw response</h2>
            {trace.raw_response === null ? (
              <p className="muted">No response arrived.</p>
            ) : (
              <pre className="rca__pre small" data-testid="trace-response">
                {trace.raw_response}
              </pre>
            )}
          </section>
        </>
      )}
    </section>
  );
}
