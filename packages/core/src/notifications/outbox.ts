/**
 * The notifier's two steps, both safe to run in several server processes at once:
 * `planNotifications` compares each channel's view of its incidents (notification_state) with the incidents as they
 * are and writes the messages that are due into the outbox, in one transaction per message with a conditional
 * update, so no two processes enqueue the same one; `deliverDue` claims due outbox rows (`FOR UPDATE SKIP LOCKED`,
 * under a lease), sends them, records each attempt and schedules retries with exponential backoff.
 */
import {
  type DbOrTx,
  incidents,
  type NotificationChannelRow,
  type NotificationDeliveryRow,
  notificationAttempts,
  notificationChannels,
  notificationDeliveries,
  notificationState,
} from "@teleops/db";
import type { NotificationEvent } from "@teleops/schema";
import { and, asc, eq, gte, inArray, isNull, ne, or, sql } from "drizzle-orm";
import { rowsOf } from "../correlation/persist.ts";
import { type ChannelTarget, type NotificationPayload, type NotifiedIncident, renderMessage } from "./messages.ts";
import { routeTakes } from "./routing.ts";
import { type AttemptOutcome, type SendOptions, sendMessage } from "./transports.ts";

export interface PlanOptions {
  now: Date;
  /** Where operators open an incident: `${publicUrl}/incidents/<id>`. */
  publicUrl: string;
  /**
   * At most one growth or severity update per channel and incident in this window; openings, acknowledgements and
   * resolutions are never held.
   */
  throttleMs?: number;
  /** Incidents a channel looks at per pass. */
  batch?: number;
}

export const DEFAULT_THROTTLE_MS = 60_000;

/** A resolved incident unchanged this long has had its last message: planning stops reading it. */
const SETTLED_AFTER_MS = 7 * 86_400_000;

/** Where incident links in messages point when `TELEOPS_PUBLIC_URL` is unset: the default listen address. */
export const DEFAULT_PUBLIC_URL = "http://127.0.0.1:3000";

type IncidentRow = typeof incidents.$inferSelect;
type StateRow = typeof notificationState.$inferSelect;

