/** Stores canonical alerts durably; a redelivered alert (same tenant, fingerprint and time) is stored once. */
import { alerts, type DbOrTx, type NewAlertRow } from "@teleops/db";
import type { CanonicalAlert } from "@teleops/schema";

export interface IngestResult {
  accepted: number;
  duplicates: number;
}

/** Rows per INSERT: 13 parameters each, well under PostgreSQL's 65,535-parameter limit. */
const INSERT_CHUNK = 2_000;

export async function ingestAlerts(
  db: DbOrTx,
  tenantId: string,
  batch: readonly CanonicalAlert[],
): Promise<IngestResult> {
  if (batch.length === 0) return { accepted: 0, duplicates: 0 };
  let accepted = 0;
  await db.transaction(async (tx) => {
    for (let start = 0; start < batch.length; start += INSERT_CHUNK) {
      const rows: NewAlertRow[] = batch.slice(start, start + INSERT_CHUNK).map((alert) => toRow(tenantId, alert));
      const inserted = await tx
        .insert(alerts)
        .values(rows)
        .onConflictDoNothing({ target: [alerts.tenantId, alerts.fingerprint, alerts.timestamp] })
        .returning({ id: alerts.id });
      accepted += inserted.length;
    }
  });
  return { accepted, duplicates: batch.length - accepted };
}

function toRow(tenantId: string, alert: CanonicalAlert): NewAlertRow {
  return {
    tenantId,
    fingerprint: alert.fingerprint,
    timestamp: new Date(alert.timestamp),
    sourceSystem: alert.source_system,
    host: alert.host,
    service: alert.service,
    severity: alert.severity,
    alertType: alert.alert_type,
    message: alert.message,
    tags: alert.tags,
    rawPayload: alert.raw_payload,
    status: alert.status,
  };
}
