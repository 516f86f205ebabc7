/**
 * Incremental correlation against the database: takes the tenant's not-yet-correlated alerts, lets them
 * join open incidents or form new ones, and records the outcome. Serialized per tenant with a transaction
 * advisory lock so several server replicas never split or duplicate an incident.
 */

import { randomUUID } from "node:crypto";
import { alerts, type DbOrTx, incidents, prepared } from "@teleops/db";
import type { CanonicalAlert, IncidentRef, Severity } from "@teleops/schema";
import { and, asc, gte, isNotNull, isNull, lte, ne, sql } from "drizzle-orm";
import { insertAlertRows } from "../alerts/ingest.ts";
import { settleIncidentLifecycle } from "../incidents/lifecycle.ts";
import {
  type AlertFeatures,
  type AlertGroup,
  addLayerOfKey,
  type CorrelationConfig,
  type CorrelationInput,
  Correlator,
  DEFAULT_CORRELATION_CONFIG,
  type LearnedRelations,
  type TopologyView,
} from "./correlator.ts";
import { groupTitle, retitle } from "./describe.ts";
import {
  type EvidenceCache,
  type EvidenceRead,
  type EvidenceWrite,
  evidenceCacheOf,
  type Kept,
  readEvidence,
  writeEvidence,
} from "./evidence.ts";
import { endsWithRecovery, isClearType } from "./features.ts";
import { correlationInput } from "./inMemory.ts";
import { LearnedRelationsCache } from "./learned.ts";
import { repeatOddsOf } from "./repeats.ts";
import { decodeStored, encodeSummary } from "./state.ts";

export interface CorrelatePendingOptions {
  tenantId: string;
  topology?: TopologyView;
  config?: CorrelationConfig;
  /** Host name → site for hosts without a site tag (`TELEOPS_SITE_PATTERN`); the built-in default when unset. */
  siteOfHost?: (host: string) => string | null;
  relations?: LearnedRelations;
  /** Alerts taken per pass; passes repeat until the queue is empty. */
  batchSize?: number;
}

export interface CorrelationOutcome {
  /** Incidents created or grown by this run, with their total alert counts. */
  incidents: IncidentRef[];
  /** Alerts examined for the first time. */
  correlated: number;
}

/** Learned relations per database handle and tenant (see learned.ts): read outside the pass's transaction. */
const learnedCaches = new WeakMap<object, LearnedRelationsCache>();

async function withLearned(db: DbOrTx, options: CorrelatePendingOptions): Promise<CorrelatePendingOptions> {
  if (options.relations) return options;
  let cache = learnedCaches.get(db);
  if (!cache) {
    cache = new LearnedRelationsCache();
    learnedCaches.set(db, cache);
  }
  return { ...options, relations: await cache.get(db, options.tenantId) };
}

/** Forgets a tenant's learned relations, so an operator's correction weighs from the next pass on. */
export function forgetLearnedRelations(db: DbOrTx, tenantId: string): void {
  learnedCaches.get(db)?.invalidate(tenantId);
}

/**
 * Alerts taken per pass of `correlatePending`. Passes of any size give the same incidents (groups below the bar
 * keep their key between passes), so they are kept small enough to compute in well under a second.
 */
const PENDING_BATCH = 10_000;

