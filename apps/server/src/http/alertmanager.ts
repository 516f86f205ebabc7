/**
 * `POST /webhooks/alertmanager`: Alertmanager's webhook (version 4). Each alert decides by its own status: a
 * firing alert is stored once, a resolved one closes the stored alert, and a redelivery changes nothing.
 */
import { createHash } from "node:crypto";
import { alertmanagerToCanonical, resolveAlertmanagerAlerts, type StoredDelivery } from "@teleops/core";
import type { DbOrTx } from "@teleops/db";
import { parseAlertmanagerWebhook } from "@teleops/schema";
import { webhookTenant } from "./credentials.ts";
import { type DeliveryResult, schemaError, storeDelivery, type WebhookRoute } from "./delivery.ts";

export const alertmanagerRoute: WebhookRoute = {
  source: "alertmanager",
  challenge: "Bearer",
  authorize: (req, deps) => webhookTenant(req, deps, "alertmanager"),
  async handle({ tenantId, body, eventFor }, deps) {
    const parsed = parseAlertmanagerWebhook(body);
    if (!parsed.success) throw schemaError(parsed.error, "the Alertmanager payload");
    const envelope = parsed.data;
    const received = isRecord(body) && Array.isArray(body.alerts) ? body.alerts : [];
    const mapped = envelope.alerts.map((alert, index) =>
      alertmanagerToCanonical(alert, envelope, { raw: received[index] }),
    );
    const firingAlerts = mapped.filter((alert) => alert.status === "firing");
    const resolvedAlerts = mapped.filter((alert) => alert.status === "resolved");
    const dedupKey = deliveryKey(envelope.groupKey, mapped);

    const resultOf = (stored: StoredDelivery): DeliveryResult => {
      const prior = stored.prior ?? { inserted: 0, resolved: 0, duplicates: 0 };
      const inserted = stored.accepted + prior.inserted;
      const duplicates = stored.duplicates + prior.duplicates;
      const changed = inserted + prior.resolved;
      const summary: Record<string, unknown> = {
        receiver: envelope.receiver,
        group_key: envelope.groupKey,
        status: envelope.status,
        alerts: mapped.length,
        firing: firingAlerts.length,
        resolved: resolvedAlerts.length,
        stored: inserted,
        resolved_updated: prior.resolved,
        duplicates,
        silenced: stored.silenced,
        incidents: stored.incidents.map((incident) => incident.id),
      };
      const answer: Record<string, unknown> = { resolved: prior.resolved, silenced: stored.silenced };
      if (envelope.truncatedAlerts > 0) {
        summary.truncated_alerts = envelope.truncatedAlerts;
        answer.truncated_alerts = envelope.truncatedAlerts;
      }
      return {
        tenantId,
        outcome: changed > 0 ? "accepted" : "duplicate",
        dedupKey,
        accepted: changed,
        duplicates,
        alertsStored: inserted,
        summary,
        answer,
      };
    };
    // Firing alerts are stored already correlated; resolved ones close their stored alert first, in the same
    // transaction (one Alertmanager never saw fire is stored resolved and correlated in the same pass).
    const stored = await storeDelivery(deps, tenantId, {
      alerts: firingAlerts,
      ...(resolvedAlerts.length > 0
        ? { before: (tx: DbOrTx) => resolveAlertmanagerAlerts(tx, tenantId, resolvedAlerts) }
        : {}),
      event: (done) => eventFor(resultOf(done)),
    });
    return { ...resultOf(stored), recorded: true };
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
