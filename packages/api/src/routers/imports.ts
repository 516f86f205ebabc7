/**
 * File imports: the CLI parses a file and sends batches (`start`, `batch`…, `finish`); the SPA sends the
 * file's text (`dryRun`, `upload`). Every record is validated again here before it is stored.
 */
import {
  dryRunContent,
  finishImport,
  getImport,
  type ImportDeps,
  importContent,
  listImports,
  startImport,
  storeImportBatch,
} from "@teleops/core";
import {
  importBatchInputSchema,
  importContentInputSchema,
  importFinishInputSchema,
  importStartInputSchema,
} from "@teleops/schema";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Actor, Context } from "../context.ts";
import { operatorProcedure, router, viewerProcedure } from "../trpc.ts";

/**
 * The tenant an import writes to: always the caller's own. Naming it is allowed (a script may state what it
 * expects); naming another tenant is refused for every role, so no token reaches past its tenant.
 */
function targetTenant(actor: Actor, requested: string | undefined): string {
  if (requested === undefined || requested === actor.tenantId) return actor.tenantId;
  throw new TRPCError({
    code: "FORBIDDEN",
    message: `cannot import into tenant "${requested}": your token belongs to tenant "${actor.tenantId}"`,
  });
}

async function deps(ctx: Context & { actor: Actor }, tenant: string | undefined): Promise<ImportDeps> {
  const tenantId = targetTenant(ctx.actor, tenant);
  const topology = await ctx.services.topologies.view(ctx.db, tenantId);
  return { tenantId, topology, correlation: ctx.services.correlation };
}

export const importsRouter = router({
  start: operatorProcedure.input(importStartInputSchema).mutation(({ ctx, input }) =>
    startImport(ctx.db, {
      tenantId: targetTenant(ctx.actor, input.tenant),
      actor: ctx.actor.name,
      fileName: input.fileName,
      format: input.format,
    }),
  ),
  batch: operatorProcedure.input(importBatchInputSchema).mutation(async ({ ctx, input }) => {
    const scope = await deps(ctx, input.tenant);
    const outcome = await storeImportBatch(ctx.db, scope, input);
    if (outcome.imported > 0) ctx.services.onChange?.({ tenantId: scope.tenantId, kind: "alerts" });
    return outcome;
  }),
  finish: operatorProcedure.input(importFinishInputSchema).mutation(async ({ ctx, input }) => {
    const scope = await deps(ctx, input.tenant);
    const summary = await finishImport(ctx.db, scope, input);
    if (summary.incidents.length > 0) ctx.services.onChange?.({ tenantId: scope.tenantId, kind: "incidents" });
    return summary;
  }),
  /** Parses and validates a file sent as text; nothing is stored. */
  dryRun: operatorProcedure.input(importContentInputSchema).mutation(({ ctx, input }) => {
    targetTenant(ctx.actor, input.tenant);
    return dryRunContent(input);
  }),
  /** Imports a file sent as text (up to 5 MiB) the way the CLI would, and records the run. */
  upload: operatorProcedure.input(importContentInputSchema).mutation(async ({ ctx, input }) => {
    const scope = await deps(ctx, input.tenant);
    const summary = await importContent(ctx.db, { ...scope, actor: ctx.actor.name }, input);
    if (summary.imported > 0) ctx.services.onChange?.({ tenantId: scope.tenantId, kind: "incidents" });
    return summary;
  }),
  list: viewerProcedure
    .input(z.object({ limit: z.number().int().min(1).max(200).default(50) }).prefault({}))
    .query(({ ctx, input }) => listImports(ctx.db, ctx.actor.tenantId, input)),
  byId: viewerProcedure
    .input(z.object({ id: z.string().min(1).max(64) }))
    .query(({ ctx, input }) => getImport(ctx.db, ctx.actor.tenantId, input.id)),
});
