/**
 * Operators' corrections of correlation: merging incidents, splitting alerts off into a new incident and moving
 * alerts between incidents. Each runs in one transaction under the tenant's correlation lock, so a correlation
 * pass never sees half of a correction, and is recorded twice: in the audit trail (who did what) and as
 * correlation feedback (which alert types the operator put together or apart, for the learned relations).
 */
import { alerts, correlationFeedback, type DbOrTx, type IncidentRow, incidents } from "@teleops/db";
import {
  type Incident,
  type MergeIncidentsInput,
  type MoveAlertsInput,
  SEVERITIES,
  type SplitIncidentInput,
} from "@teleops/schema";
import { and, asc, count, eq, inArray, max, min, not, sql } from "drizzle-orm";
import { appendAudit } from "../audit/events.ts";
import { incidentTitle } from "../correlation/describe.ts";
import { allocateIncidentIds, forgetLearnedRelations, lockTenant } from "../correlation/persist.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { toIncident } from "./queries.ts";

/** Who corrects: the signed-in user, in their tenant. */
export interface CorrectingActor {
  tenantId: string;
  name: string;
}

/** Merges `from` into `into`: their alerts move to `into`, and each of them is resolved and points at `into`. */
export async function mergeIncidents(
  db: DbOrTx,
  actor: CorrectingActor,
  input: MergeIncidentsInput,
): Promise<Incident> {
  const { tenantId } = actor;
  const from = [...new Set(input.from)];
  if (from.includes(input.into)) {
    throw new ValidationError(`cannot merge ${input.into} into itself`, [
      { path: "from", message: `${input.into} is the incident merged into` },
    ]);
  }
  const corrected = await db.transaction(async (tx) => {
    await lockTenant(tx, tenantId);
    const found = await incidentsById(tx, tenantId, [input.into, ...from]);
    const target = found.get(input.into);
    if (!target) throw new NotFoundError(`incident ${input.into} not found`);
    refuseMerged(target, "merge into");
    const sources = from.map((id) => {
      const source = found.get(id);
      if (!source) throw new NotFoundError(`incident ${id} not found`);
      refuseMerged(source, "merge");
      return source;
    });
    const [kept, joined] = await Promise.all([alertTypes(tx, tenantId, [input.into]), alertTypes(tx, tenantId, from)]);
    const moved = await tx
      .update(alerts)
      .set({ incidentId: input.into })
      .where(and(eq(alerts.tenantId, tenantId), inArray(alerts.incidentId, from)))
      .returning({ id: alerts.id });
    const now = new Date();
    // A merged incident keeps its title and times for the record, but no longer holds alerts.
    await tx
      .update(incidents)
      .set({ status: "resolved", mergedInto: input.into, alertCount: 0, correlation: null, updatedAt: now })
      .where(and(eq(incidents.tenantId, tenantId), inArray(incidents.id, from)));
    const merged = await refreshSummary(tx, tenantId, input.into);
    await recordFeedback(tx, actor, "merge", kept, joined);
    await appendAudit(tx, {
      tenantId,
      actor: actor.name,
      action: "incident.merge",
      entityType: "incident",
      entityId: input.into,
      incidentId: input.into,
      details: { from, alerts_moved: moved.length },
    });
    for (const source of sources) {
      await appendAudit(tx, {
        tenantId,
        actor: actor.name,
        action: "incident.merge",
        entityType: "incident",
        entityId: source.id,
        incidentId: source.id,
        details: { into: input.into, alerts_moved: source.alertCount },
      });
    }
    return merged;
  });
  // The correction changes what the tenant's history teaches the correlator: relearn on the next pass.
  forgetLearnedRelations(db, tenantId);
  return corrected;
}

/** Moves `alertIds` out of incident `id` into a new incident, and returns the new one. */
export async function splitIncident(db: DbOrTx, actor: CorrectingActor, input: SplitIncidentInput): Promise<Incident> {
  const { tenantId } = actor;
  const alertIds = [...new Set(input.alertIds)];
  const corrected = await db.transaction(async (tx) => {
    await lockTenant(tx, tenantId);
    const source = (await incidentsById(tx, tenantId, [input.id])).get(input.id);
    if (!source) throw new NotFoundError(`incident ${input.id} not found`);
    refuseMerged(source, "split");
    await requireMembers(tx, tenantId, source.id, alertIds);
    await requireOneLeft(tx, tenantId, source.id, alertIds, `a split must leave at least one alert in ${source.id}`);
    const [left, right] = await Promise.all([
      alertTypes(tx, tenantId, [source.id], { except: alertIds }),
      alertTypesOf(tx, tenantId, alertIds),
    ]);
    const [newId] = await allocateIncidentIds(tx, 1);
    if (!newId) throw new Error("incident_number_seq returned no id");
    await tx
      .update(alerts)
      .set({ incidentId: newId })
      .where(and(eq(alerts.tenantId, tenantId), inArray(alerts.id, alertIds)));
    // The alerts move first: the new incident's summary is read from them.
    const summary = await summaryOf(tx, tenantId, newId);
    const [row] = await tx
      .insert(incidents)
      .values({ id: newId, tenantId, status: "open", ...summary })
      .returning();
    if (!row) throw new Error("incident insert returned no row");
    await refreshSummary(tx, tenantId, source.id);
    await recordFeedback(tx, actor, "split", left, right);
    await appendAudit(tx, {
      tenantId,
      actor: actor.name,
      action: "incident.split",
      entityType: "incident",
      entityId: source.id,
      incidentId: source.id,
      details: { into: newId, alert_ids: alertIds },
    });
    return toIncident(row);
  });
  // The correction changes what the tenant's history teaches the correlator: relearn on the next pass.
  forgetLearnedRelations(db, tenantId);
  return corrected;
}

