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
 *
 * Every delivery waits on the lock this holds, so the work is two round trips at most: the reads and the writes
 * that need no answer go together, then the writes that follow from what was read (a reopening, rare, takes more).
 * Each statement probes an index per key whatever the planner believes of the table: a new tenant's statistics
 * lag far behind a busy feed, and a plan that scans the tenant's alerts would hold every delivery up.
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
  const firingIn = new Set(firing.map((alert) => alert.incidentId).filter((id): id is string => id !== null));

  // A clear message is no alarm of its own: inserted ones were stored resolved (insertAlertRows); stored rows the
  // pass took up (an import from before that) are resolved here.
  const storedClearMessages = clears.filter((alert) => alert.status === "firing" && alert.ref > 0);
  const [, raised, refires] = await settleAll([
    markResolved(
      tx,
      tenantId,
      storedClearMessages.map((alert) => ({ id: alert.ref, ts: alert.iso })),
    ),
    readRaisedAlarms(tx, tenantId, clears),
    readRefires(tx, pass, firing),
    clearedAtTakenBack(tx, tenantId, firingIn),
  ] as const);

  const reopened = refires.length > 0 ? await reopenOnRefire(tx, pass, refires) : [];
  for (const id of reopened) firingIn.add(id);
  const { ended, touched } = endedByClears(clears, raised);
  const clearedIn = new Set([
    ...touched,
    ...clears.map((alert) => alert.incidentId).filter((id): id is string => id !== null),
  ]);
  for (const id of firingIn) clearedIn.delete(id);
  await settleAll([endAlarms(tx, tenantId, ended), refreshClearedAt(tx, tenantId, [...clearedIn], pass.now)]);
}

/**
 * Waits for every statement sent together (in order, on the transaction's connection), then fails with the first
 * failure: Promise.all would reject while later statements of the same transaction are still in flight.
 */
