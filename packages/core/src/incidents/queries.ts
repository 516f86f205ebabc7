/** Reads and state changes of incidents and alerts, always scoped to one tenant. */
import {
  type AlertRow,
  alertCounts,
  alerts,
  type DbOrTx,
  generatedTruth,
  INCIDENT_SEVERITY_RANK,
  type IncidentRow,
  incidentCounts,
  incidents,
  searchVocabulary,
} from "@teleops/db";
import {
  type Alert,
  type Incident,
  type IncidentSearch,
  type IncidentStatus,
  SEARCH_TOTAL_CAP,
  SEVERITIES,
  type Severity,
} from "@teleops/schema";
import { and, asc, count, desc, eq, inArray, isNull, lt, type SQL, sql } from "drizzle-orm";
import { rowsOf } from "../correlation/persist.ts";
import { NotFoundError } from "../errors.ts";
import { incidentSearchConditions } from "./search.ts";

export function toIncident(row: IncidentRow): Incident {
  return {
    id: row.id,
    title: row.title,
    severity: row.severity,
    status: row.status,
    start_time: row.startTime.toISOString(),
    end_time: row.endTime.toISOString(),
    alert_count: row.alertCount,
    hosts: row.hosts,
    services: row.services,
    sites: row.sites,
    owner: row.owner,
    synthetic: row.synthetic,
    suspected_category: row.suspectedCategory,
    suspected_root_cause: row.suspectedRootCause,
    suspected_component: row.suspectedComponent,
    merged_into: row.mergedInto,
    cleared_at: row.clearedAt?.toISOString() ?? null,
    tenant_id: row.tenantId,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    timestamp: row.timestamp.toISOString(),
    source_system: row.sourceSystem,
    host: row.host,
    service: row.service,
    severity: row.severity,
    alert_type: row.alertType,
    message: row.message,
    tags: row.tags,
    raw_payload: row.rawPayload,
    tenant_id: row.tenantId,
    status: row.status,
    incident_id: row.incidentId,
    correlation_reason: row.correlationReason,
    silenced_by: row.silencedBy,
  };
}

export type IncidentSort = "severity" | "start_time" | "alert_count" | "end_time";

export interface ListIncidentsParams extends IncidentSearch {
  status?: IncidentStatus[] | undefined;
  severity?: Severity[] | undefined;
  sort?: IncidentSort;
  direction?: "asc" | "desc";
  limit: number;
  offset: number;
  /** Only incidents nobody owns. */
  unassigned?: boolean | undefined;
}

export interface IncidentPage {
  incidents: Incident[];
  /** The incidents matching every filter; with text, at most the cap (`totalExact` false when more match). */
  total: number;
  /** False when a text search matched more than the cap: `total` is then the cap, a lower bound. */
  totalExact: boolean;
  /**
   * Counts per severity and status under the search (text and filters), for the queue's filter chips. With text
   * matching more than the cap, they count the first cap matches found (`countsExact` false).
   */
  bySeverity: Record<Severity, number>;
  byStatus: Record<IncidentStatus, number>;
  countsExact: boolean;
}

/** Most severe first; the same expression as `incidents_tenant_severity_idx`, so the page is read off the index. */
const severityOrder = sql`${INCIDENT_SEVERITY_RANK}`;

/**
 * A page of the queue, its total and its chips' counts. A text search counts at most `totalCap` matches (tests
 * lower it); reads without text count exactly.
 */
