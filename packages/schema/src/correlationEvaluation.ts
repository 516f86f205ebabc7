/**
 * Correlation evaluation: the header of a labelled stream file (fixtures/correlation/FORMAT.md), the figures
 * that score a correlator's incidents against the stream's truth, and the targets they are held to.
 */
import { z } from "zod";
import { lineErrorSchema } from "./imports.ts";
import { topologySchema } from "./topology.ts";

/** The first line of a stream file: `{"stream": {…}}`. Unknown extra fields are ignored. */
export const correlationStreamHeaderSchema = z.object({
  name: z.string().trim().min(1, "name must not be empty").max(128).optional(),
  description: z.string().max(2_000).default(""),
  /** The year of RFC 3164 syslog lines, which carry none. */
  year: z.number().int().min(1970).max(9999).optional(),
  /** A topology in the format of fixtures/topology; without it the stream is correlated with no topology. */
  topology: topologySchema.optional(),
});
export type CorrelationStreamHeader = z.infer<typeof correlationStreamHeaderSchema>;

/** What the issue asks of every stream of the shipped corpus. */
export const CORRELATION_TARGETS = {
  /** Pairwise F1 at least this. */
  f1: 0.95,
  /** |incidents − truth incidents| ÷ truth incidents at most this. */
  incident_count_tolerance: 0.1,
  /** Phantom incidents ÷ incidents at most this. */
  phantom_share: 0.05,
} as const;

/** The figures of one stream, or of all streams summed (micro-averaged). */
export const correlationScoreSchema = z.object({
  alerts: z.number().int(),
  /** Alerts whose truth is null: they belong to no incident. */
  noise_alerts: z.number().int(),
  /** Of the pairs of alerts put in one incident, the share that truly belong together. */
  precision: z.number(),
  /** Of the pairs of alerts that truly belong together, the share put in one incident. */
  recall: z.number(),
  f1: z.number(),
  /** Incidents the correlator made. */
  incidents: z.number().int(),
  /** Distinct truth labels. */
  truth_incidents: z.number().int(),
  /** Incidents made only of noise alerts. */
  phantom: z.number().int(),
  /** Truth incidents whose alerts the correlator spread over more than one incident. */
  split_truths: z.number().int(),
  /** Incidents holding alerts of more than one truth incident. */
  merged_truths: z.number().int(),
  /** Truth incidents none of whose alerts is in any incident. */
  missed_truths: z.number().int(),
  /** Alerts in incidents ÷ incidents; null when there is no incident. */
  compression: z.number().nullable(),
  /** Alerts in no incident ÷ alerts; null when there is no alert. */
  unassigned_share: z.number().nullable(),
  /** Noise alerts put in incidents ÷ noise alerts; null when the stream has no noise. */
  noise_in_incidents: z.number().nullable(),
});
export type CorrelationScore = z.infer<typeof correlationScoreSchema>;

export const correlationStreamResultSchema = correlationScoreSchema.extend({
  name: z.string(),
  /** The file the stream came from, or the name given to the API. */
  file: z.string(),
  description: z.string(),
  /** Whether the stream's header carried a topology (otherwise none was used). */
  topology: z.boolean(),
  /** Lines that could not be read; the stream was scored on the others. */
  errors: z.array(lineErrorSchema),
});
export type CorrelationStreamResult = z.infer<typeof correlationStreamResultSchema>;

export const correlationEvaluationSchema = z.object({
  streams: z.array(correlationStreamResultSchema),
  overall: correlationScoreSchema.extend({
    streams: z.number().int(),
    /** The mean of the streams' F1, each stream counting once (null without streams): the pairwise figures above
     * weigh a stream by its pairs, so one large incident can stand for the whole corpus. */
    macro_f1: z.number().nullable(),
    /** The stream with the lowest F1 (null without streams). */
    worst_stream: z.object({ name: z.string(), file: z.string(), f1: z.number() }).nullable(),
  }),
  targets: z.object({
    f1: z.number(),
    incident_count_tolerance: z.number(),
    phantom_share: z.number(),
    /** Every stream meets every target. */
    met: z.boolean(),
    /** One sentence per stream and target missed. */
    failures: z.array(z.string()),
  }),
});
export type CorrelationEvaluation = z.infer<typeof correlationEvaluationSchema>;

/** Stream texts the API scores in one call: bounded like any request body (1 MiB). */
export const CORRELATION_STREAMS_MAX = 50;
export const CORRELATION_STREAM_TEXT_MAX_CHARS = 1024 * 1024;

/** `correlation.evaluate`: no input scores the server's corpus; `streams` scores the texts sent. */
export const correlationEvaluateInputSchema = z
  .object({
    streams: z
      .array(
        z.object({
          name: z.string().trim().min(1, "name must not be empty").max(128),
          text: z.string().min(1, "text must not be empty"),
        }),
      )
      .min(1, "send at least one stream")
      .max(CORRELATION_STREAMS_MAX, `at most ${CORRELATION_STREAMS_MAX} streams per call`)
      .superRefine((streams, ctx) => {
        const total = streams.reduce((sum, stream) => sum + stream.text.length, 0);
        if (total > CORRELATION_STREAM_TEXT_MAX_CHARS) {
          ctx.addIssue({
            code: "custom",
            message: `the stream texts hold ${total} characters; at most ${CORRELATION_STREAM_TEXT_MAX_CHARS} per call`,
          });
        }
      }),
  })
  .optional();
export type CorrelationEvaluateInput = z.infer<typeof correlationEvaluateInputSchema>;
