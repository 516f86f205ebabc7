/** Evaluation: score the RCA engines on a label set and keep the history of runs. */
import {
  type EvaluationServices,
  getEvaluationRun,
  listEvaluationRuns,
  loadRunbookIndex,
  type RunbookIndex,
  runEvaluation,
  toEvaluationReport,
} from "@teleops/core";
import { evaluationRunInputSchema } from "@teleops/schema";
import { z } from "zod";
import type { AppServices } from "../context.ts";
import { operatorProcedure, router, viewerProcedure } from "../trpc.ts";

let shippedRunbooks: RunbookIndex | undefined;

function shippedRunbookIndex(): RunbookIndex {
  if (!shippedRunbooks) shippedRunbooks = loadRunbookIndex();
  return shippedRunbooks;
}

/** The engines' services; a server that built no runbook index gets the shipped corpus, built once. */
function evaluationServices(services: AppServices): EvaluationServices {
  return {
    runbooks: services.runbooks ?? shippedRunbookIndex(),
    llm: services.llm,
    topology: services.topology,
  };
}

export const evaluationRouter = router({
  /** Runs the chosen engines on the manual set, generated scenarios or the sent cases; stores and returns the run. */
  run: operatorProcedure.input(evaluationRunInputSchema).mutation(async ({ ctx, input }) => {
    const run = await runEvaluation(ctx.db, {
      tenantId: ctx.actor.tenantId,
      actor: ctx.actor.name,
      source: input.source,
      engine: input.engine,
      synthetic: input.synthetic,
      seed: input.seed,
      cases: input.cases,
      labelsFile: input.labelsFile,
      services: evaluationServices(ctx.services),
    });
    return { run, report: toEvaluationReport(run) };
  }),
  /** The tenant's runs, newest first, with their headline scores (for the trend). */
  list: viewerProcedure
    .input(z.object({ limit: z.number().int().min(1).max(200).default(50) }).default({ limit: 50 }))
    .query(({ ctx, input }) => listEvaluationRuns(ctx.db, ctx.actor.tenantId, input.limit)),
  byId: viewerProcedure
    .input(z.object({ id: z.string().min(1).max(64) }))
    .query(({ ctx, input }) => getEvaluationRun(ctx.db, ctx.actor.tenantId, input.id)),
});
