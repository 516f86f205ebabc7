/** Headline numbers for the overview, and the aggregates behind the Observability page (read from the replica). */
import { metricsOverview, observabilityMetrics } from "@teleops/core";
import { observabilityRangeSchema } from "@teleops/schema";
import { z } from "zod";
import { router, viewerProcedure } from "../trpc.ts";

export const metricsRouter = router({
  overview: viewerProcedure.query(({ ctx }) => metricsOverview(ctx.readDb, ctx.actor.tenantId)),
  observability: viewerProcedure
    .input(z.object({ range: observabilityRangeSchema.default("7d") }).prefault({}))
    .query(({ ctx, input }) => observabilityMetrics(ctx.readDb, ctx.actor.tenantId, { range: input.range })),
});
