/** Integrations: the mock ServiceNow and Jira APIs, the webhook event log, and tickets linked to incidents. */
import {
  createOutboundTicket,
  getIncident,
  listIntegrationEvents,
  listServicenowIncidents,
  listTickets,
  searchJiraIssues,
} from "@teleops/core";
import {
  createTicketParamsSchema,
  integrationEventListParamsSchema,
  jiraListParamsSchema,
  servicenowListParamsSchema,
} from "@teleops/schema";
import { z } from "zod";
import { operatorProcedure, router, viewerProcedure } from "../trpc.ts";

export const integrationsRouter = router({
  servicenow: router({
    incidents: viewerProcedure
      .input(servicenowListParamsSchema.prefault({}))
      .query(({ ctx, input }) => listServicenowIncidents(ctx.db, ctx.actor.tenantId, input)),
  }),
  jira: router({
    issues: viewerProcedure
      .input(jiraListParamsSchema.prefault({}))
      .query(({ ctx, input }) => searchJiraIssues(ctx.db, ctx.actor.tenantId, input)),
  }),
  events: viewerProcedure
    .input(integrationEventListParamsSchema.prefault({}))
    .query(({ ctx, input }) => listIntegrationEvents(ctx.db, ctx.actor.tenantId, input)),
  tickets: viewerProcedure
    .input(z.object({ incidentId: z.string().min(1).max(64).optional() }).prefault({}))
    .query(async ({ ctx, input }) => {
      // An unknown incident is a 404, not an empty list, so a typo does not look like "no tickets".
      if (input.incidentId) await getIncident(ctx.db, ctx.actor.tenantId, input.incidentId);
      return listTickets(ctx.db, ctx.actor.tenantId, { incidentId: input.incidentId });
    }),
  createTicket: operatorProcedure
    .input(createTicketParamsSchema)
    .mutation(({ ctx, input }) =>
      createOutboundTicket(ctx.db, ctx.actor.tenantId, { ...input, actor: ctx.actor.name }),
    ),
});
