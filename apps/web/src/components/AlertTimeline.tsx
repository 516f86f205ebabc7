/** Alerts per time bucket, stacked by alert type: shows what fired first and how the incident spread. */
import type { Alert } from "@teleops/schema";
import { useMemo } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { formatUtcTime } from "../lib/format.ts";

const MINUTE = 60_000;
const BUCKET_MINUTES = [1, 2, 5, 10, 15, 30, 60, 120, 240, 720, 1440];
const MAX_BUCKETS = 90;
const MAX_TYPES = 7;
const OTHER = "other";
// Categorical colours kept away from the severity reds and yellows; neighbours in the stack differ in hue.
// Every colour keeps at least 4.5:1 against the card, so legend text in it stays readable.
const PALETTE = ["#38bdf8", "#f472b6", "#a3e635", "#a78bfa", "#2dd4bf", "#e2e8f0", "#818cf8"];
const OTHER_COLOUR = "#94a3b8";

interface Bucket {
  start: number;
  label: string;
  counts: Record<string, number>;
}

export interface Timeline {
  bucketMinutes: number;
  types: string[];
  rows: Array<Record<string, number | string>>;
}

/** Groups alerts into at most MAX_BUCKETS buckets and keeps the busiest alert types, folding the rest into "other". */
export function buildTimeline(alerts: Alert[]): Timeline {
  const times = alerts.map((a) => new Date(a.timestamp).getTime()).filter(Number.isFinite);
  if (times.length === 0) return { bucketMinutes: 1, types: [], rows: [] };
  const first = Math.min(...times);
  const last = Math.max(...times);
  const spanMinutes = (last - first) / MINUTE + 1;
  const bucketMinutes = BUCKET_MINUTES.find((m) => spanMinutes / m <= MAX_BUCKETS) ?? 1440;
  const bucketMs = bucketMinutes * MINUTE;
  const origin = Math.floor(first / bucketMs) * bucketMs;

  const totals = new Map<string, number>();
  for (const alert of alerts) totals.set(alert.alert_type, (totals.get(alert.alert_type) ?? 0) + 1);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([type]) => type);
  const kept = new Set(ranked.slice(0, MAX_TYPES));
  const types = ranked.length > MAX_TYPES ? [...kept, OTHER] : [...kept];

  const buckets: Bucket[] = [];
  const count = Math.floor((last - origin) / bucketMs) + 1;
  for (let i = 0; i < count; i++) {
    const start = origin + i * bucketMs;
    buckets.push({ start, label: formatUtcTime(new Date(start).toISOString()).slice(0, 5), counts: {} });
  }
  for (const alert of alerts) {
    const time = new Date(alert.timestamp).getTime();
    const bucket = buckets[Math.floor((time - origin) / bucketMs)];
    if (!bucket) continue;
    const type = kept.has(alert.alert_type) ? alert.alert_type : OTHER;
    bucket.counts[type] = (bucket.counts[type] ?? 0) + 1;
  }
  const rows = buckets.map((bucket) => {
    const row: Record<string, number | string> = { label: bucket.label };
    for (const type of types) row[type] = bucket.counts[type] ?? 0;
    return row;
  });
  return { bucketMinutes, types, rows };
}

/** The label of the bucket holding `time`. */
function bucketLabel(timeline: Timeline, alerts: Alert[], time: number): string | undefined {
  const all = alerts.map((a) => new Date(a.timestamp).getTime()).filter(Number.isFinite);
  if (all.length === 0) return undefined;
  const bucketMs = timeline.bucketMinutes * MINUTE;
  const origin = Math.floor(Math.min(...all) / bucketMs) * bucketMs;
  const label = timeline.rows[Math.floor((time - origin) / bucketMs)]?.label;
  return typeof label === "string" ? label : undefined;
}

