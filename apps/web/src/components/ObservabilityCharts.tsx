/**
 * The Observability page's charts (recharts, loaded with the page that needs them): alert volume, compression
 * and unassigned share, incidents by category, RCA acceptance, time to first hypothesis and the evaluation trend.
 */
import { type Observability, UNREVIEWED_CATEGORY } from "@teleops/schema";
import type { ReactNode } from "react";
import { Link } from "react-router";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  ComposedChart,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { formatCount, formatDuration, formatPercent, formatUtc, humanize } from "../lib/format.ts";
import type { RouterOutputs } from "../trpc.ts";
import { categoryTitle } from "./RcaPanel.tsx";
import "../ux.css";

type EvaluationRuns = RouterOutputs["evaluation"]["list"];

/** Axis and label colours chosen for at least 4.5:1 on the card surface. */
const AXIS = { stroke: "#94a3b8", tick: { fill: "#b6c2d4", fontSize: 12 } };
const GRID = "#26324a";
const TOOLTIP = {
  contentStyle: { background: "#0b1222", border: "1px solid #334155", borderRadius: 6 },
  labelStyle: { color: "#e2e8f0" },
  itemStyle: { padding: 0 },
};
const LEGEND = { wrapperStyle: { fontSize: 12, color: "#cbd5e1" } };
const COLOURS = {
  inIncidents: "#38bdf8",
  unassigned: "#94a3b8",
  started: "#f472b6",
  compression: "#a3e635",
  share: "#94a3b8",
  category: "#a78bfa",
  unreviewed: "#64748b",
  accepted: "#4ade80",
  rejected: "#f87171",
  pending: "#cbd5e1",
  failed: "#fbbf24",
  latency: "#2dd4bf",
  baseline: "#38bdf8",
  llm: "#f472b6",
};

function ChartCard({
  title,
  caption,
  height,
  wide,
  testId,
  children,
}: {
  title: string;
  caption: ReactNode;
  height: number;
  wide?: boolean;
  testId: string;
  children: ReactNode;
}) {
  const id = `${testId}-title`;
  return (
    <section className={`card chart-card${wide ? " chart-card--wide" : ""}`} aria-labelledby={id} data-testid={testId}>
      <h2 id={id}>{title}</h2>
      <p className="chart-card__caption">{caption}</p>
      <div className="chart-card__body" style={{ height }}>
        {children}
      </div>
    </section>
  );
}

function ChartEmpty({ children }: { children: ReactNode }) {
  return (
    <div className="chart-empty" data-testid="chart-empty">
      {children}
    </div>
  );
}

function bucketLabel(iso: string, bucket: Observability["bucket"]): string {
  const text = formatUtc(iso, false);
  // Hours need the time; days and weeks only the date.
  return bucket === "hour" ? text.slice(5) : text.slice(0, 10);
}

