/**
 * Silences in the database: creating, listing and expiring them (each audited with the signed-in actor), the
 * active ones ingest reads per delivery, and the preview of what matchers would have caught in the last hour.
 */
import { randomBytes } from "node:crypto";
import { alerts, type DbOrTx, type SilenceRow, silences } from "@teleops/db";
import type {
  Alert,
  Matcher,
  Silence,
  SilenceCreate,
  SilencePreview,
  SilenceState,
  WeeklyRange,
} from "@teleops/schema";
import { SILENCE_MAX_MS, WEEKLY_DEFAULT_MS } from "@teleops/schema";
import { and, desc, eq, gt, gte, lte, sql } from "drizzle-orm";
import { appendAudit } from "../audit/events.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { toAlert } from "../incidents/queries.ts";
import { compileMatchers, type SilenceRule, type SiteOfHost, silencingAt } from "./match.ts";

function stateOf(row: SilenceRow, now: Date): SilenceState {
  if (row.endsAt.getTime() <= now.getTime()) return "expired";
  return row.startsAt.getTime() > now.getTime() ? "pending" : "active";
}

export function toSilence(row: SilenceRow, now: Date = new Date()): Silence {
  return {
    id: row.id,
    kind: row.kind,
    matchers: row.matchers,
    schedule: (row.schedule as WeeklyRange[] | null) ?? null,
    starts_at: row.startsAt.toISOString(),
    ends_at: row.endsAt.toISOString(),
    comment: row.comment,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    expired_by: row.expiredBy,
    expired_at: row.expiredAt?.toISOString() ?? null,
    state: stateOf(row, now),
    silencing_now: silencingAt(ruleOf(row), now),
  };
}

function ruleOf(row: SilenceRow): SilenceRule {
  return {
    id: row.id,
    kind: row.kind,
    matchers: row.matchers,
    schedule: (row.schedule as WeeklyRange[] | null) ?? null,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
  };
}

/** `SIL-` and twelve hex digits: short enough to type after `teleops silences expire`. */
function newSilenceId(): string {
  return `SIL-${randomBytes(6).toString("hex").toUpperCase()}`;
}

export interface CreateSilenceParams {
  tenantId: string;
  actor: string;
  input: SilenceCreate;
  now?: Date;
}

/** Stores a silence and its audit event in one transaction; it holds alerts from the next delivery on. */
export async function createSilence(db: DbOrTx, params: CreateSilenceParams): Promise<Silence> {
  const { input, tenantId, actor } = params;
  const now = params.now ?? new Date();
  const startsAt = input.starts_at ? new Date(input.starts_at) : now;
  const endsAt = input.ends_at
    ? new Date(input.ends_at)
    : new Date(startsAt.getTime() + (input.duration ?? (input.kind === "weekly" ? WEEKLY_DEFAULT_MS : 0)));
  if (endsAt.getTime() <= now.getTime()) {
    throw new ValidationError("a silence must end in the future", [
      { path: "ends_at", message: `${endsAt.toISOString()} has already passed` },
    ]);
  }
  if (endsAt.getTime() <= startsAt.getTime()) {
    throw new ValidationError("a silence must end after it starts", [
      { path: "ends_at", message: `ends at ${endsAt.toISOString()}, not after its start ${startsAt.toISOString()}` },
    ]);
  }
  if (input.kind === "once" && endsAt.getTime() - startsAt.getTime() > SILENCE_MAX_MS) {
    throw new ValidationError("a silence runs at most 366 days", [
      { path: "ends_at", message: "more than 366 days after its start; use a weekly window for recurring work" },
    ]);
  }
  const row = {
    id: newSilenceId(),
    tenantId,
    kind: input.kind,
    matchers: input.matchers,
    schedule: input.kind === "weekly" ? (input.schedule ?? null) : null,
    startsAt,
    endsAt,
    comment: input.comment,
    createdBy: actor,
    createdAt: now,
  };
  return db.transaction(async (tx) => {
    const [stored] = await tx.insert(silences).values(row).returning();
    if (!stored) throw new Error("the silence insert returned no row");
    await appendAudit(tx, {
      tenantId,
      actor,
      action: "silence.create",
      entityType: "silence",
      entityId: stored.id,
      incidentId: null,
      details: {
        kind: stored.kind,
        matchers: stored.matchers,
        schedule: stored.schedule,
        starts_at: stored.startsAt.toISOString(),
        ends_at: stored.endsAt.toISOString(),
        comment: stored.comment,
      },
    });
    return toSilence(stored, now);
  });
}

/** Active and pending silences (or every one with `all`), the latest ending first. */
export async function listSilences(
  db: DbOrTx,
  tenantId: string,
  params: { all: boolean; limit: number },
  now: Date = new Date(),
): Promise<Silence[]> {
  const where = params.all
    ? eq(silences.tenantId, tenantId)
    : and(eq(silences.tenantId, tenantId), gt(silences.endsAt, now));
  const rows = await db
    .select()
    .from(silences)
    .where(where)
    .orderBy(desc(silences.endsAt), desc(silences.createdAt))
    .limit(params.limit);
  return rows.map((row) => toSilence(row, now));
}

