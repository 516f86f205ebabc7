/**
 * Incidents that resolve themselves: an incident whose alarms have all cleared is marked `cleared_at`, resolved
 * by the actor `system` once the hold (`TELEOPS_AUTO_RESOLVE_AFTER`) has passed, and reopened when one of its
 * alarms fires again within the quiet period after clearing. Imported history is stored resolved.
 */
import { type DbOrTx, incidents } from "@teleops/db";
import { type CanonicalAlert, SYSTEM_ACTOR } from "@teleops/schema";
import { and, eq, inArray, sql } from "drizzle-orm";
import { appendAudit } from "../audit/events.ts";
import { interfaceOf, isClearType, signalOf } from "../correlation/features.ts";
import { lockTenant, rowsOf } from "../correlation/persist.ts";
import { refreshSummary } from "./corrections.ts";

/** What a correlation pass knows of one alert it looked at (a stored row). */
export interface PassAlertRow {
  id: number;
  timestamp: Date;
  host: string;
  alertType: string;
  message: string;
  tags: Record<string, string>;
  status: "firing" | "resolved";
}

/** A correlation pass after it assigned its alerts, as `settleIncidentLifecycle` needs it. */
export interface AssignedPass {
  tenantId: string;
  now: Date;
  /** How long after its alarms cleared a resolved incident is reopened by one of them firing again. */
  quietPeriodMs: number;
  /** Stored alerts the pass correlated (ref = row id). */
  fresh: readonly PassAlertRow[];
  /** Alerts the pass inserted (ref = -1 - index). */
  incoming: readonly CanonicalAlert[];
  /** The incident the pass put an alert in, by ref. */
  incidentOf(ref: number): string | null;
  /** Incidents the pass created. */
  created: readonly string[];
}

interface PassAlert {
  ref: number;
  fingerprint: string | null;
  timeMs: number;
  iso: string;
  host: string;
  alertType: string;
  message: string;
  tags: Record<string, string>;
  status: "firing" | "resolved";
  incidentId: string | null;
}

const REOPEN_REASON = "an alarm fired again within the quiet period after clearing";

/**
 * Runs in the pass's transaction, under the tenant's correlation lock, after its alerts were written:
 * a clear (a "link up", a message saying the condition ended) resolves the firing alarm of its condition on its
 * host in the same incident; incidents whose alarms all cleared get `cleared_at`, those with a firing alarm lose
 * it; a member alarm firing again soon after its incident resolved by clearing reopens that incident.
 */
export async function settleIncidentLifecycle(tx: DbOrTx, pass: AssignedPass): Promise<void> {
  const alerts: PassAlert[] = [
    ...pass.fresh.map((row) => ({
      ref: row.id,
      fingerprint: null,
      timeMs: row.timestamp.getTime(),
      iso: row.timestamp.toISOString(),
      host: row.host,
      alertType: row.alertType,
      message: row.message,
      tags: row.tags,
      status: row.status,
      incidentId: pass.incidentOf(row.id),
    })),
    ...pass.incoming.map((alert, index) => ({
      ref: -1 - index,
      fingerprint: alert.fingerprint,
      timeMs: Date.parse(alert.timestamp),
      iso: alert.timestamp,
      host: alert.host,
      alertType: alert.alert_type,
      message: alert.message,
      tags: alert.tags,
      status: alert.status,
      incidentId: pass.incidentOf(-1 - index),
    })),
  ];
  const clears = alerts.filter((alert) => alert.status === "resolved" || isClearType(alert.alertType));
  const firing = alerts.filter((alert) => alert.status === "firing" && !isClearType(alert.alertType));
  const { tenantId } = pass;

  // A clear message is no alarm of its own: stored resolved, so it never keeps its incident open.
  await markResolved(
    tx,
    tenantId,
    clears.filter((alert) => alert.status === "firing"),
  );
  const cleared = await clearRaisedAlarms(tx, tenantId, clears);

  const reopened = await reopenOnRefire(tx, pass, firing);
  const firingIn = new Set(firing.map((alert) => alert.incidentId).filter((id): id is string => id !== null));
  for (const id of reopened) firingIn.add(id);
  if (firingIn.size > 0) {
    await tx
      .update(incidents)
      .set({ clearedAt: null })
      .where(
        and(
          eq(incidents.tenantId, tenantId),
          inArray(incidents.id, [...firingIn]),
          sql`${incidents.clearedAt} is not null`,
        ),
      );
  }
  const clearedIn = new Set([
    ...cleared,
    ...clears.map((alert) => alert.incidentId).filter((id): id is string => id !== null),
  ]);
  for (const id of firingIn) clearedIn.delete(id);
  await refreshClearedAt(tx, tenantId, [...clearedIn], pass.now);
}

