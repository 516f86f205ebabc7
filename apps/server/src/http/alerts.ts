/** `POST /webhooks/alerts`: one canonical alert or an array of them. */
import { createHash } from "node:crypto";
import { ingestAlerts, withFingerprint } from "@teleops/core";
import { alertBatchInputSchema, alertInputSchema, type CanonicalAlert } from "@teleops/schema";
import { checkBearer } from "./credentials.ts";
import { correlateTenant, DEFAULT_TENANT, schemaError, type WebhookRoute } from "./delivery.ts";

export const alertsRoute: WebhookRoute = {
  source: "alerts",
  challenge: "Bearer",
  authorize: (req, deps) => checkBearer(req, deps.webhookToken, deps.production),
  async handle({ body }, deps) {
    const parsed = Array.isArray(body) ? alertBatchInputSchema.safeParse(body) : alertInputSchema.safeParse(body);
    if (!parsed.success) throw schemaError(parsed.error, "the alerts");
    const drafts = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
    const byTenant = new Map<string, CanonicalAlert[]>();
    for (const draft of drafts) {
      const tenant = draft.tenant_id ?? DEFAULT_TENANT;
      const list = byTenant.get(tenant) ?? [];
      list.push(withFingerprint(draft));
      byTenant.set(tenant, list);
    }
    let accepted = 0;
    let duplicates = 0;
    const incidents: string[] = [];
    for (const [tenantId, list] of byTenant) {
      const stored = await ingestAlerts(deps.db, tenantId, list);
      accepted += stored.accepted;
      duplicates += stored.duplicates;
      if (stored.accepted > 0) incidents.push(...(await correlateTenant(deps, tenantId)));
    }
    const tenants = [...byTenant.keys()];
    return {
      // A batch for several tenants is logged once, under the default tenant.
      tenantId: tenants.length === 1 && tenants[0] ? tenants[0] : DEFAULT_TENANT,
      outcome: accepted > 0 ? "accepted" : "duplicate",
      dedupKey: batchKey(
        [...byTenant].flatMap(([tenant, list]) => list.map((a) => [tenant, a.fingerprint, a.timestamp])),
      ),
      accepted,
      duplicates,
      alertsStored: accepted,
      summary: { alerts: drafts.length, accepted, duplicates, tenants, incidents },
    };
  },
};

/** Identity of a batch: the same alerts in any order give the same key. */
function batchKey(identities: string[][]): string {
  const lines = identities.map((parts) => parts.join("|")).sort();
  return `sha256:${createHash("sha256").update(lines.join("\n")).digest("hex")}`;
}
