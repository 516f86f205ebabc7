/**
 * Silences and maintenance windows: Alertmanager-style matchers, the input that creates one (API, CLI and the SPA's
 * form), and the silence as the API returns it.
 */
import { z } from "zod";
import { alertSchema, timestampSchema } from "./alert.ts";

export const MATCHER_OPS = ["=", "!=", "=~", "!~"] as const;
export type MatcherOp = (typeof MATCHER_OPS)[number];

/** The alert fields a matcher can name besides tags and Alertmanager labels. */
export const SILENCE_FIELDS = ["host", "service", "site", "alert_type", "source_system", "severity"] as const;

/** Label and tag names: Prometheus's `[a-zA-Z_][a-zA-Z0-9_]*`, plus `.`, `-`, `/` and `:` that tags use (empty is `min`'s to report). */
const MATCHER_NAME = /^(?:[A-Za-z_][A-Za-z0-9_.:/-]*)?$/;

/** Alertmanager anchors a matcher's regex at both ends: `=~core-.*` matches `core-rtr-01`, not `x-core-1`. */
export function anchoredRegex(value: string): RegExp {
  return new RegExp(`^(?:${value})$`);
}

/** Why `value` is not a usable regex, or null. */
export function regexProblem(value: string): string | null {
  try {
    anchoredRegex(value);
    return null;
  } catch (error) {
    return `not a valid regular expression: ${error instanceof Error ? error.message.replace(/^Invalid regular expression: /, "") : String(error)}`;
  }
}

export const matcherSchema = z
  .object({
    name: z
      .string()
      .min(1, "name must not be empty")
      .max(128)
      .regex(MATCHER_NAME, "name must be a field, tag or label name (letters, digits, _ . : / -)"),
    op: z.enum(MATCHER_OPS, { message: `op must be one of ${MATCHER_OPS.join(" ")}` }),
    value: z.string().max(1_024),
  })
  .superRefine((matcher, ctx) => {
    if (matcher.op !== "=~" && matcher.op !== "!~") return;
    const problem = regexProblem(matcher.value);
    if (problem) ctx.addIssue({ code: "custom", path: ["value"], message: problem });
  });
export type Matcher = z.infer<typeof matcherSchema>;

/**
 * Parses one matcher as Alertmanager's `amtool` writes it: `name=value`, `name!=value`, `name=~regex`,
 * `name!~regex`; the value may be double-quoted (`severity="critical"`, with JSON escapes).
 */
export function parseMatcher(text: string): { matcher: Matcher } | { error: string } {
  const found = /^\s*([^=!~\s]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/s.exec(text);
  if (!found) return { error: `"${text}" is not a matcher: write name=value, name!=value, name=~regex or name!~regex` };
  const [, name = "", op = "", raw = ""] = found;
  let value = raw;
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    try {
      value = JSON.parse(raw) as string;
    } catch {
      return { error: `"${text}": the quoted value is not a valid string` };
    }
  }
  const parsed = matcherSchema.safeParse({ name, op, value });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { error: `"${text}": ${issue?.path.join(".") || "matcher"}: ${issue?.message ?? "invalid"}` };
  }
  return { matcher: parsed.data };
}

