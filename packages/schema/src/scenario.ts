/** The synthetic NOC scenario catalog and the ground truth each generated scenario carries. */
import { z } from "zod";
import type { RcaCategory } from "./taxonomy.ts";

export const SCENARIO_TYPES = [
  "network_degradation",
  "dns_outage",
  "bgp_flap",
  "fiber_cut",
  "router_freeze",
  "isp_peering_congestion",
  "ddos_edge",
  "mpls_vpn_leak",
  "cdn_cache_stampede",
  "firewall_rule_misconfig",
  "database_latency_spike",
] as const satisfies readonly RcaCategory[];
export type ScenarioType = (typeof SCENARIO_TYPES)[number];
export const scenarioTypeSchema = z.enum(SCENARIO_TYPES);

export const groundTruthSchema = z.object({
  scenario: scenarioTypeSchema,
  root_cause: z.string(),
  root_component: z.string(),
  remediation_steps: z.array(z.string()),
  site: z.string(),
  start_time: z.string(),
  alert_count: z.number().int().nonnegative(),
});
export type GroundTruth = z.infer<typeof groundTruthSchema>;

export const generateParamsSchema = z.object({
  scenario: z.union([scenarioTypeSchema, z.literal("mixed")]),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(1),
  durationMinutes: z
    .number()
    .min(1)
    .max(24 * 60)
    .default(10),
  ratePerMinute: z.number().min(1).max(10_000).default(25),
  noisePerMinute: z.number().min(0).max(10_000).default(2),
  startTime: z.iso.datetime({ offset: true }).optional(),
});
export type GenerateParams = z.infer<typeof generateParamsSchema>;
export type GenerateParamsInput = z.input<typeof generateParamsSchema>;

/**
 * The most alerts one generation request may produce. Generation, storage and correlation of a request run in
 * one server process, so the bound keeps any single request from exhausting its memory.
 */
export const GENERATE_ALERT_LIMIT = 200_000;
/** How many scenarios `mixed` overlaps at most (one per site). */
export const MIXED_SCENARIOS_MAX = 5;

export interface GenerationEstimate {
  /** Upper bound on the alerts the request produces: duration × (rate × scenarios + noise). */
  total: number;
  scenarios: number;
  limit: number;
  /** Why the request is refused, in an operator's words; null when it is within the limit. */
  refusal: string | null;
}

/** Counts the alerts a request can produce before any of them is made, so the form, CLI and API refuse alike. */
export function estimateGeneration(params: {
  scenario: string;
  durationMinutes: number;
  ratePerMinute: number;
  noisePerMinute: number;
}): GenerationEstimate {
  const scenarios = params.scenario === "mixed" ? MIXED_SCENARIOS_MAX : 1;
  const total = Math.ceil(params.durationMinutes * (params.ratePerMinute * scenarios + params.noisePerMinute));
  const count = (n: number) => n.toLocaleString("en-US");
  const shape =
    scenarios === 1
      ? `${count(params.durationMinutes)} min × (${count(params.ratePerMinute)}/min + ${count(params.noisePerMinute)} noise/min)`
      : `${count(params.durationMinutes)} min × (${count(params.ratePerMinute)}/min × ${scenarios} scenarios + ${count(params.noisePerMinute)} noise/min)`;
  const refusal =
    total > GENERATE_ALERT_LIMIT
      ? `this request would generate up to ${count(total)} alerts (${shape}); the limit is ${count(GENERATE_ALERT_LIMIT)} per request: shorten the duration or lower the rate or noise`
      : null;
  return { total, scenarios, limit: GENERATE_ALERT_LIMIT, refusal };
}