/** Moves alerts of one incident into `to`, and returns `to`. */
export async function moveAlerts(db: DbOrTx, actor: CorrectingActor, input: MoveAlertsInput): Promise<Incident> {
  const { tenantId } = actor;
  const alertIds = [...new Set(input.alertIds)];
  const corrected = await db.transaction(async (tx) => {
    await lockTenant(tx, tenantId);
    const target = (await incidentsById(tx, tenantId, [input.to])).get(input.to);
    if (!target) throw new NotFoundError(`incident ${input.to} not found`);
    refuseMerged(target, "move alerts into");
    const rows = await tx
      .select({ id: alerts.id, incidentId: alerts.incidentId })
      .from(alerts)
      .where(and(eq(alerts.tenantId, tenantId), inArray(alerts.id, alertIds)));
    const missing = alertIds.filter((id) => !rows.some((row) => row.id === id));
    if (missing.length > 0) throw alertsError(`alert ${missing.join(", ")} not found`);
    const already = rows.filter((row) => row.incidentId === target.id).map((row) => row.id);
    if (already.length > 0) throw alertsError(`alert ${already.join(", ")} is already in ${target.id}`);
    const unassigned = rows.filter((row) => row.incidentId === null).map((row) => row.id);
    if (unassigned.length > 0) throw alertsError(`alert ${unassigned.join(", ")} is in no incident`);
    const sourceIds = [...new Set(rows.map((row) => row.incidentId))];
    const sourceId = sourceIds[0];
    if (sourceIds.length !== 1 || !sourceId) {
      throw alertsError(`the alerts are in ${sourceIds.join(", ")}; move alerts of one incident at a time`);
    }
    await requireOneLeft(
      tx,
      tenantId,
      sourceId,
      alertIds,
      `moving every alert of ${sourceId} would leave it empty; merge ${sourceId} into ${target.id} instead`,
    );
    const [moving, joining] = await Promise.all([
      alertTypesOf(tx, tenantId, alertIds),
      alertTypes(tx, tenantId, [target.id]),
    ]);
    await tx
      .update(alerts)
      .set({ incidentId: target.id })
      .where(and(eq(alerts.tenantId, tenantId), inArray(alerts.id, alertIds)));
    await refreshSummary(tx, tenantId, sourceId);
    const moved = await refreshSummary(tx, tenantId, target.id);
    await recordFeedback(tx, actor, "move", moving, joining);
    await appendAudit(tx, {
      tenantId,
      actor: actor.name,
      action: "incident.move_alerts",
      entityType: "incident",
      entityId: target.id,
      incidentId: target.id,
      details: { from: sourceId, alert_ids: alertIds },
    });
    return moved;
  });
  // The correction changes what the tenant's history teaches the correlator: relearn on the next pass.
  forgetLearnedRelations(db, tenantId);
  return corrected;
}

async function incidentsById(tx: DbOrTx, tenantId: string, ids: string[]): Promise<Map<string, IncidentRow>> {
  const rows = await tx
    .select()
    .from(incidents)
    .where(and(eq(incidents.tenantId, tenantId), inArray(incidents.id, ids)));
  return new Map(rows.map((row) => [row.id, row]));
}

function refuseMerged(incident: IncidentRow, verb: string): void {
  if (incident.mergedInto !== null) {
    throw new ValidationError(`cannot ${verb} ${incident.id}: it was merged into ${incident.mergedInto}`);
  }
}

function alertsError(message: string): ValidationError {
  return new ValidationError(message, [{ path: "alertIds", message }]);
}

/** Every alert id must be one of the incident's alerts; another tenant's alert reads as not in it. */
async function requireMembers(tx: DbOrTx, tenantId: string, incidentId: string, alertIds: number[]): Promise<void> {
  const rows = await tx
    .select({ id: alerts.id })
    .from(alerts)
    .where(and(eq(alerts.tenantId, tenantId), eq(alerts.incidentId, incidentId), inArray(alerts.id, alertIds)));
  const members = new Set(rows.map((row) => row.id));
  const strangers = alertIds.filter((id) => !members.has(id));
  if (strangers.length > 0) throw alertsError(`alert ${strangers.join(", ")} is not in ${incidentId}`);
}

