/**
 * Incremental correlation against the database: takes the tenant's not-yet-correlated alerts, lets them
 * join open incidents or form new ones, and records the outcome. Serialized per tenant with a transaction
 * advisory lock so several server replicas never split or duplicate an incident.
 */
import { alerts, type DbOrTx, incidents } from "@teleops/db";
import type { IncidentRef, Severity } from "@teleops/schema";
import { and, asc, gte, isNotNull, isNull, lte, ne, sql } from "drizzle-orm";
import {
  type AlertGroup,
  type CorrelationConfig,
  type CorrelationInput,
  Correlator,
  DEFAULT_CORRELATION_CONFIG,
  type TopologyView,
} from "./correlator.ts";
import { groupTitle, retitle } from "./describe.ts";

export interface CorrelatePendingOptions {
  tenantId: string;
  topology?: TopologyView;
  config?: CorrelationConfig;
  /** Alerts taken per pass; passes repeat until the queue is empty. */
  batchSize?: number;
}

export interface CorrelationOutcome {
  /** Incidents created or grown by this run, with their total alert counts. */
  incidents: IncidentRef[];
  /** Alerts examined for the first time. */
  correlated: number;
}

export async function correlatePending(db: DbOrTx, options: CorrelatePendingOptions): Promise<CorrelationOutcome> {
  const touched = new Map<string, number>();
  let correlated = 0;
  for (;;) {
    const pass = await db.transaction((tx) => correlateOnePass(tx, options));
    correlated += pass.correlated;
    for (const ref of pass.incidents) touched.set(ref.id, ref.alert_count);
    if (pass.correlated < (options.batchSize ?? 50_000)) break;
  }
  return { incidents: [...touched].map(([id, alert_count]) => ({ id, alert_count })), correlated };
}

