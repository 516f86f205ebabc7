/** Alert lists, newest first, with cursor pagination, and one alert opened in full. */
import { getAlertDetail, listAlerts } from "@teleops/core";
import { alertIdInputSchema, severitySchema } from "@teleops/schema";
import { z } from "zod";
import { roleAtLeast } from "../context.ts";
import { router, viewerProcedure } from "../trpc.ts";

export const alertsRouter = router({
  list: viewerProcedure
    .input(
      z
        .object({
          incidentId: z.string().min(1).max(64).optional(),
          host: z.string().min(1).max(255).optional(),
          severity: z.array(severitySchema).optional(),
          cursor: z.number().int().positive().optional(),
          limit: z.number().int().min(1).max(1_000).default(100),
        })
        .prefault({}),
    )
    .query(({ ctx, input }) => listAlerts(ctx.db, ctx.actor.tenantId, input)),
  /** Every field, label, annotation and link of one alert; a viewer reads it redacted as LLM prompts are. */
  get: viewerProcedure
    .input(alertIdInputSchema)
    .query(({ ctx, input }) =>
      getAlertDetail(ctx.db, ctx.actor.tenantId, input.id, { redact: !roleAtLeast(ctx.actor.role, "operator") }),
    ),
});