/** Sets `status = resolved` on the pass's alerts given (stored rows by id, inserted ones by identity). */
async function markResolved(tx: DbOrTx, tenantId: string, alerts: readonly PassAlert[]): Promise<void> {
  if (alerts.length === 0) return;
  const ids = alerts.filter((a) => a.ref > 0).map((a) => a.ref);
  const keys = alerts.filter((a) => a.ref < 0).map((a) => ({ f: a.fingerprint, t: a.iso }));
  // Two statements, each an index lookup per alert (the primary key; the tenant/fingerprint/time unique index): one
  // statement with the two conditions OR'd together is planned as a scan of every firing alert of the tenant.
  if (ids.length > 0) {
    await tx.execute(sql`
      update alerts as a set status = 'resolved', ends_at = coalesce(a.ends_at, a."timestamp")
      where a.tenant_id = ${tenantId} and a.status = 'firing'
        and a.id = any(array(select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::bigint))`);
  }
  if (keys.length > 0) {
    // A lateral lookup per key, so each is one probe of the unique index whatever the planner thinks of the list.
    await tx.execute(sql`
      update alerts as a set status = 'resolved', ends_at = coalesce(a.ends_at, a."timestamp")
      where a.id in (
        select x.id from jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) as v(f text, t timestamptz)
        cross join lateral (
          select m.id from alerts m
          where m.tenant_id = ${tenantId} and m.fingerprint = v.f and m."timestamp" = v.t and m.status = 'firing'
        ) as x
      )`);
  }
}

/** The condition an alarm raises or clears on its host: the same key as the correlator's (host, signal, interface). */
function conditionOf(alert: { host: string; alertType: string; message: string; tags: Record<string, string> }) {
  return `${alert.host.toLowerCase()}|${signalOf(alert.alertType)}|${interfaceOf(alert.message, alert.tags) ?? ""}`;
}

/** Firing alarms of one host in one incident a clear looks back through (the latest ones). */
const RAISED_PER_PROBE = 20;

/**
 * Each clear that joined an incident resolves that incident's firing alarms of its condition raised before it.
 * Returns the incidents where alarms were resolved.
 */
async function clearRaisedAlarms(tx: DbOrTx, tenantId: string, clears: readonly PassAlert[]): Promise<string[]> {
  const placed = clears.filter((alert) => alert.incidentId !== null && alert.host !== "");
  if (placed.length === 0) return [];
  // One probe per incident and host (at its latest clear), each reading at most the host's RAISED_PER_PROBE latest
  // firing alarms in the incident through alerts_firing_incident_host_idx: a host whose other alarms stay firing
  // in a storm-sized incident must not make every clear read them all again.
  const latestProbe = new Map<string, { inc: string | null; host: string; t: string; ms: number }>();
  for (const alert of placed) {
    const key = `${alert.incidentId}|${alert.host}`;
    const known = latestProbe.get(key);
    if (!known || known.ms < alert.timeMs) {
      latestProbe.set(key, { inc: alert.incidentId, host: alert.host, t: alert.iso, ms: alert.timeMs });
    }
  }
  const probes = [...latestProbe.values()].map(({ inc, host, t }) => ({ inc, host, t }));
  const raised = rowsOf<{
    id: string | number;
    incident_id: string;
    host: string;
    alert_type: string;
    message: string;
    tags: Record<string, string>;
    ts: string | Date;
  }>(
    await tx.execute(sql`
    select distinct r.id, r.incident_id, r.host, r.alert_type, r.message, r.tags, r.ts
    from jsonb_to_recordset(${JSON.stringify(probes)}::jsonb) as v(inc text, host text, t timestamptz)
    cross join lateral (
      select a.id, a.incident_id, a.host, a.alert_type, a.message, a.tags, a."timestamp" as ts from alerts a
      where a.incident_id = v.inc and a.host = v.host and a."timestamp" <= v.t and a.status = 'firing'
        and a.tenant_id = ${tenantId}
      order by a.incident_id desc, a.host desc, a."timestamp" desc limit ${RAISED_PER_PROBE}
    ) as r`),
  );
  if (raised.length === 0) return [];
  // Per incident and condition, the latest clear: it ends every raise of that condition before it.
  const latestClear = new Map<string, PassAlert>();
  for (const clear of placed) {
    const key = `${clear.incidentId}|${conditionOf(clear)}`;
    const known = latestClear.get(key);
    if (!known || known.timeMs < clear.timeMs) latestClear.set(key, clear);
  }
  const ended: Array<{ id: number; t: string }> = [];
  const touched = new Set<string>();
  for (const row of raised) {
    const condition = conditionOf({ host: row.host, alertType: row.alert_type, message: row.message, tags: row.tags });
    if (isClearType(row.alert_type)) continue;
    const clear = latestClear.get(`${row.incident_id}|${condition}`);
    if (!clear || new Date(row.ts).getTime() > clear.timeMs) continue;
    ended.push({ id: Number(row.id), t: clear.iso });
    touched.add(row.incident_id);
  }
  if (ended.length > 0) {
    await tx.execute(sql`
      update alerts as a set status = 'resolved', ends_at = v.t
      from jsonb_to_recordset(${JSON.stringify(ended)}::jsonb) as v(id bigint, t timestamptz)
      where a.id = v.id and a.tenant_id = ${tenantId} and a.status = 'firing'`);
  }
  return [...touched];
}

