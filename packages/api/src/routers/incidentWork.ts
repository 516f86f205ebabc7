/** Working incidents: owners, notes, the timeline and bulk actions (merged into the `incidents` router). */
import { addIncidentNote, assignIncident, bulkUpdateIncidents, incidentTimeline } from "@teleops/core";
import {
  addNoteInputSchema,
  assignIncidentInputSchema,
  bulkUpdateInputSchema,
  incidentIdSchema,
} from "@teleops/schema";
import { z } from "zod";
import type { Actor, Context } from "../context.ts";
import { operatorProcedure, viewerProcedure } from "../trpc.ts";

/**
 * Who may own the actor's incidents: the operators and admins of the users file in the actor's tenant; without a
 * users file, the one local user.
 */
export function assigneesOf(ctx: Context & { actor: Actor }): string[] {
  const identity = ctx.services.identity;
  if (!identity || identity.mode === "local-admin") return [ctx.actor.name];
  return identity
    .users()
    .filter((user) => user.tenant === ctx.actor.tenantId && user.role !== "viewer")
    .map((user) => user.name)
    .sort((a, b) => a.localeCompare(b));
}

function changed(ctx: Context & { actor: Actor }): void {
  ctx.services.onChange?.({ tenantId: ctx.actor.tenantId, kind: "incidents" });
}

export const incidentWorkProcedures = {
  /** The users incidents can be assigned to, and the caller's own name (for "mine"). */
  assignees: viewerProcedure.query(({ ctx }) => ({ users: assigneesOf(ctx), me: ctx.actor.name })),
  /** Sets the owner (`to: null` unassigns); assigning someone who is not a user of the tenant is a 400. */
  assign: operatorProcedure.input(assignIncidentInputSchema).mutation(async ({ ctx, input }) => {
    const incident = await assignIncident(ctx.db, ctx.actor, input, assigneesOf(ctx));
    changed(ctx);
    return incident;
  }),
  addNote: operatorProcedure.input(addNoteInputSchema).mutation(async ({ ctx, input }) => {
    const note = await addIncidentNote(ctx.db, ctx.actor, input);
    changed(ctx);
    return note;
  }),
  /** Notes, status changes, owners, RCA reviews, tickets, merges and splits, oldest first. */
  timeline: viewerProcedure
    .input(z.object({ id: incidentIdSchema }))
    .query(({ ctx, input }) => incidentTimeline(ctx.readDb, ctx.actor.tenantId, input.id)),
  /** Acknowledge, resolve, assign or unassign several incidents in one transaction. */
  bulkUpdate: operatorProcedure.input(bulkUpdateInputSchema).mutation(async ({ ctx, input }) => {
    const result = await bulkUpdateIncidents(ctx.db, ctx.actor, input, assigneesOf(ctx));
    changed(ctx);
    return result;
  }),
};
