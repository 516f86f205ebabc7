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
  /** Set from the top hypothesis when a reviewer accepts an RCA artifact; null until then. */
  suspected_category: z.string().nullable(),
  suspected_root_cause: z.string().nullable(),
  suspected_component: z.string().nullable(),
  tenant_id: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Incident = z.infer<typeof incidentSchema>;

/** How many alerts and incidents one correlation pass created or touched. */
export interface IncidentRef {
  id: string;
  alert_count: number;
}
