/** Alert lists, newest first, with cursor pagination. */
import { listAlerts } from "@teleops/core";
import { severitySchema } from "@teleops/schema";
import { z } from "zod";
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
});
