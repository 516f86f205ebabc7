/** Turns one parsed record into a canonical alert draft or a one-line reason, the same way on client and server. */
import { type AlertDraft, alertInputSchema, findUnsafeJson } from "@teleops/schema";
import type { z } from "zod";

/** A record more than this far ahead of the clock is refused: it is a clock or zone error, not an alert. */
export const MAX_FUTURE_SKEW_MS = 24 * 60 * 60_000;

export type ImportRecord = { line: number; alert: AlertDraft } | { line: number; error: string };

export function isRejected(record: ImportRecord): record is { line: number; error: string } {
  return "error" in record;
}

export function validateRecord(line: number, input: unknown, now: number = Date.now()): ImportRecord {
  // Prototype keys and hostile nesting are refused before any code copies or recurses into the record. The same
  // walk looks for NUL characters; only when it finds one is the record walked again for the other problems.
  let unsafe = findUnsafeJson(input);
  const nul = unsafe?.kind === "nul";
  if (nul) unsafe = findUnsafeJson(input, { allowNul: true });
  if (unsafe) return { line, error: `${unsafe.path.map(String).join(".") || "record"}: ${unsafe.message}` };
  const parsed = alertInputSchema.safeParse(input);
  if (!parsed.success) return { line, error: describeIssues(parsed.error.issues, input) };
  // A record free of NUL gives a draft free of NUL: the draft's strings all come from the record.
  return nul ? acceptDraft(line, parsed.data, now) : acceptFuture(line, parsed.data, now);
}

/** The checks beyond the schema, for a draft that is already canonical (a parser that built every field). */
export function acceptDraft(line: number, alert: AlertDraft, now: number = Date.now()): ImportRecord {
  // PostgreSQL text and jsonb cannot hold U+0000; refusing the record keeps it from failing its whole batch.
  if (hasNul(alert)) return { line, error: "contains a NUL character (U+0000), which cannot be stored" };
  return acceptFuture(line, alert, now);
}

function acceptFuture(line: number, alert: AlertDraft, now: number): ImportRecord {
  const ahead = Date.parse(alert.timestamp) - now;
  if (ahead > MAX_FUTURE_SKEW_MS) {
    return {
      line,
      error: `timestamp ${alert.timestamp} is ${Math.round(ahead / 3_600_000)} h in the future (more than 24 h ahead is refused)`,
    };
  }
  return { line, alert };
}

/** "host: required; severity: unknown severity "urgent" (…)": field path first, as an operator reads it. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map(String).join(".");
      const missing = issue.code === "invalid_type" && valueAt(input, issue.path) === undefined;
      const message = missing ? "required" : clip(issue.message, 240);
      return path ? `${path}: ${message}` : message;
    })
    .join("; ");
}

/** Keeps a reason readable (and under the stored limit) when it quotes a huge value. */
export function clip(text: string, max = 500): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function hasNul(value: unknown): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some(hasNul);
  for (const [key, item] of Object.entries(value)) if (key.includes("\u0000") || hasNul(item)) return true;
  return false;
}
