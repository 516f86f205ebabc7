/** Working an incident: its owner, operators' notes, the timeline that shows both, and actions on many at once. */
import { z } from "zod";
import { incidentIdSchema, incidentStatusSchema } from "./incident.ts";

/** The actor of changes TeleOps makes by itself (auto-resolve, reopen, imported history). */
export const SYSTEM_ACTOR = "system";

/** A note's markdown text: at most 20,000 characters, not blank. */
export const NOTE_TEXT_MAX = 20_000;
export const noteTextSchema = z
  .string()
  .max(NOTE_TEXT_MAX, `a note holds at most ${NOTE_TEXT_MAX} characters`)
  .refine((text) => text.trim().length > 0, "a note needs some text");

/** A user name as the users file spells it. */
const userNameSchema = z.string().trim().min(1, "name the user").max(128);

export const assignIncidentInputSchema = z.object({
  id: incidentIdSchema,
  /** The user who owns the incident from now on; null unassigns it. */
  to: userNameSchema.nullable(),
});
export type AssignIncidentInput = z.infer<typeof assignIncidentInputSchema>;

export const addNoteInputSchema = z.object({ id: incidentIdSchema, text: noteTextSchema });
export type AddNoteInput = z.infer<typeof addNoteInputSchema>;

export const incidentNoteSchema = z.object({
  id: z.number().int(),
  incident_id: z.string(),
  author: z.string(),
  created_at: z.string(),
  /** Markdown as written; clients render it without raw HTML. */
  text: z.string(),
});
export type IncidentNote = z.infer<typeof incidentNoteSchema>;

/** Most incidents one bulk action may change. */
export const BULK_MAX = 200;

export const bulkUpdateInputSchema = z
  .object({
    ids: z
      .array(incidentIdSchema)
      .min(1, "select at least one incident")
      .max(BULK_MAX, `select at most ${BULK_MAX} incidents`),
    action: z.enum(["acknowledge", "resolve", "assign", "unassign"]),
    /** For `assign`: the new owner. */
    to: userNameSchema.optional(),
  })
  .superRefine((input, ctx) => {
    if (input.action === "assign" && input.to === undefined) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "assign needs the user to assign to" });
    }
  });
export type BulkUpdateInput = z.infer<typeof bulkUpdateInputSchema>;

export const bulkUpdateResultSchema = z.object({
  /** Incidents the action changed. */
  updated: z.array(z.string()),
  /** Incidents already in the asked state, or merged into another: left as they were. */
  unchanged: z.array(z.string()),
});
export type BulkUpdateResult = z.infer<typeof bulkUpdateResultSchema>;

export const TIMELINE_KINDS = [
  "note",
  "status",
  "assign",
  "review",
  "ticket",
  "merge",
  "split",
  "move",
  "reopen",
  "cleared",
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** One entry of an incident's timeline: a note, or something that happened to the incident, oldest first. */
export const timelineEntrySchema = z.object({
  kind: z.enum(TIMELINE_KINDS),
  at: z.string(),
  actor: z.string(),
  /** One line in the operator's words ("acknowledged", "assigned to olga", "ticket INC0012 opened"). */
  summary: z.string(),
  /** Notes: the markdown text. */
  text: z.string().optional(),
  /** Status changes: the new status. */
  status: incidentStatusSchema.optional(),
  /** Tickets: where the ticket lives, when known. */
  url: z.string().nullable().optional(),
  /** Where the entry came from: `note:<id>`, `audit:<id>`, `ticket:<id>`. */
  source: z.string(),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;