/**
 * Sets `cleared_at` on the given open incidents whose alerts are all resolved (to when the last one ended, never
 * later than `now`), and clears it on those with a firing alert. Incidents already resolved are left alone.
 */
export async function refreshClearedAt(
  tx: DbOrTx,
  tenantId: string,
  incidentIds: readonly string[],
  now: Date,
): Promise<void> {
  if (incidentIds.length === 0) return;
  await tx.execute(sql`
    with v as (
      select i.id,
             case when exists (select 1 from alerts a
                               where a.incident_id = i.id and a.tenant_id = i.tenant_id and a.status = 'firing')
                  then null
                  else coalesce(i.cleared_at,
                                least(${now.toISOString()}::timestamptz,
                                      (select max(coalesce(a.ends_at, a."timestamp")) from alerts a
                                       where a.incident_id = i.id and a.tenant_id = i.tenant_id)))
             end as cleared
      from incidents i
      where i.tenant_id = ${tenantId}
        and i.id = any(array(select jsonb_array_elements_text(${JSON.stringify(incidentIds)}::jsonb)))
        and i.status <> 'resolved' and i.merged_into is null
    )
    update incidents as i set cleared_at = v.cleared
    from v where i.id = v.id and i.tenant_id = ${tenantId} and i.cleared_at is distinct from v.cleared`);
}

/**
 * Alarms of the pass firing again soon after their earlier occurrence's incident cleared and resolved: that
 * incident reopens and takes them (with the incident the pass had just made of them, if any). Alerts the pass
 * put in an incident that was already open stay there. Returns the reopened incidents.
 */