/** Ends a silence now (its row stays, for the audit trail and the alerts that name it). */
export async function expireSilence(
  db: DbOrTx,
  params: { tenantId: string; actor: string; id: string; now?: Date },
): Promise<Silence> {
  const now = params.now ?? new Date();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(silences)
      .where(and(eq(silences.tenantId, params.tenantId), eq(silences.id, params.id)))
      .for("update");
    if (!row) throw new NotFoundError(`silence ${params.id} not found`);
    if (row.endsAt.getTime() <= now.getTime()) {
      throw new ConflictError(`silence ${params.id} already ended at ${row.endsAt.toISOString()}`);
    }
    // A silence that has not started yet ends before it begins: its start moves to now as well.
    const startsAt = row.startsAt.getTime() > now.getTime() ? now : row.startsAt;
    const [updated] = await tx
      .update(silences)
      .set({ endsAt: now, startsAt, expiredAt: now, expiredBy: params.actor })
      .where(and(eq(silences.tenantId, params.tenantId), eq(silences.id, params.id)))
      .returning();
    if (!updated) throw new NotFoundError(`silence ${params.id} not found`);
    await appendAudit(tx, {
      tenantId: params.tenantId,
      actor: params.actor,
      action: "silence.expire",
      entityType: "silence",
      entityId: updated.id,
      incidentId: null,
      details: { ends_at_was: row.endsAt.toISOString(), matchers: row.matchers },
    });
    return toSilence(updated, now);
  });
}

/**
 * The tenant's silences in force at `at` (weekly windows included whether or not a range is open: the caller
 * checks ranges). One statement on the `(tenant_id, ends_at)` index, prepared so it is planned once per connection.
 */
export async function activeSilenceRules(db: DbOrTx, tenantId: string, at: Date): Promise<SilenceRule[]> {
  const iso = at.toISOString();
  const rows = await db
    .select({
      id: silences.id,
      kind: silences.kind,
      matchers: silences.matchers,
      schedule: silences.schedule,
      startsAt: silences.startsAt,
      endsAt: silences.endsAt,
    })
    .from(silences)
    .where(
      and(
        sql`${silences.tenantId} = ${tenantId}`,
        sql`${silences.endsAt} > ${iso}::timestamptz`,
        sql`${silences.startsAt} <= ${iso}::timestamptz`,
      ),
    )
    .prepare("active_silences")
    .execute();
  return rows.map((row) => ({ ...row, schedule: (row.schedule as WeeklyRange[] | null) ?? null }));
}

/** Alerts of the last hour a preview looks at, newest first. */
export const PREVIEW_SCAN_LIMIT = 10_000;

/** The alerts of the last hour that `matchers` match (what a new silence would have held): a count and a page. */
export async function previewSilence(
  db: DbOrTx,
  tenantId: string,
  params: { matchers: readonly Matcher[]; limit: number; siteOfHost?: SiteOfHost },
  now: Date = new Date(),
): Promise<SilencePreview> {
  const matches = compileMatchers(params.matchers, params.siteOfHost);
  const rows = await db
    .select()
    .from(alerts)
    .where(
      and(
        eq(alerts.tenantId, tenantId),
        gte(alerts.timestamp, new Date(now.getTime() - 3_600_000)),
        lte(alerts.timestamp, now),
      ),
    )
    .orderBy(desc(alerts.timestamp))
    .limit(PREVIEW_SCAN_LIMIT + 1);
  const scanned = rows.slice(0, PREVIEW_SCAN_LIMIT).map(toAlert);
  const matched = scanned.filter(matches);
  return {
    count: matched.length,
    scanned: scanned.length,
    truncated: rows.length > PREVIEW_SCAN_LIMIT,
    alerts: matched.slice(0, params.limit),
  };
}

/**
 * The alerts a silence held, newest first. Read over the `(tenant_id, timestamp)` index within the silence's span
 * (an hour either side, for senders' clocks), so it never walks the tenant's whole history.
 */
export async function silencedAlerts(
  db: DbOrTx,
  tenantId: string,
  params: { id: string; limit: number },
): Promise<{ silence: Silence; alerts: Alert[] }> {
  const [row] = await db
    .select()
    .from(silences)
    .where(and(eq(silences.tenantId, tenantId), eq(silences.id, params.id)));
  if (!row) throw new NotFoundError(`silence ${params.id} not found`);
  const rows = await db
    .select()
    .from(alerts)
    .where(
      and(
        eq(alerts.tenantId, tenantId),
        gte(alerts.timestamp, new Date(row.startsAt.getTime() - 3_600_000)),
        lte(alerts.timestamp, new Date(row.endsAt.getTime() + 3_600_000)),
        eq(alerts.silencedBy, row.id),
      ),
    )
    .orderBy(desc(alerts.timestamp))
    .limit(params.limit);
  return { silence: toSilence(row), alerts: rows.map(toAlert) };
}
