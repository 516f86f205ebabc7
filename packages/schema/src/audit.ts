/** The audit trail: append-only, hash-chained events for reviews and other state changes worth proving. */
import { z } from "zod";
import { REVIEW_DECISIONS } from "./rca.ts";

/**
 * What an audited action did; `rca.review` events carry `details.decision`. The three corrections of
 * correlation (merge, split, move_alerts) carry the incidents and alert ids they touched; `topology.import`
 * carries the format, source and device/link counts of the topology that replaced the tenant's.
 */
export const AUDIT_ACTIONS = [
  "rca.review",
  "incident.status",
  "ticket.create",
  "silence.create",
  "silence.expire",
  "incident.merge",
  "incident.split",
  "incident.move_alerts",
  "topology.import",
  "incident.assign",
  "incident.note",
  "incident.reopen",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The hash of the event before a tenant's first event. */
export const AUDIT_GENESIS_HASH = "0".repeat(64);

export const auditEventSchema = z.object({
  id: z.number().int(),
  tenant_id: z.string(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  entity_type: z.string(),
  entity_id: z.string(),
  incident_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prev_hash: z.string(),
  hash: z.string(),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

export const auditListParamsSchema = z.object({
  incidentId: z.string().min(1).max(64).optional(),
  decision: z.enum(REVIEW_DECISIONS).optional(),
  /** Who acted; for reviews this is the reviewer. */
  actor: z.string().min(1).max(200).optional(),
  /** Same as `actor`, in the words of a review. */
  reviewer: z.string().min(1).max(200).optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  /** Newest first; pass the last id seen to page further back. */
  cursor: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(1_000).default(100),
});
export type AuditListParams = z.input<typeof auditListParamsSchema>;

export interface AuditPage {
  events: AuditEvent[];
  nextCursor: number | null;
}

export interface AuditVerification {
  ok: boolean;
  /** Events whose links were checked, oldest first, up to and including a broken one. */
  checked: number;
  first_broken: { id: number; reason: string } | null;
}