async function requireOneLeft(
  tx: DbOrTx,
  tenantId: string,
  incidentId: string,
  leaving: number[],
  message: string,
): Promise<void> {
  const [row] = await tx
    .select({ n: count() })
    .from(alerts)
    .where(and(eq(alerts.tenantId, tenantId), eq(alerts.incidentId, incidentId), not(inArray(alerts.id, leaving))));
  if ((row?.n ?? 0) === 0) throw alertsError(message);
}

/** The distinct alert types of the incidents' alerts (less `except`), sorted. */
async function alertTypes(
  tx: DbOrTx,
  tenantId: string,
  incidentIds: string[],
  options: { except?: number[] } = {},
): Promise<string[]> {
  const where = [eq(alerts.tenantId, tenantId), inArray(alerts.incidentId, incidentIds)];
  if (options.except && options.except.length > 0) where.push(not(inArray(alerts.id, options.except)));
  const rows = await tx
    .selectDistinct({ type: alerts.alertType })
    .from(alerts)
    .where(and(...where))
    .orderBy(asc(alerts.alertType));
  return rows.map((row) => row.type);
}

async function alertTypesOf(tx: DbOrTx, tenantId: string, alertIds: number[]): Promise<string[]> {
  const rows = await tx
    .selectDistinct({ type: alerts.alertType })
    .from(alerts)
    .where(and(eq(alerts.tenantId, tenantId), inArray(alerts.id, alertIds)))
    .orderBy(asc(alerts.alertType));
  return rows.map((row) => row.type);
}

/**
 * The alert types on each side of a correction. `merge` and `move`: `left` (the incident kept, or the alerts
 * moved) was put together with `right`; `split`: `left` (what stayed) was put apart from `right` (what left).
 */
async function recordFeedback(
  tx: DbOrTx,
  actor: CorrectingActor,
  kind: "merge" | "split" | "move",
  left: string[],
  right: string[],
): Promise<void> {
  await tx.insert(correlationFeedback).values({ tenantId: actor.tenantId, kind, left, right, actor: actor.name });
}

type Summary = Pick<
  typeof incidents.$inferInsert,
  "title" | "severity" | "startTime" | "endTime" | "alertCount" | "hosts" | "services" | "sites"
>;

/** An incident's summary columns as its member alerts give them; the title names its first signal. */
async function summaryOf(tx: DbOrTx, tenantId: string, incidentId: string): Promise<Summary> {
  const members = and(eq(alerts.tenantId, tenantId), eq(alerts.incidentId, incidentId));
  const [[totals], [first]] = await Promise.all([
    tx
      .select({
        n: count(),
        start: min(alerts.timestamp),
        end: max(alerts.timestamp),
        rank: sql<number>`min(array_position(array['critical','major','minor','warning','info']::text[], ${alerts.severity}))`.mapWith(
          Number,
        ),
        hosts: sql<string[]>`coalesce(array_agg(distinct ${alerts.host}), '{}')`,
        services: sql<
          string[]
        >`coalesce(array_agg(distinct ${alerts.service}) filter (where ${alerts.service} <> ''), '{}')`,
        sites: sql<
          string[]
        >`coalesce(array_agg(distinct ${alerts.tags}->>'site') filter (where ${alerts.tags}->>'site' is not null), '{}')`,
      })
      .from(alerts)
      .where(members),
    // The correlator's first signal: the earliest alert of at least minor severity, else the earliest.
    tx
      .select({ alertType: alerts.alertType, host: alerts.host })
      .from(alerts)
      .where(members)
      .orderBy(sql`${alerts.severity} in ('critical', 'major', 'minor') desc`, asc(alerts.timestamp), asc(alerts.id))
      .limit(1),
  ]);
  if (!totals?.start || !totals.end || !first) throw new Error(`incident ${incidentId} has no alerts to summarize`);
  const hosts = [...totals.hosts].sort();
  const sites = [...totals.sites].sort();
  return {
    title: incidentTitle(first.alertType, first.host, hosts.length, sites),
    severity: SEVERITIES[totals.rank - 1] ?? "info",
    startTime: totals.start,
    endTime: totals.end,
    alertCount: totals.n,
    hosts,
    services: [...totals.services].sort(),
    sites,
  };
}

/**
 * Rewrites an incident's summary from its member alerts and clears its correlation state: the correlator
 * rebuilds that state from the member alerts when it finds it NULL, so it never reasons from the old membership.
 */
export async function refreshSummary(tx: DbOrTx, tenantId: string, incidentId: string): Promise<Incident> {
  const summary = await summaryOf(tx, tenantId, incidentId);
  const [row] = await tx
    .update(incidents)
    .set({ ...summary, correlation: null, updatedAt: new Date() })
    .where(and(eq(incidents.tenantId, tenantId), eq(incidents.id, incidentId)))
    .returning();
  if (!row) throw new NotFoundError(`incident ${incidentId} not found`);
  return toIncident(row);
}