export async function correlatePending(db: DbOrTx, given: CorrelatePendingOptions): Promise<CorrelationOutcome> {
  const options = await withLearned(db, given);
  const evidence = evidenceCacheOf(db);
  const touched = new Map<string, number>();
  let correlated = 0;
  for (;;) {
    const afterCommit: Array<() => void> = [];
    const pass = await db.transaction(async (tx) => {
      await lockTenant(tx, options.tenantId);
      const fresh = await pendingAlerts(tx, options);
      if (fresh.length === 0) return { incidents: [], correlated: 0 };
      const context = await correlationContext(tx, options, timeWindow(options, fresh, []));
      return correlateAndWrite(tx, options, { fresh, incoming: [], evidence, afterCommit, ...context });
    });
    for (const then of afterCommit) then();
    correlated += pass.correlated;
    for (const ref of pass.incidents) touched.set(ref.id, ref.alert_count);
    if (pass.correlated < (options.batchSize ?? PENDING_BATCH)) break;
    // Between passes the server answers other requests: a large import or generation never holds it for long.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { incidents: [...touched].map(([id, alert_count]) => ({ id, alert_count })), correlated };
}

export interface StoreAndCorrelateOutcome extends CorrelationOutcome {
  /** Per batch given, in order: alerts newly stored and alerts already stored (or repeated within the call). */
  batches: Array<{ accepted: number; duplicates: number }>;
}

/**
 * Stores new alerts already correlated, in one transaction under the tenant's correlation lock: alerts stored
 * before are dropped, the rest join open incidents or form new ones in memory, and each is inserted once with
 * its incident. This halves the write volume of inserting first and correlating after (an insert plus an
 * update of every alert and its index entries). `within` writes in the same transaction (an integration
 * event), so it commits or rolls back with the alerts.
 *
 * Round trips are few: the lock, then every read together (postgres.js pipelines prepared queries issued at once
 * on a transaction's connection), then new incident numbers when there are new incidents, then every write
 * together, then the commit.
 */
export async function storeAndCorrelate(
  db: DbOrTx,
  given: CorrelatePendingOptions,
  batches: ReadonlyArray<readonly CanonicalAlert[]>,
  within?: (tx: DbOrTx, outcome: StoreAndCorrelateOutcome) => Promise<void>,
  /** Runs under the lock before anything is read (its writes are seen by the pass); retried with the rest. */
  first?: (tx: DbOrTx) => Promise<void>,
): Promise<StoreAndCorrelateOutcome> {
  const options = await withLearned(db, given);
  // What each alert reads as (layer, site, named entities…) depends on no stored state: worked out here, before
  // the tenant's lock is taken, so the critical section other deliveries wait on holds only the linking.
  const reader = new Correlator<number>(options.config ?? DEFAULT_CORRELATION_CONFIG, options);
  const read = new Map<CanonicalAlert, AlertFeatures>();
  for (const batch of batches) {
    for (const alert of batch) read.set(alert, reader.read(incomingInput(options.tenantId, alert, 0)));
  }
  const evidence = evidenceCacheOf(db);
  const keys = batches.flat().map(alertKey);
  // The check for stored alerts is left out when none are likely (repeats.ts): the insert finds any all the same.
  const repeats = repeatOddsOf(db);
  let check = repeats.shouldCheck(options.tenantId, keys);
  for (let attempt = 1; ; attempt++) {
    try {
      const afterCommit: Array<() => void> = [];
      const outcome = await db.transaction((tx) =>
        storeInTransaction(tx, options, batches, within, first, read, { evidence, afterCommit }, keys, check),
      );
      for (const then of afterCommit) then();
      if (outcome.batches.some((counts) => counts.duplicates > 0)) repeats.sawRepeat(options.tenantId);
      repeats.stored(options.tenantId, keys);
      return outcome;
    } catch (error) {
      if (!(error instanceof ConcurrentInsertError)) throw error;
      if (!check) {
        // Stored alerts among the delivery's, guessed wrong: the pass rolled back and runs again with the check.
        repeats.sawRepeat(options.tenantId);
        check = true;
        attempt -= 1;
        continue;
      }
      // Another path (an import, which does not take the lock to insert) stored one of these alerts between
      // the check and the insert: the transaction rolled back, and the next attempt sees that alert as stored.
      if (attempt >= 3) throw error;
    }
  }
}

class ConcurrentInsertError extends Error {}

async function storeInTransaction(
  tx: DbOrTx,
  options: CorrelatePendingOptions,
  batches: ReadonlyArray<readonly CanonicalAlert[]>,
  within: ((tx: DbOrTx, outcome: StoreAndCorrelateOutcome) => Promise<void>) | undefined,
  first: ((tx: DbOrTx) => Promise<void>) | undefined,
  read: ReadonlyMap<CanonicalAlert, AlertFeatures>,
  kept: Pick<PassInput, "evidence" | "afterCommit">,
  keys: readonly string[],
  check: boolean,
): Promise<StoreAndCorrelateOutcome> {
  const all = batches.flat();
  const guess = timeWindow(options, [], all);
  // The lock is awaited before any read is issued: a read sent in the same pipeline could be sent ahead of the
  // lock (the drivers issue lazy queries in microtask order, which differs between query kinds) and then see the
  // tenant's state from before another replica's commit.
  await lockTenant(tx, options.tenantId);
  if (first) await first(tx);
  const [stored, fresh, guessed] = await Promise.all([
    check ? storedKeys(tx, options.tenantId, all) : new Set<string>(),
    pendingAlerts(tx, options),
    correlationContext(tx, options, guess),
  ]);
  const isNew = newAlertFlags(keys, stored);
  const incoming = all.filter((_, index) => isNew[index]);
  const counts: StoreAndCorrelateOutcome["batches"] = [];
  let offset = 0;
  for (const batch of batches) {
    let accepted = 0;
    for (let i = offset; i < offset + batch.length; i++) if (isNew[i]) accepted += 1;
    counts.push({ accepted, duplicates: batch.length - accepted });
    offset += batch.length;
  }
  // Alerts stored earlier without correlation (an import) may reach outside the window read above.
  const window = timeWindow(options, fresh, incoming);
  const context =
    fresh.length > 0 &&
    (window.incidentsStart < guess.incidentsStart || window.start < guess.start || window.end > guess.end)
      ? await correlationContext(tx, options, window)
      : guessed;
  return correlateAndWrite(tx, options, { fresh, incoming, read, ...kept, ...context }, (pass) => {
    const outcome = { ...pass, batches: counts };
    return { outcome, write: within ? within(tx, outcome) : Promise.resolve() };
  });
}

/** Stored (fingerprint, time) pairs among `batch`'s, as `fingerprint|epoch microseconds`. */
async function storedKeys(tx: DbOrTx, tenantId: string, batch: readonly CanonicalAlert[]): Promise<Set<string>> {
  if (batch.length === 0) return new Set();
  const fingerprints = JSON.stringify([...new Set(batch.map((alert) => alert.fingerprint))]);
  let minMs = Number.POSITIVE_INFINITY;
  let maxMs = Number.NEGATIVE_INFINITY;
  for (const alert of batch) {
    const t = Date.parse(alert.timestamp);
    if (t < minMs) minMs = t;
    if (t > maxMs) maxMs = t;
  }
  // Candidates come from one probe of the unique index (tenant, fingerprint, time) per distinct fingerprint, over
  // the batch's time span (a millisecond wider on each side, for sub-millisecond times); pairs are matched to the
  // microsecond after. Probing by fingerprint, not scanning the span, keeps a storm stamped with one second cheap:
  // a span scan there reads every alert of that second and tests each against the whole list. Without statistics
  // (a new partition, a storm faster than autovacuum) PostgreSQL still plans that scan, (tenant, time) index and
  // unique index costing the same to it; deliveries unlikely to repeat stored alerts leave the check out (repeats.ts).
  const result = await tx.execute(
    prepared(sql`
    select a.fingerprint as f, (extract(epoch from a."timestamp") * 1000000)::bigint::text as us
    from jsonb_array_elements_text(${fingerprints}::jsonb) as b(fingerprint)
    cross join lateral (
      select fingerprint, "timestamp" from alerts
      where tenant_id = ${tenantId} and fingerprint = b.fingerprint
        and "timestamp" between ${new Date(minMs - 1).toISOString()}::timestamptz
                            and ${new Date(maxMs + 1).toISOString()}::timestamptz
    ) as a`),
  );
  return new Set(rowsOf<{ f: string; us: string }>(result).map((row) => `${row.f}|${row.us}`));
}

/** An alert's identity as `storedKeys` gives it: `fingerprint|epoch microseconds`. */
function alertKey(alert: CanonicalAlert): string {
  return `${alert.fingerprint}|${epochMicros(alert.timestamp)}`;
}

/** Per alert key: true when it is neither stored nor a repeat of an earlier alert of the batch. */
function newAlertFlags(keys: readonly string[], stored: Set<string>): boolean[] {
  const seen = new Set(stored);
  return keys.map((key) => {
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Microseconds since the epoch of an ISO 8601 time, as timestamptz keeps it (past six digits, rounded). */
export function epochMicros(iso: string): string {
  const ms = Date.parse(iso);
  const fraction = /[.,](\d+)/.exec(iso)?.[1] ?? "";
  if (fraction.length <= 3) return String(BigInt(ms) * 1000n);
  const wholeSecondsMs = Math.floor(ms / 1000) * 1000;
  const micros = Math.round(Number(`0.${fraction}`) * 1e6);
  return String(BigInt(wholeSecondsMs) * 1000n + BigInt(micros));
}

/**
 * Takes the tenant's correlation lock until the transaction ends: correlation passes and operators' corrections
 * of incidents (merge, split, move) take it, so neither sees the other's half-written incidents.
 */
export async function lockTenant(tx: DbOrTx, tenantId: string): Promise<void> {
  await tx.execute(prepared(sql`select pg_advisory_xact_lock(hashtext(${`teleops:correlate:${tenantId}`}))`));
}

type AlertRow = Awaited<ReturnType<typeof pendingAlerts>>[number];

/** The tenant's stored alerts no pass has looked at yet (imports store first and correlate after). */
function pendingAlerts(tx: DbOrTx, options: CorrelatePendingOptions) {
  return tx
    .select(alertColumns)
    .from(alerts)
    .where(and(sql`${alerts.tenantId} = ${options.tenantId}`, isNull(alerts.correlatedAt)))
    .orderBy(asc(alerts.id))
    .limit(options.batchSize ?? PENDING_BATCH)
    .prepare("pending_alerts")
    .execute();
}

interface TimeWindow {
  /** Where unassigned alerts are re-read from. */
  start: Date;
  end: Date;
  /** Where open incidents are read from (a clear reaches further back than any other link). */
  incidentsStart: Date;
}

/**
 * The span the alerts cover, widened on both sides: open incidents as far as a clear can reach back, unassigned
 * alerts as far as a chain of sub-threshold alarms plausibly reaches (a few link windows).
 */
function timeWindow(
  options: CorrelatePendingOptions,
  rows: readonly AlertRow[],
  incoming: readonly CanonicalAlert[],
): TimeWindow {
  const config = options.config ?? DEFAULT_CORRELATION_CONFIG;
  // Fifteen minutes either way (as before issue 15) also covers alerts whose text moves their start back by a
  // rule's usual "for 15m"; pending groups reaching further are read whole through their key.
  const reach = Math.max(config.sameHostWindowMs, config.entityWindowMs, config.siteWindowMs, 7.5 * 60_000);
  let minMs = Number.POSITIVE_INFINITY;
  let maxMs = Number.NEGATIVE_INFINITY;
  // Only a clear reaches incidents quiet for hours: without one, open incidents are read as far back as a repeat
  // or a slow power/hardware alarm reaches, which keeps the read small on a busy tenant.
  let clears = false;
  for (const row of rows) {
    const t = row.timestamp.getTime();
    if (t < minMs) minMs = t;
    if (t > maxMs) maxMs = t;
    if (row.status === "resolved" || isClearType(row.alertType) || endsWithRecovery(row.message)) clears = true;
  }
  for (const alert of incoming) {
    const t = Date.parse(alert.timestamp);
    if (t < minMs) minMs = t;
    if (t > maxMs) maxMs = t;
    if (alert.status === "resolved" || isClearType(alert.alert_type) || endsWithRecovery(alert.message)) clears = true;
  }
  if (minMs > maxMs) minMs = maxMs = Date.now();
  const incidentReach = clears
    ? config.clearWindowMs
    : Math.max(2 * reach, config.repeatWindowMs, config.slowSameHostWindowMs);
  return {
    // A power, hardware or machine alarm waits for its host's next one for longer (on battery, then battery low).
    start: new Date(minMs - Math.max(2 * reach, config.slowSameHostWindowMs)),
    end: new Date(maxMs + 2 * reach),
    incidentsStart: new Date(minMs - Math.max(incidentReach, 2 * reach)),
  };
}

/** Open incidents and unassigned alerts in the window: what new alerts can join or grow with. */
async function correlationContext(tx: DbOrTx, options: CorrelatePendingOptions, window: TimeWindow) {
  const { tenantId } = options;
  const [openIncidents, unassigned] = await Promise.all([
    tx
      .select()
      .from(incidents)
      .where(
        and(
          sql`${incidents.tenantId} = ${tenantId}`,
          ne(incidents.status, "resolved"),
          gte(incidents.endTime, window.incidentsStart),
          lte(incidents.startTime, window.end),
        ),
      )
      .prepare("open_incidents")
      .execute(),
    // Alerts seen before that stayed below the incident bar may now belong to a growing failure (silenced
    // alerts never do: a silence keeps them out of incidents for good).
    tx
      .select(alertColumns)
      .from(alerts)
      .where(
        and(
          sql`${alerts.tenantId} = ${tenantId}`,
          isNull(alerts.incidentId),
          isNotNull(alerts.correlatedAt),
          isNull(alerts.silencedBy),
          gte(alerts.timestamp, window.start),
          lte(alerts.timestamp, window.end),
        ),
      )
      .prepare("unassigned_alerts")
      .execute(),
  ]);
  // Groups below the bar that began before the window: their earlier members are read too, so the group forms
  // again whole (as it would have had every alert come in one delivery).
  const known = new Set(unassigned.map((row) => row.id));
  const groups = [...new Set(unassigned.map((row) => row.pendingGroup).filter((key): key is string => key !== null))];
  if (groups.length > 0) {
    const earlier = await tx
      .select(alertColumns)
      .from(alerts)
      .where(
        and(
          sql`${alerts.tenantId} = ${tenantId}`,
          isNull(alerts.incidentId),
          sql`${alerts.pendingGroup} = any(array(select jsonb_array_elements_text(${JSON.stringify(groups)}::jsonb)))`,
        ),
      )
      .prepare("pending_group_alerts")
      .execute();
    for (const row of earlier) if (!known.has(row.id)) unassigned.push(row);
  }
  return { openIncidents, unassigned, incidentsSince: window.incidentsStart };
}

interface PassInput {
  /** Stored alerts not correlated yet. */
  fresh: AlertRow[];
  /** New alerts not stored yet: inserted by this pass with their incident. */
  incoming: readonly CanonicalAlert[];
  openIncidents: Array<typeof incidents.$inferSelect>;
  unassigned: AlertRow[];
  /** How far back the open incidents were read. */
  incidentsSince: Date;
  /** What incoming alerts read as, when worked out before the pass. */
  read?: ReadonlyMap<CanonicalAlert, AlertFeatures>;
  /** The process's copies of open incidents' evidence: the pass takes those it uses and gives back what it commits. */
  evidence: EvidenceCache;
  /** Run by the caller once the pass's transaction has committed (never when it rolls back). */
  afterCommit: Array<() => void>;
}

/**
 * Runs the correlator over the pass's alerts and writes the outcome: new and grown incidents, updated stored
 * alerts and inserted incoming ones, all sent at once. `alongside` adds the caller's own writes to the same
 * round trip, given the outcome.
 */
async function correlateAndWrite<Outcome extends CorrelationOutcome = CorrelationOutcome>(
  tx: DbOrTx,
  options: CorrelatePendingOptions,
  { fresh, incoming, openIncidents, unassigned, incidentsSince, read, evidence, afterCommit }: PassInput,
  alongside?: (pass: CorrelationOutcome) => { outcome: Outcome; write: Promise<void> },
): Promise<Outcome> {
  const config = options.config ?? DEFAULT_CORRELATION_CONFIG;
  const { tenantId } = options;
  if (fresh.length === 0 && incoming.length === 0) {
    // Nothing new (a redelivery): the unassigned alerts were already weighed, so no pass and no writes.
    const idle: CorrelationOutcome = { incidents: [], correlated: 0 };
    const extra = alongside?.(idle);
    if (extra) await extra.write;
    return (extra?.outcome ?? idle) as Outcome;
  }
  const freshIds = new Set(fresh.map((row) => row.id));
  const correlator = new Correlator<number>(config, options);
  const seeded = new Map<string, AlertGroup<number>>();
  const evidenceOf = await openEvidence(tx, tenantId, openIncidents, evidence);
  const groupOf = new Map<string, AlertGroup<number>>();
  for (const incident of openIncidents) {
    const state = decodeStored(incident.correlation);
    const group = correlator.seed({
      id: incident.id,
      tenantId,
      startMs: incident.startTime.getTime(),
      endMs: incident.endTime.getTime(),
      hosts: incident.hosts,
      services: incident.services,
      sites: incident.sites,
      severity: incident.severity,
      alertCount: incident.alertCount,
      state,
      ...(evidenceOf.has(incident.id)
        ? { keys: (evidenceOf.get(incident.id) as Kept).keys, layers: (evidenceOf.get(incident.id) as Kept).layers }
        : {}),
    });
    groupOf.set(incident.id, group);
    if (state === null) seeded.set(incident.id, group);
  }
  // Incidents without state (just corrected by an operator, or stored before state existed): rebuilt from their
  // recent member alerts and pinned, so the correlator never undoes an operator's split by merging them again.
  if (seeded.size > 0) {
    const members = await recentMembers(tx, tenantId, [...seeded.keys()], incidentsSince);
    for (const row of members) {
      const group = seeded.get(row.incidentId as string);
      if (group) correlator.remember(group, toInput(tenantId, row));
    }
    for (const group of seeded.values()) group.pinned = true;
  }
  // Alerts an earlier pass looked at and left unassigned come back as replays (see CorrelationInput.replayed).
  const inputs = [
    ...unassigned.map((row) => ({ ...toInput(tenantId, row), replayed: true })),
    ...fresh.map((row) => toInput(tenantId, row)),
  ];
  const known = new Map<CorrelationInput<number>, AlertFeatures>();
  for (const [index, alert] of incoming.entries()) {
    const input = incomingInput(tenantId, alert, index);
    const features = read?.get(alert);
    if (features) known.set(input, features);
    inputs.push(input);
  }
  inputs.sort((a, b) => a.timeMs - b.timeMs);
  for (const input of inputs) correlator.add(input, known.get(input));

  const groups = correlator.incidents().filter((g) => g.members.length > 0 || g.absorbed.length > 0);
  // What this process keeps after the commit: the copies it read, unless merged away; written groups replace theirs.
  const kept = new Map<string, Kept>();
  for (const [id, copy] of evidenceOf) if (groupOf.get(id)?.mergedInto === null) kept.set(id, copy);
  const newGroups = groups.filter((g) => g.incidentId === null);
  const newIds = await allocateIncidentIds(tx, newGroups.length);
  const assignments: Array<{ id: number; incident_id: string; reason: string }> = [];
  const refs: IncidentRef[] = [];
  const now = new Date();

  const titles = new Map(openIncidents.map((incident) => [incident.id, incident.title]));
  const stored = new Map(openIncidents.map((incident) => [incident.id, incident]));
  const evidenceWrites: EvidenceWrite[] = [];
  const created: Array<typeof incidents.$inferInsert> = [];
  const grown: Array<Record<string, unknown>> = [];
  const absorbed: Array<{ id: string; into: string }> = [];
  for (const group of groups) {
    const id = group.incidentId ?? (newIds.shift() as string);
    const alertCount = group.priorCount + group.members.length;
    group.members.forEach((member, i) => {
      assignments.push({ id: member.ref, incident_id: id, reason: group.reasons[i] ?? "" });
    });
    for (const from of group.absorbed) absorbed.push({ id: from, into: id });
    refs.push({ id, alert_count: alertCount });
    const hosts = [...group.hosts].sort();
    const services = [...group.services].sort();
    const sites = [...group.sites].sort();
    // Evidence: only the keys this pass changed, at the incident's next revision; all of it (replacing what was
    // stored) when the group is new, was rebuilt from its members, or was read from the old single-row form.
    const before = group.incidentId === null ? undefined : stored.get(group.incidentId);
    const previousRev = before?.correlationRev ?? 0;
    const changed = group.dirty === null || group.dirty.size > 0;
    const rev = changed ? previousRev + 1 : previousRev;
    const summary = decodeStored(before?.correlation);
    const base = group.dirty === null || summary?.v !== 2 ? rev : summary.base;
    if (changed) {
      evidenceWrites.push({
        incidentId: id,
        rev,
        keys: group.keys,
        changed: group.dirty,
        replace: group.dirty === null && group.incidentId !== null,
      });
    }
    const state = encodeSummary(group.signals, group.pinned, base) as unknown as Record<string, unknown>;
    // The layers kept are those the stored keys name, exactly what a process reading the rows would work out.
    const layers = new Set(group.dirty === null ? [] : (evidenceOf.get(id)?.layers ?? []));
    for (const key of group.dirty ?? group.keys.keys()) addLayerOfKey(layers, key);
    kept.set(id, { rev, keys: group.keys, layers });
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
        correlation: state,
        correlationRev: rev,
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
        correlation: state,
        correlation_rev: rev,
      });
    }
  }
  const pending: Array<Promise<unknown>> = [];
  // One statement each for new and grown incidents, however many a pass touches; incidents go first so the
  // alerts written after them name rows that exist.
  // (New incidents go one prepared statement each, sent together, so the statement text never varies.)
  for (const row of created) pending.push(tx.insert(incidents).values(row).prepare("insert_incident").execute());
  if (grown.length > 0) {
    pending.push(
      tx.execute(
        prepared(sql`
      update incidents as i
      set title = v.title, severity = v.severity, start_time = v.start_time, end_time = v.end_time,
          alert_count = v.alert_count, updated_at = ${now.toISOString()}::timestamptz,
          hosts = array(select jsonb_array_elements_text(v.hosts)),
          services = array(select jsonb_array_elements_text(v.services)),
          sites = array(select jsonb_array_elements_text(v.sites)),
          correlation = v.correlation, correlation_rev = v.correlation_rev
      from jsonb_to_recordset(${JSON.stringify(grown)}::jsonb)
           as v(id text, title text, severity text, start_time timestamptz, end_time timestamptz,
                alert_count integer, hosts jsonb, services jsonb, sites jsonb, correlation jsonb,
                correlation_rev bigint)
      where i.id = v.id and i.tenant_id = ${tenantId}`),
      ),
    );
  }
  // One failure found where two incidents were: the younger one's alerts move to the older, which it now points to.
  if (absorbed.length > 0) {
    const moves = JSON.stringify(absorbed);
    pending.push(
      tx.execute(sql`
      update alerts as a set incident_id = v.into
      from jsonb_to_recordset(${moves}::jsonb) as v(id text, "into" text)
      where a.tenant_id = ${tenantId} and a.incident_id = v.id`),
      tx.execute(sql`
      update incidents as i set status = 'resolved', merged_into = v.into, alert_count = 0, correlation = null,
             updated_at = ${now.toISOString()}::timestamptz
      from jsonb_to_recordset(${moves}::jsonb) as v(id text, "into" text)
      where i.tenant_id = ${tenantId} and i.id = v.id`),
    );
  }

  pending.push(
    ...writeEvidence(
      tx,
      evidenceWrites,
      absorbed.map((move) => move.id),
    ),
  );
  for (const move of absorbed) kept.delete(move.id);
  afterCommit.push(() => evidence.keep(tenantId, kept));

  // Groups that stay below the bar keep a key on their alerts (an earlier key of theirs when they had one), so a
  // later pass reads them whole.
  const previousKey = new Map<number, string | null>();
  // Each stored alert's time, so the update below finds it in its week's partition only.
  const timeOf = new Map<number, string>();
  for (const row of [...unassigned, ...fresh]) {
    previousKey.set(row.id, row.pendingGroup);
    timeOf.set(row.id, row.timestamp.toISOString());
  }
  const pendingKey = new Map<number, string>();
  for (const group of correlator.leftovers()) {
    if (group.members.length < 2) continue;
    const keys = group.members.map((m) => previousKey.get(m.ref) ?? null).filter((k): k is string => k !== null);
    const key = keys.sort()[0] ?? randomUUID();
    for (const member of group.members) pendingKey.set(member.ref, key);
  }

  // One write per alert: fresh alerts are marked correlated and, with the re-read unassigned ones, get their
  // incident (or pending group) in one UPDATE; incoming alerts (negative refs) are inserted with theirs.
  const assigned = new Map(assignments.map((a) => [a.id, a]));
  const changes = fresh.map((row) => {
    const assignment = assigned.get(row.id);
    return {
      id: row.id,
      ts: timeOf.get(row.id) ?? null,
      incident_id: assignment?.incident_id ?? null,
      reason: assignment?.reason ?? null,
      pending: pendingKey.get(row.id) ?? null,
      fresh: true,
    };
  });
  for (const [id, assignment] of assigned) {
    if (id > 0 && !freshIds.has(id)) {
      changes.push({
        id,
        ts: timeOf.get(id) ?? null,
        incident_id: assignment.incident_id,
        reason: assignment.reason,
        pending: null,
        fresh: false,
      });
    }
  }
  for (const row of unassigned) {
    const key = pendingKey.get(row.id) ?? null;
    if (!assigned.has(row.id) && key !== row.pendingGroup) {
      changes.push({
        id: row.id,
        ts: timeOf.get(row.id) ?? null,
        incident_id: null,
        reason: null,
        pending: key,
        fresh: false,
      });
    }
  }
  if (changes.length > 0) {
    pending.push(
      tx.execute(
        prepared(sql`
      update alerts as a
      set incident_id = coalesce(v.incident_id, a.incident_id),
          correlation_reason = coalesce(v.reason, a.correlation_reason),
          pending_group = v.pending,
          correlated_at = case when v.fresh then ${now.toISOString()}::timestamptz else a.correlated_at end
      from jsonb_to_recordset(${JSON.stringify(changes)}::jsonb)
           as v(id bigint, ts timestamptz, incident_id text, reason text, pending text, fresh boolean)
      -- One primary-key probe per row, whatever the statistics say: the limit keeps the planner from flattening
      -- the probe into a join, which on a young tenant's stale statistics it plans as a scan of the tenant's alerts.
      -- The time (a Date's millisecond; stored to the microsecond) keeps each probe in its week's partition.
      cross join lateral (
        select m.id, m."timestamp" from alerts m
        where m.id = v.id and m.tenant_id = ${tenantId}
          and m."timestamp" >= coalesce(v.ts, '-infinity') and m."timestamp" < coalesce(v.ts + interval '1 millisecond', 'infinity')
        limit 1
      ) as own
      where a.id = own.id and a."timestamp" = own."timestamp"`),
      ),
    );
  }
  if (incoming.length > 0) {
    const incidentIds = incoming.map((_, index) => assigned.get(-1 - index)?.incident_id ?? null);
    const reasons = incoming.map((_, index) => assigned.get(-1 - index)?.reason ?? null);
    const pendingGroups = incoming.map((_, index) => pendingKey.get(-1 - index) ?? null);
    pending.push(
      insertAlertRows(tx, tenantId, incoming, { at: now, incidentIds, reasons, pendingGroups }).then((inserted) => {
        // Fewer rows than alerts: another path (an import, which inserts without the lock) stored one of them
        // since the check; the transaction rolls back and the caller tries again.
        if (inserted !== incoming.length) throw new ConcurrentInsertError("an alert was stored concurrently");
      }),
    );
  }
  const pass: CorrelationOutcome = { incidents: refs, correlated: fresh.length + incoming.length };
  const extra = alongside?.(pass);
  if (extra) pending.push(extra.write);
  await settleAll(pending);
  // Clears resolve their alarms, incidents get or lose cleared_at, refiring alarms reopen (incidents/lifecycle.ts).
  await settleIncidentLifecycle(tx, {
    tenantId,
    now,
    quietPeriodMs: config.sameHostWindowMs,
    fresh,
    incoming,
    incidentOf: (ref) => assigned.get(ref)?.incident_id ?? null,
    created: created.map((row) => row.id),
  });
  return (extra?.outcome ?? pass) as Outcome;
}

/**
 * Waits for every statement sent together, then fails with the first failure. Promise.all would reject at the
 * first failure while later statements of the same transaction are still in flight.
 */
async function settleAll(pending: ReadonlyArray<Promise<unknown>>): Promise<void> {
  const results = await Promise.allSettled(pending);
  const failed = results.find((result) => result.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

function incomingInput(tenantId: string, alert: CanonicalAlert, index: number): CorrelationInput<number> {
  // Incoming alerts have no row id yet: they take negative refs, -1 for incoming[0], -2 for incoming[1], …
  return correlationInput(alert, -1 - index, tenantId);
}

const alertColumns = {
  id: alerts.id,
  timestamp: alerts.timestamp,
  host: alerts.host,
  service: alerts.service,
  severity: alerts.severity,
  alertType: alerts.alertType,
  message: alerts.message,
  tags: alerts.tags,
  status: alerts.status,
  group: sql<string | null>`${alerts.rawPayload}->>'groupKey'`,
  detail: sql<string | null>`${alerts.rawPayload}->'annotations'->>'description'`,
  pendingGroup: alerts.pendingGroup,
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
    message: string;
    tags: Record<string, string>;
    status: "firing" | "resolved";
    group: string | null;
    detail?: string | null;
    pendingGroup?: string | null;
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
    message: row.message,
    tags: row.tags,
    status: row.status,
    site: row.tags.site ?? row.tags.region ?? null,
    group: row.group,
    detail: row.detail ?? null,
  };
}

/**
 * The evidence of open incidents stored as rows (summary form): the process's copy when it is current, its copy
 * brought up to date with the rows written since when it is older, otherwise every row. Copies are taken out of
 * the cache: the pass extends them in place, and only a committed pass gives them back.
 */
async function openEvidence(
  tx: DbOrTx,
  tenantId: string,
  openIncidents: ReadonlyArray<typeof incidents.$inferSelect>,
  cache: EvidenceCache,
): Promise<Map<string, Kept>> {
  const copies = new Map<string, Kept>();
  const reads: EvidenceRead[] = [];
  for (const incident of openIncidents) {
    const summary = decodeStored(incident.correlation);
    if (summary?.v !== 2) continue;
    const rev = incident.correlationRev;
    const copy = cache.take(tenantId, incident.id);
    if (copy && copy.rev >= summary.base && copy.rev <= rev) {
      copies.set(incident.id, { rev, keys: copy.keys, layers: copy.layers });
      if (copy.rev < rev) reads.push({ incidentId: incident.id, since: copy.rev });
    } else {
      copies.set(incident.id, { rev, keys: new Map(), layers: new Set() });
      reads.push({ incidentId: incident.id, since: 0 });
    }
  }
  const rows = await readEvidence(tx, reads);
  for (const [incidentId, list] of rows) {
    const copy = copies.get(incidentId) as Kept;
    for (const [key, ranges] of list) {
      copy.keys.set(key, ranges);
      addLayerOfKey(copy.layers, key);
    }
  }
  return copies;
}

/** Member alerts of incidents whose correlation state must be rebuilt, from where the pass's incidents are read. */
function recentMembers(tx: DbOrTx, tenantId: string, incidentIds: string[], since: Date) {
  return tx
    .select({ ...alertColumns, incidentId: alerts.incidentId })
    .from(alerts)
    .where(
      and(
        sql`${alerts.tenantId} = ${tenantId}`,
        sql`${alerts.incidentId} = any(array(select jsonb_array_elements_text(${JSON.stringify(incidentIds)}::jsonb)))`,
        gte(alerts.timestamp, since),
      ),
    )
    .orderBy(asc(alerts.timestamp))
    .limit(20_000);
}

export async function allocateIncidentIds(tx: DbOrTx, count: number): Promise<string[]> {
  if (count === 0) return [];
  const result = await tx.execute(
    prepared(sql`select nextval('incident_number_seq') as n from generate_series(1, ${count}::int)`),
  );
  return rowsOf<{ n: string | number }>(result).map((row) => `INC-${String(row.n).padStart(6, "0")}`);
}

/** postgres.js returns the rows array itself, PGlite a `{ rows }` object; both come through `execute`. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: T[] }).rows;
  return rows ?? [];
}

export type { AlertGroup };
