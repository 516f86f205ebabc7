/** `POST /webhooks/alerts`: one canonical alert or an array of them. */
import { createHash } from "node:crypto";
import { type StoredDelivery, withFingerprint } from "@teleops/core";
import { type AlertDraft, alertBatchLengthSchema, alertInputSchema, type CanonicalAlert } from "@teleops/schema";
import { HttpError } from "./body.ts";
import { webhookTenant } from "./credentials.ts";
import { type DeliveryResult, schemaError, storeDelivery, type WebhookRoute } from "./delivery.ts";
import { parseInSlices, type SliceResult } from "./slices.ts";

export const alertsRoute: WebhookRoute = {
  source: "alerts",
  challenge: "Bearer",
  authorize: (req, deps) => webhookTenant(req, deps, "alerts"),
  async handle({ tenantId, body, eventFor }, deps) {
    const parsed = await parseAlerts(body);
    if (!parsed.success) throw schemaError(parsed, "the alerts");
    const drafts = parsed.data;
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
    const resultOf = ({ accepted, duplicates, silenced, incidents }: StoredDelivery): DeliveryResult => ({
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
        silenced,
        tenants: [tenantId],
        incidents: incidents.map((incident) => incident.id),
      },
      // Of the accepted alerts, those a silence held (stored, in no incident).
      answer: { silenced },
    });
    const stored = await storeDelivery(deps, tenantId, { alerts: list, event: (done) => eventFor(resultOf(done)) });
    return { ...resultOf(stored), recorded: true };
  },
};

/** One alert or a list of them; a list is checked for its length, then alert by alert in slices. */
async function parseAlerts(body: unknown): Promise<SliceResult<AlertDraft>> {
  if (!Array.isArray(body)) {
    const one = alertInputSchema.safeParse(body);
    return one.success ? { success: true, data: [one.data] } : { success: false, issues: one.error.issues };
  }
  const length = alertBatchLengthSchema.safeParse(body);
  if (!length.success) return { success: false, issues: length.error.issues };
  return parseInSlices(alertInputSchema, body);
}

/** Identity of a batch: the same alerts in any order give the same key. */
function batchKey(identities: string[][]): string {
  const lines = identities.map((parts) => parts.join("|")).sort();
  return `sha256:${createHash("sha256").update(lines.join("\n")).digest("hex")}`;
}
