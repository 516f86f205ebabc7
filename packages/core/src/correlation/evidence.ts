/**
 * Open incidents' evidence (the correlator's per-key time ranges, see state.ts) between passes: stored one row per
 * key in `incident_evidence`, and kept in the server process so a pass reads back only the rows another process
 * wrote since (by revision), and writes only the keys its alerts changed. Before, every pass read, decoded,
 * re-encoded and rewrote each grown incident's whole memory: megabytes per delivery for a storm-sized incident.
 */
import { type DbOrTx, prepared } from "@teleops/db";
import { sql } from "drizzle-orm";
import type { Layer } from "./features.ts";
import type { KeyRanges } from "./state.ts";

export interface Kept {
  /** The incident's `correlation_rev` this copy is exact at. */
  rev: number;
  keys: KeyRanges;
  /** The layers the keys name (`h|host|layer`), worked out once rather than from every key each pass. */
  layers: Set<Layer>;
}

/** Keys kept per process, all tenants together; past this the least recently used tenants are dropped. */
const MAX_KEPT_KEYS = 2_000_000;

/**
 * One process's copies. A pass takes the copies it uses out (so a pass that fails, having extended them in place,
 * leaves nothing half-written behind) and gives back what it committed.
 */
export class EvidenceCache {
  private readonly tenants = new Map<string, Map<string, Kept>>();

  /** Removes and returns the copy of an incident's evidence, if one is kept. */
  take(tenantId: string, incidentId: string): Kept | undefined {
    const kept = this.tenants.get(tenantId);
    const entry = kept?.get(incidentId);
    if (entry) kept?.delete(incidentId);
    return entry;
  }

  /**
   * After a pass committed: keeps exactly the given copies for the tenant (incidents that fell out of the pass's
   * window are dropped; they are read whole if they come back).
   */
  keep(tenantId: string, entries: ReadonlyMap<string, Kept>): void {
    this.tenants.delete(tenantId);
    this.tenants.set(tenantId, new Map(entries));
    let total = 0;
    for (const kept of this.tenants.values()) for (const entry of kept.values()) total += entry.keys.size;
    // Oldest tenants first (a Map iterates in insertion order, and the tenant just kept went in last).
    for (const [tenant, kept] of this.tenants) {
      if (total <= MAX_KEPT_KEYS || tenant === tenantId) break;
      for (const entry of kept.values()) total -= entry.keys.size;
      this.tenants.delete(tenant);
    }
  }

  /** Keys kept for a tenant (tests and metrics). */
  keptKeys(tenantId: string): number {
    let total = 0;
    for (const entry of this.tenants.get(tenantId)?.values() ?? []) total += entry.keys.size;
    return total;
  }
}

/** One cache per database handle (a process's), as for learned relations; a transaction object gets its own. */
const caches = new WeakMap<object, EvidenceCache>();

export function evidenceCacheOf(db: DbOrTx): EvidenceCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new EvidenceCache();
    caches.set(db, cache);
  }
  return cache;
}

export interface EvidenceRead {
  incidentId: string;
  /** Rows newer than this revision are read (0: all of them). */
  since: number;
}

/** Evidence rows of several incidents newer than each one's `since`, in one statement. */
export async function readEvidence(
  tx: DbOrTx,
  reads: readonly EvidenceRead[],
): Promise<Map<string, Array<readonly [string, number[]]>>> {
  const out = new Map<string, Array<readonly [string, number[]]>>();
  if (reads.length === 0) return out;
  const result = await tx.execute(
    prepared(sql`
    select e.incident_id as i, e.key as k, e.ranges as r
    from jsonb_to_recordset(${JSON.stringify(reads.map((read) => ({ id: read.incidentId, since: read.since })))}::jsonb)
         as v(id text, since bigint)
    cross join lateral (
      select incident_id, key, ranges from incident_evidence where incident_id = v.id and rev > v.since
    ) as e`),
  );
  const rows = Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? []);
  for (const row of rows as Array<{ i: string; k: string; r: number[] | string }>) {
    let list = out.get(row.i);
    if (!list) {
      list = [];
      out.set(row.i, list);
    }
    list.push([row.k, typeof row.r === "string" ? (JSON.parse(row.r) as number[]) : row.r]);
  }
  return out;
}

export interface EvidenceWrite {
  incidentId: string;
  rev: number;
  keys: KeyRanges;
  /** The keys to write; null for all of them. */
  changed: Iterable<string> | null;
  /** Delete the incident's stored rows first (its evidence was rebuilt or read from the old form). */
  replace: boolean;
}

/**
 * The statements that store evidence (sent with the pass's other writes, after the incidents they name): rows of
 * incidents rewritten whole or merged away are deleted, then the changed keys are upserted at their new revision.
 */
export function writeEvidence(
  tx: DbOrTx,
  writes: readonly EvidenceWrite[],
  removed: readonly string[],
): Array<Promise<unknown>> {
  const pending: Array<Promise<unknown>> = [];
  const cleared = [...removed, ...writes.filter((write) => write.replace).map((write) => write.incidentId)];
  if (cleared.length > 0) {
    pending.push(
      tx.execute(
        prepared(sql`
      delete from incident_evidence
      where incident_id = any(array(select jsonb_array_elements_text(${JSON.stringify(cleared)}::jsonb)))`),
      ),
    );
  }
  const rows: Array<{ i: string; k: string; r: number[]; n: number }> = [];
  for (const write of writes) {
    for (const key of write.changed ?? write.keys.keys()) {
      const ranges = write.keys.get(key);
      if (ranges) rows.push({ i: write.incidentId, k: key, r: ranges, n: write.rev });
    }
  }
  if (rows.length > 0) {
    pending.push(
      tx.execute(
        prepared(sql`
      insert into incident_evidence (incident_id, key, ranges, rev)
      select v.i, v.k, v.r, v.n from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
           as v(i text, k text, r jsonb, n bigint)
      on conflict (incident_id, key) do update set ranges = excluded.ranges, rev = excluded.rev`),
      ),
    );
  }
  return pending;
}
