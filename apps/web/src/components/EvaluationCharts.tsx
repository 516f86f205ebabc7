/**
 * The evaluation page's charts: the reliability diagram of one engine, the mean score of every stored run, and
 * the correlation F1 of each labelled stream against its target.
 */
import type { CorrelationStreamResult, EvaluationRunSummary, ReliabilityBin } from "@teleops/schema";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  ComposedChart,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { formatUtc } from "../lib/format.ts";

const AXIS = { stroke: "#94a3b8", tick: { fill: "#aab6c8", fontSize: 12 } };
const TOOLTIP = {
  contentStyle: { background: "#0b1222", border: "1px solid #334155", borderRadius: 6 },
  labelStyle: { color: "#e2e8f0" },
  itemStyle: { padding: 0 },
};

/**
 * Accuracy of the top category per confidence bin, against the diagonal a perfectly calibrated engine would
 * follow: bars under the line are over-confidence, bars above it under-confidence. With `raw` and `cv`, the same
 * accuracy for the uncalibrated score and for the cross-validated calibration is drawn as points, so the chart
 * shows what calibration changed.
 */
export function ReliabilityChart({
  bins,
  engine,
  raw,
  cv,
  label,
}: {
  bins: ReliabilityBin[];
  engine: string;
  raw?: ReliabilityBin[] | undefined;
  cv?: ReliabilityBin[] | undefined;
  label?: string | undefined;
}) {
  const rows = bins.map((bin, i) => ({
    bin: `${bin.lower.toFixed(1)}–${bin.upper.toFixed(1)}`,
    accuracy: bin.accuracy,
    raw: raw?.[i]?.accuracy ?? null,
    cv: cv?.[i]?.accuracy ?? null,
    calibrated: Math.round(((bin.lower + bin.upper) / 2) * 100) / 100,
    cases: bin.count,
    rawCases: raw?.[i]?.count ?? 0,
    cvCases: cv?.[i]?.count ?? 0,
  }));
  const id = label ? `${engine}-${label}` : engine;
  return (
    <div
      className="evaluation__chart"
      role="img"
      aria-label={`Reliability diagram of the ${engine} engine${label ? ` on the ${label} labels` : ""}: category accuracy per confidence bin${raw ? ", calibrated and raw" : ""}`}
      data-testid={`reliability-${id}`}
    >
      <ResponsiveContainer width="100%" height={240}>
        <ComposedChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid stroke="#26324a" vertical={false} />
          <XAxis dataKey="bin" {...AXIS} minTickGap={8} />
          <YAxis domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} {...AXIS} />
          <Tooltip
            {...TOOLTIP}
            cursor={{ fill: "rgba(148, 163, 184, 0.12)" }}
            formatter={(value, name) => [value === null ? "no cases" : String(value), String(name)]}
            labelFormatter={(label, payload) => {
              const row = payload[0]?.payload;
              const counts = raw ? ` (raw ${row?.rawCases ?? 0}, cross-validated ${row?.cvCases ?? 0})` : "";
              return `confidence ${String(label)} · ${row?.cases ?? 0} cases${counts}`;
            }}
          />
          <Legend wrapperStyle={{ fontSize: 12, color: "#cbd5e1" }} />
          <Bar dataKey="accuracy" name="category accuracy" fill="#38bdf8" isAnimationActive={false} />
          {raw ? (
            <Line
              dataKey="raw"
              name="raw score"
              stroke="transparent"
              dot={{ r: 4, fill: "#f87171", stroke: "#f87171" }}
              connectNulls={false}
              isAnimationActive={false}
            />
          ) : null}
          {cv ? (
            <Line
              dataKey="cv"
              name="cross-validated"
              stroke="transparent"
              dot={{ r: 4, fill: "#a3e635", stroke: "#a3e635" }}
              connectNulls={false}
              isAnimationActive={false}
            />
          ) : null}
          <Line
            dataKey="calibrated"
            name="perfect calibration"
            stroke="#facc15"
            strokeDasharray="4 3"
            dot={false}
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Mean rubric score of each stored run, oldest to newest, one line per engine. */
export function TrendChart({ runs }: { runs: EvaluationRunSummary[] }) {
  const rows = [...runs].reverse().map((run) => ({
    when: formatUtc(run.created_at),
    baseline: run.baseline_mean_score,
    llm: run.llm_mean_score,
    label: `${run.labels_file} (${run.cases} cases)`,
  }));
  return (
    <div className="evaluation__chart" role="img" aria-label="Mean rubric score of each evaluation run over time">
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid stroke="#26324a" vertical={false} />
          <XAxis dataKey="when" {...AXIS} minTickGap={24} />
          <YAxis domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} {...AXIS} />
          <Tooltip
            {...TOOLTIP}
            labelFormatter={(label, payload) => `${String(label)} UTC · ${payload[0]?.payload?.label ?? ""}`}
          />
          <Legend wrapperStyle={{ fontSize: 12, color: "#cbd5e1" }} />
          <Line dataKey="baseline" name="baseline" stroke="#38bdf8" connectNulls isAnimationActive={false} />
          <Line dataKey="llm" name="llm" stroke="#f472b6" connectNulls isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Pairwise F1 of each labelled stream, with the target every stream must reach drawn across. */
export function CorrelationF1Chart({ streams, target }: { streams: CorrelationStreamResult[]; target: number }) {
  const rows = streams.map((stream) => ({ name: stream.name, f1: stream.f1 }));
  // One bar per stream, names on the left: stream names are long and there are a dozen or more.
  const height = 52 + rows.length * 26;
  return (
    <div
      className="evaluation__chart"
      role="img"
      aria-label={`Correlation F1 per labelled stream against the target of ${target}`}
      data-testid="correlation-f1-chart"
    >
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={rows} layout="vertical" margin={{ top: 20, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid stroke="#26324a" horizontal={false} />
          <XAxis type="number" domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} {...AXIS} />
          <YAxis type="category" dataKey="name" width={220} interval={0} {...AXIS} />
          <Tooltip
            {...TOOLTIP}
            cursor={{ fill: "rgba(148, 163, 184, 0.12)" }}
            formatter={(value) => [String(value), "F1"]}
          />
          <ReferenceLine
            x={target}
            stroke="#facc15"
            strokeDasharray="4 3"
            label={{ value: `target ${target}`, fill: "#facc15", fontSize: 12, position: "top" }}
          />
          <Bar dataKey="f1" name="F1" isAnimationActive={false}>
            {rows.map((row) => (
              <Cell key={row.name} fill={row.f1 >= target ? "#4ade80" : "#f87171"} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