async function correlateOnePass(tx: DbOrTx, options: CorrelatePendingOptions): Promise<CorrelationOutcome> {
  const config = options.config ?? DEFAULT_CORRELATION_CONFIG;
  const { tenantId } = options;
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`teleops:correlate:${tenantId}`}))`);

  const fresh = await tx
    .select(alertColumns)
    .from(alerts)
    .where(and(sql`${alerts.tenantId} = ${tenantId}`, isNull(alerts.correlatedAt)))
    .orderBy(asc(alerts.id))
    .limit(options.batchSize ?? 50_000);
  if (fresh.length === 0) return { incidents: [], correlated: 0 };

  let minMs = Number.POSITIVE_INFINITY;
  let maxMs = Number.NEGATIVE_INFINITY;
  for (const row of fresh) {
    const t = row.timestamp.getTime();
    if (t < minMs) minMs = t;
    if (t > maxMs) maxMs = t;
  }
  const windowStart = new Date(minMs - config.quietPeriodMs);
  const windowEnd = new Date(maxMs + config.quietPeriodMs);

  const [openIncidents, unassigned] = await Promise.all([
    tx
      .select()
      .from(incidents)
      .where(
        and(
          sql`${incidents.tenantId} = ${tenantId}`,
          ne(incidents.status, "resolved"),
          gte(incidents.endTime, windowStart),
          lte(incidents.startTime, windowEnd),
        ),
      ),
    // Alerts seen before that stayed below the incident bar may now belong to a growing failure.
    tx
      .select(alertColumns)
      .from(alerts)
      .where(
        and(
          sql`${alerts.tenantId} = ${tenantId}`,
          isNull(alerts.incidentId),
          isNotNull(alerts.correlatedAt),
          gte(alerts.timestamp, windowStart),
          lte(alerts.timestamp, windowEnd),
        ),
      ),
  ]);

  const correlator = new Correlator<number>(config, options.topology);
  for (const incident of openIncidents) {
    correlator.seed({
      id: incident.id,
      tenantId,
      startMs: incident.startTime.getTime(),
      endMs: incident.endTime.getTime(),
      hosts: incident.hosts,
      services: incident.services,
      sites: incident.sites,
      severity: incident.severity,
      alertCount: incident.alertCount,
    });
  }
  const freshIds = new Set(fresh.map((row) => row.id));
  const inputs = [...unassigned, ...fresh].map((row) => toInput(tenantId, row));
  inputs.sort((a, b) => a.timeMs - b.timeMs);
  for (const input of inputs) correlator.add(input);

  const groups = correlator.incidents().filter((g) => g.members.length > 0);
  const newGroups = groups.filter((g) => g.incidentId === null);
  const newIds = await allocateIncidentIds(tx, newGroups.length);
  const assignments: Array<{ id: number; incident_id: string }> = [];
  const refs: IncidentRef[] = [];
  const now = new Date();

  const titles = new Map(openIncidents.map((incident) => [incident.id, incident.title]));
  const created: Array<typeof incidents.$inferInsert> = [];
  const grown: Array<Record<string, unknown>> = [];
  for (const group of groups) {
    const id = group.incidentId ?? (newIds.shift() as string);
    const alertCount = group.priorCount + group.members.length;
    for (const member of group.members) assignments.push({ id: member.ref, incident_id: id });
    refs.push({ id, alert_count: alertCount });
    const hosts = [...group.hosts].sort();
    const services = [...group.services].sort();
    const sites = [...group.sites].sort();
    if (group.incidentId === null) {
      created.push({
        id,
        tenantId,
        title: groupTitle(group),
        status: "open",
        severity: group.severity,
        startTime: new Date(group.startMs),
        endTime: new Date(group.endMs),
        alertCount,
        hosts,
        services,
        sites,
        updatedAt: now,
      });
    } else {
      grown.push({
        id,
        title: retitle(titles.get(id) ?? "", hosts.length, sites),
        severity: group.severity,
        start_time: new Date(group.startMs).toISOString(),
        end_time: new Date(group.endMs).toISOString(),
        alert_count: alertCount,
        hosts,
        services,
        sites,
      });
    }
  }
  // One statement each for new and grown incidents, however many a pass touches.
  if (created.length > 0) await tx.insert(incidents).values(created);
  if (grown.length > 0) {
    await tx.execute(sql`
      update incidents as i
      set title = v.title, severity = v.severity, start_time = v.start_time, end_time = v.end_time,
          alert_count = v.alert_count, updated_at = ${now.toISOString()}::timestamptz,
          hosts = array(select jsonb_array_elements_text(v.hosts)),
          services = array(select jsonb_array_elements_text(v.services)),
          sites = array(select jsonb_array_elements_text(v.sites))
      from jsonb_to_recordset(${JSON.stringify(grown)}::jsonb)
           as v(id text, title text, severity text, start_time timestamptz, end_time timestamptz,
                alert_count integer, hosts jsonb, services jsonb, sites jsonb)
      where i.id = v.id and i.tenant_id = ${tenantId}`);
  }

  // One write per alert: fresh alerts are marked correlated and, with the re-read unassigned ones, get their
  // incident in the same UPDATE (a second pass over the rows doubled write volume and WAL).
  const assigned = new Map(assignments.map((a) => [a.id, a.incident_id]));
  const changes = fresh.map((row) => ({ id: row.id, incident_id: assigned.get(row.id) ?? null, fresh: true }));
  for (const [id, incidentId] of assigned) {
    if (!freshIds.has(id)) changes.push({ id, incident_id: incidentId, fresh: false });
  }
  await tx.execute(sql`
    update alerts as a
    set incident_id = coalesce(v.incident_id, a.incident_id),
        correlated_at = case when v.fresh then ${now.toISOString()}::timestamptz else a.correlated_at end
    from jsonb_to_recordset(${JSON.stringify(changes)}::jsonb) as v(id bigint, incident_id text, fresh boolean)
    where a.id = v.id and a.tenant_id = ${tenantId}`);

  return { incidents: refs, correlated: fresh.length };
}

const alertColumns = {
  id: alerts.id,
  timestamp: alerts.timestamp,
  host: alerts.host,
  service: alerts.service,
  severity: alerts.severity,
  alertType: alerts.alertType,
  tags: alerts.tags,
};

function toInput(
  tenantId: string,
  row: {
    id: number;
    timestamp: Date;
    host: string;
    service: string;
    severity: Severity;
    alertType: string;
    tags: Record<string, string>;
  },
): CorrelationInput<number> {
  return {
    ref: row.id,
    tenantId,
    timeMs: row.timestamp.getTime(),
    host: row.host,
    service: row.service,
    severity: row.severity,
    alertType: row.alertType,
    site: row.tags.site ?? null,
  };
}

async function allocateIncidentIds(tx: DbOrTx, count: number): Promise<string[]> {
  if (count === 0) return [];
  const result = await tx.execute(sql`select nextval('incident_number_seq') as n from generate_series(1, ${count})`);
  return rowsOf<{ n: string | number }>(result).map((row) => `INC-${String(row.n).padStart(6, "0")}`);
}

/** postgres.js returns the rows array itself, PGlite a `{ rows }` object; both come through `execute`. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: T[] }).rows;
  return rows ?? [];
}

export type { AlertGroup };
