/** JSON Lines: one canonical alert per line (the contract's field names); blank lines are skipped. */
import { type ByteSource, readLines } from "./lines.ts";
import { clip, type ImportRecord, validateRecord } from "./validate.ts";

export async function* parseJsonl(source: ByteSource, options: { now?: number } = {}): AsyncGenerator<ImportRecord> {
  const now = options.now ?? Date.now();
  for await (const item of readLines(source)) {
    if ("error" in item) {
      yield item;
      continue;
    }
    const text = item.text.trim();
    if (text === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield {
        line: item.line,
        error: `not valid JSON: ${clip(error instanceof Error ? error.message : String(error), 200)}`,
      };
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      yield { line: item.line, error: "expected one JSON object (an alert) on the line" };
      continue;
    }
    yield validateRecord(item.line, value, now);
  }
}
