/** `POST /webhooks/alerts`: one canonical alert or an array of them. */
import { createHash } from "node:crypto";
import { type StoredDelivery, withFingerprint } from "@teleops/core";
import { alertBatchInputSchema, alertInputSchema, type CanonicalAlert } from "@teleops/schema";
import { HttpError } from "./body.ts";
import { webhookTenant } from "./credentials.ts";
import { type DeliveryResult, schemaError, storeDelivery, type WebhookRoute } from "./delivery.ts";

export const alertsRoute: WebhookRoute = {
  source: "alerts",
  challenge: "Bearer",
  authorize: (req, deps) => webhookTenant(req, deps, "alerts"),
  async handle({ tenantId, body, eventFor }, deps) {
    const parsed = Array.isArray(body) ? alertBatchInputSchema.safeParse(body) : alertInputSchema.safeParse(body);
    if (!parsed.success) throw schemaError(parsed.error, "the alerts");
    const drafts = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
    // The credential decides the tenant; an alert may repeat it but never name another one.
    const foreign = drafts.flatMap((draft, index) =>
      draft.tenant_id != null && draft.tenant_id !== tenantId
        ? [
            {
              path: Array.isArray(body) ? `[${index}].tenant_id` : "tenant_id",
              message: `must be "${tenantId}" or absent`,
            },
          ]
        : [],
    );
    if (foreign.length > 0) {
      throw new HttpError(
        400,
        `tenant_id names another tenant than this credential's ("${tenantId}"); nothing was stored`,
        foreign.slice(0, 50),
      );
    }
    const list: CanonicalAlert[] = drafts.map((draft) => withFingerprint(draft));
    const dedupKey = batchKey(list.map((a) => [tenantId, a.fingerprint, a.timestamp]));
    const resultOf = ({ accepted, duplicates, incidents }: StoredDelivery): DeliveryResult => ({
      tenantId,
      outcome: accepted > 0 ? "accepted" : "duplicate",
      dedupKey,
      accepted,
      duplicates,
      alertsStored: accepted,
      summary: {
        alerts: drafts.length,
        accepted,
        duplicates,
        tenants: [tenantId],
        incidents: incidents.map((incident) => incident.id),
      },
    });
    const stored = await storeDelivery(deps, tenantId, { alerts: list, event: (done) => eventFor(resultOf(done)) });
    return { ...resultOf(stored), recorded: true };
  },
};

/** Identity of a batch: the same alerts in any order give the same key. */
function batchKey(identities: string[][]): string {
  const lines = identities.map((parts) => parts.join("|")).sort();
  return `sha256:${createHash("sha256").update(lines.join("\n")).digest("hex")}`;
}