export async function listIncidents(
  db: DbOrTx,
  tenantId: string,
  params: ListIncidentsParams,
  totalCap = SEARCH_TOTAL_CAP,
): Promise<IncidentPage> {
  const search = await incidentSearchConditions(db, tenantId, params, totalCap + 1);
  const base: SQL[] = [eq(incidents.tenantId, tenantId), ...search.where];
  if (params.unassigned) base.push(isNull(incidents.owner));
  const filtered = [...base];
  if (params.status && params.status.length > 0) filtered.push(inArray(incidents.status, params.status));
  if (params.severity && params.severity.length > 0) filtered.push(inArray(incidents.severity, params.severity));

  const direction = params.direction ?? "desc";
  const order = direction === "asc" ? asc : desc;
  const sortColumn =
    params.sort === "severity"
      ? // Most severe first when descending.
        direction === "desc"
        ? asc(severityOrder)
        : desc(severityOrder)
      : params.sort === "alert_count"
        ? order(incidents.alertCount)
        : params.sort === "end_time"
          ? order(incidents.endTime)
          : order(incidents.startTime);

  // The total is read off the severity × status grid of the unfiltered-by-chips set (`base`), which the chips
  // need anyway: the same answer as counting `filtered`, in one statement fewer. Without a search or `unassigned`,
  // the grid is the tenant's `incident_counts` (kept by triggers, migration 0020): a few rows rather than a count of
  // every incident (77 ms serial at 169,678 incidents). With text, the grid counts the first `totalCap` matches,
  // and a status or severity filter is counted apart up to the cap, since the grid may then hold only part of it.
  const chipFiltered = filtered.length > base.length;
  // One word and nothing else: the lookup's first matches are the ones to count, without testing incidents for it.
  const sampled =
    search.sample !== null && base.length === 2
      ? [eq(incidents.tenantId, tenantId), sql`${incidents.id} = any(string_to_array(${search.sample.join(",")}, ','))`]
      : null;
  const [rows, grid, filteredCount] = await Promise.all([
    db
      .select()
      .from(incidents)
      .where(and(...filtered))
      .orderBy(sortColumn, desc(incidents.startTime), desc(incidents.id))
      .limit(params.limit)
      .offset(params.offset),
    base.length === 1
      ? countedGrid(db, tenantId)
      : search.text
        ? cappedGrid(db, sampled ?? base, totalCap)
        : searchedGrid(db, base),
    search.text && chipFiltered ? cappedCount(db, filtered, totalCap) : null,
  ]);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const byStatus: Record<IncidentStatus, number> = { open: 0, acknowledged: 0, resolved: 0 };
  const statuses = params.status && params.status.length > 0 ? new Set(params.status) : null;
  const severities = params.severity && params.severity.length > 0 ? new Set(params.severity) : null;
  let total = 0;
  let found = 0;
  for (const cell of grid) {
    bySeverity[cell.severity] += cell.n;
    byStatus[cell.status] += cell.n;
    found += cell.seen ?? cell.n;
    if ((statuses === null || statuses.has(cell.status)) && (severities === null || severities.has(cell.severity))) {
      total += cell.n;
    }
  }
  const countsExact = !search.text || found <= totalCap;
  const [counted, totalExact] =
    filteredCount !== null ? [Math.min(filteredCount, totalCap), filteredCount <= totalCap] : [total, countsExact];
  return { incidents: rows.map(toIncident), total: counted, totalExact, bySeverity, byStatus, countsExact };
}

interface GridCell {
  severity: Severity;
  status: IncidentStatus;
  n: number;
  /** Capped grids: the rows read, one more than counted in `n` when the cap was passed. */
  seen?: number;
}

/** The tenant's incidents by severity and status, from the counts the triggers keep. */
function countedGrid(db: DbOrTx, tenantId: string): Promise<GridCell[]> {
  return db
    .select({
      severity: incidentCounts.severity,
      status: incidentCounts.status,
      n: sql<number>`sum(${incidentCounts.incidents})`.mapWith(Number),
    })
    .from(incidentCounts)
    .where(eq(incidentCounts.tenantId, tenantId))
    .groupBy(incidentCounts.severity, incidentCounts.status)
    .prepare("incident_counts_grid")
    .execute();
}

/** The incidents a search (or `unassigned`) leaves, by severity and status: counted, it has no stored count. */
function searchedGrid(db: DbOrTx, where: SQL[]): Promise<GridCell[]> {
  return db
    .select({ severity: incidents.severity, status: incidents.status, n: count() })
    .from(incidents)
    .where(and(...where))
    .groupBy(incidents.severity, incidents.status);
}

