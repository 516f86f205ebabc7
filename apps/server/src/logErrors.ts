/**
 * How errors appear in the log. A failed database statement carries its parameters (for an ingest batch or a
 * refused delivery, the whole body with whatever secrets it holds) in several places: drizzle's message and stack
 * (`Failed query: … params: …`), the driver's `parameters`/`args`, and PostgreSQL's `detail` and `where` (which
 * quote the offending JSON). The serializer keeps only fields that describe the failure, cuts the parameters out
 * of message and stack, redacts credentials and addresses from the text it keeps, and cuts long strings.
 */
import { redact } from "@teleops/core";
import pino from "pino";

const MAX_TEXT = 2_000;

/** Fields of Node, postgres.js and PGlite errors that say what failed without quoting the data. */
const KEPT_FIELDS = new Set([
  "type",
  "message",
  "stack",
  "code",
  "errno",
  "syscall",
  "address",
  "port",
  "severity",
  "routine",
  "schema_name",
  "table_name",
  "column_name",
  "constraint_name",
  "schema",
  "table",
  "column",
  "constraint",
  "query",
]);

/** drizzle appends `\nparams: <every parameter>` to the query text; the stack repeats the message. */
const PARAMS = /\nparams: [\s\S]*?(?=\n\s+at |$)/g;

function clean(text: string): string {
  const withheld = redact(text.replace(PARAMS, "\nparams: [withheld]"));
  return withheld.length > MAX_TEXT ? `${withheld.slice(0, MAX_TEXT)}… (${withheld.length} characters)` : withheld;
}

export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return typeof error === "string" ? clean(error) : error;
  const base = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) {
    if (!KEPT_FIELDS.has(key)) continue;
    kept[key] = typeof value === "string" ? clean(value) : value;
  }
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined) kept.cause = serializeError(cause);
  return kept;
}

/** The server's logger: JSON lines with the error serializer above; tests pass a destination to read them. */
export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  const options = { level, base: { service: "teleops" }, serializers: { err: serializeError, error: serializeError } };
  return destination ? pino(options, destination) : pino(options);
}
