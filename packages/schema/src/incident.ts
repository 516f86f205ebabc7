/** Incidents: correlated groups of alerts an operator works on. */
import { z } from "zod";
import { severitySchema } from "./severity.ts";

export const INCIDENT_STATUSES = ["open", "acknowledged", "resolved"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export const incidentStatusSchema = z.enum(INCIDENT_STATUSES);

export const incidentSchema = z.object({
  id: z.string(),
  title: z.string(),
  severity: severitySchema,
  status: incidentStatusSchema,
  start_time: z.string(),
  end_time: z.string(),
  alert_count: z.number().int(),
  hosts: z.array(z.string()),
  services: z.array(z.string()),
  sites: z.array(z.string()),
  owner: z.string().nullable(),
  /** True when the incident holds alerts the scenario generator made (lab data, not an outage). */
  synthetic: z.boolean(),
  /** Set from the top hypothesis when a reviewer accepts an RCA artifact; null until then. */
  suspected_category: z.string().nullable(),
  suspected_root_cause: z.string().nullable(),
  suspected_component: z.string().nullable(),
  /** Set when an operator merged this incident into another: its alerts moved there and it is resolved. */
  merged_into: z.string().nullable(),
  /**
   * When the last of its alarms cleared (null while one fires): it resolves by itself once
   * `TELEOPS_AUTO_RESOLVE_AFTER` has passed since. Optional for clients of older servers.
   */
  cleared_at: z.string().nullable().optional(),
  tenant_id: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Incident = z.infer<typeof incidentSchema>;

export const incidentIdSchema = z.string().min(1).max(64);
const alertIdsSchema = z.array(z.number().int().positive()).min(1).max(5_000);

/** Operators' corrections of correlation: what `incidents.merge`, `.split` and `.moveAlerts` take. */
export const mergeIncidentsInputSchema = z.object({
  /** The incident that stays and receives the alerts. */
  into: incidentIdSchema,
  /** The incidents merged into it: resolved, their alerts moved. */
  from: z.array(incidentIdSchema).min(1).max(100),
});
export type MergeIncidentsInput = z.infer<typeof mergeIncidentsInputSchema>;

export const splitIncidentInputSchema = z.object({
  id: incidentIdSchema,
  /** The alerts that leave `id` for a new incident; at least one must stay behind. */
  alertIds: alertIdsSchema,
});
export type SplitIncidentInput = z.infer<typeof splitIncidentInputSchema>;

export const moveAlertsInputSchema = z.object({
  /** Alerts of one incident, moved together; at least one must stay behind. */
  alertIds: alertIdsSchema,
  to: incidentIdSchema,
});
export type MoveAlertsInput = z.infer<typeof moveAlertsInputSchema>;

/** How many alerts and incidents one correlation pass created or touched. */
export interface IncidentRef {
  id: string;
  alert_count: number;
}
