/**
 * The Evaluation page's correlation panel: the server's labelled streams scored against their truth, F1 per
 * stream against the target and the figures behind it.
 */
import { useQuery } from "@tanstack/react-query";
import type { CorrelationEvaluation, CorrelationScore } from "@teleops/schema";
import { lazy, type ReactNode, Suspense } from "react";
import { formatPercent } from "../lib/format.ts";
import { trpc, trpcClient } from "../trpc.ts";
import { EmptyState, ErrorState, LoadingState } from "./StateViews.tsx";

const CorrelationF1Chart = lazy(() =>
  import("./EvaluationCharts.tsx").then((module) => ({ default: module.CorrelationF1Chart })),
);

const ratio = (value: number | null) => (value === null ? "—" : formatPercent(value));
const decimal = (value: number | null, digits: number) => (value === null ? "—" : value.toFixed(digits));

function Figures({ score }: { score: CorrelationScore }) {
  return (
    <>
      <td>{score.alerts}</td>
      <td>{score.truth_incidents}</td>
      <td>{score.incidents}</td>
      <td>{score.precision.toFixed(3)}</td>
      <td>{score.recall.toFixed(3)}</td>
      <td>{score.f1.toFixed(3)}</td>
      <td>{score.phantom}</td>
      <td>{score.split_truths}</td>
      <td>{score.merged_truths}</td>
      <td>{decimal(score.compression, 1)}</td>
      <td>{ratio(score.unassigned_share)}</td>
      <td>{ratio(score.noise_in_incidents)}</td>
    </>
  );
}

function CorrelationTable({ report }: { report: CorrelationEvaluation }) {
  return (
    <div className="table-wrap table-wrap--scroll">
      <table className="table" data-testid="correlation-streams">
        <thead>
          <tr>
            <th scope="col">Stream</th>
            <th scope="col">Alerts</th>
            <th scope="col">True incidents</th>
            <th scope="col">Found</th>
            <th scope="col">Precision</th>
            <th scope="col">Recall</th>
            <th scope="col">F1</th>
            <th scope="col">Phantom</th>
            <th scope="col">Split</th>
            <th scope="col">Merged</th>
            <th scope="col">Compression</th>
            <th scope="col">Unassigned</th>
            <th scope="col">Noise in incidents</th>
          </tr>
        </thead>
        <tbody>
          {report.streams.map((stream) => (
            <tr key={stream.file}>
              <td className="mono evaluation__stream" title={stream.description}>
                {stream.name}
                {stream.errors.length > 0 ? (
                  <span className="evaluation__sub"> · {stream.errors.length} unreadable lines</span>
                ) : null}
              </td>
              <Figures score={stream} />
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <td>All streams (micro-averaged)</td>
            <Figures score={report.overall} />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

export function CorrelationQuality() {
  // `correlation.evaluate` is a mutation only so that clients can send large streams; scoring the server's
  // corpus changes nothing, so the page reads it like a query (cached, retried, refetched on demand).
  const evaluation = useQuery({
    queryKey: [...trpc.correlation.evaluate.mutationKey(), "corpus"],
    queryFn: () => trpcClient.correlation.evaluate.mutate(),
    staleTime: 60_000,
    refetchOnWindowFocus: false,
  });

  let body: ReactNode;
  if (evaluation.isPending) body = <LoadingState label="Correlating the labelled streams…" />;
  else if (evaluation.isError)
    body = (
      <ErrorState
        what="Could not score the correlation streams."
        error={evaluation.error}
        onRetry={() => void evaluation.refetch()}
      />
    );
  else if (evaluation.data.streams.length === 0)
    body = (
      <EmptyState title="The server has no labelled streams to score. Add some to fixtures/correlation (see its FORMAT.md), or score your own: teleops evaluate --correlation FILE" />
    );
  else {
    const report = evaluation.data;
    const { targets } = report;
    body = (
      <>
        <Suspense fallback={<LoadingState label="Loading chart…" />}>
          <CorrelationF1Chart streams={report.streams} target={targets.f1} />
        </Suspense>
        <p className={targets.met ? "notice" : "notice notice--error"} data-testid="correlation-targets">
          Targets on every stream — F1 ≥ {targets.f1}, incidents within ±{targets.incident_count_tolerance * 100}% of
          the truth, phantom incidents ≤ {targets.phantom_share * 100}%: {targets.met ? "met" : "not met"}
          {targets.met ? "." : ` (${targets.failures.length} misses).`}
        </p>
        <p className="evaluation__sub" data-testid="correlation-summary">
          Mean F1 over streams (each counted once): {decimal(report.overall.macro_f1, 3)}
          {report.overall.worst_stream
            ? ` · worst: ${report.overall.worst_stream.name} (F1 ${report.overall.worst_stream.f1.toFixed(3)})`
            : ""}
          . The micro-averaged row weighs each stream by its pairs of alerts.
        </p>
        <CorrelationTable report={report} />
      </>
    );
  }

  return (
    <section className="card" aria-labelledby="correlation-quality-title" data-testid="correlation-quality">
      <h2 id="correlation-quality-title">Correlation quality</h2>
      <p className="evaluation__intro">
        The correlator on the server's labelled streams, with no topology unless a stream brings one. F1 counts pairs of
        alerts put together; compression is alerts in incidents per incident; unassigned is the share left in no
        incident. See <code>docs/evaluation/correlation.md</code>.
      </p>
      {body}
    </section>
  );
}
