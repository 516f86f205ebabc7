/**
 * Each tenant's topology, loaded from the database once and kept in memory for correlation and RCA. An entry is
 * trusted for `ttlMs`; after that one cheap query compares `updated_at` and the document is read again only when
 * it changed, so an import on another replica is seen within `ttlMs`. An import through this process
 * invalidates its entry at once.
 */
import type { DbOrTx } from "@teleops/db";
import type { NetworkTopology } from "@teleops/schema";
import type { TopologyView } from "../correlation/correlator.ts";
import { topologyView } from "../correlation/topologyView.ts";
import { readTopology, topologyVersion } from "./store.ts";

export interface TenantTopology {
  /** Null when the tenant has stored none: correlation then works from tags, names and time alone. */
  topology: NetworkTopology | null;
  /** The correlator's lookups; with no topology, one that knows no host. */
  view: TopologyView;
  updatedAt: Date | null;
}

interface Entry {
  value: TenantTopology;
  checkedAt: number;
}

const NONE: TenantTopology = {
  topology: null,
  view: topologyView({ sites: [], devices: [], links: [] }),
  updatedAt: null,
};

/** How long a cached topology is used before its version is checked again. */
export const TOPOLOGY_CACHE_TTL_MS = 5_000;

export class TenantTopologies {
  // Keyed by database handle too: tests give each case its own database, with the same tenant names.
  private readonly entries = new WeakMap<object, Map<string, Entry>>();
  private readonly loading = new WeakMap<object, Map<string, Promise<TenantTopology>>>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: { ttlMs?: number; now?: () => number } = {}) {
    this.ttlMs = options.ttlMs ?? TOPOLOGY_CACHE_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** The tenant's topology and its correlator view, from memory when fresh. */
  get(db: DbOrTx, tenantId: string): Promise<TenantTopology> {
    const entry = this.tenantEntries(db).get(tenantId);
    if (entry && this.now() - entry.checkedAt < this.ttlMs) return Promise.resolve(entry.value);
    const pending = mapFor(this.loading, db);
    const inFlight = pending.get(tenantId);
    if (inFlight) return inFlight;
    const load = this.refresh(db, tenantId, entry).finally(() => pending.delete(tenantId));
    pending.set(tenantId, load);
    return load;
  }

  async view(db: DbOrTx, tenantId: string): Promise<TopologyView> {
    return (await this.get(db, tenantId)).view;
  }

  async topology(db: DbOrTx, tenantId: string): Promise<NetworkTopology | undefined> {
    return (await this.get(db, tenantId)).topology ?? undefined;
  }

  /** Forgets the tenant's cached topology (after an import), so the next read loads the new one. */
  invalidate(db: DbOrTx, tenantId: string): void {
    this.tenantEntries(db).delete(tenantId);
  }

  private async refresh(db: DbOrTx, tenantId: string, entry: Entry | undefined): Promise<TenantTopology> {
    const checkedAt = this.now();
    const entries = this.tenantEntries(db);
    if (entry) {
      const version = await topologyVersion(db, tenantId);
      if (sameTime(version, entry.value.updatedAt)) {
        entries.set(tenantId, { value: entry.value, checkedAt });
        return entry.value;
      }
    }
    const record = await readTopology(db, tenantId);
    const value: TenantTopology = record
      ? { topology: record.topology, view: topologyView(record.topology), updatedAt: record.updatedAt }
      : NONE;
    entries.set(tenantId, { value, checkedAt });
    return value;
  }

  private tenantEntries(db: DbOrTx): Map<string, Entry> {
    return mapFor(this.entries, db);
  }
}

function mapFor<V>(maps: WeakMap<object, Map<string, V>>, db: object): Map<string, V> {
  let map = maps.get(db);
  if (!map) {
    map = new Map();
    maps.set(db, map);
  }
  return map;
}

function sameTime(a: Date | null, b: Date | null): boolean {
  return a === null || b === null ? a === b : a.getTime() === b.getTime();
}
