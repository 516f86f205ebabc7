/**
 * The correlator's memory of a group of alerts, small enough to store on the incident row: for every evidence
 * key (a host and layer, a site and layer, an entity, a burst signal…) the time ranges its members cover. A later
 * pass that loads this state links a new alert exactly when some member alert would have linked it, so the
 * incidents formed do not depend on how the alerts were split into deliveries.
 */

/** Per key, sorted disjoint time ranges flattened as [start0, end0, start1, end1, …] (epoch ms). */
export type KeyRanges = Map<string, number[]>;

/** A key's ranges older than this many are forgotten (long-lived incidents keep their recent history). */
const MAX_RANGES_PER_KEY = 16;

/**
 * Adds a member time under a key. Times closer than `joinGapMs` (twice the key's window) share a range, so
 * "some member lies within the window of t" is the same question as "t lies within the window of a range".
 */
export function addTime(ranges: KeyRanges, key: string, timeMs: number, joinGapMs: number): void {
  const list = ranges.get(key);
  if (list) extendRanges(list, timeMs, joinGapMs);
  else ranges.set(key, [timeMs, timeMs]);
}

/** `addTime` on one key's list of ranges. */
export function extendRanges(list: number[], timeMs: number, joinGapMs: number): void {
  const last = list.length - 2;
  // The common case: times arrive in order and extend the last range.
  if (timeMs >= (list[last] as number) && timeMs - (list[last + 1] as number) <= joinGapMs) {
    if (timeMs > (list[last + 1] as number)) list[last + 1] = timeMs;
    return;
  }
  // Otherwise insert as its own range and re-join neighbours (lists are a few dozen numbers at most).
  let at = 0;
  while (at < list.length && (list[at] as number) <= timeMs) at += 2;
  list.splice(at, 0, timeMs, timeMs);
  let write = 0;
  for (let read = 2; read < list.length; read += 2) {
    if ((list[read] as number) - (list[write + 1] as number) <= joinGapMs) {
      list[write + 1] = Math.max(list[write + 1] as number, list[read + 1] as number);
    } else {
      write += 2;
      list[write] = list[read] as number;
      list[write + 1] = list[read + 1] as number;
    }
  }
  list.length = write + 2;
  if (list.length > MAX_RANGES_PER_KEY * 2) list.splice(0, list.length - MAX_RANGES_PER_KEY * 2);
}

/** The distance from `timeMs` to the nearest member time under `key`, or Infinity when the key is absent. */
export function distance(ranges: KeyRanges, key: string, timeMs: number): number {
  const list = ranges.get(key);
  if (!list) return Number.POSITIVE_INFINITY;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < list.length; i += 2) {
    const start = list[i] as number;
    const end = list[i + 1] as number;
    const d = timeMs < start ? start - timeMs : timeMs > end ? timeMs - end : 0;
    if (d < best) best = d;
  }
  return best;
}

/** The distance from the span `fromMs`–`toMs` to the nearest member time under `key` (0 when they overlap). */
export function spanDistance(ranges: KeyRanges, key: string, fromMs: number, toMs: number): number {
  const list = ranges.get(key);
  if (!list) return Number.POSITIVE_INFINITY;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < list.length; i += 2) {
    const start = list[i] as number;
    const end = list[i + 1] as number;
    const d = toMs < start ? start - toMs : fromMs > end ? fromMs - end : 0;
    if (d < best) best = d;
  }
  return best;
}

/**
 * The distance from `timeMs` back to the nearest member time at or before it (`before`), or forward to the nearest
 * at or after it (`!before`); Infinity when none. Inside a range the ends are the only times known exactly, and
 * members lie closer than the range's joining gap, so a time within a range counts as distance 0.
 */
export function directedDistance(ranges: KeyRanges, key: string, timeMs: number, before: boolean): number {
  const list = ranges.get(key);
  if (!list) return Number.POSITIVE_INFINITY;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < list.length; i += 2) {
    const start = list[i] as number;
    const end = list[i + 1] as number;
    let d: number;
    if (timeMs >= start && timeMs <= end) d = 0;
    else if (before) d = timeMs > end ? timeMs - end : Number.POSITIVE_INFINITY;
    else d = timeMs < start ? start - timeMs : Number.POSITIVE_INFINITY;
    if (d < best) best = d;
  }
  return best;
}

/** The latest member time under `key` that is not after `timeMs`, or -Infinity. */
export function latestBefore(ranges: KeyRanges, key: string, timeMs: number): number {
  const list = ranges.get(key);
  if (!list) return Number.NEGATIVE_INFINITY;
  let best = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < list.length; i += 2) {
    const start = list[i] as number;
    const end = list[i + 1] as number;
    // Within a range only its ends are known to be member times.
    const candidate = end <= timeMs ? end : start <= timeMs ? start : Number.NEGATIVE_INFINITY;
    if (candidate > best) best = candidate;
  }
  return best;
}

export function mergeRanges(into: KeyRanges, from: KeyRanges, joinGapOf: (key: string) => number): void {
  for (const [key, list] of from) {
    const gap = joinGapOf(key);
    for (let i = 0; i < list.length; i += 2) {
      addTime(into, key, list[i] as number, gap);
      if (list[i + 1] !== list[i]) addTime(into, key, list[i + 1] as number, gap);
    }
  }
}

/**
 * A group's whole memory in one object: what `Correlator.stateOf` gives, and what `incidents.correlation` held
 * before migration 0019 moved the keys out (rows stored that way are still read).
 */
export interface StoredGroupState {
  v: 1;
  keys: Record<string, number[]>;
  /** Distinct firing signals (host and condition), up to a few: enough to decide whether a group is an incident. */
  signals: string[];
  /** Set when an operator corrected the incident: the correlator never merges it with another incident. */
  pinned?: boolean;
}

/** What `incidents.correlation` holds since migration 0019: the keys are rows of `incident_evidence`. */
export interface StoredSummary {
  v: 2;
  signals: string[];
  pinned?: boolean;
  /**
   * The revision the evidence was last written whole at (a new incident, or one rebuilt after a correction): a
   * copy older than this lacks the rewrite, so it is read again whole, not only its newer rows.
   */
  base: number;
}

export function encodeState(keys: KeyRanges, signals: ReadonlySet<string>, pinned: boolean): StoredGroupState {
  const state: StoredGroupState = { v: 1, keys: Object.fromEntries(keys), signals: [...signals].slice(0, 4) };
  if (pinned) state.pinned = true;
  return state;
}

export function encodeSummary(signals: ReadonlySet<string>, pinned: boolean, base: number): StoredSummary {
  const summary: StoredSummary = { v: 2, signals: [...signals].slice(0, 4), base };
  if (pinned) summary.pinned = true;
  return summary;
}

export function decodeState(value: unknown): StoredGroupState | null {
  if (typeof value !== "object" || value === null) return null;
  const state = value as Partial<StoredGroupState>;
  if (state.v !== 1 || typeof state.keys !== "object" || state.keys === null || !Array.isArray(state.signals)) {
    return null;
  }
  return state as StoredGroupState;
}

/** Either stored form, or null when there is none (or it cannot be read: the incident is rebuilt). */
export function decodeStored(value: unknown): StoredGroupState | StoredSummary | null {
  const whole = decodeState(value);
  if (whole) return whole;
  if (typeof value !== "object" || value === null) return null;
  const summary = value as Partial<StoredSummary>;
  if (summary.v !== 2 || !Array.isArray(summary.signals) || typeof summary.base !== "number") return null;
  return summary as StoredSummary;
}
