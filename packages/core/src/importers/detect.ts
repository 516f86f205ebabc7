/** Guesses a file's import format from its name, then from its first bytes; `--format` overrides both. */
import type { ImportFormat } from "@teleops/schema";

const BY_EXTENSION: Readonly<Record<string, ImportFormat>> = {
  jsonl: "jsonl",
  ndjson: "jsonl",
  csv: "csv",
  log: "syslog",
  syslog: "syslog",
};

const SYSLOG_START = /^(<\d{1,3}>|[A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2} )/;

/**
 * `head` is the start of the file (a few KiB is plenty). A `.json` file is an Alertmanager document unless its
 * first line is a whole canonical alert, i.e. JSON Lines under another name.
 */
export function detectFormat(fileName: string, head: string): ImportFormat | undefined {
  const extension = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? "";
  const known = BY_EXTENSION[extension];
  if (known) return known;
  const text = head.replace(/^\uFEFF/, "");
  const firstLine =
    text
      .split(/\r?\n/)
      .find((l) => l.trim() !== "")
      ?.trim() ?? "";
  if (firstLine === "") return undefined;
  if (SYSLOG_START.test(firstLine)) return "syslog";
  if (firstLine.startsWith("[")) return "alertmanager";
  if (firstLine.startsWith("{")) {
    const object = parseObject(firstLine);
    if (!object) return "alertmanager"; // a pretty-printed document: its first line is not a whole object
    return "labels" in object || "alerts" in object ? "alertmanager" : "jsonl";
  }
  if (extension === "json") return "alertmanager";
  if (/^[\w"@. -]+(,[\w"@. -]+)+$/.test(firstLine)) return "csv";
  return undefined;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
