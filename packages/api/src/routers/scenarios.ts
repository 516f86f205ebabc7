/** Scenario catalog and the synthetic generator. */
import { generateAndStore, SCENARIO_CATALOG } from "@teleops/core";
import { generateParamsSchema } from "@teleops/schema";
import { operatorProcedure, router, viewerProcedure } from "../trpc.ts";

export const scenariosRouter = router({
  list: viewerProcedure.query(() => SCENARIO_CATALOG),
  generate: operatorProcedure.input(generateParamsSchema).mutation(async ({ ctx, input }) => {
    const outcome = await generateAndStore(
      ctx.db,
      {
        tenantId: ctx.actor.tenantId,
        topology: ctx.services.topology,
        topologyView: ctx.services.topologyView,
        correlation: ctx.services.correlation,
      },
      input,
    );
    ctx.services.onChange?.({ tenantId: ctx.actor.tenantId, kind: "incidents" });
    return outcome;
  }),
});
