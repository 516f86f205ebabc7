/** One alert opened in full (the SPA's alert drawer): every field, its labels and links, redacted for viewers. */
import { z } from "zod";
import { alertSchema } from "./alert.ts";

export const ALERT_LINK_KINDS = ["runbook", "generator", "alertmanager", "source"] as const;

/** A link the alert carries; only `http:` and `https:` addresses are ever returned. */
export const alertLinkSchema = z.object({
  kind: z.enum(ALERT_LINK_KINDS),
  /** Where the link came from, e.g. `annotations.runbook_url`, `generatorURL`. */
  field: z.string(),
  url: z.string(),
});
export type AlertLink = z.infer<typeof alertLinkSchema>;

export const alertDetailSchema = z.object({
  alert: alertSchema,
  received_at: z.string(),
  ends_at: z.string().nullable(),
  correlated_at: z.string().nullable(),
  /** Alertmanager labels and annotations as received (null for alerts from other sources). */
  labels: z.record(z.string(), z.string()).nullable(),
  annotations: z.record(z.string(), z.string()).nullable(),
  links: z.array(alertLinkSchema),
  /**
   * True when the message, host, tags, labels, annotations and raw payload were redacted (a viewer asked): the
   * same rules as LLM prompts, so addresses, subscriber numbers and credentials read as `<ipv4-1>`, `<secret>`.
   */
  redacted: z.boolean(),
});
export type AlertDetail = z.infer<typeof alertDetailSchema>;

export const alertIdInputSchema = z.object({ id: z.number().int().positive() });

/** One `##` section of a shipped runbook, as the SPA renders it where an RCA citation links. */
export const runbookSectionSchema = z.object({
  /** `<runbook>#<section>`, e.g. `fiber_cut#diagnosis`: what hypotheses cite. */
  id: z.string(),
  runbook: z.string(),
  section: z.string(),
  title: z.string(),
  heading: z.string(),
  /** The section's Markdown, as written in the runbook file. */
  markdown: z.string(),
  /** Every section of the same runbook, in file order, to move between them. */
  sections: z.array(z.object({ section: z.string(), heading: z.string() })),
});
export type RunbookSection = z.infer<typeof runbookSectionSchema>;

/** A runbook name or section slug: letters, digits, `_` and `-` only (never a path). */
export const runbookSlugSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and - only");