async function settleAll<const T extends readonly Promise<unknown>[]>(
  pending: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(pending);
  const failed = results.find((result) => result.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

/**
 * Sets `status = resolved` on stored alerts, by id and time. Here and below, a lateral probe with a limit per id:
 * the planner cannot flatten it into a join, so each id is one primary-key lookup even when a young tenant's stale
 * statistics make a scan of all its alerts look cheaper; the alert's time in the key confines the probe to its
 * week's partition (an id alone would probe every partition's index). Times are known to the millisecond (a
 * JavaScript Date) and stored to the microsecond, hence the millisecond's range.
 */
async function markResolved(
  tx: DbOrTx,
  tenantId: string,
  stored: ReadonlyArray<{ id: number; ts: string }>,
): Promise<void> {
  if (stored.length === 0) return;
  await tx.execute(sql`
    update alerts as a set status = 'resolved', ends_at = coalesce(a.ends_at, a."timestamp")
    from jsonb_to_recordset(${JSON.stringify(stored)}::jsonb) as v(id bigint, ts timestamptz)
    cross join lateral (
      select m.id, m."timestamp" from alerts m
      where m.id = v.id and m."timestamp" >= v.ts and m."timestamp" < v.ts + interval '1 millisecond'
        and m.tenant_id = ${tenantId} and m.status = 'firing' limit 1
    ) as own
    where a.id = own.id and a."timestamp" = own."timestamp"`);
}

/** Incidents an alarm of the pass fires in are no longer cleared. */
async function clearedAtTakenBack(tx: DbOrTx, tenantId: string, incidentIds: ReadonlySet<string>): Promise<void> {
  if (incidentIds.size === 0) return;
  await tx.execute(sql`
    update incidents set cleared_at = null
    where tenant_id = ${tenantId} and cleared_at is not null
      and id = any(array(select jsonb_array_elements_text(${JSON.stringify([...incidentIds])}::jsonb)))`);
}

/** The condition an alarm raises or clears on its host: the same key as the correlator's (host, signal, interface). */
function conditionOf(alert: { host: string; alertType: string; message: string; tags: Record<string, string> }) {
  return `${alert.host.toLowerCase()}|${signalOf(alert.alertType)}|${interfaceOf(alert.message, alert.tags) ?? ""}`;
}

/** Firing alarms of one host in one incident a clear looks back through (the latest ones). */
const RAISED_PER_PROBE = 20;

interface RaisedAlarm {
  id: string | number;
  incident_id: string;
  host: string;
  alert_type: string;
  message: string;
  tags: Record<string, string>;
  ts: string | Date;
}

/** The clears of the pass that joined an incident, on a named host. */
function placedClears(clears: readonly PassAlert[]): PassAlert[] {
  return clears.filter((alert) => alert.incidentId !== null && alert.host !== "");
}

/**
 * The firing alarms the pass's clears may end: one probe per incident and host (at its latest clear), each reading
 * at most the host's RAISED_PER_PROBE latest firing alarms in the incident through alerts_firing_incident_host_idx,
 * so a host whose other alarms stay firing in a storm-sized incident does not make every clear read them all again.
 */
async function readRaisedAlarms(tx: DbOrTx, tenantId: string, clears: readonly PassAlert[]): Promise<RaisedAlarm[]> {
  const placed = placedClears(clears);
  if (placed.length === 0) return [];
  const latestProbe = new Map<string, { inc: string | null; host: string; t: string; ms: number }>();
  for (const alert of placed) {
    const key = `${alert.incidentId}|${alert.host}`;
    const known = latestProbe.get(key);
    if (!known || known.ms < alert.timeMs) {
      latestProbe.set(key, { inc: alert.incidentId, host: alert.host, t: alert.iso, ms: alert.timeMs });
    }
  }
  const probes = [...latestProbe.values()].map(({ inc, host, t }) => ({ inc, host, t }));
  return rowsOf<RaisedAlarm>(
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
}

/**
 * Each clear that joined an incident ends that incident's firing alarms of its condition raised before it.
 * Returns the alarms ended (with when) and the incidents they are in.
 */
function endedByClears(
  clears: readonly PassAlert[],
  raised: readonly RaisedAlarm[],
): { ended: Ended[]; touched: Set<string> } {
  const ended: Ended[] = [];
  const touched = new Set<string>();
  if (raised.length === 0) return { ended, touched };
  // Per incident and condition, the latest clear: it ends every raise of that condition before it.
  const latestClear = new Map<string, PassAlert>();
  for (const clear of placedClears(clears)) {
    const key = `${clear.incidentId}|${conditionOf(clear)}`;
    const known = latestClear.get(key);
    if (!known || known.timeMs < clear.timeMs) latestClear.set(key, clear);
  }
  for (const row of raised) {
    if (isClearType(row.alert_type)) continue;
    const condition = conditionOf({ host: row.host, alertType: row.alert_type, message: row.message, tags: row.tags });
    const clear = latestClear.get(`${row.incident_id}|${condition}`);
    if (!clear || new Date(row.ts).getTime() > clear.timeMs) continue;
    ended.push({ id: Number(row.id), ts: new Date(row.ts).toISOString(), t: clear.iso });
    touched.add(row.incident_id);
  }
  return { ended, touched };
}

/** An alarm a clear ended: its key (id and time) and when the clear came. */
interface Ended {
  id: number;
  ts: string;
  t: string;
}

/** Resolves the alarms a clear ended, each at its clear's time (one primary-key probe each, in its partition). */
async function endAlarms(tx: DbOrTx, tenantId: string, ended: readonly Ended[]) {
  if (ended.length === 0) return;
  await tx.execute(sql`
    update alerts as a set status = 'resolved', ends_at = v.t
    from jsonb_to_recordset(${JSON.stringify(ended)}::jsonb) as v(id bigint, ts timestamptz, t timestamptz)
    cross join lateral (
      select m.id, m."timestamp" from alerts m
      where m.id = v.id and m."timestamp" >= v.ts and m."timestamp" < v.ts + interval '1 millisecond'
        and m.tenant_id = ${tenantId} and m.status = 'firing' limit 1
    ) as own
    where a.id = own.id and a."timestamp" = own."timestamp"`);
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

interface Refire {
  alert_id: string | number;
  current: string | null;
  reopen: string;
}

/**
 * Alarms of the pass firing again soon after their earlier occurrence's incident cleared and resolved. Only alarms
 * the pass left unassigned or put in an incident it created are looked at: alerts that joined an incident already
 * open stay there.
 */
async function readRefires(tx: DbOrTx, pass: AssignedPass, firing: readonly PassAlert[]): Promise<Refire[]> {
  const created = new Set(pass.created);
  const candidates = firing.filter((alert) => alert.incidentId === null || created.has(alert.incidentId));
  if (candidates.length === 0) return [];
  const { tenantId } = pass;
  const ids = candidates.filter((a) => a.ref > 0).map((a) => a.ref);
  const keys = candidates.filter((a) => a.ref < 0).map((a) => ({ f: a.fingerprint, t: a.iso }));
  return rowsOf<Refire>(
    await tx.execute(sql`
    with pass as (
      select a.id, a.fingerprint, a."timestamp", a.incident_id from alerts a
      where a.tenant_id = ${tenantId}
        and a.id = any(array(select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::bigint))
      union all
      select a.id, a.fingerprint, a."timestamp", a.incident_id
      from jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) as v(f text, t timestamptz)
      -- A lateral probe of the unique index per key (its limit keeps the planner from turning it into a join).
      cross join lateral (
        select m.id, m.fingerprint, m."timestamp", m.incident_id from alerts m
        where m.tenant_id = ${tenantId} and m.fingerprint = v.f and m."timestamp" = v.t limit 1
      ) as a
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
}

/**
 * Reopens the incidents the pass's alarms fire again in: each takes its unassigned refired alarms, and the
 * incidents of this pass made of them. Returns the reopened incidents.
 */
async function reopenOnRefire(tx: DbOrTx, pass: AssignedPass, matches: readonly Refire[]): Promise<string[]> {
  const { tenantId } = pass;
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