/** The matcher written back the way `parseMatcher` reads it (values quoted only when they need it). */
export function formatMatcher(matcher: Matcher): string {
  const plain = /^[^\s"]*$/.test(matcher.value) && matcher.value !== "";
  return `${matcher.name}${matcher.op}${plain ? matcher.value : JSON.stringify(matcher.value)}`;
}

const DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** The longest a silence may run: a year and a day (a planned migration, not a way to mute a device for good). */
export const SILENCE_MAX_MS = 366 * 86_400_000;

/** `90m`, `2h`, `1d`, `1h30m`, `1w` → milliseconds; null when it is not such a duration. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d+[smhdw])+$/.test(trimmed)) return null;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)([smhdw])/g)) {
    total += Number(amount) * (DURATION_UNIT_MS[unit ?? ""] ?? Number.NaN);
  }
  return Number.isFinite(total) && total > 0 ? total : null;
}

export const silenceDurationSchema = z.string().transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === null) {
    ctx.addIssue({ code: "custom", message: `"${value}" is not a duration: write e.g. 90m, 2h, 1d or 1h30m` });
    return z.NEVER;
  }
  return ms;
});

/** ISO weekdays: 1 is Monday, 7 is Sunday. */
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/**
 * One weekly range of a maintenance window, in the window's own time zone: it starts on each of `days` at `start`
 * and ends at `end`, on the next day when `end` is not after `start` (22:00–02:00 crosses midnight; 00:00–00:00
 * is the whole day).
 */
export const weeklyRangeSchema = z.object({
  days: z
    .array(z.number().int().min(1, "days are 1 (Monday) to 7 (Sunday)").max(7, "days are 1 (Monday) to 7 (Sunday)"))
    .min(1, "name at least one day")
    .max(7)
    .refine((days) => new Set(days).size === days.length, "a day is named twice"),
  start: z.string().regex(CLOCK, "start must be HH:MM (24-hour)"),
  end: z.string().regex(CLOCK, "end must be HH:MM (24-hour)"),
  tz: z
    .string()
    .min(1)
    .max(64)
    .refine(isTimeZone, "not a time zone this server knows (use an IANA name like Europe/Berlin)"),
});
export type WeeklyRange = z.infer<typeof weeklyRangeSchema>;

export const SILENCE_KINDS = ["once", "weekly"] as const;
export type SilenceKind = (typeof SILENCE_KINDS)[number];

/** How long a weekly window without `ends_at` recurs. */
export const WEEKLY_DEFAULT_MS = 365 * 86_400_000;

/** Alertmanager's rule: a silence whose every matcher matches the empty string would silence everything. */
function matchesEmpty(matcher: Matcher): boolean {
  switch (matcher.op) {
    case "=":
      return matcher.value === "";
    case "!=":
      return matcher.value !== "";
    case "=~":
      return anchoredRegex(matcher.value).test("");
    case "!~":
      return !anchoredRegex(matcher.value).test("");
  }
}

export const silenceCreateInputSchema = z
  .object({
    kind: z.enum(SILENCE_KINDS).default("once"),
    matchers: z.array(matcherSchema).min(1, "give at least one matcher").max(32),
    /** Default: now. */
    starts_at: timestampSchema.optional(),
    ends_at: timestampSchema.optional(),
    /** Instead of `ends_at`: how long from `starts_at` (`90m`, `2h`, `1d`). */
    duration: silenceDurationSchema.optional(),
    comment: z.string().trim().min(1, "a comment is required: say why (a change number, planned work)").max(2_000),
    /** For `weekly`: when the window recurs. */
    schedule: z.array(weeklyRangeSchema).min(1).max(14).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.ends_at !== undefined && input.duration !== undefined) {
      ctx.addIssue({ code: "custom", path: ["duration"], message: "give ends_at or duration, not both" });
    }
    if (input.kind === "once" && input.ends_at === undefined && input.duration === undefined) {
      ctx.addIssue({ code: "custom", path: ["ends_at"], message: "a silence needs ends_at or duration" });
    }
    if (input.kind === "weekly" && !input.schedule) {
      ctx.addIssue({ code: "custom", path: ["schedule"], message: "a weekly window needs a schedule" });
    }
    if (input.kind === "once" && input.schedule) {
      ctx.addIssue({ code: "custom", path: ["schedule"], message: "only a weekly window has a schedule" });
    }
    if (input.duration !== undefined && input.duration > SILENCE_MAX_MS) {
      ctx.addIssue({ code: "custom", path: ["duration"], message: "a silence runs at most 366 days" });
    }
    const valid = input.matchers.every((m) => (m.op !== "=~" && m.op !== "!~") || regexProblem(m.value) === null);
    if (valid && input.matchers.length > 0 && input.matchers.every(matchesEmpty)) {
      ctx.addIssue({
        code: "custom",
        path: ["matchers"],
        message: "at least one matcher must not match an empty value (this silence would match every alert)",
      });
    }
  });
export type SilenceCreateInput = z.input<typeof silenceCreateInputSchema>;
export type SilenceCreate = z.output<typeof silenceCreateInputSchema>;

/** `expired` once ended, `pending` before it starts, else `active`. */
export const SILENCE_STATES = ["active", "pending", "expired"] as const;
export type SilenceState = (typeof SILENCE_STATES)[number];

export const silenceSchema = z.object({
  id: z.string(),
  kind: z.enum(SILENCE_KINDS),
  matchers: z.array(matcherSchema),
  schedule: z.array(weeklyRangeSchema).nullable(),
  starts_at: z.string(),
  ends_at: z.string(),
  comment: z.string(),
  created_by: z.string(),
  created_at: z.string(),
  expired_by: z.string().nullable(),
  expired_at: z.string().nullable(),
  state: z.enum(SILENCE_STATES),
  /** Whether it silences alerts arriving now (a weekly window is active between its bounds, silencing inside its ranges). */
  silencing_now: z.boolean(),
});
export type Silence = z.infer<typeof silenceSchema>;

export const silenceListInputSchema = z
  .object({
    /** Expired silences too (newest first); default only active and pending ones. */
    all: z.boolean().default(false),
    limit: z.number().int().min(1).max(1_000).default(200),
  })
  .prefault({});

export const silencePreviewInputSchema = z.object({
  matchers: z.array(matcherSchema).min(1, "give at least one matcher").max(32),
  limit: z.number().int().min(1).max(200).default(20),
});

export const silencePreviewSchema = z.object({
  /** Alerts of the last hour the matchers match. */
  count: z.number().int(),
  /** Alerts of the last hour looked at (at most `scanned_limit`; `truncated` when there were more). */
  scanned: z.number().int(),
  truncated: z.boolean(),
  alerts: z.array(alertSchema),
});
export type SilencePreview = z.infer<typeof silencePreviewSchema>;
