/**
 * `POST /webhooks/alertmanager`: Alertmanager's webhook (version 4). Each alert decides by its own status: a
 * firing alert is stored once, a resolved one closes the stored alert, and a redelivery changes nothing.
 */
import { createHash } from "node:crypto";
import { alertmanagerToCanonical, applyAlertmanagerAlerts } from "@teleops/core";
import { alertmanagerWebhookSchema } from "@teleops/schema";
import { webhookTenant } from "./credentials.ts";
import { correlateTenant, schemaError, type WebhookRoute } from "./delivery.ts";

export const alertmanagerRoute: WebhookRoute = {
  source: "alertmanager",
  challenge: "Bearer",
  authorize: (req, deps) => webhookTenant(req, deps, "alertmanager"),
  async handle({ tenantId, body }, deps) {
    const parsed = alertmanagerWebhookSchema.safeParse(body);
    if (!parsed.success) throw schemaError(parsed.error, "the Alertmanager payload");
    const envelope = parsed.data;
    const received = isRecord(body) && Array.isArray(body.alerts) ? body.alerts : [];
    const mapped = envelope.alerts.map((alert, index) =>
      alertmanagerToCanonical(alert, envelope, { raw: received[index] }),
    );
    const applied = await applyAlertmanagerAlerts(deps.db, tenantId, mapped);
    const incidents = applied.inserted > 0 ? await correlateTenant(deps, tenantId) : [];
    const changed = applied.inserted + applied.resolved;
    const firing = mapped.filter((alert) => alert.status === "firing").length;
    const summary: Record<string, unknown> = {
      receiver: envelope.receiver,
      group_key: envelope.groupKey,
      status: envelope.status,
      alerts: mapped.length,
      firing,
      resolved: mapped.length - firing,
      stored: applied.inserted,
      resolved_updated: applied.resolved,
      duplicates: applied.duplicates,
      incidents,
    };
    const answer: Record<string, unknown> = { resolved: applied.resolved };
    // Alertmanager drops alerts beyond `max_alerts`; the count is all that reaches us, so keep it visible.
    if (envelope.truncatedAlerts > 0) {
      summary.truncated_alerts = envelope.truncatedAlerts;
      answer.truncated_alerts = envelope.truncatedAlerts;
    }
    return {
      tenantId,
      outcome: changed > 0 ? "accepted" : "duplicate",
      dedupKey: deliveryKey(envelope.groupKey, mapped),
      accepted: changed,
      duplicates: applied.duplicates,
      alertsStored: applied.inserted,
      summary,
      answer,
    };
  },
};

/** The same group with the same alerts in the same states gives the same key, whatever the order. */
function deliveryKey(
  groupKey: string,
  alerts: ReadonlyArray<{ fingerprint: string; timestamp: string; status: string; ends_at: string | null }>,
): string {
  const lines = alerts.map((a) => [a.fingerprint, a.timestamp, a.status, a.ends_at ?? ""].join("|")).sort();
  return `sha256:${createHash("sha256")
    .update([groupKey, ...lines].join("\n"))
    .digest("hex")}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