/** The first and last bucket labels holding a highlighted alert, to shade that span of the chart. */
function highlightedSpan(
  timeline: Timeline,
  alerts: Alert[],
  highlighted: ReadonlySet<number>,
): [string, string] | null {
  const times = alerts.filter((a) => highlighted.has(a.id)).map((a) => new Date(a.timestamp).getTime());
  const all = alerts.map((a) => new Date(a.timestamp).getTime()).filter(Number.isFinite);
  if (times.length === 0 || all.length === 0) return null;
  const bucketMs = timeline.bucketMinutes * MINUTE;
  const origin = Math.floor(Math.min(...all) / bucketMs) * bucketMs;
  const label = (time: number) => timeline.rows[Math.floor((time - origin) / bucketMs)]?.label;
  const first = label(Math.min(...times));
  const last = label(Math.max(...times));
  return typeof first === "string" && typeof last === "string" ? [first, last] : null;
}

export default function AlertTimeline({
  alerts,
  highlighted,
  root,
}: {
  alerts: Alert[];
  /** Alerts an RCA hypothesis cites: the span they cover is shaded. */
  highlighted?: ReadonlySet<number>;
  /** The root alarm: its bucket gets a labelled reference line. */
  root?: Alert | null;
}) {
  const timeline = useMemo(() => buildTimeline(alerts), [alerts]);
  const span = useMemo(
    () => (highlighted && highlighted.size > 0 ? highlightedSpan(timeline, alerts, highlighted) : null),
    [timeline, alerts, highlighted],
  );
  const rootLabel = useMemo(
    () => (root ? bucketLabel(timeline, alerts, new Date(root.timestamp).getTime()) : undefined),
    [timeline, alerts, root],
  );
  // The label goes to the side of the line with more room.
  const rootOnRight = timeline.rows.findIndex((row) => row.label === rootLabel) > timeline.rows.length / 2;
  const per = timeline.bucketMinutes === 1 ? "minute" : `${timeline.bucketMinutes} minutes`;
  return (
    <figure className="timeline" data-testid="alert-timeline">
      <figcaption className="timeline__caption">Alerts per {per} (UTC), stacked by alert type</figcaption>
      <div className="timeline__chart" role="img" aria-label={`Bar chart of alerts per ${per} by alert type`}>
        <ResponsiveContainer width="100%" height={260}>
          <BarChart data={timeline.rows} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
            <CartesianGrid stroke="#26324a" vertical={false} />
            <XAxis dataKey="label" stroke="#94a3b8" tick={{ fill: "#aab6c8", fontSize: 12 }} minTickGap={16} />
            <YAxis allowDecimals={false} stroke="#94a3b8" tick={{ fill: "#aab6c8", fontSize: 12 }} />
            <Tooltip
              cursor={{ fill: "rgba(148, 163, 184, 0.12)" }}
              contentStyle={{ background: "#0b1222", border: "1px solid #334155", borderRadius: 6 }}
              labelStyle={{ color: "#e2e8f0" }}
              itemStyle={{ padding: 0 }}
              labelFormatter={(label) => `${String(label)} UTC`}
            />
            <Legend wrapperStyle={{ fontSize: 12, color: "#cbd5e1" }} />
            {span ? (
              <ReferenceArea
                x1={span[0]}
                x2={span[1]}
                fill="#facc15"
                fillOpacity={0.12}
                stroke="#facc15"
                strokeOpacity={0.6}
                label={{ value: "cited by RCA", position: "insideTopLeft", fill: "#fde68a", fontSize: 11 }}
              />
            ) : null}
            {timeline.types.map((type, index) => (
              <Bar
                key={type}
                dataKey={type}
                stackId="alerts"
                fill={type === OTHER ? OTHER_COLOUR : (PALETTE[index % PALETTE.length] ?? OTHER_COLOUR)}
                isAnimationActive={false}
              />
            ))}
            {rootLabel && root ? (
              <ReferenceLine
                x={rootLabel}
                stroke="#fde68a"
                strokeWidth={2}
                strokeDasharray="4 3"
                ifOverflow="extendDomain"
                label={{
                  value: `root: ${root.alert_type}`,
                  position: rootOnRight ? "insideTopRight" : "insideTopLeft",
                  fill: "#fde68a",
                  fontSize: 12,
                }}
              />
            ) : null}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
