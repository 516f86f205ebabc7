/** Aggregates behind the Observability page, and the topology facts the incident page shows per device. */
import { z } from "zod";
import { layerSchema } from "./topology.ts";

/** Windows end now; `all` spans every stored alert of the tenant. */
export const OBSERVABILITY_RANGES = ["24h", "7d", "30d", "all"] as const;
export type ObservabilityRange = (typeof OBSERVABILITY_RANGES)[number];
export const observabilityRangeSchema = z.enum(OBSERVABILITY_RANGES);

export const TIME_BUCKETS = ["hour", "day", "week"] as const;
export type TimeBucket = (typeof TIME_BUCKETS)[number];

/** Incidents without an accepted RCA are counted under this category. */
export const UNREVIEWED_CATEGORY = "unreviewed";

export const observabilityBucketSchema = z.object({
  /** Start of the bucket, ISO-8601 UTC. */
  start: z.string(),
  alerts: z.number().int(),
  /** Alerts the correlator put into an incident. */
  alerts_in_incidents: z.number().int(),
  /** Distinct incidents those alerts belong to: what an operator looks at instead. */
  incidents_touched: z.number().int(),
  /** Incidents whose first alert falls in this bucket. */
  incidents_started: z.number().int(),
  /** alerts_in_incidents / incidents_touched: alerts an incident gathers; null when no alert joined one. */
  compression: z.number().nullable(),
  /** Alerts left in no incident / alerts; null for a bucket without alerts. */
  unassigned_share: z.number().nullable(),
});
export type ObservabilityBucket = z.infer<typeof observabilityBucketSchema>;

export const rcaEngineStatsSchema = z.object({
  engine: z.string(),
  accepted: z.number().int(),
  rejected: z.number().int(),
  pending_review: z.number().int(),
  failed: z.number().int(),
  /** accepted / (accepted + rejected); null before anything was reviewed. */
  acceptance_rate: z.number().nullable(),
});
export type RcaEngineStats = z.infer<typeof rcaEngineStatsSchema>;

export const hypothesisLatencyBinSchema = z.object({
  label: z.string(),
  /** Upper bound of the bin in milliseconds; null for the open-ended last bin. */
  max_ms: z.number().nullable(),
  incidents: z.number().int(),
});

export const observabilitySchema = z.object({
  range: observabilityRangeSchema,
  bucket: z.enum(TIME_BUCKETS),
  /** The window, ISO-8601 UTC; null when the tenant has no alerts and the range is `all`. */
  from: z.string().nullable(),
  to: z.string().nullable(),
  /** The tenant's earliest and latest alert of all time (null: nothing stored yet), to point at older data. */
  first_alert: z.string().nullable(),
  last_alert: z.string().nullable(),
  totals: z.object({
    alerts: z.number().int(),
    unassigned_alerts: z.number().int(),
    incidents: z.number().int(),
    open_incidents: z.number().int(),
    /** Alerts in incidents / the incidents they belong to; null when no alert joined an incident. */
    compression: z.number().nullable(),
    /** unassigned_alerts / alerts; null without alerts. */
    unassigned_share: z.number().nullable(),
    rca_reviewed: z.number().int(),
    rca_accepted: z.number().int(),
    acceptance_rate: z.number().nullable(),
  }),
  timeline: z.array(observabilityBucketSchema),
  /** Incidents per accepted RCA category (`unreviewed` when none was accepted), largest first. */
  categories: z.array(z.object({ category: z.string(), incidents: z.number().int() })),
  rca: z.array(rcaEngineStatsSchema),
  /** From the moment TeleOps formed an incident to its first stored (not failed) RCA artifact. */
  time_to_first_hypothesis: z.object({
    incidents: z.number().int(),
    median_ms: z.number().nullable(),
    p90_ms: z.number().nullable(),
    bins: z.array(hypothesisLatencyBinSchema),
  }),
});
export type Observability = z.infer<typeof observabilitySchema>;

/** What the topology knows about one host an incident touches. */
export const topologyDeviceSchema = z.object({
  host: z.string(),
  role: z.string().nullable(),
  site: z.string().nullable(),
  region: z.string().nullable(),
  layer: layerSchema.nullable(),
  vendor: z.string().nullable(),
});
export type TopologyDevice = z.infer<typeof topologyDeviceSchema>;

export const topologyDevicesSchema = z.object({
  devices: z.array(topologyDeviceSchema),
  /** Hosts the tenant's topology does not list. */
  unknown: z.array(z.string()),
});
export type TopologyDevices = z.infer<typeof topologyDevicesSchema>;
