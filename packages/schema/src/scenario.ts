/** The synthetic NOC scenario catalog and the ground truth each generated scenario carries. */
import { z } from "zod";

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
] as const;
export type ScenarioType = (typeof SCENARIO_TYPES)[number];
export const scenarioTypeSchema = z.enum(SCENARIO_TYPES);

/** RCA categories: every scenario type plus `other` for causes outside the catalog. */
export const RCA_CATEGORIES = [...SCENARIO_TYPES, "other"] as const;
export type RcaCategory = (typeof RCA_CATEGORIES)[number];
export const rcaCategorySchema = z.enum(RCA_CATEGORIES);

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
