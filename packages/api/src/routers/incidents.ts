/** The incident queue and incident detail. */
import { appendAudit, getIncident, incidentAlerts, listIncidents, setIncidentStatus } from "@teleops/core";
import { incidentStatusSchema, severitySchema } from "@teleops/schema";
import { z } from "zod";
import { operatorProcedure, router, viewerProcedure } from "../trpc.ts";

const incidentId = z.string().min(1).max(64);

export const incidentsRouter = router({
  list: viewerProcedure
    .input(
      z
        .object({
          status: z.array(incidentStatusSchema).optional(),
          severity: z.array(severitySchema).optional(),
          text: z.string().max(200).optional(),
          sort: z.enum(["severity", "start_time", "end_time", "alert_count"]).default("start_time"),
          direction: z.enum(["asc", "desc"]).default("desc"),
          limit: z.number().int().min(1).max(500).default(50),
          offset: z.number().int().min(0).default(0),
        })
        .prefault({}),
    )
    .query(({ ctx, input }) => listIncidents(ctx.db, ctx.actor.tenantId, input)),
  byId: viewerProcedure
    .input(z.object({ id: incidentId }))
    .query(({ ctx, input }) => getIncident(ctx.db, ctx.actor.tenantId, input.id)),
  alerts: viewerProcedure
    .input(z.object({ id: incidentId, limit: z.number().int().min(1).max(5_000).default(1_000) }))
    .query(({ ctx, input }) => incidentAlerts(ctx.db, ctx.actor.tenantId, input.id, input.limit)),
  setStatus: operatorProcedure
    .input(z.object({ id: incidentId, status: incidentStatusSchema }))
    .mutation(async ({ ctx, input }) => {
      // Acknowledging takes ownership: the owner is the actor, never a name the client sends.
      const owner = input.status === "acknowledged" ? ctx.actor.name : null;
      const { tenantId, name } = ctx.actor;
      // The change and its audit event commit together.
      const incident = await ctx.db.transaction(async (tx) => {
        const before = await getIncident(tx, tenantId, input.id);
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
});
