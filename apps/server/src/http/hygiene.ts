/**
 * Input hygiene shared by the webhook and tRPC adapters: nesting depth is checked on the raw text before
 * parsing, then prototype keys (and, where the caller asks, NUL characters) on the parsed value.
 */
import { findUnsafeJson, jsonTextTooDeep, MAX_JSON_DEPTH } from "@teleops/schema";
import { formatPath, HttpError } from "./body.ts";

/** Refuses (400) JSON text nested deeper than MAX_JSON_DEPTH, before any recursive code sees it. */
export function assertJsonDepth(text: string | Uint8Array): void {
  if (jsonTextTooDeep(text)) {
    throw new HttpError(400, `JSON nested deeper than ${MAX_JSON_DEPTH} levels is refused; nothing was stored`, [
      { path: "", message: `more than ${MAX_JSON_DEPTH} levels of objects or arrays` },
    ]);
  }
}

/**
 * Refuses (400) a parsed document with a `__proto__`/`constructor`/`prototype` key, an unpaired surrogate, nesting
 * past the limit, or (unless allowed) a NUL character, which PostgreSQL cannot store in text or jsonb.
 */
export function assertSafeJson(value: unknown, options: { allowNul?: boolean } = {}): void {
  const problem = findUnsafeJson(value, options);
  if (!problem) return;
  const path = formatPath(problem.path);
  if (problem.kind === "nul") {
    throw new HttpError(400, "strings must not contain the NUL character (\\u0000); nothing was stored", [
      { path, message: "contains \\u0000" },
    ]);
  }
  throw new HttpError(400, `${path || "the document"}: ${problem.message}; nothing was stored`, [
    { path, message: problem.message },
  ]);
}
