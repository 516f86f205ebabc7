/**
 * The generator's ground truth in the database: which injected failure raised each stored alert, kept in
 * `generated_truth` beside the alerts (never in their tags), and the `synthetic` mark on incidents made of them.
 */
import { alerts, type DbOrTx, generatedTruth, incidents } from "@teleops/db";
import type { CanonicalAlert, GroundTruth } from "@teleops/schema";
import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";

/** Rows per insert statement: 6 parameters each stays far below PostgreSQL's 65,535 bind parameters. */
const TRUTH_BATCH = 5_000;

export interface GeneratedTruthSlice {
  tenantId: string;
  /** One `scenarios.generate` call. */
  runId: string;
  alerts: readonly CanonicalAlert[];
  /** Parallel to `alerts`: index into `groundTruth`, or -1 for noise (the generator's truth array). */
  membership: readonly number[];
  groundTruth: readonly GroundTruth[];
}

/**
 * Records the truth of generated alerts, keyed like the alerts' unique index (tenant, fingerprint, timestamp).
 * A replayed generation keeps the truth first recorded, as storage keeps the first copy of the alert.
 */
export async function storeGeneratedTruth(db: DbOrTx, slice: GeneratedTruthSlice): Promise<void> {
  for (let start = 0; start < slice.alerts.length; start += TRUTH_BATCH) {
    const rows = slice.alerts.slice(start, start + TRUTH_BATCH).map((alert, offset) => {
      const member = slice.membership[start + offset] ?? -1;
      return {
        tenantId: slice.tenantId,
        fingerprint: alert.fingerprint,
        timestamp: new Date(alert.timestamp),
        runId: slice.runId,
        scenario: member >= 0 ? (slice.groundTruth[member]?.scenario ?? null) : null,
        member: member >= 0 ? member : null,
      };
    });
    if (rows.length > 0) await db.insert(generatedTruth).values(rows).onConflictDoNothing();
  }
}

/** Marks every incident holding an alert of the run as synthetic; returns how many changed. */
export async function markSyntheticIncidents(db: DbOrTx, tenantId: string, runId: string): Promise<number> {
  const holding = db
    .selectDistinct({ id: alerts.incidentId })
    .from(alerts)
    .innerJoin(
      generatedTruth,
      and(
        eq(generatedTruth.tenantId, alerts.tenantId),
        eq(generatedTruth.fingerprint, alerts.fingerprint),
        eq(generatedTruth.timestamp, alerts.timestamp),
      ),
    )
    .where(and(eq(generatedTruth.tenantId, tenantId), eq(generatedTruth.runId, runId), isNotNull(alerts.incidentId)));
  const marked = await db
    .update(incidents)
    .set({ synthetic: true })
    .where(and(eq(incidents.tenantId, tenantId), eq(incidents.synthetic, false), sql`${incidents.id} in ${holding}`))
    .returning({ id: incidents.id });
  return marked.length;
}

export interface StoredTruth {
  runId: string;
  /** The scenario type that raised the alert; null for noise. */
  scenario: string | null;
  /** Index of that scenario in its run's ground truth; null for noise. */
  member: number | null;
}

/** The recorded truth of stored alerts by id; alerts the generator did not make are absent from the map. */
export async function truthOfAlerts(
  db: DbOrTx,
  tenantId: string,
  alertIds: readonly number[],
): Promise<Map<number, StoredTruth>> {
  if (alertIds.length === 0) return new Map();
  const rows = await db
    .select({
      id: alerts.id,
      runId: generatedTruth.runId,
      scenario: generatedTruth.scenario,
      member: generatedTruth.member,
    })
    .from(alerts)
    .innerJoin(
      generatedTruth,
      and(
        eq(generatedTruth.tenantId, alerts.tenantId),
        eq(generatedTruth.fingerprint, alerts.fingerprint),
        eq(generatedTruth.timestamp, alerts.timestamp),
      ),
    )
    .where(and(eq(alerts.tenantId, tenantId), inArray(alerts.id, [...alertIds])));
  return new Map(rows.map((row) => [row.id, { runId: row.runId, scenario: row.scenario, member: row.member }]));
}
