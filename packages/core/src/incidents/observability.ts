/**
 * The Observability page's aggregates for one tenant: alert volume, compression and unassigned share over time,
 * incidents by accepted RCA category, RCA acceptance per engine and the time from an incident to its first
 * hypothesis.
 */
import { alerts, type DbOrTx, incidents, rcaArtifacts } from "@teleops/db";
import {
  type Observability,
  type ObservabilityBucket,
  type ObservabilityRange,
  type RcaEngineStats,
  type TimeBucket,
  UNREVIEWED_CATEGORY,
} from "@teleops/schema";
import { and, count, desc, eq, gte, lt, max, min, ne, type SQL, sql } from "drizzle-orm";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WINDOW_MS: Record<Exclude<ObservabilityRange, "all">, number> = { "24h": DAY, "7d": 7 * DAY, "30d": 30 * DAY };
const BUCKET_MS: Record<TimeBucket, number> = { hour: HOUR, day: DAY, week: 7 * DAY };
/** More buckets than this and a chart turns into a smear; `all` falls back to coarser buckets. */
const MAX_BUCKETS = 200;

/** Upper bounds of the time-to-first-hypothesis histogram. */
const LATENCY_BINS: Array<{ label: string; max_ms: number | null }> = [
  { label: "< 1 min", max_ms: 60_000 },
  { label: "1–5 min", max_ms: 5 * 60_000 },
  { label: "5–15 min", max_ms: 15 * 60_000 },
  { label: "15–60 min", max_ms: HOUR },
  { label: "1–4 h", max_ms: 4 * HOUR },
  { label: "> 4 h", max_ms: null },
];

export interface ObservabilityParams {
  range: ObservabilityRange;
  /** The end of the window; defaults to the current time. */
  now?: Date;
}

function bucketFor(range: ObservabilityRange, spanMs: number): TimeBucket {
  if (range === "24h" || range === "7d") return "hour";
  if (range === "30d") return "day";
  return spanMs / DAY <= MAX_BUCKETS ? (spanMs <= 2 * DAY ? "hour" : "day") : "week";
}

/** Truncates a timestamp column to the bucket in UTC and returns the bucket start as epoch milliseconds. */
function bucketStart(column: SQL | typeof alerts.timestamp, bucket: TimeBucket): SQL<number> {
  return sql<number>`(extract(epoch from date_trunc(${bucket}, ${column} at time zone 'UTC')) * 1000)::float8`.mapWith(
    Number,
  );
}

