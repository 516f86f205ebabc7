/**
 * Evaluation: score the RCA engines on the shipped hand-labelled set or on generated scenarios, read one run in
 * detail, follow the mean score over every stored run, and see how well the correlator groups labelled streams.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { EVALUATION_ENGINES, type EvaluationEngineChoice, SYNTHETIC_CASES_MAX } from "@teleops/schema";
import { type FormEvent, lazy, type ReactNode, Suspense, useState } from "react";
import { EvaluationResult } from "../components/EvaluationResult.tsx";
import { EmptyState, ErrorState, LoadingState } from "../components/StateViews.tsx";
import { failureSentence } from "../lib/errors.ts";
import { formatUtc } from "../lib/format.ts";
import { useDocumentTitle } from "../lib/useDocumentTitle.ts";
import { trpc } from "../trpc.ts";
import "../evaluation.css";
import { RoleGate } from "../components/RoleGate.tsx";

// Below the fold and only on this page: kept out of the initial bundle like the charts.
const CorrelationQuality = lazy(() =>
  import("../components/CorrelationQuality.tsx").then((module) => ({ default: module.CorrelationQuality })),
);
const TrendChart = lazy(() =>
  import("../components/EvaluationCharts.tsx").then((module) => ({ default: module.TrendChart })),
);

type Source = "manual" | "synthetic";

function RunForm({ onDone }: { onDone: (id: string) => void }) {
  const queryClient = useQueryClient();
  const [source, setSource] = useState<Source>("manual");
  const [engine, setEngine] = useState<EvaluationEngineChoice>("all");
  const [count, setCount] = useState("110");
  const run = useMutation(
    trpc.evaluation.run.mutationOptions({
      onSuccess: (result) => {
        void queryClient.invalidateQueries({ queryKey: trpc.evaluation.list.queryKey() });
        queryClient.setQueryData(trpc.evaluation.byId.queryKey({ id: result.run.id }), result.run);
        onDone(result.run.id);
      },
    }),
  );
  const synthetic = Number(count);
  const countValid = Number.isInteger(synthetic) && synthetic >= 1 && synthetic <= SYNTHETIC_CASES_MAX;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (source === "synthetic" && !countValid) return;
    run.mutate(source === "synthetic" ? { source, engine, synthetic } : { source, engine });
  };
  return (
    <RoleGate min="operator" action="Running an evaluation">
      <form className="form" onSubmit={submit} aria-label="Run an evaluation">
        <div className="field">
          <label htmlFor="evaluation-source">Label set</label>
          <select id="evaluation-source" value={source} onChange={(event) => setSource(event.target.value as Source)}>
            <option value="manual">Manual set (50 cases)</option>
            <option value="synthetic">Generated scenarios</option>
          </select>
          <span className="field__hint">
            Your own label file: <code>teleops evaluate --labels FILE</code>
          </span>
        </div>
        {source === "synthetic" ? (
          <div className="field">
            <label htmlFor="evaluation-count">Scenarios</label>
            <input
              id="evaluation-count"
              inputMode="numeric"
              value={count}
              aria-invalid={!countValid}
              onChange={(event) => setCount(event.target.value)}
            />
            <span className={countValid ? "field__hint" : "field__error"}>
              1–{SYNTHETIC_CASES_MAX}, cycled over the 11 categories, seeds 1…N
            </span>
          </div>
        ) : null}
        <div className="field">
          <label htmlFor="evaluation-engine">Engines</label>
          <select
            id="evaluation-engine"
            value={engine}
            onChange={(event) => setEngine(EVALUATION_ENGINES.find((e) => e === event.target.value) ?? "baseline")}
          >
            {EVALUATION_ENGINES.map((e) => (
              <option key={e} value={e}>
                {e}
              </option>
            ))}
          </select>
          <span className="field__hint">An engine that is not configured reports null, not zeros.</span>
        </div>
        <div className="form__actions">
          <button
            type="submit"
            className="button button--primary"
            disabled={run.isPending}
            data-testid="run-evaluation"
          >
            {run.isPending ? "Scoring…" : "Run evaluation"}
          </button>
          {run.isError ? (
            <p className="notice notice--error" role="alert">
              {failureSentence(run.error)}
            </p>
          ) : null}
        </div>
      </form>
    </RoleGate>
  );
}

export function Evaluation() {
  useDocumentTitle("Evaluation");
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const runs = useQuery(trpc.evaluation.list.queryOptions({ limit: 100 }));
  const runId = selected ?? runs.data?.[0]?.id;
  const run = useQuery({ ...trpc.evaluation.byId.queryOptions({ id: runId ?? "" }), enabled: runId !== undefined });

  let detail: ReactNode = null;
  if (runs.isPending) detail = <LoadingState label="Loading evaluation runs…" />;
  else if (runs.isError)
    detail = (
      <ErrorState what="Could not load the evaluation runs." error={runs.error} onRetry={() => void runs.refetch()} />
    );
  else if (!runId)
    detail = (
      <EmptyState title="No evaluation has run yet. Run one above, or from the command line: teleops evaluate" />
    );
  else if (run.isPending) detail = <LoadingState label="Loading the run…" />;
  else if (run.isError)
    detail = <ErrorState what="Could not load this run." error={run.error} onRetry={() => void run.refetch()} />;
  else detail = <EvaluationResult run={run.data} />;

  const history = runs.data ?? [];
  return (
    <section className="page" aria-labelledby="evaluation-title">
      <div className="page__header">
        <h1 id="evaluation-title">Evaluation</h1>
      </div>
      <section className="card" aria-label="Run an evaluation">
        <p className="evaluation__intro">
          Scores the RCA engines against labelled incidents with the written rubric: 1.0 cause and component right, 0.7
          cause right, 0.4 adjacent cause, 0.0 wrong; an <em>other</em> case wants a low-confidence <em>other</em>. See{" "}
          <code>docs/evaluation/labeling_rubric.md</code>.
        </p>
        <RunForm onDone={setSelected} />
      </section>
      {history.length > 0 ? (
        <section className="card" aria-labelledby="evaluation-history-title">
          <h2 id="evaluation-history-title">History</h2>
          <Suspense fallback={<LoadingState label="Loading chart…" />}>
            <TrendChart runs={history} />
          </Suspense>
          <div className="table-wrap table-wrap--scroll evaluation__history">
            <table className="table" data-testid="evaluation-history">
              <thead>
                <tr>
                  <th scope="col">When (UTC)</th>
                  <th scope="col">Label set</th>
                  <th scope="col">Cases</th>
                  <th scope="col">Baseline</th>
                  <th scope="col">LLM</th>
                  <th scope="col">By</th>
                </tr>
              </thead>
              <tbody>
                {history.map((r) => (
                  <tr key={r.id} className={r.id === runId ? "evaluation__selected" : undefined}>
                    <td>
                      <button type="button" className="link-button" onClick={() => setSelected(r.id)}>
                        {formatUtc(r.created_at)}
                      </button>
                    </td>
                    <td className="mono">{r.labels_file}</td>
                    <td>{r.cases}</td>
                    <td>{r.baseline_mean_score === null ? "null" : r.baseline_mean_score.toFixed(3)}</td>
                    <td>{r.llm_mean_score === null ? "null" : r.llm_mean_score.toFixed(3)}</td>
                    <td>{r.actor}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
      {detail}
      <Suspense fallback={<LoadingState label="Loading correlation quality…" />}>
        <CorrelationQuality />
      </Suspense>
    </section>
  );
}
