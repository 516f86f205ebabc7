/**
 * One evaluation run: a summary card per engine (null engines say why), the per-category breakdown, the
 * category confusion matrix, the reliability diagram, and every case with label, hypothesis and score.
 */
import {
  type CaseResult,
  type EngineDetail,
  type EvaluationRun,
  type LabelSetDetail,
  RCA_CATEGORIES,
} from "@teleops/schema";
import { lazy, Suspense, useState } from "react";
import { formatUtc } from "../lib/format.ts";
import { categoryTitle } from "./RcaPanel.tsx";
import { LoadingState } from "./StateViews.tsx";

const ReliabilityChart = lazy(() =>
  import("./EvaluationCharts.tsx").then((module) => ({ default: module.ReliabilityChart })),
);

const ENGINES = ["baseline", "llm"] as const;
type EngineName = (typeof ENGINES)[number];
const ENGINE_TITLES: Record<EngineName, string> = { baseline: "Baseline", llm: "LLM" };

function pct(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

function Metric({ label, value, hint }: { label: string; value: string; hint: string }) {
  return (
    <div className="tile">
      <span className="tile__label">{label}</span>
      <span className="tile__value">{value}</span>
      <span className="tile__hint">{hint}</span>
    </div>
  );
}

function EngineCard({ name, detail, notes }: { name: EngineName; detail: EngineDetail | null; notes: string[] }) {
  if (!detail) {
    const why = notes
      .find((note) => note.startsWith(`${name}:`))
      ?.slice(name.length + 1)
      .trim();
    return (
      <section className="card evaluation__engine" data-testid={`engine-${name}`} aria-label={`${name} engine`}>
        <h3>{ENGINE_TITLES[name]}</h3>
        <p className="evaluation__null">
          <span className="mono">null</span> — {why ?? "not run"}
        </p>
      </section>
    );
  }
  return (
    <section className="card evaluation__engine" data-testid={`engine-${name}`} aria-label={`${name} engine`}>
      <h3>
        {ENGINE_TITLES[name]}
        {detail.model ? <span className="evaluation__model mono"> · {detail.model}</span> : null}
      </h3>
      <div className="tiles tiles--compact evaluation__metrics">
        <Metric label="Mean score" value={detail.mean_score.toFixed(3)} hint={`rubric, ${detail.cases} cases`} />
        <Metric label="Category" value={pct(detail.category_accuracy)} hint="top hypothesis" />
        <Metric label="Component" value={pct(detail.component_accuracy)} hint="root component named" />
        <Metric label="Top-3 category" value={pct(detail.top3_category_accuracy)} hint="right cause in the top 3" />
        <Metric
          label="Wrong but confident"
          value={String(detail.wrong_but_confident)}
          hint="score 0, confidence ≥ 0.7"
        />
        <Metric label="ECE" value={detail.ece.toFixed(3)} hint="calibration error, 10 bins" />
        {detail.ece_cv !== undefined ? (
          <Metric
            label="ECE, cross-validated"
            value={detail.ece_cv.toFixed(3)}
            hint={`raw score ${detail.ece_raw?.toFixed(3) ?? "–"}`}
          />
        ) : null}
        {detail.brier !== undefined ? (
          <Metric
            label="Brier"
            value={detail.brier.toFixed(3)}
            hint={`cross-validated ${detail.brier_cv?.toFixed(3) ?? "–"}, raw ${detail.brier_raw?.toFixed(3) ?? "–"}`}
          />
        ) : null}
        {detail.wrong_but_confident_top_decile ? (
          <Metric
            label="Wrong in top decile"
            value={`${detail.wrong_but_confident_top_decile.wrong} / ${detail.wrong_but_confident_top_decile.cases}`}
            hint={`score 0, confidence ≥ ${detail.wrong_but_confident_top_decile.threshold.toFixed(2)}`}
          />
        ) : null}
      </div>
      <Suspense fallback={<LoadingState label="Loading chart…" />}>
        <ReliabilityChart
          bins={detail.reliability}
          engine={name}
          raw={detail.reliability_raw}
          cv={detail.reliability_cv}
        />
      </Suspense>
    </section>
  );
}

function CategoryTable({ detail }: { detail: EngineDetail }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="per-category">
        <thead>
          <tr>
            <th scope="col">Category</th>
            <th scope="col">Cases</th>
            <th scope="col">Mean score</th>
            <th scope="col">Category</th>
            <th scope="col">Component</th>
          </tr>
        </thead>
        <tbody>
          {detail.per_category.map((row) => (
            <tr key={row.category}>
              <td>{categoryTitle(row.category)}</td>
              <td>{row.cases}</td>
              <td>{row.mean_score.toFixed(2)}</td>
              <td>{pct(row.category_accuracy)}</td>
              <td>{pct(row.component_accuracy)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Expected category per row, predicted category per column; the diagonal is what the engine got right. */
function ConfusionMatrix({ detail }: { detail: EngineDetail }) {
  const expected = detail.per_category.map((row) => row.category);
  // Catalog order, with `none` (no hypothesis) last.
  const order = (category: string) => {
    const index = (RCA_CATEGORIES as readonly string[]).indexOf(category);
    return index === -1 ? RCA_CATEGORIES.length : index;
  };
  const predicted = [
    ...new Set([...expected, ...Object.values(detail.confusion).flatMap((row) => Object.keys(row))]),
  ].sort((a, b) => order(a) - order(b));
  return (
    <div className="table-wrap">
      <table className="table evaluation__confusion" data-testid="confusion-matrix">
        <caption className="evaluation__caption">Rows: labelled category · columns: the engine's top category</caption>
        <thead>
          <tr>
            <th scope="col">Label \ engine</th>
            {predicted.map((category) => (
              <th scope="col" key={category} title={category}>
                {categoryTitle(category)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {expected.map((row) => (
            <tr key={row}>
              <th scope="row">{categoryTitle(row)}</th>
              {predicted.map((column) => {
                const count = detail.confusion[row]?.[column] ?? 0;
                const className =
                  count === 0
                    ? "evaluation__cell"
                    : row === column
                      ? "evaluation__cell--hit"
                      : "evaluation__cell--miss";
                return (
                  <td key={column} className={className}>
                    {count === 0 ? "·" : count}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CaseTable({ cases }: { cases: CaseResult[] }) {
  const [failuresOnly, setFailuresOnly] = useState(false);
  const shown = failuresOnly ? cases.filter((c) => c.score < 1) : cases;
  return (
    <>
      <label className="evaluation__filter">
        <input type="checkbox" checked={failuresOnly} onChange={(event) => setFailuresOnly(event.target.checked)} />{" "}
        Only cases below 1.0 ({cases.filter((c) => c.score < 1).length})
      </label>
      <div className="table-wrap table-wrap--scroll">
        <table className="table evaluation__cases" data-testid="per-case">
          <thead>
            <tr>
              <th scope="col">Case</th>
              <th scope="col">Label</th>
              <th scope="col">Hypothesis</th>
              <th scope="col">Confidence</th>
              <th scope="col">Score</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((c) => (
              <tr key={c.case_id} data-score={c.score}>
                <td className="mono">{c.case_id}</td>
                <td>
                  {categoryTitle(c.expected_category)}
                  <div className="mono evaluation__sub">{c.expected_component}</div>
                </td>
                <td>
                  {c.category ? categoryTitle(c.category) : "no hypothesis"}
                  {c.root_component ? <span className="mono"> · {c.root_component}</span> : null}
                  <div className="evaluation__sub">{c.error ?? c.hypothesis ?? ""}</div>
                </td>
                <td>{c.confidence.toFixed(2)}</td>
                <td>
                  <span className={`evaluation__score evaluation__score--${c.band}`}>{c.score.toFixed(1)}</span>
                  <div className="evaluation__sub">{c.band.replaceAll("_", " ")}</div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function fixed(value: number | undefined): string {
  return value === undefined ? "–" : value.toFixed(3);
}

/**
 * Each label set of the run on its own (the shipped manual set beside the vendor-wording set): the headline
 * measures per engine and the baseline's reliability diagram per set.
 */
function LabelSets({ sets }: { sets: LabelSetDetail[] }) {
  const rows = sets.flatMap((set) =>
    ENGINES.flatMap((name) => {
      const detail = set.engines[name];
      return detail ? [{ set, name, detail }] : [];
    }),
  );
  return (
    <section className="card" aria-labelledby="evaluation-sets-title" data-testid="label-sets">
      <div className="card__header">
        <h2 id="evaluation-sets-title">Label sets</h2>
        <span className="evaluation__sub">
          ECE and Brier against "top category right"; cross-validated = calibration fitted without the case's fold
        </span>
      </div>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Set</th>
              <th scope="col">Engine</th>
              <th scope="col">Cases</th>
              <th scope="col">Mean score</th>
              <th scope="col">Category</th>
              <th scope="col">Component</th>
              <th scope="col">ECE</th>
              <th scope="col">ECE cross-val.</th>
              <th scope="col">ECE raw</th>
              <th scope="col">Brier</th>
              <th scope="col">Brier cross-val.</th>
              <th scope="col">Wrong in top decile</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ set, name, detail }) => (
              <tr key={`${set.name}-${name}`}>
                <th scope="row" title={set.labels_file}>
                  {set.name}
                </th>
                <td>{name}</td>
                <td>{detail.cases}</td>
                <td>{detail.mean_score.toFixed(3)}</td>
                <td>{pct(detail.category_accuracy)}</td>
                <td>{pct(detail.component_accuracy)}</td>
                <td>{detail.ece.toFixed(3)}</td>
                <td>{fixed(detail.ece_cv)}</td>
                <td>{fixed(detail.ece_raw)}</td>
                <td>{fixed(detail.brier)}</td>
                <td>{fixed(detail.brier_cv)}</td>
                <td>
                  {detail.wrong_but_confident_top_decile
                    ? `${detail.wrong_but_confident_top_decile.wrong} of ${detail.wrong_but_confident_top_decile.cases} at ≥ ${detail.wrong_but_confident_top_decile.threshold.toFixed(2)}`
                    : "–"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="evaluation__engines">
        {sets.map((set) =>
          set.engines.baseline ? (
            <div key={set.name}>
              <h3>Baseline reliability, {set.name} labels</h3>
              <Suspense fallback={<LoadingState label="Loading chart…" />}>
                <ReliabilityChart
                  bins={set.engines.baseline.reliability}
                  engine="baseline"
                  label={set.name}
                  raw={set.engines.baseline.reliability_raw}
                  cv={set.engines.baseline.reliability_cv}
                />
              </Suspense>
            </div>
          ) : null,
        )}
      </div>
    </section>
  );
}

export function EvaluationResult({ run }: { run: EvaluationRun }) {
  const available = ENGINES.filter((name) => run.engines[name] !== null);
  const [chosen, setChosen] = useState<EngineName | undefined>(undefined);
  const engine = chosen && run.engines[chosen] ? chosen : available[0];
  const detail = engine ? run.engines[engine] : null;
  return (
    <section className="evaluation__result" aria-labelledby="evaluation-run-title" data-testid="evaluation-result">
      <div className="card__header">
        <h2 id="evaluation-run-title">
          {run.labels_file} · {run.cases} cases
        </h2>
        <span className="evaluation__sub">
          {formatUtc(run.created_at)} UTC by {run.actor} · {(run.duration_ms / 1000).toFixed(1)} s
        </span>
      </div>
      <div className="evaluation__engines">
        {ENGINES.map((name) => (
          <EngineCard key={name} name={name} detail={run.engines[name]} notes={run.notes} />
        ))}
      </div>
      {run.label_sets && run.label_sets.length > 1 ? <LabelSets sets={run.label_sets} /> : null}
      {engine && detail ? (
        <section className="card" aria-labelledby="evaluation-detail-title">
          <div className="card__header">
            <h2 id="evaluation-detail-title">Cases ({engine})</h2>
            {available.length > 1 ? (
              <fieldset className="evaluation__toggle" aria-label="Engine">
                {available.map((name) => (
                  <button
                    key={name}
                    type="button"
                    className={name === engine ? "button button--primary" : "button"}
                    aria-pressed={name === engine}
                    onClick={() => setChosen(name)}
                  >
                    {name}
                  </button>
                ))}
              </fieldset>
            ) : null}
          </div>
          <h3>Per category</h3>
          <CategoryTable detail={detail} />
          <h3>Confusion matrix</h3>
          <ConfusionMatrix detail={detail} />
          <h3>Every case</h3>
          <CaseTable cases={detail.per_case} />
        </section>
      ) : null}
    </section>
  );
}
