/**
 * Whether a delivery is likely to repeat alerts already stored, so `storeAndCorrelate` can leave out its check for
 * them. The check is one probe of the unique index per fingerprint, and on a partition without statistics (a new
 * week, a storm arriving faster than autovacuum analyzes) PostgreSQL plans it as a scan of every alert of the
 * batch's time span: in a storm stamped with one second, all of them. Left out, the insert's own `on conflict`
 * still finds every stored alert (the same unique index, no plan involved): fewer rows inserted than alerts given
 * rolls the pass back, and it runs again with the check. The answers and the incidents are the same either way;
 * a repeat guessed wrong costs one pass.
 *
 * A tenant's deliveries are checked after a repeat was found among them, for a while (Alertmanager re-sends a
 * group's alerts every `group_interval`, 5 minutes by default), and whenever one names an alert this process stored
 * recently (a retried request).
 */

/** How long after a repeat a tenant's deliveries are checked first. */
export const REPEAT_MEMORY_MS = 10 * 60_000;

/** Recently stored alerts remembered per process (hashes, all tenants together, oldest forgotten first). */
const RECENT_KEYS = 1 << 18;

export class RepeatOdds {
  private readonly repeatAt = new Map<string, number>();
  private readonly recent = new Set<number>();
  private readonly ring = new Int32Array(RECENT_KEYS);
  private filled = 0;
  private next = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** True when the delivery's alerts (`tenant`, keys `fingerprint|epoch µs`) should be checked against storage. */
  shouldCheck(tenantId: string, keys: readonly string[]): boolean {
    const at = this.repeatAt.get(tenantId);
    if (at !== undefined) {
      if (this.now() - at < REPEAT_MEMORY_MS) return true;
      this.repeatAt.delete(tenantId);
    }
    for (const key of keys) if (this.recent.has(hashKey(tenantId, key))) return true;
    return false;
  }

  /** A delivery of the tenant held alerts already stored. */
  sawRepeat(tenantId: string): void {
    this.repeatAt.set(tenantId, this.now());
  }

  /** Alerts this process just stored (after the commit). */
  stored(tenantId: string, keys: Iterable<string>): void {
    for (const key of keys) {
      const hash = hashKey(tenantId, key);
      if (this.filled === RECENT_KEYS) this.recent.delete(this.ring[this.next] as number);
      else this.filled += 1;
      this.ring[this.next] = hash;
      this.next = (this.next + 1) % RECENT_KEYS;
      this.recent.add(hash);
    }
  }
}

/** FNV-1a over tenant and key: a collision only makes a delivery checked. */
function hashKey(tenantId: string, key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < tenantId.length; i++) h = Math.imul(h ^ tenantId.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0, 0x01000193);
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** One per database handle (a process's), as the evidence cache. */
const odds = new WeakMap<object, RepeatOdds>();

export function repeatOddsOf(db: object): RepeatOdds {
  let found = odds.get(db);
  if (!found) {
    found = new RepeatOdds();
    odds.set(db, found);
  }
  return found;
}
