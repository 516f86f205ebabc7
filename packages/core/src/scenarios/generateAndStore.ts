/**
 * The "generate" verb: synthesize a scenario, store its alerts and correlate them like any other source. The
 * ground truth goes beside the alerts (generated_truth), and the incidents they form are marked synthetic.
 */
import { randomUUID } from "node:crypto";
import type { Database } from "@teleops/db";
import {
  estimateGeneration,
  type GenerateParams,
  type GroundTruth,
  type IncidentRef,
  type Topology,
} from "@teleops/schema";
import { ingestAlerts } from "../alerts/ingest.ts";
import type { CorrelationConfig, TopologyView } from "../correlation/correlator.ts";
import { correlatePending } from "../correlation/persist.ts";
import { ValidationError } from "../errors.ts";
import { generateScenario } from "../generator/index.ts";
import { markSyntheticIncidents, storeGeneratedTruth } from "./truth.ts";

export interface GenerateOutcome {
  alerts_inserted: number;
  duplicates: number;
  noise_alerts: number;
  incidents: IncidentRef[];
  ground_truth: GroundTruth | GroundTruth[];
}

/**
 * Alerts stored per transaction: no statement or transaction holds the whole request's rows (and their JSON).
 * Correlation then reads them back in its own passes (`correlatePending`'s batch), as it does for any source.
 */
export const GENERATE_CHUNK = 10_000;

/** Refuses a request whose alert count is over the limit, before anything is generated. */
export function assertGenerationWithinLimit(params: GenerateParams): void {
  const estimate = estimateGeneration(params);
  if (estimate.refusal === null) return;
  throw new ValidationError(estimate.refusal, [
    {
      path: "durationMinutes",
      message: `at most ${estimate.limit} alerts per request, this asks for ${estimate.total}`,
    },
  ]);
}

export async function generateAndStore(
  db: Database,
  deps: { tenantId: string; topology: Topology; topologyView: TopologyView; correlation: CorrelationConfig },
  params: GenerateParams,
  now: Date = new Date(),
): Promise<GenerateOutcome> {
  assertGenerationWithinLimit(params);
  const startTime = params.startTime
    ? new Date(params.startTime)
    : // Default: the scenario ends now, on a whole minute, so it shows up as live in the queue.
      new Date(Math.floor(now.getTime() / 60_000) * 60_000 - params.durationMinutes * 60_000);
  const runId = randomUUID();
  const stored = await storeScenario(db, { ...deps, runId }, params, startTime);
  const correlation = await correlatePending(db, {
    tenantId: deps.tenantId,
    topology: deps.topologyView,
    config: deps.correlation,
  });
  await markSyntheticIncidents(db, deps.tenantId, runId);
  return { ...stored, incidents: correlation.incidents };
}

/**
 * Generates and stores, one transaction per chunk so no statement or transaction holds the whole request's
 * rows. Returns only counts and ground truth: the alerts are garbage once stored, before correlation starts.
 */
async function storeScenario(
  db: Database,
  deps: { tenantId: string; topology: Topology; runId: string },
  params: GenerateParams,
  startTime: Date,
): Promise<Omit<GenerateOutcome, "incidents">> {
  const generated = generateScenario(params, deps.topology, startTime);
  let accepted = 0;
  let duplicates = 0;
  for (let start = 0; start < generated.alerts.length; start += GENERATE_CHUNK) {
    const chunk = generated.alerts.slice(start, start + GENERATE_CHUNK);
    // Truth first: every generated alert that reaches the table has its truth recorded beside it.
    await storeGeneratedTruth(db, {
      tenantId: deps.tenantId,
      runId: deps.runId,
      alerts: chunk,
      membership: generated.membership.slice(start, start + GENERATE_CHUNK),
      groundTruth: generated.groundTruth,
    });
    const stored = await ingestAlerts(db, deps.tenantId, chunk);
    accepted += stored.accepted;
    duplicates += stored.duplicates;
  }
  return {
    alerts_inserted: accepted,
    duplicates,
    noise_alerts: generated.membership.filter((m) => m < 0).length,
    ground_truth: params.scenario === "mixed" ? generated.groundTruth : (generated.groundTruth[0] as GroundTruth),
  };
}
