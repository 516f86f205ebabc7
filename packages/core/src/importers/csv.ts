/**
 * CSV exports with a header row, parsed by csv-parse (quoted fields with commas and newlines, BOM, CRLF).
 * Columns map by header name onto the canonical alert; `tags.<key>` columns or a JSON `tags` column fill the
 * tags, and any other column is kept in `raw_payload`.
 */
import { type CsvError, parse } from "csv-parse";
import { type ByteSource, MAX_LINE_BYTES, toBytes } from "./lines.ts";
import { clip, type ImportRecord, validateRecord } from "./validate.ts";

/** Header names (lower-cased) accepted for each canonical field besides the field's own name. */
const COLUMN_ALIASES: Readonly<Record<string, string>> = {
  time: "timestamp",
  "@timestamp": "timestamp",
  event_time: "timestamp",
  hostname: "host",
  device: "host",
  source: "source_system",
  type: "alert_type",
  alertname: "alert_type",
  summary: "message",
  description: "message",
  state: "status",
};

const CANONICAL_COLUMNS = new Set([
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

const REQUIRED_COLUMNS = ["timestamp", "host", "severity", "alert_type"] as const;

type Column = { kind: "field"; name: string } | { kind: "tag"; name: string } | { kind: "extra"; name: string };

export async function* parseCsv(source: ByteSource, options: { now?: number } = {}): AsyncGenerator<ImportRecord> {
  const now = options.now ?? Date.now();
  const rows: Array<{ fields: string[]; endLine: number }> = [];
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_LINE_BYTES,
    // Records are taken here, synchronously, so none is lost when a later syntax error stops the parser.
    on_record: (record: string[], context) => {
      rows.push({ fields: record, endLine: context.lines });
      return null;
    },
  });
  parser.on("error", () => {
    // Read synchronously through `parser.errored` below; this listener only keeps Node from throwing.
  });
  parser.resume();

  let header: Column[] | undefined;
  let missing: string[] = [];
  let lastEndLine = 0;
  function* drain(): Generator<ImportRecord> {
    for (const row of rows.splice(0)) {
      lastEndLine = row.endLine;
      // csv-parse counts the line a record ends on; a quoted newline inside it moves its first line up.
      const line = row.endLine - newlinesIn(row.fields);
      if (!header) {
        header = row.fields.map(classifyColumn);
        const present = new Set(header.filter((c) => c.kind === "field").map((c) => c.name));
        missing = REQUIRED_COLUMNS.filter((name) => !present.has(name));
        continue;
      }
      yield toRecord(row.fields, line, header, missing, now);
    }
  }

  const feed = (bytes: Uint8Array): CsvError | undefined => {
    parser.write(bytes);
    return parser.errored ? (parser.errored as CsvError) : undefined;
  };
  let failure: CsvError | undefined;
  for await (const bytes of withoutCarriageReturns(source)) {
    failure = feed(bytes);
    yield* drain();
    if (failure) break;
  }
  if (!failure) {
    const ended = new Promise<CsvError | undefined>((resolve) => {
      parser.once("end", () => resolve(undefined));
      parser.once("error", (error: CsvError) => resolve(error));
    });
    parser.end();
    failure = await ended;
    yield* drain();
  }
  if (failure) {
    // csv-parse names the line where it noticed the problem (for an unclosed quote, the end of the file);
    // the record that broke starts right after the last good one.
    yield {
      line: lastEndLine + 1,
      error: `CSV syntax error: ${clip(failure.message, 300)}; the rest of the file was not read`,
    };
  }
}

function classifyColumn(raw: string): Column {
  const name = raw.trim();
  const lower = name.toLowerCase();
  if (lower.startsWith("tags.") && name.length > 5) return { kind: "tag", name: name.slice(5) };
  if (CANONICAL_COLUMNS.has(lower)) return { kind: "field", name: lower };
  const alias = COLUMN_ALIASES[lower];
  if (alias) return { kind: "field", name: alias };
  return { kind: "extra", name };
}

function toRecord(fields: string[], line: number, header: Column[], missing: string[], now: number): ImportRecord {
  if (missing.length > 0) {
    return { line, error: `the header has no ${missing.map((m) => `"${m}"`).join(", ")} column` };
  }
  if (fields.length !== header.length) {
    return { line, error: `row has ${fields.length} fields but the header has ${header.length}` };
  }
  if (fields.some((field) => field.includes("\uFFFD"))) return { line, error: "row is not valid UTF-8 text" };
  const alert: Record<string, unknown> = {};
  const tags: Record<string, string> = {};
  for (const [index, column] of header.entries()) {
    const value = fields[index] ?? "";
    if (value === "") continue; // an empty cell is an absent value: defaults apply
    if (column.kind === "tag") tags[column.name] = value;
    else if (column.kind === "extra") alert[column.name] ??= value;
    else if (column.name === "tags" || column.name === "raw_payload") {
      const parsed = parseJsonObject(value);
      if (parsed === undefined) return { line, error: `${column.name}: not a JSON object: ${clip(value, 80)}` };
      if (column.name === "tags") Object.assign(tags, parsed);
      else alert.raw_payload = parsed;
    } else if (column.name !== "id") alert[column.name] ??= value;
  }
  alert.tags = tags;
  return validateRecord(line, alert, now);
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function newlinesIn(fields: string[]): number {
  let count = 0;
  for (const field of fields) {
    for (let i = field.indexOf("\n"); i >= 0; i = field.indexOf("\n", i + 1)) count += 1;
  }
  return count;
}

/**
 * CRLF → LF before parsing: csv-parse counts a CRLF inside a quoted field as two lines, which would put
 * every later line number off by one.
 */
async function* withoutCarriageReturns(source: ByteSource): AsyncGenerator<Uint8Array> {
  let heldCr = false;
  for await (const chunk of source) {
    const bytes = toBytes(chunk);
    if (bytes.indexOf(0x0d) < 0 && !heldCr) {
      yield bytes;
      continue;
    }
    const out = new Uint8Array(bytes.length + 1);
    let n = 0;
    if (heldCr && bytes[0] !== 0x0a) out[n++] = 0x0d;
    heldCr = false;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i] as number;
      if (byte === 0x0d) {
        if (i === bytes.length - 1) heldCr = true;
        else if (bytes[i + 1] !== 0x0a) out[n++] = byte;
        continue;
      }
      out[n++] = byte;
    }
    yield out.subarray(0, n);
  }
  if (heldCr) yield new Uint8Array([0x0d]);
}