export default function ObservabilityCharts({
  data,
  evaluations,
  evaluationsError,
}: {
  data: Observability;
  evaluations: EvaluationRuns | undefined;
  evaluationsError: boolean;
}) {
  const timeline = data.timeline.map((bucket) => ({
    label: bucketLabel(bucket.start, data.bucket),
    inIncidents: bucket.alerts_in_incidents,
    unassigned: bucket.alerts - bucket.alerts_in_incidents,
    started: bucket.incidents_started,
    compression: bucket.compression === null ? null : Math.round(bucket.compression * 10) / 10,
    unassignedShare: bucket.unassigned_share === null ? null : Math.round(bucket.unassigned_share * 1000) / 10,
  }));
  const categories = data.categories.map((row) => ({
    name: row.category === UNREVIEWED_CATEGORY ? "Unreviewed" : categoryTitle(row.category),
    incidents: row.incidents,
    unreviewed: row.category === UNREVIEWED_CATEGORY,
  }));
  const engines = data.rca.map((row) => ({ ...row, name: humanize(row.engine) }));
  const latency = data.time_to_first_hypothesis;
  const trend = [...(evaluations ?? [])].reverse().map((run) => ({
    label: formatUtc(run.created_at, false),
    baseline: run.baseline_mean_score,
    llm: run.llm_mean_score,
  }));
  const per = data.bucket;
  const reviewed = data.totals.rca_reviewed;

  return (
    <div className="charts">
      <ChartCard
        wide
        testId="chart-alerts"
        title="Alerts over time"
        height={260}
        caption={`Alerts per ${per} (UTC, event time): in incidents or left unassigned, and incidents started.`}
      >
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={timeline} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
            <CartesianGrid stroke={GRID} vertical={false} />
            <XAxis dataKey="label" {...AXIS} minTickGap={24} />
            <YAxis yAxisId="alerts" allowDecimals={false} {...AXIS} />
            <YAxis yAxisId="incidents" orientation="right" allowDecimals={false} {...AXIS} />
            <Tooltip {...TOOLTIP} cursor={{ fill: "rgba(148, 163, 184, 0.12)" }} />
            <Legend {...LEGEND} />
            <Bar
              yAxisId="alerts"
              dataKey="inIncidents"
              name="alerts in incidents"
              stackId="a"
              fill={COLOURS.inIncidents}
              isAnimationActive={false}
            />
            <Bar
              yAxisId="alerts"
              dataKey="unassigned"
              name="unassigned alerts"
              stackId="a"
              fill={COLOURS.unassigned}
              isAnimationActive={false}
            />
            <Line
              yAxisId="incidents"
              dataKey="started"
              name="incidents started"
              stroke={COLOURS.started}
              dot={false}
              strokeWidth={2}
              isAnimationActive={false}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </ChartCard>

      <ChartCard
        testId="chart-compression"
        title="Compression and unassigned share"
        height={220}
        caption={
          data.totals.compression === null || data.totals.unassigned_share === null
            ? "No alert joined an incident in this window."
            : `${data.totals.compression.toFixed(1)} alerts per incident overall (alerts in incidents ÷ incidents), ${formatPercent(data.totals.unassigned_share)} of alerts in no incident, per ${per}.`
        }
      >
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={timeline} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
            <CartesianGrid stroke={GRID} vertical={false} />
            <XAxis dataKey="label" {...AXIS} minTickGap={24} />
            <YAxis yAxisId="compression" allowDecimals={false} {...AXIS} />
            <YAxis yAxisId="share" orientation="right" domain={[0, 100]} unit="%" {...AXIS} />
            <Tooltip
              {...TOOLTIP}
              formatter={(value, name) =>
                name === "unassigned" ? [`${String(value)}%`, "unassigned"] : [String(value), "alerts per incident"]
              }
            />
            <Legend {...LEGEND} />
            <Line
              yAxisId="compression"
              dataKey="compression"
              name="alerts per incident"
              stroke={COLOURS.compression}
              strokeWidth={2}
              // Buckets without alerts are gaps: dots keep isolated busy buckets visible.
              dot={{ r: 2 }}
              connectNulls={false}
              isAnimationActive={false}
            />
            <Line
              yAxisId="share"
              dataKey="unassignedShare"
              name="unassigned"
              stroke={COLOURS.share}
              strokeDasharray="4 3"
              dot={{ r: 2 }}
              connectNulls={false}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </ChartCard>

      <ChartCard
        testId="chart-categories"
        title="Incidents by category"
        height={240}
        caption="Root-cause category of the accepted RCA; incidents without one are unreviewed."
      >
        {categories.length === 0 ? (
          <ChartEmpty>
            <span>No incidents started in this window.</span>
          </ChartEmpty>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={categories} layout="vertical" margin={{ top: 0, right: 16, bottom: 0, left: 8 }}>
              <CartesianGrid stroke={GRID} horizontal={false} />
              <XAxis type="number" allowDecimals={false} {...AXIS} />
              <YAxis type="category" dataKey="name" width={150} {...AXIS} interval={0} />
              <Tooltip {...TOOLTIP} cursor={{ fill: "rgba(148, 163, 184, 0.12)" }} />
              <Bar dataKey="incidents" name="incidents" fill={COLOURS.category} isAnimationActive={false}>
                {categories.map((row) => (
                  <Cell key={row.name} fill={row.unreviewed ? COLOURS.unreviewed : COLOURS.category} />
                ))}
              </Bar>
            </BarChart>
          </ResponsiveContainer>
        )}
      </ChartCard>

      <ChartCard
        testId="chart-acceptance"
        title="RCA acceptance"
        height={220}
        caption={
          data.totals.acceptance_rate === null
            ? "No RCA result reviewed yet in this window."
            : `${formatPercent(data.totals.acceptance_rate)} accepted (${formatCount(data.totals.rca_accepted)} of ${formatCount(reviewed)} reviewed).`
        }
      >
        {engines.length === 0 ? (
          <ChartEmpty>
            <span>No RCA has run on incidents of this window.</span>
            <span>
              Open an incident from the <Link to="/">queue</Link> and press <strong>Run baseline</strong>, then accept
              or reject the result.
            </span>
          </ChartEmpty>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={engines} layout="vertical" margin={{ top: 0, right: 16, bottom: 0, left: 8 }}>
              <CartesianGrid stroke={GRID} horizontal={false} />
              <XAxis type="number" allowDecimals={false} {...AXIS} />
              <YAxis type="category" dataKey="name" width={80} {...AXIS} />
              <Tooltip {...TOOLTIP} cursor={{ fill: "rgba(148, 163, 184, 0.12)" }} />
              <Legend {...LEGEND} />
              <Bar dataKey="accepted" stackId="r" fill={COLOURS.accepted} isAnimationActive={false} />
              <Bar dataKey="rejected" stackId="r" fill={COLOURS.rejected} isAnimationActive={false} />
              <Bar
                dataKey="pending_review"
                name="pending review"
                stackId="r"
                fill={COLOURS.pending}
                isAnimationActive={false}
              />
              <Bar dataKey="failed" stackId="r" fill={COLOURS.failed} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        )}
      </ChartCard>

      <ChartCard
        testId="chart-latency"
        title="Time to first hypothesis"
        height={220}
        caption={
          latency.median_ms === null
            ? "From the moment TeleOps formed an incident to its first RCA result."
            : `Median ${formatDuration(latency.median_ms)}, 90th percentile ${formatDuration(latency.p90_ms ?? 0)} over ${formatCount(latency.incidents)} incidents, from forming the incident to its first RCA result.`
        }
      >
        {latency.incidents === 0 ? (
          <ChartEmpty>
            <span>No incident of this window has an RCA result yet.</span>
          </ChartEmpty>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={latency.bins} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
              <CartesianGrid stroke={GRID} vertical={false} />
              <XAxis dataKey="label" {...AXIS} interval={0} />
              <YAxis allowDecimals={false} {...AXIS} />
              <Tooltip {...TOOLTIP} cursor={{ fill: "rgba(148, 163, 184, 0.12)" }} />
              <Bar dataKey="incidents" name="incidents" fill={COLOURS.latency} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        )}
      </ChartCard>

      <ChartCard
        testId="chart-evaluation"
        title="Evaluation trend"
        height={220}
        caption="Mean rubric score per evaluation run (1.0 = right cause and component), oldest to newest."
      >
        {evaluationsError ? (
          <ChartEmpty>
            <span>Could not load the evaluation runs; the other charts are unaffected.</span>
          </ChartEmpty>
        ) : trend.length === 0 ? (
          <ChartEmpty>
            <span>No evaluation run yet.</span>
            <span>
              Run <code>pnpm teleops evaluate</code> or use the <Link to="/evaluation">Evaluation</Link> page to score
              the RCA engines against the labelled incidents.
            </span>
          </ChartEmpty>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={trend} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
              <CartesianGrid stroke={GRID} vertical={false} />
              <XAxis dataKey="label" {...AXIS} minTickGap={24} />
              <YAxis domain={[0, 1]} {...AXIS} />
              <Tooltip {...TOOLTIP} />
              <Legend {...LEGEND} />
              <Line
                dataKey="baseline"
                stroke={COLOURS.baseline}
                strokeWidth={2}
                connectNulls
                isAnimationActive={false}
              />
              <Line
                dataKey="llm"
                name="LLM"
                stroke={COLOURS.llm}
                strokeWidth={2}
                connectNulls
                isAnimationActive={false}
              />
            </LineChart>
          </ResponsiveContainer>
        )}
      </ChartCard>
    </div>
  );
}
