/** Root-cause analysis: run an engine on an incident, read its artifacts, and review them. */
import {
  getRca,
  LLM_HOW_TO_CONFIGURE,
  latestRca,
  listRca,
  loadRunbookIndex,
  type RcaServices,
  type RunbookIndex,
  reviewRca,
  runbookSection,
  runRca,
} from "@teleops/core";
import {
  type NetworkTopology,
  RCA_STATUSES,
  REVIEW_DECISIONS,
  rcaEngineSchema,
  runbookSlugSchema,
} from "@teleops/schema";
import { z } from "zod";
import type { AppServices } from "../context.ts";
import { operatorProcedure, router, viewerProcedure } from "../trpc.ts";

const incidentId = z.string().min(1).max(64);
const artifactId = z.string().min(1).max(64);

let shippedRunbooks: RunbookIndex | undefined;

function shippedRunbookIndex(): RunbookIndex {
  if (!shippedRunbooks) shippedRunbooks = loadRunbookIndex();
  return shippedRunbooks;
}

/**
 * The engines' services; a server that built no runbook index gets the shipped corpus, built once. The topology is
 * the tenant's stored one, when it has one.
 */
function rcaServices(services: AppServices, topology?: NetworkTopology): RcaServices {
  return {
    runbooks: services.runbooks ?? shippedRunbookIndex(),
    llm: services.llm,
    topology,
  };
}

export const rcaRouter = router({
  run: operatorProcedure
    .input(z.object({ incidentId, engine: rcaEngineSchema.default("baseline") }))
    .mutation(async ({ ctx, input }) =>
      runRca(ctx.db, {
        tenantId: ctx.actor.tenantId,
        actor: ctx.actor.name,
        incidentId: input.incidentId,
        engine: input.engine,
        services: rcaServices(ctx.services, await ctx.services.topologies.topology(ctx.db, ctx.actor.tenantId)),
      }),
    ),
  list: viewerProcedure
    .input(z.object({ incidentId }))
    .query(({ ctx, input }) => listRca(ctx.db, ctx.actor.tenantId, input.incidentId)),
  latest: viewerProcedure
    .input(z.object({ incidentId, engine: rcaEngineSchema.optional(), status: z.enum(RCA_STATUSES).optional() }))
    .query(({ ctx, input }) => latestRca(ctx.db, ctx.actor.tenantId, input)),
  byId: viewerProcedure
    .input(z.object({ id: artifactId }))
    .query(({ ctx, input }) => getRca(ctx.db, ctx.actor.tenantId, input.id)),
  /** One runbook section as cited by hypotheses (`<runbook>#<section>`), for the SPA's runbook view. */
  runbook: viewerProcedure
    .input(z.object({ runbook: runbookSlugSchema, section: runbookSlugSchema }))
    .query(({ ctx, input }) =>
      runbookSection(ctx.services.runbooks ?? shippedRunbookIndex(), input.runbook, input.section),
    ),
  review: operatorProcedure
    .input(z.object({ artifactId, decision: z.enum(REVIEW_DECISIONS), notes: z.string().max(4_000).default("") }))
    .mutation(async ({ ctx, input }) => {
      const artifact = await reviewRca(ctx.db, {
        tenantId: ctx.actor.tenantId,
        actor: ctx.actor.name,
        artifactId: input.artifactId,
        decision: input.decision,
        notes: input.notes.trim(),
      });
      ctx.services.onChange?.({ tenantId: ctx.actor.tenantId, kind: "incidents" });
      return artifact;
    }),
  engines: viewerProcedure.query(({ ctx }) => {
    const services = rcaServices(ctx.services);
    const llm = services.llm?.describe();
    return {
      baseline: { ready: true, runbook_sections: services.runbooks.chunks.length },
      llm: {
        configured: llm?.configured ?? false,
        model: llm?.model ?? null,
        // Host and port only: the engine never describes credentials or paths.
        base_url: llm?.baseUrl ?? null,
        how_to_configure: llm?.howToConfigure ?? LLM_HOW_TO_CONFIGURE,
      },
    };
  }),
});
