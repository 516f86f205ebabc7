/** Stores canonical alerts durably; a redelivered alert (same tenant, fingerprint and time) is stored once. */
import { type DbOrTx, ensurePartitions, prepared } from "@teleops/db";
import type { CanonicalAlert } from "@teleops/schema";
import { type SQL, sql } from "drizzle-orm";
import { isClearType } from "../correlation/features.ts";
import { incidentWordPairs } from "../incidents/searchWords.ts";

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
    const chunk = batch.slice(start, start + INSERT_CHUNK);
    const rows = JSON.stringify(
      chunk.map((a, offset) => ({
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
    // Alerts going into incidents: their search words worked out here and added by the same statement (below).
    const incidentIds = correlated?.incidentIds.slice(start, start + INSERT_CHUNK) ?? [];
    const pairs = incidentIds.some((id) => id != null) ? incidentWordPairs(chunk, incidentIds) : null;
    if (pairs !== null) {
      inserted += await insertWithWords(tx, tenantId, correlatedAt, rows, chunk.length, pairs);
      continue;
    }
    const result = await tx.execute(
      prepared(sql`${insertRows(tenantId, correlatedAt, rows)}
      on conflict (tenant_id, fingerprint, "timestamp") do nothing`),
    );
    inserted += affectedRows(result);
  }
  return inserted;
}

/** The insert of a chunk's rows (a JSON array), conflict clause left to the caller. */
function insertRows(tenantId: string, correlatedAt: string | null, rows: string): SQL {
  return sql`
      insert into alerts (tenant_id, fingerprint, "timestamp", source_system, host, service, severity,
                          alert_type, message, tags, raw_payload, status, ends_at, incident_id, correlated_at,
                          correlation_reason, pending_group, silenced_by)
      select ${tenantId}, f, t, src, h, svc, sev, typ, msg, tg, rp, st, en, inc, ${correlatedAt}::timestamptz, why, pg, sb
      from jsonb_to_recordset(${rows}::jsonb)
           as r(f text, t timestamptz, src text, h text, svc text, sev text, typ text, msg text,
                tg jsonb, rp jsonb, st text, en timestamptz, inc text, why text, pg text, sb text)`;
}

/**
 * The insert above, adding the alerts' search words itself (migration 0021): it marks the statement so the search
 * trigger leaves its rows alone, then adds the pairs worked out in the server when every row was inserted, or the
 * words of the rows that were (split by `teleops_search_words`, as the trigger would) when some were already stored.
 */
async function insertWithWords(
  tx: DbOrTx,
  tenantId: string,
  correlatedAt: string | null,
  rows: string,
  count: number,
  pairs: ReadonlyArray<{ i: string; w: string }>,
): Promise<number> {
  const result = await tx.execute(
    prepared(sql`
    with ins as (
      ${insertRows(tenantId, correlatedAt, rows)}
      -- Evaluated once, before the first row: the search trigger, at the statement's end, finds it and clears it.
      where (select set_config('teleops.search_words', 'written', true)) = 'written'
      on conflict (tenant_id, fingerprint, "timestamp") do nothing
      returning tenant_id, incident_id, host, alert_type, service, message, tags
    ), done as (select count(*)::int as n from ins)
    select (select n from done) as inserted,
      (select teleops_add_incident_words(array_agg(x.tenant_id), array_agg(x.incident_id), array_agg(x.word))
       from (
         select ${tenantId}::text as tenant_id, p.i as incident_id, p.w as word
         from jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) as p(i text, w text)
         where (select n from done) = ${count}::int
         union all
         select distinct c.tenant_id, c.incident_id, s
         from ins c cross join lateral teleops_search_words(c.host, c.alert_type, c.service, c.message, c.tags) as s
         where c.incident_id is not null and (select n from done) <> ${count}::int
       ) as x) is null as written`),
  );
  return Number(rowsOf<{ inserted: number }>(result)[0]?.inserted ?? 0);
}

/** postgres.js returns the rows array itself, PGlite a `{ rows }` object. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return (result as { rows?: T[] }).rows ?? [];
}

/** postgres.js reports `count`, PGlite `affectedRows`. */
export function affectedRows(result: unknown): number {
  const r = result as { count?: number; affectedRows?: number };
  return r.count ?? r.affectedRows ?? 0;
}
