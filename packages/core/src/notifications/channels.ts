/**
 * Notification channels of a tenant: adding one with its route (admins, audited), listing them with their secrets
 * masked, removing one. The secret is stored to sign and send with, and leaves this module only as `…c3f1`.
 */
import { randomBytes } from "node:crypto";
import {
  type DbOrTx,
  type NotificationChannelRow,
  notificationChannels,
  notificationDeliveries,
  notificationState,
} from "@teleops/db";
import { type Channel, type ChannelCreateInput, channelCreateInputSchema, PAGERDUTY_EVENTS_URL } from "@teleops/schema";
import { and, desc, eq, inArray } from "drizzle-orm";
import { appendAudit } from "../audit/index.ts";
import { NotFoundError, ValidationError } from "../errors.ts";

/** `…` and the secret's last four characters; short secrets show only the ellipsis. */
export function maskSecret(secret: string | null): string | null {
  if (secret === null) return null;
  return secret.length >= 12 ? `…${secret.slice(-4)}` : "…";
}

/**
 * A receiver address without what may authenticate to it: user info and query string dropped, and a Slack
 * incoming webhook's path (which is its token) cut to its first segment.
 */
export function displayUrl(type: Channel["type"], url: string): string {
  if (type === "email" || !URL.canParse(url)) return url;
  const parsed = new URL(url);
  parsed.username = "";
  parsed.password = "";
  const query = parsed.search ? "?…" : "";
  parsed.search = "";
  if (type === "slack") {
    const [first] = parsed.pathname.split("/").filter(Boolean);
    return `${parsed.origin}/${first ?? ""}/…`;
  }
  return `${parsed.toString()}${query}`;
}

export function toChannel(row: NotificationChannelRow): Channel {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    url: displayUrl(row.type, row.url),
    secret: maskSecret(row.secret),
    min_severity: row.minSeverity ?? null,
    matchers: row.matchers,
    delay_ms: row.delayMs,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
  };
}

function defaultName(type: Channel["type"], url: string): string {
  if (type === "email") return `email ${url.slice("mailto:".length)}`;
  return `${type} ${URL.canParse(url) ? new URL(url).host : url}`;
}

export async function createChannel(
  db: DbOrTx,
  params: { tenantId: string; actor: string; input: ChannelCreateInput },
): Promise<Channel> {
  const parsed = channelCreateInputSchema.safeParse(params.input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
    throw new ValidationError(`invalid channel: ${issues[0]?.path || "input"}: ${issues[0]?.message}`, issues);
  }
  const input = parsed.data;
  const url = input.url ?? PAGERDUTY_EVENTS_URL;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(notificationChannels)
      .values({
        id: `ch_${randomBytes(6).toString("hex")}`,
        tenantId: params.tenantId,
        type: input.type,
        name: input.name ?? defaultName(input.type, url),
        url,
        secret: input.secret ?? null,
        minSeverity: input.min_severity ?? null,
        matchers: input.matchers,
        delayMs: input.delay,
        createdBy: params.actor,
      })
      .returning();
    if (!row) throw new Error("channel insert returned no row");
    const channel = toChannel(row);
    await appendAudit(tx, {
      tenantId: params.tenantId,
      actor: params.actor,
      action: "notification_channel.create",
      entityType: "notification_channel",
      entityId: row.id,
      incidentId: null,
      // Never the secret itself, and the URL as shown (a Slack URL is a credential).
      details: {
        type: channel.type,
        url: channel.url,
        min_severity: channel.min_severity,
        matchers: channel.matchers,
        delay_ms: channel.delay_ms,
      },
    });
    return channel;
  });
}

export async function listChannels(db: DbOrTx, tenantId: string): Promise<Channel[]> {
  const rows = await db
    .select()
    .from(notificationChannels)
    .where(eq(notificationChannels.tenantId, tenantId))
    .orderBy(desc(notificationChannels.createdAt));
  return rows.map(toChannel);
}

/** The stored channel with its secret, for sending; NOT_FOUND for another tenant's. */
export async function channelRow(db: DbOrTx, tenantId: string, id: string): Promise<NotificationChannelRow> {
  const [row] = await db
    .select()
    .from(notificationChannels)
    .where(and(eq(notificationChannels.tenantId, tenantId), eq(notificationChannels.id, id)));
  if (!row) throw new NotFoundError(`channel ${id} not found`);
  return row;
}

/** Removes the channel and what it remembered; messages still waiting for it are marked failed, not sent. */
export async function deleteChannel(
  db: DbOrTx,
  params: { tenantId: string; actor: string; id: string },
): Promise<Channel> {
  return db.transaction(async (tx) => {
    const row = await channelRow(tx, params.tenantId, params.id);
    await tx.delete(notificationChannels).where(eq(notificationChannels.id, row.id));
    await tx.delete(notificationState).where(eq(notificationState.channelId, row.id));
    await tx
      .update(notificationDeliveries)
      .set({ status: "failed", lastError: "the channel was deleted", leaseUntil: null })
      .where(
        and(
          eq(notificationDeliveries.channelId, row.id),
          inArray(notificationDeliveries.status, ["pending", "sending"]),
        ),
      );
    await appendAudit(tx, {
      tenantId: params.tenantId,
      actor: params.actor,
      action: "notification_channel.delete",
      entityType: "notification_channel",
      entityId: row.id,
      incidentId: null,
      details: { type: row.type, url: displayUrl(row.type, row.url) },
    });
    return toChannel(row);
  });
}
