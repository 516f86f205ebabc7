/**
 * Relations between alert conditions learned from a tenant's own history: how often two conditions ended up in one
 * incident (Dice coefficient over its recent incidents), moved by operators' corrections (a merge counts the two
 * sides as seen together, a split as seen apart). The correlator links two conditions at one site when the
 * relation is strong and well supported, whatever the built-in layer knowledge says.
 */
import { correlationFeedback, type DbOrTx, incidentEvidence, incidents } from "@teleops/db";
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { LearnedRelations } from "./correlator.ts";
import { signalOf } from "./features.ts";

export interface LearnOptions {
  /** Recent incidents read (their stored state names the conditions they hold). */
  incidents?: number;
  /** Pairs must have been seen together this often before they count. */
  minSupport?: number;
}

/** Counts of conditions and pairs of conditions over a set of incidents, before corrections. */
export class CooccurrenceCounts {
  private readonly single = new Map<string, number>();
  private readonly pair = new Map<string, number>();

  /** Adds one incident holding these conditions. */
  addIncident(signals: Iterable<string>): void {
    const distinct = [...new Set(signals)].sort().slice(0, 40);
    for (const s of distinct) this.single.set(s, (this.single.get(s) ?? 0) + 1);
    for (let i = 0; i < distinct.length; i++) {
      for (let j = i + 1; j < distinct.length; j++) this.bump(distinct[i] as string, distinct[j] as string, 1);
    }
  }

  /** An operator put these two sides together (`+1`) or apart (`-1`). */
  addCorrection(left: Iterable<string>, right: Iterable<string>, weight: 1 | -1): void {
    const a = [...new Set(left)].slice(0, 20);
    const b = [...new Set(right)].slice(0, 20);
    if (weight > 0) this.addIncident([...a, ...b]);
    else for (const x of a) for (const y of b) if (x !== y) this.bump(x, y, -1);
  }

  relations(minSupport: number): LearnedRelations {
    const partners = new Map<string, Array<readonly [string, number]>>();
    for (const [key, together] of this.pair) {
      if (together < minSupport) continue;
      const [a = "", b = ""] = key.split("\u0000");
      const dice = (2 * together) / ((this.single.get(a) ?? 0) + (this.single.get(b) ?? 0));
      for (const [from, to] of [
        [a, b],
        [b, a],
      ] as const) {
        const list = partners.get(from) ?? [];
        list.push([to, dice]);
        partners.set(from, list);
      }
    }
    for (const list of partners.values()) list.sort((x, y) => y[1] - x[1]).splice(10);
    return { partners: (signal) => partners.get(signal) ?? [] };
  }

  private bump(a: string, b: string, by: number): void {
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    this.pair.set(key, Math.max(0, (this.pair.get(key) ?? 0) + by));
  }
}

/** The conditions an incident's stored correlation state names (its `l|condition|*` keys). */
export function signalsOfState(state: unknown): string[] {
  if (typeof state !== "object" || state === null) return [];
  const keys = (state as { keys?: Record<string, unknown> }).keys;
  if (typeof keys !== "object" || keys === null) return [];
  return signalsOfKeys(Object.keys(keys));
}

function signalsOfKeys(keys: Iterable<string>): string[] {
  const signals: string[] = [];
  for (const key of keys) {
    if (key.startsWith("l|") && key.endsWith("|*")) signals.push(key.slice(2, -2));
  }
  return signals;
}

/** The same keys read from `incident_evidence` (where state is kept since migration 0019), per incident. */
async function signalKeysOf(db: DbOrTx, incidentIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (incidentIds.length === 0) return out;
  const rows = await db
    .select({ incidentId: incidentEvidence.incidentId, key: incidentEvidence.key })
    .from(incidentEvidence)
    .where(
      and(
        inArray(incidentEvidence.incidentId, [...incidentIds]),
        sql`starts_with(${incidentEvidence.key}, 'l|') and right(${incidentEvidence.key}, 2) = '|*'`,
      ),
    );
  for (const row of rows) {
    const list = out.get(row.incidentId) ?? [];
    list.push(row.key);
    out.set(row.incidentId, list);
  }
  return out;
}

export async function learnRelations(
  db: DbOrTx,
  tenantId: string,
  options: LearnOptions = {},
): Promise<LearnedRelations> {
  const counts = new CooccurrenceCounts();
  const [recent, corrections] = await Promise.all([
    db
      .select({ id: incidents.id, correlation: incidents.correlation })
      .from(incidents)
      .where(
        and(eq(incidents.tenantId, tenantId), isNull(incidents.mergedInto), sql`${incidents.correlation} is not null`),
      )
      .orderBy(desc(incidents.startTime))
      .limit(options.incidents ?? 300),
    db
      .select({ kind: correlationFeedback.kind, left: correlationFeedback.left, right: correlationFeedback.right })
      .from(correlationFeedback)
      .where(eq(correlationFeedback.tenantId, tenantId))
      .orderBy(desc(correlationFeedback.createdAt))
      .limit(500),
  ]);
  const stored = await signalKeysOf(
    db,
    recent.filter((row) => !signalsOfState(row.correlation).length).map((row) => row.id),
  );
  for (const row of recent) {
    const inline = signalsOfState(row.correlation);
    counts.addIncident(inline.length > 0 ? inline : signalsOfKeys(stored.get(row.id) ?? []));
  }
  for (const row of corrections) {
    counts.addCorrection(row.left.map(signalOf), row.right.map(signalOf), row.kind === "split" ? -1 : 1);
  }
  return counts.relations(options.minSupport ?? 3);
}

/** Learned relations per tenant, reloaded after `ttlMs`: one read every few minutes, not one per delivery. */
export class LearnedRelationsCache {
  private readonly entries = new Map<string, { at: number; relations: Promise<LearnedRelations> }>();

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(db: DbOrTx, tenantId: string): Promise<LearnedRelations> {
    const entry = this.entries.get(tenantId);
    if (entry && this.now() - entry.at < this.ttlMs) return entry.relations;
    const relations = learnRelations(db, tenantId).catch(() => ({ partners: () => [] }) as LearnedRelations);
    this.entries.set(tenantId, { at: this.now(), relations });
    return relations;
  }

  /** Forgets a tenant's relations (after an operator's correction). */
  invalidate(tenantId: string): void {
    this.entries.delete(tenantId);
  }
}
