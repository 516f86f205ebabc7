/** The record of notifications sent (each with its attempts), and a channel's test message, sent while the admin waits. */
import {
  type DbOrTx,
  type NotificationDeliveryRow,
  notificationAttempts,
  notificationChannels,
  notificationDeliveries,
} from "@teleops/db";
import type { NotificationDelivery } from "@teleops/schema";
import { and, asc, desc, eq, inArray, type SQL } from "drizzle-orm";
import { appendAudit } from "../audit/index.ts";
import { channelRow } from "./channels.ts";
import type { NotificationPayload } from "./messages.ts";
import { attemptDelivery, type DeliverOptions, incidentUrl } from "./outbox.ts";

export async function listDeliveries(
  db: DbOrTx,
  tenantId: string,
  input: {
    channel_id?: string | undefined;
    status?: NotificationDelivery["status"] | undefined;
    id?: number | undefined;
    limit: number;
  },
): Promise<NotificationDelivery[]> {
  const filters: SQL[] = [eq(notificationDeliveries.tenantId, tenantId)];
  if (input.id !== undefined) filters.push(eq(notificationDeliveries.id, input.id));
  if (input.channel_id) filters.push(eq(notificationDeliveries.channelId, input.channel_id));
  if (input.status) filters.push(eq(notificationDeliveries.status, input.status));
  const rows = await db
    .select({ delivery: notificationDeliveries, type: notificationChannels.type, name: notificationChannels.name })
    .from(notificationDeliveries)
    .leftJoin(notificationChannels, eq(notificationChannels.id, notificationDeliveries.channelId))
    .where(and(...filters))
    .orderBy(desc(notificationDeliveries.id))
    .limit(input.limit);
  const ids = rows.map((row) => row.delivery.id);
  const attempts =
    ids.length === 0
      ? []
      : await db
          .select()
          .from(notificationAttempts)
          .where(inArray(notificationAttempts.deliveryId, ids))
          .orderBy(asc(notificationAttempts.id));
  return rows.map(({ delivery, type, name }) => ({
    ...toDelivery(delivery),
    channel_type: type,
    channel_name: name,
    history: attempts
      .filter((attempt) => attempt.deliveryId === delivery.id)
      .map((attempt) => ({
        at: attempt.at.toISOString(),
        ok: attempt.ok,
        response_status: attempt.responseStatus,
        error: attempt.error,
        duration_ms: attempt.durationMs,
      })),
  }));
}

function toDelivery(
  row: NotificationDeliveryRow,
): Omit<NotificationDelivery, "channel_type" | "channel_name" | "history"> {
  const waiting = row.status === "pending";
  return {
    id: row.id,
    channel_id: row.channelId,
    incident_id: row.incidentId,
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: waiting ? row.nextAttemptAt.toISOString() : null,
    last_error: row.lastError,
    created_at: row.createdAt.toISOString(),
    delivered_at: row.deliveredAt?.toISOString() ?? null,
  };
}

/**
 * Sends a channel a test message now, with the attempt recorded like any other (no retries: the admin sees the
 * outcome). A PagerDuty test uses a dedup key of its own, never an incident's.
 */
export async function testChannel(
  db: DbOrTx,
  params: { tenantId: string; actor: string; id: string; publicUrl: string; send: Omit<DeliverOptions, "now"> },
): Promise<NotificationDelivery> {
  const channel = await channelRow(db, params.tenantId, params.id);
  const now = new Date();
  const payload: NotificationPayload = {
    event: "test",
    incident: {
      id: "TEST",
      title: `Test message from TeleOps to ${channel.name}`,
      severity: "info",
      status: "open",
      alert_count: 0,
      hosts: [],
      services: [],
      sites: [],
      owner: params.actor,
      start_time: now.toISOString(),
      updated_at: now.toISOString(),
    },
    url: incidentUrl(params.publicUrl, "TEST").replace(/\/incidents\/TEST$/, "/integrations"),
  };
  const [delivery] = await db
    .insert(notificationDeliveries)
    .values({
      tenantId: params.tenantId,
      channelId: channel.id,
      incidentId: null,
      event: "test",
      payload: payload as unknown as Record<string, unknown>,
      status: "sending",
      attempts: 1,
      leaseUntil: new Date(now.getTime() + 120_000),
    })
    .returning();
  if (!delivery) throw new Error("delivery insert returned no row");
  await attemptDelivery(db, delivery, channel, { ...params.send, now, maxAttempts: 1 });
  await appendAudit(db, {
    tenantId: params.tenantId,
    actor: params.actor,
    action: "notification_channel.test",
    entityType: "notification_channel",
    entityId: channel.id,
    incidentId: null,
    details: { delivery_id: delivery.id },
  });
  const [listed] = await listDeliveries(db, params.tenantId, { id: delivery.id, limit: 1 });
  if (!listed) throw new Error("test delivery vanished");
  return listed;
}
