/** Headline numbers for the overview. */
import { metricsOverview } from "@teleops/core";
import { router, viewerProcedure } from "../trpc.ts";

export const metricsRouter = router({
  overview: viewerProcedure.query(({ ctx }) => metricsOverview(ctx.db, ctx.actor.tenantId)),
});
