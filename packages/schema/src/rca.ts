/** Root-cause analysis: ranked hypotheses with evidence, the artifacts engines store, and their review. */
import { z } from "zod";
import { rcaCategorySchema } from "./taxonomy.ts";

export const RCA_ENGINES = ["baseline", "llm"] as const;
export type RcaEngine = (typeof RCA_ENGINES)[number];
export const rcaEngineSchema = z.enum(RCA_ENGINES);

/** A retrieved runbook section, as shown to the user and cited by hypotheses. */
export const runbookChunkRefSchema = z.object({
  id: z.string(),
  file: z.string(),
  heading: z.string(),
  score: z.number(),
  excerpt: z.string().optional(),
});
export type RunbookChunkRef = z.infer<typeof runbookChunkRefSchema>;

export const hypothesisEvidenceSchema = z.object({
  /** Ids of the stored alerts this hypothesis rests on (empty for summary-only cases). */
  alert_ids: z.array(z.number().int()),
  counts_by_type: z.record(z.string(), z.number().int()),
  /** alert_type → first-seen ISO time. */
  first_seen: z.record(z.string(), z.string()),
  /** Short human-readable facts: "first alarm on X (optical layer) at T", "peer AS 64512 flapped 9 times". */
  notes: z.array(z.string()),
});
export type HypothesisEvidence = z.infer<typeof hypothesisEvidenceSchema>;

export const hypothesisSchema = z.object({
  rank: z.number().int().min(1),
  category: rcaCategorySchema,
  root_component: z.string().nullable(),
  hypothesis: z.string().min(1),
  confidence: z.number().min(0).max(1),
  evidence: hypothesisEvidenceSchema,
  remediation_steps: z.array(z.string()),
  runbook_refs: z.array(z.string()),
});
export type Hypothesis = z.infer<typeof hypothesisSchema>;

export const RCA_STATUSES = ["pending_review", "accepted", "rejected", "failed"] as const;
export type RcaStatus = (typeof RCA_STATUSES)[number];
export const rcaStatusSchema = z.enum(RCA_STATUSES);

export const REVIEW_DECISIONS = ["accepted", "rejected"] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** What an LLM run leaves behind for the trace view: never an unredacted prompt. */
export const llmTraceSchema = z.object({
  redacted_prompt: z.string(),
  raw_response: z.string().nullable(),
  parse_outcome: z.string(),
  attempts: z.number().int(),
  latency_ms: z.number(),
  prompt_tokens: z.number().int().nullable(),
  completion_tokens: z.number().int().nullable(),
  error: z.string().nullable(),
});
export type LlmTrace = z.infer<typeof llmTraceSchema>;

export const rcaArtifactSchema = z.object({
  id: z.string(),
  incident_id: z.string(),
  engine: rcaEngineSchema,
  model: z.string().nullable(),
  status: rcaStatusSchema,
  hypotheses: z.array(hypothesisSchema),
  retrieval: z.array(runbookChunkRefSchema),
  duration_ms: z.number(),
  error: z.string().nullable(),
  trace: llmTraceSchema.nullable(),
  created_by: z.string(),
  created_at: z.string(),
  reviewer: z.string().nullable(),
  review_notes: z.string().nullable(),
  reviewed_at: z.string().nullable(),
});
export type RcaArtifact = z.infer<typeof rcaArtifactSchema>;
