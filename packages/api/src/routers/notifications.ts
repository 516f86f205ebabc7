/**
 * Notification channels and their deliveries, for admins: add (with its route), list (secrets masked), test, delete;
 * and the record of every message sent with its attempts. The notifier loop in the server does the sending.
 */
import {
  createChannel,
  DEFAULT_PUBLIC_URL,
  deleteChannel,
  listChannels,
  listDeliveries,
  testChannel,
} from "@teleops/core";
import {
  type Channel,
  channelCreateInputSchema,
  deliveryListInputSchema,
  type NotificationDelivery,
} from "@teleops/schema";
import { z } from "zod";
import type { AppServices } from "../context.ts";
import { adminProcedure, router } from "../trpc.ts";

const channelIdSchema = z.object({ id: z.string().trim().min(1).max(64) });

function publicUrl(services: AppServices): string {
  return services.publicUrl ?? DEFAULT_PUBLIC_URL;
}

export const notificationsRouter = router({
  channels: router({
    list: adminProcedure.query(({ ctx }): Promise<Channel[]> => listChannels(ctx.db, ctx.actor.tenantId)),
    create: adminProcedure
      .input(channelCreateInputSchema)
      .mutation(
        ({ ctx, input }): Promise<Channel> =>
          createChannel(ctx.db, { tenantId: ctx.actor.tenantId, actor: ctx.actor.name, input }),
      ),
    delete: adminProcedure
      .input(channelIdSchema)
      .mutation(
        ({ ctx, input }): Promise<Channel> =>
          deleteChannel(ctx.db, { tenantId: ctx.actor.tenantId, actor: ctx.actor.name, id: input.id }),
      ),
    /** Sends a test message now and answers with the recorded delivery (`delivered`, or `failed` with the error). */
    test: adminProcedure.input(channelIdSchema).mutation(
      ({ ctx, input }): Promise<NotificationDelivery> =>
        testChannel(ctx.db, {
          tenantId: ctx.actor.tenantId,
          actor: ctx.actor.name,
          id: input.id,
          publicUrl: publicUrl(ctx.services),
          send: { smtp: ctx.services.notifications?.smtp },
        }),
    ),
  }),
  /** Messages sent or waiting, newest first, each with its attempts (failures with their error). */
  deliveries: adminProcedure
    .input(deliveryListInputSchema)
    .query(({ ctx, input }): Promise<NotificationDelivery[]> => listDeliveries(ctx.db, ctx.actor.tenantId, input)),
});
