/**
 * `POST /webhooks/jira`: Jira Cloud issue events. With a secret configured the `X-Hub-Signature` must match
 * the raw body; a delivery Atlassian retries (same `X-Atlassian-Webhook-Identifier`) is applied once.
 */
import {
  findAcceptedDelivery,
  isJiraIssueEvent,
  jiraAccountId,
  jiraChangedFields,
  jiraDedupKey,
  jiraEventToTicket,
  upsertInboundTicket,
} from "@teleops/core";
import { jiraWebhookEventSchema } from "@teleops/schema";
import { checkHubSignature, requireConfigured } from "./credentials.ts";
import { DEFAULT_TENANT, headerValue, schemaError, type WebhookRoute } from "./delivery.ts";

export const jiraRoute: WebhookRoute = {
  source: "jira",
  challenge: 'HMAC-SHA256 header="X-Hub-Signature"',
  authorize: (_req, deps) => {
    requireConfigured(deps.jiraWebhookSecret, deps.closedBecause, "JIRA_WEBHOOK_SECRET");
    return deps.webhookTenant ?? DEFAULT_TENANT;
  },
  verify(req, raw, deps) {
    if (deps.jiraWebhookSecret) checkHubSignature(req.headers["x-hub-signature"], raw, deps.jiraWebhookSecret);
  },
  async handle({ tenantId, req, raw, body }, deps) {
    const parsed = jiraWebhookEventSchema.safeParse(body);
    if (!parsed.success) throw schemaError(parsed.error, "the Jira event");
    const event = parsed.data;
    const dedupKey = jiraDedupKey(event, headerValue(req, "x-atlassian-webhook-identifier"), raw);
    const summary: Record<string, unknown> = {
      webhook_event: event.webhookEvent,
      issue_event_type_name: event.issue_event_type_name,
      issue_key: event.issue?.key,
      account_id: jiraAccountId(event.user),
      changed_fields: jiraChangedFields(event),
    };
    const earlier = await findAcceptedDelivery(deps.db, tenantId, "jira", dedupKey);
    if (earlier) {
      return {
        tenantId,
        outcome: "duplicate",
        dedupKey,
        accepted: 0,
        duplicates: 1,
        summary: { ...summary, duplicate_of: earlier.id },
      };
    }
    if (!event.issue || !isJiraIssueEvent(event)) {
      // Subscribed to more than issue events: recorded, nothing to apply.
      return {
        tenantId,
        outcome: "accepted",
        dedupKey,
        accepted: 0,
        duplicates: 0,
        summary: { ...summary, ignored: true },
      };
    }
    const result = await upsertInboundTicket(deps.db, tenantId, jiraEventToTicket(event, event.issue));
    const ticket = {
      id: result.ticket.id,
      number: result.ticket.number,
      status: result.ticket.status,
      incident_id: result.ticket.incident_id,
    };
    // An older update (stale) or the very same issue again (unchanged) moves nothing.
    const changed = !result.stale && !result.unchanged;
    return {
      tenantId,
      outcome: changed ? "accepted" : "duplicate",
      dedupKey,
      accepted: changed ? 1 : 0,
      duplicates: changed ? 0 : 1,
      summary: { ...summary, ticket, created: result.created, stale: result.stale, unchanged: result.unchanged },
      answer: { ticket },
    };
  },
};
