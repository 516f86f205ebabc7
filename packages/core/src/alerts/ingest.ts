/** Stores canonical alerts durably; a redelivered alert (same tenant, fingerprint and time) is stored once. */
import { type DbOrTx, ensurePartitions, prepared } from "@teleops/db";
import type { CanonicalAlert } from "@teleops/schema";
import { sql } from "drizzle-orm";
import { isClearType } from "../correlation/features.ts";

export interface IngestResult {
  accepted: number;
  duplicates: number;
}

/** Rows per statement: bounded so one statement's arrays stay a few megabytes. */
const INSERT_CHUNK = 5_000;

/**
 * Stores alerts for a later correlation pass (`correlated_at` stays null). Paths that correlate as they store
 * use `storeAndCorrelate` instead, which writes each alert once with its incident.
 */
export async function ingestAlerts(
  db: DbOrTx,
  tenantId: string,
  batch: readonly CanonicalAlert[],
): Promise<IngestResult> {
  if (batch.length === 0) return { accepted: 0, duplicates: 0 };
  const accepted = await db.transaction((tx) => insertAlertRows(tx, tenantId, batch));
  return { accepted, duplicates: batch.length - accepted };
}

/**
 * One INSERT … SELECT FROM jsonb_to_recordset per chunk: a single JSON parameter whatever the row count,
 * which both drivers bind cheaply (unlike 12 parameters per row). Duplicates are skipped by the unique index;
 * returns how many rows were new. With `correlated`, each row is written already correlated, with its incident
 * (or none), so it never needs a second write.
 */
export async function insertAlertRows(
  tx: DbOrTx,
  tenantId: string,
  batch: readonly CanonicalAlert[],
  correlated?: {
    at: Date;
    incidentIds: ReadonlyArray<string | null>;
    reasons?: ReadonlyArray<string | null>;
    pendingGroups?: ReadonlyArray<string | null>;
    /** Per alert, the silence that holds it (stored with no incident, out of correlation). */
    silencedBy?: ReadonlyArray<string | null>;
  },
): Promise<number> {
  const correlatedAt = correlated ? correlated.at.toISOString() : null;
  // Alerts of a week with no partition yet (imported history, a server long down) would be refused without it.
  await ensurePartitions(
    tx,
    "alerts",
    batch.map((a) => new Date(a.timestamp)),
  );
  let inserted = 0;
  for (let start = 0; start < batch.length; start += INSERT_CHUNK) {
    const rows = JSON.stringify(
      batch.slice(start, start + INSERT_CHUNK).map((a, offset) => ({
        f: a.fingerprint,
        t: a.timestamp,
        src: a.source_system,
        h: a.host,
        svc: a.service,
        sev: a.severity,
        typ: a.alert_type,
        msg: a.message,
        tg: a.tags,
        rp: a.raw_payload,
        // A clear message ("link up", "…cleared") is no alarm of its own: stored resolved, ended when it was sent, so
        // it never keeps its incident open.
        st: isClearType(a.alert_type) ? "resolved" : a.status,
        en: isClearType(a.alert_type) ? a.timestamp : null,
        inc: correlated?.incidentIds[start + offset] ?? null,
        why: correlated?.reasons?.[start + offset] ?? null,
        pg: correlated?.pendingGroups?.[start + offset] ?? null,
        sb: correlated?.silencedBy?.[start + offset] ?? null,
      })),
    );
    const result = await tx.execute(
      prepared(sql`
      insert into alerts (tenant_id, fingerprint, "timestamp", source_system, host, service, severity,
                          alert_type, message, tags, raw_payload, status, ends_at, incident_id, correlated_at,
                          correlation_reason, pending_group, silenced_by)
      select ${tenantId}, f, t, src, h, svc, sev, typ, msg, tg, rp, st, en, inc, ${correlatedAt}::timestamptz, why, pg, sb
      from jsonb_to_recordset(${rows}::jsonb)
           as r(f text, t timestamptz, src text, h text, svc text, sev text, typ text, msg text,
                tg jsonb, rp jsonb, st text, en timestamptz, inc text, why text, pg text, sb text)
      on conflict (tenant_id, fingerprint, "timestamp") do nothing`),
    );
    inserted += affectedRows(result);
  }
  return inserted;
}

/** postgres.js reports `count`, PGlite `affectedRows`. */
export function affectedRows(result: unknown): number {
  const r = result as { count?: number; affectedRows?: number };
  return r.count ?? r.affectedRows ?? 0;
}
