/**
 * The tenant's network topology: what the incident page's affected-devices card looks up, the stored document
 * (`get`), and `import`, which replaces it from a TeleOps document or a NetBox export.
 */
import { describeHosts, getTopology, parseTopologyImport, replaceTopology } from "@teleops/core";
import { type TopologyImportResult, topologyImportInputSchema } from "@teleops/schema";
import { z } from "zod";
import { operatorProcedure, router, viewerProcedure } from "../trpc.ts";

/** What the topology was imported from, as `topology.get` shows it. */
function sourceLabel(format: string, name: string | undefined): string {
  return name ? `${format}: ${name}` : format;
}

export const topologyRouter = router({
  devices: viewerProcedure
    .input(z.object({ hosts: z.array(z.string().min(1).max(255)).max(2_000) }))
    .query(async ({ ctx, input }) =>
      describeHosts(await ctx.services.topologies.topology(ctx.db, ctx.actor.tenantId), input.hosts),
    ),
  /** The tenant's devices and links, where they came from and who loaded them; null when none is stored. */
  get: viewerProcedure.query(({ ctx }) => getTopology(ctx.db, ctx.actor.tenantId)),
  /** Replaces the tenant's topology; audited. Correlation uses it from the next pass on. */
  import: operatorProcedure.input(topologyImportInputSchema).mutation(async ({ ctx, input }) => {
    const { tenantId, name: actor } = ctx.actor;
    const parsed = parseTopologyImport(input);
    const source = sourceLabel(parsed.format, input.name);
    const updatedAt = await replaceTopology(ctx.db, {
      tenantId,
      actor,
      topology: parsed.topology,
      format: parsed.format,
      source,
      skipped: { listed: parsed.skipped, count: parsed.skippedCount },
    });
    ctx.services.topologies.invalidate(ctx.db, tenantId);
    const result: TopologyImportResult = {
      tenant: tenantId,
      format: parsed.format,
      source,
      devices: parsed.topology.devices.length,
      links: parsed.topology.links.length,
      skipped: parsed.skipped,
      skipped_count: parsed.skippedCount,
      updated_at: updatedAt.toISOString(),
    };
    return result;
  }),
});
