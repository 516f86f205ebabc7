/** Alert severities, their input aliases and their order (most severe first). */
import { z } from "zod";

export const SEVERITIES = ["critical", "major", "minor", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

const SEVERITY_ALIASES: Readonly<Record<string, Severity>> = {
  critical: "critical",
  crit: "critical",
  emergency: "critical",
  fatal: "critical",
  major: "major",
  high: "major",
  error: "major",
  minor: "minor",
  medium: "minor",
  warning: "warning",
  warn: "warning",
  low: "warning",
  info: "info",
  informational: "info",
  notice: "info",
};

/** Lower rank = more severe; used for "highest severity" and sorting. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function mostSevere(a: Severity, b: Severity): Severity {
  return severityRank(a) <= severityRank(b) ? a : b;
}

export function normalizeSeverity(value: string): Severity | undefined {
  return SEVERITY_ALIASES[value.trim().toLowerCase()];
}

export const severitySchema = z.enum(SEVERITIES);

/** Accepts the canonical names and the aliases (high, medium, low, error…), case-insensitive. */
export const severityInputSchema = z.string().transform((value, ctx) => {
  const severity = normalizeSeverity(value);
  if (!severity) {
    ctx.addIssue({
      code: "custom",
      message: `unknown severity "${value}" (expected one of ${SEVERITIES.join(", ")} or high, medium, low, error)`,
    });
    return z.NEVER;
  }
  return severity;
});
