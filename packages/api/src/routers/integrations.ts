/**
 * Integrations: which ticket systems are real and which mock, the mock ServiceNow and Jira APIs, the webhook event
 * log, and tickets linked to incidents.
 */
import {
  createOutboundTicket,
  getIncident,
  type IntegrationFixtures,
  listIntegrationEvents,
  listServicenowIncidents,
  listTickets,
  loadIntegrationFixtures,
  NO_INTEGRATION_FIXTURES,
  searchJiraIssues,
} from "@teleops/core";
import {
  createTicketParamsSchema,
  integrationEventListParamsSchema,
  jiraListParamsSchema,
  servicenowListParamsSchema,
  type TicketSystem,
} from "@teleops/schema";
import { z } from "zod";
import type { AppServices } from "../context.ts";
import { operatorProcedure, router, viewerProcedure } from "../trpc.ts";

/**
 * The shipped fixture tickets quote incident ids (`INC-000001`…) that in a live database name unrelated
 * incidents, so the mock APIs serve them only where the lab (demo data) is on.
 */
function fixturesFor(services: AppServices): IntegrationFixtures {
  return services.lab === false ? NO_INTEGRATION_FIXTURES : loadIntegrationFixtures();
}

function systemMode(services: AppServices, system: TicketSystem) {
  const client = services.ticketSystems?.[system];
  return client ? { mode: "real" as const, target: client.target } : { mode: "mock" as const, target: null };
}

export const integrationsRouter = router({
  servicenow: router({
    incidents: viewerProcedure
      .input(servicenowListParamsSchema.prefault({}))
      .query(({ ctx, input }) => listServicenowIncidents(ctx.db, ctx.actor.tenantId, input, fixturesFor(ctx.services))),
  }),
  jira: router({
    issues: viewerProcedure
      .input(jiraListParamsSchema.prefault({}))
      .query(({ ctx, input }) => searchJiraIssues(ctx.db, ctx.actor.tenantId, input, fixturesFor(ctx.services))),
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
  /** Which ticket systems are real (and where, never with credentials) and which are the built-in mock. */
  systems: viewerProcedure.query(({ ctx }) => ({
    servicenow: systemMode(ctx.services, "servicenow"),
    jira: systemMode(ctx.services, "jira"),
    sample_tickets: ctx.services.lab !== false,
  })),
  createTicket: operatorProcedure.input(createTicketParamsSchema).mutation(({ ctx, input }) =>
    createOutboundTicket(ctx.db, ctx.actor.tenantId, {
      ...input,
      actor: ctx.actor.name,
      client: ctx.services.ticketSystems?.[input.system],
      incidentUrl: ctx.services.publicUrl
        ? `${ctx.services.publicUrl.replace(/\/+$/, "")}/incidents/${encodeURIComponent(input.incidentId)}`
        : null,
    }),
  ),
});
