/**
 * The "generate" verb: synthesize a scenario, store its alerts and correlate them like any other source. The
 * ground truth goes beside the alerts (generated_truth), and the incidents they form are marked synthetic.
 */
import { randomUUID } from "node:crypto";
import type { Database } from "@teleops/db";
import type { GenerateParams, GroundTruth, IncidentRef, Topology } from "@teleops/schema";
import { ingestAlerts } from "../alerts/ingest.ts";
import type { CorrelationConfig, TopologyView } from "../correlation/correlator.ts";
import { correlatePending } from "../correlation/persist.ts";
import { generateScenario } from "../generator/index.ts";
import { markSyntheticIncidents, storeGeneratedTruth } from "./truth.ts";

export interface GenerateOutcome {
  alerts_inserted: number;
  duplicates: number;
  noise_alerts: number;
  incidents: IncidentRef[];
  ground_truth: GroundTruth | GroundTruth[];
}

export async function generateAndStore(
  db: Database,
  deps: { tenantId: string; topology: Topology; topologyView: TopologyView; correlation: CorrelationConfig },
  params: GenerateParams,
  now: Date = new Date(),
): Promise<GenerateOutcome> {
  const startTime = params.startTime
    ? new Date(params.startTime)
    : // Default: the scenario ends now, on a whole minute, so it shows up as live in the queue.
      new Date(Math.floor(now.getTime() / 60_000) * 60_000 - params.durationMinutes * 60_000);
  const generated = generateScenario(params, deps.topology, startTime);
  const runId = randomUUID();
  // Truth first: every generated alert that reaches the table has its truth recorded beside it.
  await storeGeneratedTruth(db, {
    tenantId: deps.tenantId,
    runId,
    alerts: generated.alerts,
    membership: generated.membership,
    groundTruth: generated.groundTruth,
  });
  const stored = await ingestAlerts(db, deps.tenantId, generated.alerts);
  const correlation = await correlatePending(db, {
    tenantId: deps.tenantId,
    topology: deps.topologyView,
    config: deps.correlation,
  });
  await markSyntheticIncidents(db, deps.tenantId, runId);
  return {
    alerts_inserted: stored.accepted,
    duplicates: stored.duplicates,
    noise_alerts: generated.membership.filter((m) => m < 0).length,
    incidents: correlation.incidents,
    ground_truth: params.scenario === "mixed" ? generated.groundTruth : (generated.groundTruth[0] as GroundTruth),
  };
}
