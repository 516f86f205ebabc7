/**
 * The answer the LLM engine asks for: its JSON schema (for servers with structured output), its zod twin (for
 * servers without), and the step that turns a reply into hypotheses in the baseline's shape.
 */
import { type Alert, type Hypothesis, hypothesisSchema, RCA_CATEGORIES, toSnakeCase } from "@teleops/schema";
import { z } from "zod";

const MAX_HYPOTHESES = 3;

const stringList = { type: "array", items: { type: "string" } } as const;

/** Strict structured-output schema: every property required, no extra properties (OpenAI's strict subset). */
export const ANSWER_JSON_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["hypotheses"],
  properties: {
    hypotheses: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: [
          "rank",
          "category",
          "root_component",
          "hypothesis",
          "confidence",
          "evidence_alert_ids",
          "evidence_notes",
          "remediation_steps",
          "runbook_ids",
        ],
        properties: {
          rank: { type: "integer" },
          category: { type: "string", enum: [...RCA_CATEGORIES] },
          root_component: { type: ["string", "null"] },
          hypothesis: { type: "string" },
          confidence: { type: "number" },
          evidence_alert_ids: { type: "array", items: { type: "integer" } },
          evidence_notes: stringList,
          remediation_steps: stringList,
          runbook_ids: stringList,
        },
      },
    },
  },
} as const;

/** `"#12"`, `"12"` and `12` all cite alert 12. */
const alertId = z.preprocess(
  (value) => (typeof value === "string" ? Number.parseInt(value.replace(/^#/, ""), 10) : value),
  z.number().int(),
);

const answerHypothesisSchema = z.object({
  rank: z.number().int().min(1).optional(),
  category: z.preprocess((value) => (typeof value === "string" ? toSnakeCase(value) : value), z.enum(RCA_CATEGORIES)),
  root_component: z
    .string()
    .nullish()
    .transform((value) => (value && value.trim().length > 0 && value.trim() !== "null" ? value.trim() : null)),
  hypothesis: z.string().trim().min(1),
  confidence: z.number().min(0).max(1),
  evidence_alert_ids: z.array(alertId).default([]),
  evidence_notes: z.array(z.string()).default([]),
  remediation_steps: z.array(z.string()).default([]),
  runbook_ids: z.array(z.string()).default([]),
});

/** What is accepted from servers without structured output: the same shape, with small slips forgiven. */
export const answerSchema = z.object({ hypotheses: z.array(answerHypothesisSchema).min(1) });

export type ParsedAnswer = { ok: true; hypotheses: Hypothesis[]; notes: string[] } | { ok: false; error: string };

/** The JSON inside a reply: a ```json fence, or the outermost braces when the model added prose around it. */
export function extractJson(content: string): string {
  const fenced = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/.exec(content);
  if (fenced?.[1] !== undefined) return fenced[1].trim();
  const trimmed = content.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) return trimmed;
  const start = trimmed.indexOf("{");
  const end = trimmed.lastIndexOf("}");
  return start >= 0 && end > start ? trimmed.slice(start, end + 1) : trimmed;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}

/**
 * The JSON parser's message without the excerpt of the reply it quotes (`Unexpected token 'v', "victim.per"...
 * is not valid JSON`): a cut-off piece of the model's text is a fragment no redaction rule can recognize.
 */
function parserComplaint(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/,?\s*"(?:[^"\\]|\\.)*"(?:\.\.\.)?/g, "");
}

/**
 * Validates a reply and turns it into ranked hypotheses. Evidence counts and first-seen times are computed from
 * the alerts the model cited, never taken from the model. A hypothesis citing an alert id that is not in the
 * incident makes the reply invalid (the engine asks once for a repair, then fails with that error); citations of
 * unknown runbook sections are dropped and reported in `notes`.
 */
export function parseAnswer(content: string | null, alerts: Alert[], chunkIds: ReadonlySet<string>): ParsedAnswer {
  if (content === null || content.trim().length === 0) return { ok: false, error: "the reply was empty" };
  let document: unknown;
  try {
    document = JSON.parse(extractJson(content));
  } catch (error) {
    return { ok: false, error: `the reply is not JSON (${parserComplaint(error)})` };
  }
  if (Array.isArray(document)) document = { hypotheses: document };
  const parsed = answerSchema.safeParse(document);
  if (!parsed.success)
    return { ok: false, error: `the reply does not match the schema: ${describeIssues(parsed.error)}` };

  const alertsById = new Map(alerts.map((alert) => [alert.id, alert]));
  const notes: string[] = [];
  const ranked = parsed.data.hypotheses
    .map((h, index) => ({ h, order: h.rank ?? index + 1, index }))
    .sort((a, b) => a.order - b.order || a.index - b.index)
    .slice(0, MAX_HYPOTHESES);
  if (parsed.data.hypotheses.length > MAX_HYPOTHESES) {
    notes.push(`kept the first ${MAX_HYPOTHESES} of ${parsed.data.hypotheses.length} hypotheses`);
  }

  const hypotheses: Hypothesis[] = [];
  for (const [position, { h }] of ranked.entries()) {
    const cited = [...new Set(h.evidence_alert_ids)].flatMap((id) => alertsById.get(id) ?? []);
    const unknownAlerts = [...new Set(h.evidence_alert_ids.filter((id) => !alertsById.has(id)))];
    // Evidence that does not exist is not a slip to forgive: a hypothesis resting on invented alerts is rejected.
    if (unknownAlerts.length > 0) {
      return {
        ok: false,
        error: `hypothesis ${position + 1} cites alert ids that are not in this incident: ${unknownAlerts
          .slice(0, 10)
          .map((id) => `#${id}`)
          .join(", ")}; cite only the #ids of the sample alerts`,
      };
    }
    const refs = [...new Set(h.runbook_ids)].filter((id) => chunkIds.has(id));
    const unknownRefs = h.runbook_ids.filter((id) => !chunkIds.has(id));
    if (unknownRefs.length > 0) notes.push(`dropped unknown runbook ids ${unknownRefs.join(", ")}`);

    const countsByType: Record<string, number> = {};
    const firstSeen: Record<string, string> = {};
    const citedTypes = new Set(cited.map((alert) => alert.alert_type));
    for (const alert of alerts) {
      if (!citedTypes.has(alert.alert_type)) continue;
      countsByType[alert.alert_type] = (countsByType[alert.alert_type] ?? 0) + 1;
      const seen = firstSeen[alert.alert_type];
      if (seen === undefined || alert.timestamp < seen) firstSeen[alert.alert_type] = alert.timestamp;
    }
    const hypothesis = hypothesisSchema.safeParse({
      rank: position + 1,
      category: h.category,
      root_component: h.root_component,
      hypothesis: h.hypothesis,
      confidence: h.confidence,
      evidence: {
        alert_ids: cited.map((alert) => alert.id),
        counts_by_type: countsByType,
        first_seen: firstSeen,
        notes: h.evidence_notes,
      },
      remediation_steps: h.remediation_steps,
      runbook_refs: refs,
    });
    if (!hypothesis.success) {
      return { ok: false, error: `hypothesis ${position + 1} is invalid: ${describeIssues(hypothesis.error)}` };
    }
    hypotheses.push(hypothesis.data);
  }
  return { ok: true, hypotheses, notes };
}
