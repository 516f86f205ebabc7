/** The Silences form's state: matcher rows (from `?match=` links too), the input it sends, and its checks. */
import { type MatcherOp, parseMatcher, type SilenceCreateInput, silenceCreateInputSchema } from "@teleops/schema";
import { useEffect, useState } from "react";

export interface MatcherRow {
  key: number;
  name: string;
  op: MatcherOp;
  value: string;
}

let rowKeys = 0;
export const blankRow = (): MatcherRow => ({ key: ++rowKeys, name: "host", op: "=", value: "" });

/** Rows from `?match=` (Alertmanager syntax); a link with none starts with one empty `host=` row. */
export function rowsFromParams(params: URLSearchParams): MatcherRow[] {
  const rows = params.getAll("match").flatMap((text) => {
    const parsed = parseMatcher(text);
    return "matcher" in parsed ? [{ key: ++rowKeys, ...parsed.matcher }] : [];
  });
  return rows.length > 0 ? rows : [blankRow()];
}

/** The browser's own zone, the likeliest one for a maintenance window typed here. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** `<input type="datetime-local">` has no zone; the form states UTC, like every time in TeleOps. */
export function utcIso(local: string): string | undefined {
  if (local.trim() === "") return undefined;
  return local.length === 16 ? `${local}:00Z` : `${local}Z`;
}

export type EndMode = "duration" | "until";

export interface FormState {
  kind: "once" | "weekly";
  endMode: EndMode;
  duration: string;
  until: string;
  comment: string;
  days: number[];
  start: string;
  end: string;
  tz: string;
}

export function toInput(state: FormState, rows: readonly MatcherRow[]): SilenceCreateInput {
  const matchers = rows.map(({ name, op, value }) => ({ name: name.trim(), op, value }));
  if (state.kind === "weekly") {
    return {
      kind: "weekly",
      matchers,
      comment: state.comment,
      schedule: [{ days: [...state.days].sort(), start: state.start, end: state.end, tz: state.tz.trim() }],
      ...(state.until ? { ends_at: utcIso(state.until) } : {}),
    };
  }
  return {
    kind: "once",
    matchers,
    comment: state.comment,
    ...(state.endMode === "duration" ? { duration: state.duration.trim() } : { ends_at: utcIso(state.until) }),
  };
}

/** The schema's issues by field path (`matchers.0.value`, `comment`, …), the first one per path. */
export function issuesByPath(input: SilenceCreateInput): Record<string, string> {
  const parsed = silenceCreateInputSchema.safeParse(input);
  const issues: Record<string, string> = {};
  if (parsed.success) return issues;
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String).join(".") || "form";
    issues[path] ??= issue.message;
  }
  return issues;
}

/** Waits until typing pauses before the preview asks the server. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
