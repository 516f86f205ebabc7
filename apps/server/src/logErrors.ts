/**
 * How errors appear in the log. A failed database statement carries its query text and every parameter (for an
 * ingest batch, a megabyte of alerts); logged whole, one failure under load writes megabytes per line. The
 * serializer keeps the type, code, message and stack, cuts long strings, and drops parameters.
 */
import pino from "pino";

const MAX_TEXT = 2_000;

function cut(text: unknown): unknown {
  return typeof text === "string" && text.length > MAX_TEXT
    ? `${text.slice(0, MAX_TEXT)}… (${text.length} characters)`
    : text;
}

export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return cut(error);
  const base = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) {
    if (key === "params" || key === "parameters") continue;
    kept[key] = cut(value);
  }
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined) kept.cause = serializeError(cause);
  return kept;
}
