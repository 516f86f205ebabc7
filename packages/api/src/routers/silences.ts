/**
 * Silences and maintenance windows: create (operators), list and preview (everyone), expire (operators). Creating
 * and expiring are audited with the signed-in actor; ingest reads the active ones on every delivery.
 */
import { createSilence, expireSilence, listSilences, previewSilence, silencedAlerts, sitePattern } from "@teleops/core";
import {
  type Silence,
  type SilencePreview,
  silenceCreateInputSchema,
  silenceListInputSchema,
  silencePreviewInputSchema,
} from "@teleops/schema";
import { z } from "zod";
import { operatorProcedure, router, viewerProcedure } from "../trpc.ts";

export const silencesRouter = router({
  create: operatorProcedure
    .input(silenceCreateInputSchema)
    .mutation(
      ({ ctx, input }): Promise<Silence> =>
        createSilence(ctx.db, { tenantId: ctx.actor.tenantId, actor: ctx.actor.name, input }),
    ),
  /** Active and pending silences; with `all`, expired ones too. */
  list: viewerProcedure
    .input(silenceListInputSchema)
    .query(({ ctx, input }): Promise<Silence[]> => listSilences(ctx.db, ctx.actor.tenantId, input)),
  expire: operatorProcedure
    .input(z.object({ id: z.string().trim().min(1).max(64) }))
    .mutation(
      ({ ctx, input }): Promise<Silence> =>
        expireSilence(ctx.db, { tenantId: ctx.actor.tenantId, actor: ctx.actor.name, id: input.id }),
    ),
  /** The alerts a silence held (stored with its id, in no incident), newest first. */
  alerts: viewerProcedure
    .input(z.object({ id: z.string().trim().min(1).max(64), limit: z.number().int().min(1).max(500).default(50) }))
    .query(({ ctx, input }) => silencedAlerts(ctx.db, ctx.actor.tenantId, input)),
  /** The alerts of the last hour the matchers match: what the silence being written would have held. */
  preview: viewerProcedure.input(silencePreviewInputSchema).query(
    ({ ctx, input }): Promise<SilencePreview> =>
      previewSilence(ctx.db, ctx.actor.tenantId, {
        matchers: input.matchers,
        limit: input.limit,
        siteOfHost: sitePattern(ctx.services.correlation.sitePattern),
      }),
  ),
});
