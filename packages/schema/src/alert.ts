/** The canonical alert: the one shape every source (generator, import, webhooks) is turned into. */
import { z } from "zod";
import { type Severity, severityInputSchema, severitySchema } from "./severity.ts";

export const ALERT_STATUSES = ["firing", "resolved"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export const alertStatusSchema = z.enum(ALERT_STATUSES);

const SNAKE_CASE = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;

/** `LinkDown`, `link-down`, `Link Down` and `link_down` all become `link_down`. */
export function toSnakeCase(value: string): string {
  // Most senders already use snake_case: one test instead of four replacements.
  if (SNAKE_CASE.test(value)) return value;
  return value
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** ISO-8601 with a zone (Z or offset), normalized to UTC `…Z`. A time without a zone is ambiguous and refused. */
export const timestampSchema = z.string().transform((value, ctx) => {
  const trimmed = value.trim();
  const millis = ISO_WITH_ZONE.test(trimmed) ? Date.parse(trimmed.replace(" ", "T")) : Number.NaN;
  if (Number.isNaN(millis)) {
    ctx.addIssue({ code: "custom", message: `not an ISO-8601 timestamp with a zone: "${value}"` });
    return z.NEVER;
  }
  return new Date(millis).toISOString();
});

/**
 * The times an event (an alert, a ticket update) may carry: from 1970-01-01 to a bound past now. Year 0 fails in
 * the database and year 9999 in time partitions, so both are a sender's mistake to refuse, not a 500.
 */
const eventTimeWindow = { maxFutureMs: 24 * 60 * 60_000 };

/**
 * Sets how far past now an event time may lie (`TELEOPS_TIMESTAMP_MAX_FUTURE_MIN`); the server calls it once
 * with its validated configuration, so every schema below applies the same bound.
 */
export function setEventTimeWindow(window: { maxFutureMs: number }): void {
  eventTimeWindow.maxFutureMs = window.maxFutureMs;
}

/** Why `millis` is not an acceptable event time, or undefined when it is. */
export function eventTimeProblem(millis: number): string | undefined {
  const minutes = Math.round(eventTimeWindow.maxFutureMs / 60_000);
  if (millis < 0 || millis > Date.now() + eventTimeWindow.maxFutureMs) {
    return `out of range: event times must lie between 1970-01-01T00:00:00Z and ${minutes} min from now`;
  }
  return undefined;
}

/** `timestampSchema` within the event-time window: what alerts and webhook events carry. */
export const eventTimeSchema = timestampSchema.transform((value, ctx) => {
  const problem = eventTimeProblem(Date.parse(value));
  if (problem) {
    ctx.addIssue({ code: "custom", message: problem });
    return z.NEVER;
  }
  return value;
});

const tagValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const CANONICAL_KEYS = new Set([
  "id",
  "fingerprint",
  "timestamp",
  "source_system",
  "host",
  "service",
  "severity",
  "alert_type",
  "message",
  "tags",
  "raw_payload",
  "tenant_id",
  "status",
]);

/**
 * An alert as a client sends it (JSONL line, webhook body). Aliased severities and CamelCase alert types
 * are normalized; unknown fields are not an error and end up in `raw_payload`.
 */
export const alertInputSchema = z
  .looseObject({
    fingerprint: z.string().trim().min(1).max(256).optional(),
    timestamp: eventTimeSchema,
    source_system: z.string().trim().min(1).max(128).default("unknown"),
    host: z.string().trim().min(1, "host must not be empty").max(255),
    service: z.string().trim().max(128).default(""),
    severity: severityInputSchema,
    alert_type: z
      .string()
      .max(128)
      .transform(toSnakeCase)
      .refine((v) => v.length > 0, "alert_type must contain letters or digits"),
    message: z.string().max(16_384).default(""),
    tags: z.record(z.string(), tagValue).default({}),
    raw_payload: z.record(z.string(), z.unknown()).default({}),
    tenant_id: z.string().trim().min(1).max(64).nullish(),
    status: alertStatusSchema.default("firing"),
  })
  .transform((input) => {
    const extras: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(input)) {
      if (!CANONICAL_KEYS.has(key)) extras[key] = value;
    }
    const alert: AlertDraft = {
      fingerprint: input.fingerprint,
      timestamp: input.timestamp,
      source_system: input.source_system,
      host: input.host,
      service: input.service,
      severity: input.severity,
      alert_type: input.alert_type,
      message: input.message,
      tags: input.tags,
      raw_payload: Object.keys(extras).length > 0 ? { ...input.raw_payload, ...extras } : input.raw_payload,
      tenant_id: input.tenant_id ?? null,
      status: input.status,
    };
    return alert;
  });
export type AlertInput = z.input<typeof alertInputSchema>;

/** A normalized alert before storage: fingerprint may still be missing (the core derives one). */
export interface AlertDraft {
  fingerprint: string | undefined;
  timestamp: string;
  source_system: string;
  host: string;
  service: string;
  severity: Severity;
  alert_type: string;
  message: string;
  tags: Record<string, string>;
  raw_payload: Record<string, unknown>;
  tenant_id: string | null;
  status: AlertStatus;
}

/** An alert ready to store: it has its fingerprint. */
export type CanonicalAlert = AlertDraft & { fingerprint: string };

/** A stored alert as the API returns it. */
export const alertSchema = z.object({
  id: z.number().int(),
  fingerprint: z.string(),
  timestamp: z.string(),
  source_system: z.string(),
  host: z.string(),
  service: z.string(),
  severity: severitySchema,
  alert_type: z.string(),
  message: z.string(),
  tags: z.record(z.string(), z.string()),
  raw_payload: z.record(z.string(), z.unknown()),
  tenant_id: z.string().nullable(),
  status: alertStatusSchema,
  incident_id: z.string().nullable(),
  /**
   * Why the correlator put the alert in its incident, in the operator's words; null for alerts stored before
   * the correlator explained itself. Optional so alerts built in memory (generators, tests) need not carry it.
   */
  correlation_reason: z.string().nullable().optional(),
  /** The silence or maintenance window that matched the alert when it arrived (kept out of incidents); else null. */
  silenced_by: z.string().nullable().optional(),
});
export type Alert = z.infer<typeof alertSchema>;

/** An array of alerts (1 to 10,000), as `POST /webhooks/alerts` accepts besides a single alert. */
export const alertBatchInputSchema = z
  .array(alertInputSchema)
  .min(1, "send at least one alert")
  .max(10_000, "send at most 10,000 alerts per request");

/** The length rule of `alertBatchInputSchema` alone, for callers that then validate alert by alert. */
export const alertBatchLengthSchema = z
  .array(z.unknown())
  .min(1, "send at least one alert")
  .max(10_000, "send at most 10,000 alerts per request");
