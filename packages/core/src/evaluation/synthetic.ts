/**
 * Synthetic evaluation cases: generated scenarios over every category, one seed each. The generator keeps its
 * ground truth beside the alerts (the truth array), so an engine sees only what a real alert stream carries.
 */
import {
  generateParamsSchema,
  type LabelCase,
  mostSevere,
  SCENARIO_TYPES,
  type Severity,
  type Topology,
} from "@teleops/schema";
import { incidentTitle } from "../correlation/describe.ts";
import { generateScenario } from "../generator/generator.ts";

export const SYNTHETIC_DEFAULT_CASES = 110;
export const SYNTHETIC_DEFAULT_SEED = 1;
const SYNTHETIC_START_MS = Date.parse("2026-01-05T08:00:00Z");
const HOUR_MS = 3_600_000;

export interface SyntheticOptions {
  count?: number;
  /** Scenario i uses seed `seed + i`. */
  seed?: number;
}

/** `count` cases cycling through the 11 scenario types, each a single generated scenario with its noise. */
export function syntheticCases(topology: Topology, options: SyntheticOptions = {}): LabelCase[] {
  const count = options.count ?? SYNTHETIC_DEFAULT_CASES;
  const seed = options.seed ?? SYNTHETIC_DEFAULT_SEED;
  const cases: LabelCase[] = [];
  for (let i = 0; i < count; i += 1) {
    const scenario = SCENARIO_TYPES[i % SCENARIO_TYPES.length] ?? "fiber_cut";
    const params = generateParamsSchema.parse({ scenario, seed: seed + i });
    const generated = generateScenario(params, topology, new Date(SYNTHETIC_START_MS + i * HOUR_MS));
    const truth = generated.groundTruth[0];
    if (!truth) continue;
    const own = generated.alerts.filter((_, index) => generated.membership[index] === 0);
    const first = own[0];
    const severity = own.reduce<Severity>((worst, alert) => mostSevere(worst, alert.severity), "info");
    const hosts = new Set(own.map((alert) => alert.host));
    cases.push({
      case_id: `S-${String(i + 1).padStart(3, "0")}`,
      // Titled the way the correlator titles an incident: first alert and host count, no cause.
      incident_summary: incidentTitle(first?.alert_type ?? "alert", first?.host ?? truth.root_component, hosts.size, [
        truth.site,
      ]),
      root_cause: truth.root_cause,
      category: truth.scenario,
      root_component: truth.root_component,
      severity,
      alerts: generated.alerts,
    });
  }
  return cases;
}
