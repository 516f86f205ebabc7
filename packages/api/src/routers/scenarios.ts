/** Scenario catalog and the synthetic generator. */
import { ensureDemoTopology, generateAndStore, SCENARIO_CATALOG } from "@teleops/core";
import { generateParamsSchema } from "@teleops/schema";
import { labProcedure, router, viewerProcedure } from "../trpc.ts";

export const scenariosRouter = router({
  list: viewerProcedure.query(() => SCENARIO_CATALOG),
  // Demo data in the Lab: admins only, and off in production unless TELEOPS_LAB=1.
  generate: labProcedure.input(generateParamsSchema).mutation(async ({ ctx, input }) => {
    const { tenantId } = ctx.actor;
    // Demo data names the demo topology's devices; a tenant with no topology of its own gets that one.
    const stored = await ensureDemoTopology(ctx.db, {
      tenantId,
      actor: ctx.actor.name,
      topology: ctx.services.topology,
    });
    if (stored) ctx.services.topologies.invalidate(ctx.db, tenantId);
    const topologyView = await ctx.services.topologies.view(ctx.db, tenantId);
    const outcome = await generateAndStore(
      ctx.db,
      {
        tenantId,
        topology: ctx.services.topology,
        topologyView,
        correlation: ctx.services.correlation,
      },
      input,
    );
    ctx.services.onChange?.({ tenantId: ctx.actor.tenantId, kind: "incidents" });
    return outcome;
  }),
});
