/** The incident queue and incident detail, and operators' corrections of incidents (merge, split, move). */
import {
  appendAudit,
  getIncident,
  incidentAlerts,
  listIncidents,
  mergeIncidents,
  moveAlerts,
  setIncidentStatus,
  splitIncident,
  ValidationError,
} from "@teleops/core";
import {
  checkSearchRanges,
  incidentIdSchema as incidentId,
  incidentSearchSchema,
  incidentStatusSchema,
  mergeIncidentsInputSchema,
  moveAlertsInputSchema,
  severitySchema,
  splitIncidentInputSchema,
} from "@teleops/schema";
import { z } from "zod";
import type { Actor, Context } from "../context.ts";
import { operatorProcedure, router, viewerProcedure } from "../trpc.ts";
import { incidentWorkProcedures } from "./incidentWork.ts";

/** Runs one correction as the signed-in actor, then tells live clients the incidents changed. */
async function correct<T>(ctx: Context & { actor: Actor }, verb: (actor: Actor) => Promise<T>): Promise<T> {
  const result = await verb(ctx.actor);
  ctx.services.onChange?.({ tenantId: ctx.actor.tenantId, kind: "incidents" });
  return result;
}

export const incidentsRouter = router({
  list: viewerProcedure
    .input(
      z
        .object({
          status: z.array(incidentStatusSchema).optional(),
          severity: z.array(severitySchema).optional(),
          sort: z.enum(["severity", "start_time", "end_time", "alert_count"]).default("start_time"),
          direction: z.enum(["asc", "desc"]).default("desc"),
          limit: z.number().int().min(1).max(500).default(50),
          offset: z.number().int().min(0).default(0),
          /** Only incidents nobody owns ("mine" is `owner` set to your own name). */
          unassigned: z.boolean().optional(),
        })
        .extend(incidentSearchSchema.shape)
        .superRefine(checkSearchRanges)
        .prefault({}),
    )
    .query(({ ctx, input }) => listIncidents(ctx.readDb, ctx.actor.tenantId, input)),
  byId: viewerProcedure
    .input(z.object({ id: incidentId }))
    .query(({ ctx, input }) => getIncident(ctx.readDb, ctx.actor.tenantId, input.id)),
  alerts: viewerProcedure
    .input(z.object({ id: incidentId, limit: z.number().int().min(1).max(5_000).default(1_000) }))
    .query(({ ctx, input }) => incidentAlerts(ctx.readDb, ctx.actor.tenantId, input.id, input.limit)),
  setStatus: operatorProcedure
    .input(z.object({ id: incidentId, status: incidentStatusSchema }))
    .mutation(async ({ ctx, input }) => {
      // Acknowledging takes ownership: the owner is the actor, never a name the client sends.
      const owner = input.status === "acknowledged" ? ctx.actor.name : null;
      const { tenantId, name } = ctx.actor;
      // The change and its audit event commit together.
      const incident = await ctx.db.transaction(async (tx) => {
        const before = await getIncident(tx, tenantId, input.id);
        if (before.merged_into !== null) {
          throw new ValidationError(`${before.id} was merged into ${before.merged_into}; work on that incident`);
        }
        const after = await setIncidentStatus(tx, tenantId, input.id, input.status, owner);
        if (before.status !== after.status) {
          await appendAudit(tx, {
            tenantId,
            actor: name,
            action: "incident.status",
            entityType: "incident",
            entityId: after.id,
            incidentId: after.id,
            details: { from: before.status, to: after.status, owner: after.owner },
          });
        }
        return after;
      });
      ctx.services.onChange?.({ tenantId: ctx.actor.tenantId, kind: "incidents" });
      return incident;
    }),
  merge: operatorProcedure
    .input(mergeIncidentsInputSchema)
    .mutation(({ ctx, input }) => correct(ctx, (actor) => mergeIncidents(ctx.db, actor, input))),
  /** Returns the new incident. */
  split: operatorProcedure
    .input(splitIncidentInputSchema)
    .mutation(({ ctx, input }) => correct(ctx, (actor) => splitIncident(ctx.db, actor, input))),
  /** Returns the incident the alerts moved to. */
  moveAlerts: operatorProcedure
    .input(moveAlertsInputSchema)
    .mutation(({ ctx, input }) => correct(ctx, (actor) => moveAlerts(ctx.db, actor, input))),
  ...incidentWorkProcedures,
});