/**
 * The first `cap` incidents a text search finds, by severity and status, and whether there are more: `cap + 1` rows
 * are read, the last only noted (`seen`). Reading all 19,000 matches of a common word took 56 ms at 10M alerts.
 */
async function cappedGrid(db: DbOrTx, where: SQL[], cap: number): Promise<GridCell[]> {
  const found = db
    .select({ severity: incidents.severity, status: incidents.status })
    .from(incidents)
    .where(and(...where))
    .limit(cap + 1);
  return rowsOf<GridCell>(
    await db.execute(sql`
    select severity, status, (count(*) filter (where nth <= ${cap}))::int as n, count(*)::int as seen
    from (select found.*, row_number() over () as nth from (${found}) found) numbered
    group by severity, status`),
  );
}

/** How many incidents match, counted up to `cap + 1`. */
async function cappedCount(db: DbOrTx, where: SQL[], cap: number): Promise<number> {
  const matched = db
    .select({ id: incidents.id })
    .from(incidents)
    .where(and(...where))
    .limit(cap + 1);
  const [row] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from (${matched}) matched`));
  return row?.n ?? 0;
}

export async function getIncident(db: DbOrTx, tenantId: string, id: string): Promise<Incident> {
  const [row] = await db
    .select()
    .from(incidents)
    .where(and(eq(incidents.tenantId, tenantId), eq(incidents.id, id)))
    .prepare("incident_by_id")
    .execute();
  if (!row) throw new NotFoundError(`incident ${id} not found`);
  return toIncident(row);
}

export async function setIncidentStatus(
  db: DbOrTx,
  tenantId: string,
  id: string,
  status: IncidentStatus,
  owner: string | null,
): Promise<Incident> {
  const [row] = await db
    .update(incidents)
    .set({
      status,
      updatedAt: new Date(),
      ...(owner !== null ? { owner } : {}),
      // Reopened by hand: it stays open until someone resolves it, even if its alarms had cleared.
      ...(status !== "resolved"
        ? { clearedAt: sql`case when ${incidents.status} = 'resolved' then null else ${incidents.clearedAt} end` }
        : {}),
    })
    .where(and(eq(incidents.tenantId, tenantId), eq(incidents.id, id)))
    .returning();
  if (!row) throw new NotFoundError(`incident ${id} not found`);
  return toIncident(row);
}

export interface ListAlertsParams {
  incidentId?: string | undefined;
  host?: string | undefined;
  severity?: Severity[] | undefined;
  /** Return alerts with id below this one (alerts are listed newest first). */
  cursor?: number | undefined;
  limit: number;
  /** `asc` lists an incident's alerts in event order, for timelines. */
  order?: "newest" | "oldest";
}

export interface AlertPage {
  alerts: Alert[];
  nextCursor: number | null;
}

export async function listAlerts(db: DbOrTx, tenantId: string, params: ListAlertsParams): Promise<AlertPage> {
  const where: SQL[] = [eq(alerts.tenantId, tenantId)];
  if (params.incidentId) where.push(eq(alerts.incidentId, params.incidentId));
  if (params.host) where.push(eq(alerts.host, params.host));
  if (params.severity && params.severity.length > 0) where.push(inArray(alerts.severity, params.severity));
  const oldest = params.order === "oldest";
  if (params.cursor !== undefined) {
    where.push(oldest ? sql`${alerts.id} > ${params.cursor}` : lt(alerts.id, params.cursor));
  }
  const rows = await db
    .select()
    .from(alerts)
    .where(and(...where))
    .orderBy(oldest ? asc(alerts.id) : desc(alerts.id))
    .limit(params.limit + 1);
  const page = rows.slice(0, params.limit);
  const last = page[page.length - 1];
  return { alerts: page.map(toAlert), nextCursor: rows.length > params.limit && last ? last.id : null };
}

/** All alerts of one incident in event-time order (capped), for the timeline and RCA. */
export async function incidentAlerts(
  db: DbOrTx,
  tenantId: string,
  incidentId: string,
  limit = 5_000,
): Promise<Alert[]> {
  // The existence check and the rows go out together (both prepared, so they pipeline).
  const [, rows] = await Promise.all([
    getIncident(db, tenantId, incidentId),
    db
      .select()
      .from(alerts)
      .where(and(eq(alerts.tenantId, tenantId), eq(alerts.incidentId, incidentId)))
      .orderBy(asc(alerts.timestamp), asc(alerts.id))
      .limit(limit)
      .prepare("incident_alerts")
      .execute(),
  ]);
  return rows.map(toAlert);
}

export interface MetricsOverview {
  alerts: number;
  incidents: number;
  open_incidents: number;
  unassigned_alerts: number;
  avg_alerts_per_incident: number;
  /**
   * Alerts in incidents / incidents (null without incidents). Not 1 − incidents/alerts, which rewards a
   * correlator that leaves alerts out or splits per host; read it with `unassigned_share`.
   */
  compression: number | null;
  /** Alerts in no incident / alerts (null without alerts). */
  unassigned_share: number | null;
}

export async function metricsOverview(db: DbOrTx, tenantId: string): Promise<MetricsOverview> {
  // Incidents, open ones and the alerts in them come from `incident_counts` (kept by triggers on incidents,
  // migration 0020), the unassigned alerts from `alert_counts` (kept by triggers on alerts, 0007), in one statement
  // so both come from one snapshot. Counting rows instead grows with stored data: 100 ms serial for the incidents at
  // 169,678 of them, 180 ms at 1M alerts for the alerts (docs/performance.md).
  const [row] = await db
    .select({
      incidents: sql<number>`coalesce(sum(${incidentCounts.incidents}), 0)`.mapWith(Number),
      open: sql<number>`coalesce(sum(${incidentCounts.incidents}) filter (where ${incidentCounts.status} <> 'resolved'), 0)`.mapWith(
        Number,
      ),
      members: sql<number>`coalesce(sum(${incidentCounts.alerts}), 0)`.mapWith(Number),
      unassigned:
        sql<number>`coalesce((select ${alertCounts.unassigned} from ${alertCounts} where ${alertCounts.tenantId} = ${tenantId}), 0)`.mapWith(
          Number,
        ),
    })
    .from(incidentCounts)
    .where(eq(incidentCounts.tenantId, tenantId))
    .prepare("metrics_overview")
    .execute();
  const incidentTotal = row?.incidents ?? 0;
  const unassigned = row?.unassigned ?? 0;
  const alertTotal = (row?.members ?? 0) + unassigned;
  return {
    alerts: alertTotal,
    incidents: incidentTotal,
    open_incidents: row?.open ?? 0,
    unassigned_alerts: unassigned,
    avg_alerts_per_incident: incidentTotal === 0 ? 0 : (row?.members ?? 0) / incidentTotal,
    compression: incidentTotal === 0 ? null : (row?.members ?? 0) / incidentTotal,
    unassigned_share: alertTotal === 0 ? null : unassigned / alertTotal,
  };
}

/** Deletes every alert and incident of one tenant, and the generator's truth about its alerts. */
export async function resetTenant(db: DbOrTx, tenantId: string): Promise<{ alerts: number; incidents: number }> {
  return db.transaction(async (tx) => {
    const deletedAlerts = await tx.delete(alerts).where(eq(alerts.tenantId, tenantId)).returning({ id: alerts.id });
    const deletedIncidents = await tx
      .delete(incidents)
      .where(eq(incidents.tenantId, tenantId))
      .returning({ id: incidents.id });
    await tx.delete(generatedTruth).where(eq(generatedTruth.tenantId, tenantId));
    await tx.delete(searchVocabulary).where(eq(searchVocabulary.tenantId, tenantId));
    return { alerts: deletedAlerts.length, incidents: deletedIncidents.length };
  });
}