/** The same truncation in JavaScript, so empty buckets can be filled in between the rows SQL returns. */
function truncate(ms: number, bucket: TimeBucket): number {
  const d = new Date(ms);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (bucket === "hour") return day + d.getUTCHours() * HOUR;
  if (bucket === "day") return day;
  // ISO weeks start on Monday, as PostgreSQL's date_trunc('week') does.
  return day - ((d.getUTCDay() + 6) % 7) * DAY;
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

export async function observabilityMetrics(
  db: DbOrTx,
  tenantId: string,
  params: ObservabilityParams,
): Promise<Observability> {
  const now = params.now ?? new Date();
  const [span] = await db
    .select({ first: min(alerts.timestamp), last: max(alerts.timestamp) })
    .from(alerts)
    .where(eq(alerts.tenantId, tenantId));
  const stored = { first: span?.first ?? null, last: span?.last ?? null };
  let from: Date | null;
  let to: Date | null;
  if (params.range === "all") {
    from = stored.first;
    // The window is half-open, so the last alert needs one more millisecond to be inside it.
    to = stored.last ? new Date(stored.last.getTime() + 1) : null;
  } else {
    from = new Date(now.getTime() - WINDOW_MS[params.range]);
    to = now;
  }
  const bucket = bucketFor(params.range, from && to ? to.getTime() - from.getTime() : 0);
  if (!from || !to) return emptyObservability(params.range, bucket);
  const storedSpan = {
    first_alert: stored.first?.toISOString() ?? null,
    last_alert: stored.last?.toISOString() ?? null,
  };

  const inAlertWindow = and(eq(alerts.tenantId, tenantId), gte(alerts.timestamp, from), lt(alerts.timestamp, to));
  const inIncidentWindow = and(
    eq(incidents.tenantId, tenantId),
    gte(incidents.startTime, from),
    lt(incidents.startTime, to),
  );
  const alertBucket = bucketStart(alerts.timestamp, bucket);
  const incidentBucket = bucketStart(sql`${incidents.startTime}`, bucket);
  const firstArtifact = db
    .select({
      incidentId: rcaArtifacts.incidentId,
      first: sql<Date>`min(${rcaArtifacts.createdAt})`.as("first"),
    })
    .from(rcaArtifacts)
    .where(and(eq(rcaArtifacts.tenantId, tenantId), ne(rcaArtifacts.status, "failed")))
    .groupBy(rcaArtifacts.incidentId)
    .as("first_artifact");
  const latencyMs = sql<number>`greatest(0, extract(epoch from (${firstArtifact.first} - ${incidents.createdAt})) * 1000)`;

  const [alertTotals, incidentTotals, alertBuckets, incidentBuckets, categories, reviews, latency] = await Promise.all([
    db
      .select({
        alerts: count(),
        inIncidents: count(alerts.incidentId),
        touched: sql<number>`count(distinct ${alerts.incidentId})`.mapWith(Number),
      })
      .from(alerts)
      .where(inAlertWindow),
    db
      .select({
        incidents: count(),
        open: sql<number>`count(*) filter (where ${incidents.status} <> 'resolved')`.mapWith(Number),
      })
      .from(incidents)
      .where(inIncidentWindow),
    db
      .select({
        start: alertBucket,
        alerts: count(),
        inIncidents: count(alerts.incidentId),
        touched: sql<number>`count(distinct ${alerts.incidentId})`.mapWith(Number),
      })
      .from(alerts)
      .where(inAlertWindow)
      .groupBy(sql`1`),
    db.select({ start: incidentBucket, started: count() }).from(incidents).where(inIncidentWindow).groupBy(sql`1`),
    db
      .select({
        category: sql<string>`coalesce(${incidents.suspectedCategory}, ${UNREVIEWED_CATEGORY})`,
        incidents: count(),
      })
      .from(incidents)
      .where(inIncidentWindow)
      .groupBy(sql`1`)
      .orderBy(desc(count()), sql`1`),
    db
      .select({ engine: rcaArtifacts.engine, status: rcaArtifacts.status, n: count() })
      .from(rcaArtifacts)
      .innerJoin(incidents, and(eq(incidents.id, rcaArtifacts.incidentId), eq(incidents.tenantId, tenantId)))
      .where(and(eq(rcaArtifacts.tenantId, tenantId), inIncidentWindow))
      .groupBy(rcaArtifacts.engine, rcaArtifacts.status),
    db
      .select({
        incidents: count(),
        median: sql<number | null>`percentile_cont(0.5) within group (order by ${latencyMs})`.mapWith(Number),
        p90: sql<number | null>`percentile_cont(0.9) within group (order by ${latencyMs})`.mapWith(Number),
        ...Object.fromEntries(
          LATENCY_BINS.map((bin, index) => {
            const lower = index === 0 ? null : (LATENCY_BINS[index - 1]?.max_ms ?? null);
            const conditions = [
              lower === null ? sql`true` : sql`${latencyMs} >= ${lower}`,
              bin.max_ms === null ? sql`true` : sql`${latencyMs} < ${bin.max_ms}`,
            ];
            return [
              `bin${index}`,
              sql<number>`count(*) filter (where ${sql.join(conditions, sql` and `)})`.mapWith(Number),
            ];
          }),
        ),
      })
      .from(incidents)
      .innerJoin(firstArtifact, eq(firstArtifact.incidentId, incidents.id))
      .where(inIncidentWindow),
  ]);

  const timeline = fillBuckets(from, to, bucket, alertBuckets, incidentBuckets);
  const rca = engineStats(reviews);
  const alertTotal = alertTotals[0]?.alerts ?? 0;
  const accepted = rca.reduce((sum, engine) => sum + engine.accepted, 0);
  const reviewed = accepted + rca.reduce((sum, engine) => sum + engine.rejected, 0);
  const latencyRow: Record<string, number | null> = latency[0] ?? {};
  const latencyCount = latencyRow.incidents ?? 0;
  return {
    range: params.range,
    bucket,
    from: from.toISOString(),
    to: to.toISOString(),
    ...storedSpan,
    totals: {
      alerts: alertTotal,
      unassigned_alerts: alertTotal - (alertTotals[0]?.inIncidents ?? 0),
      incidents: incidentTotals[0]?.incidents ?? 0,
      open_incidents: incidentTotals[0]?.open ?? 0,
      compression: ratio(alertTotals[0]?.inIncidents ?? 0, alertTotals[0]?.touched ?? 0),
      unassigned_share: ratio(alertTotal - (alertTotals[0]?.inIncidents ?? 0), alertTotal),
      rca_reviewed: reviewed,
      rca_accepted: accepted,
      acceptance_rate: ratio(accepted, reviewed),
    },
    timeline,
    categories: categories.map((row) => ({ category: row.category, incidents: row.incidents })),
    rca,
    time_to_first_hypothesis: {
      incidents: latencyCount,
      median_ms: latencyCount === 0 ? null : (latencyRow.median ?? null),
      p90_ms: latencyCount === 0 ? null : (latencyRow.p90 ?? null),
      bins: LATENCY_BINS.map((bin, index) => ({ ...bin, incidents: latencyRow[`bin${index}`] ?? 0 })),
    },
  };
}

function fillBuckets(
  from: Date,
  to: Date,
  bucket: TimeBucket,
  alertRows: Array<{ start: number; alerts: number; inIncidents: number; touched: number }>,
  incidentRows: Array<{ start: number; started: number }>,
): ObservabilityBucket[] {
  const byStart = new Map<number, ObservabilityBucket>();
  const at = (start: number): ObservabilityBucket => {
    let entry = byStart.get(start);
    if (!entry) {
      entry = {
        start: new Date(start).toISOString(),
        alerts: 0,
        alerts_in_incidents: 0,
        incidents_touched: 0,
        incidents_started: 0,
        compression: null,
        unassigned_share: null,
      };
      byStart.set(start, entry);
    }
    return entry;
  };
  // Every bucket of the window is present, so a quiet hour shows as zero instead of vanishing from the chart.
  const first = truncate(from.getTime(), bucket);
  const last = truncate(to.getTime() - 1, bucket);
  // UTC has no daylight-saving jumps, so buckets are a fixed length apart.
  for (let start = first; start <= last; start += BUCKET_MS[bucket]) at(start);
  for (const row of alertRows) {
    const entry = at(row.start);
    entry.alerts = row.alerts;
    entry.alerts_in_incidents = row.inIncidents;
    entry.incidents_touched = row.touched;
    entry.compression = ratio(row.inIncidents, row.touched);
    entry.unassigned_share = ratio(row.alerts - row.inIncidents, row.alerts);
  }
  for (const row of incidentRows) at(row.start).incidents_started = row.started;
  return [...byStart.entries()].sort((a, b) => a[0] - b[0]).map(([, entry]) => entry);
}

function engineStats(rows: Array<{ engine: string; status: string; n: number }>): RcaEngineStats[] {
  const byEngine = new Map<string, RcaEngineStats>();
  for (const row of rows) {
    let stats = byEngine.get(row.engine);
    if (!stats) {
      stats = { engine: row.engine, accepted: 0, rejected: 0, pending_review: 0, failed: 0, acceptance_rate: null };
      byEngine.set(row.engine, stats);
    }
    if (row.status === "accepted" || row.status === "rejected" || row.status === "pending_review") {
      stats[row.status] += row.n;
    } else if (row.status === "failed") {
      stats.failed += row.n;
    }
  }
  for (const stats of byEngine.values()) stats.acceptance_rate = ratio(stats.accepted, stats.accepted + stats.rejected);
  return [...byEngine.values()].sort((a, b) => a.engine.localeCompare(b.engine));
}

function emptyObservability(range: ObservabilityRange, bucket: TimeBucket): Observability {
  return {
    range,
    bucket,
    from: null,
    to: null,
    first_alert: null,
    last_alert: null,
    totals: {
      alerts: 0,
      unassigned_alerts: 0,
      incidents: 0,
      open_incidents: 0,
      compression: null,
      unassigned_share: null,
      rca_reviewed: 0,
      rca_accepted: 0,
      acceptance_rate: null,
    },
    timeline: [],
    categories: [],
    rca: [],
    time_to_first_hypothesis: {
      incidents: 0,
      median_ms: null,
      p90_ms: null,
      bins: LATENCY_BINS.map((bin) => ({ ...bin, incidents: 0 })),
    },
  };
}
