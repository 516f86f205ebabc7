/** Turns parse failures of topology files into `ValidationError`s that point at a line or a field path. */
import type { z } from "zod";
import { type FieldIssue, ValidationError } from "../errors.ts";

/** At most this many issues are listed; a badly broken file would otherwise return thousands. */
const MAX_ISSUES = 20;

/** `devices[3].role`: the path as an operator would look it up in the file. */
export function fieldPath(path: ReadonlyArray<PropertyKey>, prefix = ""): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(document)" : out;
}

export function schemaFailure(
  what: string,
  error: { issues: ReadonlyArray<z.core.$ZodIssue> },
  prefix = "",
): ValidationError {
  const issues: FieldIssue[] = error.issues
    .slice(0, MAX_ISSUES)
    .map((issue) => ({ path: fieldPath(issue.path, prefix), message: issue.message }));
  const first = issues[0];
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : "";
  return new ValidationError(`${what}: ${first ? `${first.path}: ${first.message}` : "invalid"}${more}`, issues);
}

/** Parses JSON; a syntax error names the line and column it found, counted from 1. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message)?.[1];
    if (position === undefined) throw new ValidationError(`${what} is not valid JSON: ${message}`);
    const before = text.slice(0, Number(position));
    const line = before.split("\n").length;
    const column = Number(position) - before.lastIndexOf("\n");
    const reason = message.replace(/ in JSON at position \d+.*$/, "");
    throw new ValidationError(`${what} is not valid JSON: line ${line}, column ${column}: ${reason}`, [
      { path: `line ${line}`, message: reason },
    ]);
  }
}

export function lineFailure(what: string, line: number, message: string): ValidationError {
  return new ValidationError(`${what}: line ${line}: ${message}`, [{ path: `line ${line}`, message }]);
}