async function reopenOnRefire(tx: DbOrTx, pass: AssignedPass, firing: readonly PassAlert[]): Promise<string[]> {
  const created = new Set(pass.created);
  const candidates = firing.filter((alert) => alert.incidentId === null || created.has(alert.incidentId));
  if (candidates.length === 0) return [];
  const { tenantId } = pass;
  const ids = candidates.filter((a) => a.ref > 0).map((a) => a.ref);
  const keys = candidates.filter((a) => a.ref < 0).map((a) => ({ f: a.fingerprint, t: a.iso }));
  const matches = rowsOf<{ alert_id: string | number; current: string | null; reopen: string }>(
    await tx.execute(sql`
    with pass as (
      select a.id, a.fingerprint, a."timestamp", a.incident_id from alerts a
      where a.tenant_id = ${tenantId}
        and a.id = any(array(select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::bigint))
      union all
      select a.id, a.fingerprint, a."timestamp", a.incident_id
      from jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) as v(f text, t timestamptz)
      join alerts a on a.tenant_id = ${tenantId} and a.fingerprint = v.f and a."timestamp" = v.t
    )
    select p.id as alert_id, p.incident_id as current, r.id as reopen
    from pass p
    -- Only the alarm's latest earlier occurrence is looked at (one step back the unique index): a condition that
    -- kept firing as noise since, or a fingerprint repeated thousands of times without an incident, must not cost
    -- a scan of its whole history on every delivery.
    cross join lateral (
      select m.incident_id from alerts m
      where m.tenant_id = ${tenantId} and m.fingerprint = p.fingerprint and m."timestamp" < p."timestamp"
      order by m."timestamp" desc limit 1
    ) as earlier
    join incidents r on r.tenant_id = ${tenantId} and r.id = earlier.incident_id
      and earlier.incident_id is distinct from p.incident_id
    where r.status = 'resolved' and r.merged_into is null and r.cleared_at is not null
      and p."timestamp" <= r.cleared_at + ${pass.quietPeriodMs}::double precision * interval '1 millisecond'`),
  );
  if (matches.length === 0) return [];
  // Per incident to reopen: the unassigned alerts it takes, and the incidents of this pass it absorbs.
  const plans = new Map<string, { alertIds: number[]; absorbs: Set<string> }>();
  const claimed = new Set<string>();
  for (const match of matches) {
    let plan = plans.get(match.reopen);
    if (!plan) {
      plan = { alertIds: [], absorbs: new Set() };
      plans.set(match.reopen, plan);
    }
    if (match.current === null) plan.alertIds.push(Number(match.alert_id));
    else if (!claimed.has(match.current)) {
      claimed.add(match.current);
      plan.absorbs.add(match.current);
    }
  }
  for (const [target, plan] of plans) {
    const absorbs = [...plan.absorbs];
    await tx.execute(sql`
      update alerts as a set incident_id = ${target}, pending_group = null,
             correlation_reason = ${`fired again within the quiet period after ${target} cleared`}
      where a.tenant_id = ${tenantId}
        and (a.id = any(array(select jsonb_array_elements_text(${JSON.stringify(plan.alertIds)}::jsonb)::bigint))
             or a.incident_id = any(array(select jsonb_array_elements_text(${JSON.stringify(absorbs)}::jsonb))))`);
    if (absorbs.length > 0) {
      await tx
        .update(incidents)
        .set({ status: "resolved", mergedInto: target, alertCount: 0, correlation: null, updatedAt: pass.now })
        .where(and(eq(incidents.tenantId, tenantId), inArray(incidents.id, absorbs)));
    }
    await tx
      .update(incidents)
      .set({ status: "open", clearedAt: null, updatedAt: pass.now })
      .where(and(eq(incidents.tenantId, tenantId), eq(incidents.id, target)));
    // The summary is rebuilt from the members, and the correlator rebuilds its state from them on the next pass.
    await refreshSummary(tx, tenantId, target);
    await appendAudit(tx, {
      tenantId,
      actor: SYSTEM_ACTOR,
      action: "incident.reopen",
      entityType: "incident",
      entityId: target,
      incidentId: target,
      details: { from: "resolved", to: "open", reason: REOPEN_REASON, alert_ids: plan.alertIds, absorbed: absorbs },
    });
    for (const from of absorbs) {
      await appendAudit(tx, {
        tenantId,
        actor: SYSTEM_ACTOR,
        action: "incident.merge",
        entityType: "incident",
        entityId: from,
        incidentId: from,
        details: { into: target, reason: `its alarms are ${target}'s firing again` },
      });
    }
  }
  return [...plans.keys()];
}

/** How long a running import keeps the incidents it loads from resolving by themselves. */
const IMPORT_HOLDS_MS = 60 * 60_000;

export interface AutoResolveOptions {
  now: Date;
  /** `TELEOPS_AUTO_RESOLVE_AFTER` in ms: how long an incident stays cleared before it resolves. */
  holdMs: number;
  /** Incidents looked at per call (the rest on the next). */
  limit?: number;
}

export interface AutoResolved {
  tenantId: string;
  id: string;
  from: string;
}

/**
 * Resolves, as `system`, every incident cleared for at least the hold. Safe with several server processes and
 * beside correlation passes: each tenant's incidents are resolved under its correlation lock, by an UPDATE that
 * only takes incidents still cleared and not resolved, so an incident resolves once and never after an alarm
 * of it fired again.
 */