export function incidentUrl(publicUrl: string, incidentId: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/incidents/${encodeURIComponent(incidentId)}`;
}

export function notifiedIncident(row: IncidentRow): NotifiedIncident {
  return {
    id: row.id,
    title: row.title,
    severity: row.severity,
    status: row.status,
    alert_count: row.alertCount,
    hosts: row.hosts,
    services: row.services,
    sites: row.sites,
    owner: row.owner,
    start_time: row.startTime.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    merged_into: row.mergedInto,
  };
}

/** The event an incident calls for on this channel now, or null (nothing new, held by the route or the throttle). */
function eventFor(
  channel: NotificationChannelRow,
  incident: IncidentRow,
  state: StateRow | null,
  now: Date,
  throttleMs: number,
): NotificationEvent | "skip" | null {
  if (!state?.notified) {
    if (incident.status === "resolved") return null;
    if (!routeTakes({ minSeverity: channel.minSeverity, matchers: channel.matchers }, incident)) return "skip";
    if (now.getTime() - incident.createdAt.getTime() < channel.delayMs) return null;
    return "incident.opened";
  }
  if (state.lastEvent === "incident.resolved") return incident.status === "resolved" ? null : "incident.opened";
  if (incident.status === "resolved") return "incident.resolved";
  // Someone acknowledged (or reopened) it: that is news at once. Growth and severity changes wait out the throttle.
  if (incident.status !== state.lastStatus) return "incident.updated";
  const grew = incident.severity !== state.lastSeverity || incident.alertCount !== state.lastAlertCount;
  if (!grew) return null;
  if (state.lastSentAt && now.getTime() - state.lastSentAt.getTime() < throttleMs) return null;
  return "incident.updated";
}

/** Writes the state change and, for a message, its outbox row; false when another process got there first. */
async function record(
  db: DbOrTx,
  channel: NotificationChannelRow,
  incident: IncidentRow,
  state: StateRow | null,
  decision: NotificationEvent | "skip",
  options: PlanOptions,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const sent = decision !== "skip";
    const values = {
      notified: sent || (state?.notified ?? false),
      lastEvent: sent ? decision : (state?.lastEvent ?? null),
      lastStatus: sent ? incident.status : (state?.lastStatus ?? null),
      lastSeverity: sent ? incident.severity : (state?.lastSeverity ?? null),
      lastAlertCount: sent ? incident.alertCount : (state?.lastAlertCount ?? null),
      lastSentAt: sent ? options.now : (state?.lastSentAt ?? null),
      seenUpdatedAt: incident.updatedAt,
    };
    const written = state
      ? await tx
          .update(notificationState)
          .set({ ...values, version: state.version + 1 })
          .where(
            and(
              eq(notificationState.channelId, channel.id),
              eq(notificationState.incidentId, incident.id),
              eq(notificationState.version, state.version),
            ),
          )
          .returning({ version: notificationState.version })
      : await tx
          .insert(notificationState)
          .values({ channelId: channel.id, incidentId: incident.id, tenantId: channel.tenantId, ...values })
          .onConflictDoNothing()
          .returning({ version: notificationState.version });
    if (written.length === 0 || !sent) return written.length > 0 && sent;
    const payload: NotificationPayload = {
      event: decision,
      incident: notifiedIncident(incident),
      url: incidentUrl(options.publicUrl, incident.id),
    };
    await tx.insert(notificationDeliveries).values({
      tenantId: channel.tenantId,
      channelId: channel.id,
      incidentId: incident.id,
      event: decision,
      payload: payload as unknown as Record<string, unknown>,
      nextAttemptAt: options.now,
    });
    return true;
  });
}

/**
 * Enqueues what every channel is due to be told. A channel hears of incidents that opened after it was added
 * (adding one does not page for the backlog); lab (synthetic) incidents notify no one. Returns messages enqueued.
 */
export async function planNotifications(db: DbOrTx, options: PlanOptions): Promise<number> {
  const throttleMs = options.throttleMs ?? DEFAULT_THROTTLE_MS;
  const channels = await db.select().from(notificationChannels).orderBy(asc(notificationChannels.createdAt));
  let enqueued = 0;
  for (const channel of channels) {
    const state = notificationState;
    const candidates = await db
      .select({ incident: incidents, state })
      .from(incidents)
      .leftJoin(state, and(eq(state.channelId, channel.id), eq(state.incidentId, incidents.id)))
      .where(
        and(
          eq(incidents.tenantId, channel.tenantId),
          eq(incidents.synthetic, false),
          gte(incidents.createdAt, channel.createdAt),
          // Settled incidents are not read again: only open ones and those that changed lately can call for a message.
          or(
            ne(incidents.status, "resolved"),
            gte(incidents.updatedAt, new Date(options.now.getTime() - SETTLED_AFTER_MS)),
          ),
          or(
            and(isNull(state.channelId), ne(incidents.status, "resolved")),
            and(
              eq(state.notified, false),
              ne(incidents.status, "resolved"),
              sql`${state.seenUpdatedAt} is distinct from ${incidents.updatedAt}`,
            ),
            and(
              eq(state.notified, true),
              sql`(${state.lastEvent} = 'incident.resolved') <> (${incidents.status} = 'resolved')
                  or (${state.lastEvent} <> 'incident.resolved' and (${incidents.status} <> ${state.lastStatus}
                      or ${incidents.severity} <> ${state.lastSeverity} or ${incidents.alertCount} <> ${state.lastAlertCount}))`,
            ),
          ),
        ),
      )
      .orderBy(asc(incidents.createdAt))
      .limit(options.batch ?? 500);
    for (const { incident, state: seen } of candidates) {
      const decision = eventFor(channel, incident, seen, options.now, throttleMs);
      if (decision === null) continue;
      if (await record(db, channel, incident, seen, decision, options)) enqueued += 1;
    }
  }
  return enqueued;
}

export interface DeliverOptions extends SendOptions {
  now: Date;
  /** First retry after this; each further one waits twice as long. Default 30 s. */
  retryBaseMs?: number;
  /** Longest wait between two attempts. Default 1 h. */
  retryMaxMs?: number;
  /** Attempts before a delivery is given up as failed. Default 10 (about 3 h of retrying). */
  maxAttempts?: number;
  /** How long a claimed row is this process's; past it another process may send it. Default 2 min. */
  leaseMs?: number;
  batch?: number;
}

/** The wait after the `attempt`-th failed attempt (1-based). */
export function retryDelayMs(attempt: number, baseMs = 30_000, maxMs = 3_600_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** Claims due rows: pending ones whose time has come and sending ones whose lease ran out (their process died). */
async function claimDue(db: DbOrTx, now: Date, leaseMs: number, batch: number): Promise<NotificationDeliveryRow[]> {
  const at = now.toISOString();
  const claimed = rowsOf<{ id: number | string }>(
    await db.execute(sql`
      update notification_deliveries as d
      set status = 'sending', attempts = d.attempts + 1,
          lease_until = ${new Date(now.getTime() + leaseMs).toISOString()}::timestamptz
      where d.id in (
        select o.id from notification_deliveries as o
        where ((o.status = 'pending' and o.next_attempt_at <= ${at}::timestamptz)
            or (o.status = 'sending' and o.lease_until <= ${at}::timestamptz))
          -- An incident's messages reach a channel in order: an opening still retrying holds back its resolution.
          and not exists (
            select 1 from notification_deliveries as e
            where e.channel_id = o.channel_id and e.incident_id = o.incident_id and e.id < o.id
              and e.status in ('pending', 'sending'))
        order by o.next_attempt_at, o.id
        limit ${batch}
        for update skip locked)
      returning d.id`),
  );
  if (claimed.length === 0) return [];
  const ids = claimed.map((row) => Number(row.id));
  return db
    .select()
    .from(notificationDeliveries)
    .where(
      sql`${notificationDeliveries.id} in (${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )})`,
    )
    .orderBy(asc(notificationDeliveries.id));
}

function targetOf(channel: NotificationChannelRow): ChannelTarget {
  return { id: channel.id, tenantId: channel.tenantId, type: channel.type, url: channel.url, secret: channel.secret };
}

/** Sends one claimed delivery and records the attempt; returns its outcome. */
export async function attemptDelivery(
  db: DbOrTx,
  delivery: NotificationDeliveryRow,
  channel: NotificationChannelRow | undefined,
  options: DeliverOptions,
): Promise<AttemptOutcome> {
  const started = Date.now();
  const outcome: AttemptOutcome = channel
    ? await sendMessage(renderMessage(targetOf(channel), delivery.payload as unknown as NotificationPayload), options)
    : { ok: false, responseStatus: null, error: "the channel was deleted", retryable: false };
  const durationMs = Date.now() - started;
  const maxAttempts = options.maxAttempts ?? 10;
  const retry = !outcome.ok && outcome.retryable && delivery.attempts < maxAttempts;
  await db.transaction(async (tx) => {
    await tx.insert(notificationAttempts).values({
      deliveryId: delivery.id,
      tenantId: delivery.tenantId,
      at: options.now,
      ok: outcome.ok,
      responseStatus: outcome.responseStatus,
      error: outcome.error,
      durationMs,
    });
    await tx
      .update(notificationDeliveries)
      .set(
        outcome.ok
          ? { status: "delivered", deliveredAt: new Date(), leaseUntil: null, lastError: null }
          : {
              status: retry ? "pending" : "failed",
              leaseUntil: null,
              lastError: outcome.error,
              nextAttemptAt: new Date(
                options.now.getTime() + retryDelayMs(delivery.attempts, options.retryBaseMs, options.retryMaxMs),
              ),
            },
      )
      .where(and(eq(notificationDeliveries.id, delivery.id), eq(notificationDeliveries.status, "sending")));
  });
  return outcome;
}

/**
 * Claims and sends what is due; returns how many were sent and how many of those failed. A batch is sent at once
 * (each send has its own timeout), so one slow receiver cannot hold the others past their lease.
 */
export async function deliverDue(db: DbOrTx, options: DeliverOptions): Promise<{ sent: number; failed: number }> {
  const due = await claimDue(db, options.now, options.leaseMs ?? 120_000, options.batch ?? 20);
  if (due.length === 0) return { sent: 0, failed: 0 };
  const ids = [...new Set(due.map((delivery) => delivery.channelId))];
  const rows = await db.select().from(notificationChannels).where(inArray(notificationChannels.id, ids));
  const channels = new Map(rows.map((row) => [row.id, row]));
  const outcomes = await Promise.all(
    due.map((delivery) => attemptDelivery(db, delivery, channels.get(delivery.channelId), options)),
  );
  return { sent: due.length, failed: outcomes.filter((outcome) => !outcome.ok).length };
}
