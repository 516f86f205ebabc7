/**
 * `POST /webhooks/servicenow`: an incident record as the Table API names its fields, posted by a Business
 * Rule (or a Table API answer pasted as is: `{"result":{…}}` or `{"result":[…]}`). The same version of a
 * record (sys_id + sys_updated_on, or sys_mod_count) is applied once.
 */
import { createHash } from "node:crypto";
import { findAcceptedDelivery, servicenowDedupKey, servicenowRecordToTicket, upsertInboundTicket } from "@teleops/core";
import { type ServicenowIncident, servicenowWebhookListSchema, servicenowWebhookSchema } from "@teleops/schema";
import { webhookTenant } from "./credentials.ts";
import { schemaError, type WebhookDeps, type WebhookRoute } from "./delivery.ts";

export const servicenowRoute: WebhookRoute = {
  source: "servicenow",
  challenge: 'Basic realm="teleops", Bearer',
  authorize: (req, deps) => webhookTenant(req, deps, "servicenow"),
  async handle({ tenantId, body }, deps) {
    const records = parseRecords(body);
    const keys = records.map(
      (record) => servicenowDedupKey(record) ?? `${record.sys_id}:sha256:${sha256(JSON.stringify(record))}`,
    );
    let accepted = 0;
    let duplicates = 0;
    const tickets: Array<Record<string, unknown>> = [];
    for (const [index, record] of records.entries()) {
      const applied = await applyRecord(deps, tenantId, record, keys[index] ?? "");
      if (applied.changed) accepted += 1;
      else duplicates += 1;
      tickets.push(applied.ticket);
    }
    const [single] = tickets;
    return {
      tenantId,
      outcome: accepted > 0 ? "accepted" : "duplicate",
      dedupKey: keys.length === 1 ? (keys[0] ?? null) : `list:sha256:${sha256(keys.join("\n"))}`,
      accepted,
      duplicates,
      summary: {
        records: records.length,
        numbers: records.map((record) => record.number).slice(0, 100),
        ...(records.length === 1 ? { ticket: single } : { tickets: tickets.slice(0, 100) }),
      },
      answer: records.length === 1 ? { ticket: single } : { tickets },
    };
  },
};

/** A bare record or `{"result":{…}}` is one record; `{"result":[…]}` is a list applied in order. */
function parseRecords(body: unknown): ServicenowIncident[] {
  if (isRecord(body) && Array.isArray(body.result)) {
    const list = servicenowWebhookListSchema.safeParse(body);
    if (!list.success) throw schemaError(list.error, "the ServiceNow records");
    return list.data.result;
  }
  const single = servicenowWebhookSchema.safeParse(body);
  if (!single.success) throw schemaError(single.error, "the ServiceNow record");
  return [single.data];
}

async function applyRecord(
  deps: WebhookDeps,
  tenantId: string,
  record: ServicenowIncident,
  dedupKey: string,
): Promise<{ changed: boolean; ticket: Record<string, unknown> }> {
  const earlier = await findAcceptedDelivery(deps.db, tenantId, "servicenow", dedupKey);
  const result = earlier ? undefined : await upsertInboundTicket(deps.db, tenantId, servicenowRecordToTicket(record));
  const ticket = result
    ? {
        id: result.ticket.id,
        number: result.ticket.number,
        status: result.ticket.status,
        incident_id: result.ticket.incident_id,
      }
    : { number: record.number, duplicate_of: earlier?.id };
  return { changed: Boolean(result && !result.stale && !result.unchanged), ticket };
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