export async function resolveClearedIncidents(db: DbOrTx, options: AutoResolveOptions): Promise<AutoResolved[]> {
  const cutoff = new Date(options.now.getTime() - options.holdMs).toISOString();
  // Reads the partial index incidents_cleared_idx (cleared_at where cleared and not resolved). An incident an
  // import is still loading waits for it (its next batch may continue the failure); the import resolves its
  // history when it finishes, and an import left running for an hour no longer holds anything back.
  const due = rowsOf<{ id: string; tenant_id: string }>(
    await db.execute(sql`
    select i.id, i.tenant_id from incidents i
    where i.cleared_at is not null and i.status <> 'resolved' and i.cleared_at <= ${cutoff}::timestamptz
      and not exists (select 1 from imports m
                      where m.tenant_id = i.tenant_id and m.status = 'running'
                        and m.started_at > ${new Date(options.now.getTime() - IMPORT_HOLDS_MS).toISOString()}::timestamptz
                        and i.id = any(m.incident_ids))
    order by i.cleared_at limit ${options.limit ?? 500}`),
  );
  const byTenant = new Map<string, string[]>();
  for (const row of due) byTenant.set(row.tenant_id, [...(byTenant.get(row.tenant_id) ?? []), row.id]);
  const resolved: AutoResolved[] = [];
  for (const [tenantId, ids] of byTenant) {
    const done = await db.transaction(async (tx) => {
      await lockTenant(tx, tenantId);
      const rows = rowsOf<{ id: string; previous: string }>(
        await tx.execute(sql`
        with due as (
          select id, status from incidents
          where tenant_id = ${tenantId}
            and id = any(array(select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)))
            and cleared_at is not null and status <> 'resolved' and cleared_at <= ${cutoff}::timestamptz
          for update
        )
        update incidents as i set status = 'resolved', updated_at = ${options.now.toISOString()}::timestamptz
        from due where i.id = due.id and i.tenant_id = ${tenantId}
        returning i.id, due.status as previous`),
      );
      for (const row of rows) {
        await appendAudit(tx, {
          tenantId,
          actor: SYSTEM_ACTOR,
          action: "incident.status",
          entityType: "incident",
          entityId: row.id,
          incidentId: row.id,
          details: { from: row.previous, to: "resolved", reason: "every alarm cleared", hold_ms: options.holdMs },
        });
      }
      return rows.map((row) => ({ tenantId, id: row.id, from: row.previous }));
    });
    resolved.push(...done);
  }
  return resolved;
}

/**
 * Imported history must not fill the open queue: of the given incidents, those whose last alert is older than
 * the quiet period are resolved as `system`. Returns the ones it resolved.
 */
export async function resolveImportedHistory(
  db: DbOrTx,
  params: { tenantId: string; incidentIds: readonly string[]; quietPeriodMs: number; now: Date },
): Promise<string[]> {
  if (params.incidentIds.length === 0) return [];
  const { tenantId } = params;
  const before = new Date(params.now.getTime() - params.quietPeriodMs).toISOString();
  return db.transaction(async (tx) => {
    await lockTenant(tx, tenantId);
    const rows = rowsOf<{ id: string; previous: string; end_time: string | Date }>(
      await tx.execute(sql`
      with old as (
        select id, status, end_time from incidents
        where tenant_id = ${tenantId}
          and id = any(array(select jsonb_array_elements_text(${JSON.stringify(params.incidentIds)}::jsonb)))
          and status <> 'resolved' and merged_into is null and end_time < ${before}::timestamptz
        for update
      )
      update incidents as i set status = 'resolved', updated_at = ${params.now.toISOString()}::timestamptz
      from old where i.id = old.id and i.tenant_id = ${tenantId}
      returning i.id, old.status as previous, old.end_time`),
    );
    for (const row of rows) {
      await appendAudit(tx, {
        tenantId,
        actor: SYSTEM_ACTOR,
        action: "incident.status",
        entityType: "incident",
        entityId: row.id,
        incidentId: row.id,
        details: {
          from: row.previous,
          to: "resolved",
          reason: "imported history: its last alert is older than the quiet period",
          last_alert: new Date(row.end_time).toISOString(),
        },
      });
    }
    return rows.map((row) => row.id).sort();
  });
}

/** Ticket states that mean the work is done. */
const CLOSED_TICKET = /^(?:resolved|closed|done|cancel+ed|complete[d]?)$/i;

export function isClosedTicketStatus(status: string): boolean {
  return CLOSED_TICKET.test(status.trim());
}

/**
 * A linked ServiceNow or Jira ticket was closed: its incident counts as cleared from now (unless already), so it
 * resolves after the hold like one whose alarms cleared; an alarm firing again in it takes that back.
 */
export async function markClearedByTicket(tx: DbOrTx, tenantId: string, incidentId: string, now: Date): Promise<void> {
  await tx
    .update(incidents)
    .set({ clearedAt: sql`coalesce(${incidents.clearedAt}, ${now.toISOString()}::timestamptz)` })
    .where(
      and(
        eq(incidents.tenantId, tenantId),
        eq(incidents.id, incidentId),
        sql`${incidents.status} <> 'resolved' and ${incidents.mergedInto} is null`,
      ),
    );
}
