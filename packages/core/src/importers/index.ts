/** Streaming importers: files (JSONL, CSV, syslog, Alertmanager) to canonical alerts, with line-numbered rejects. */
export { parseAlertmanager } from "./alertmanager.ts";
export { parseCsv } from "./csv.ts";
export { detectFormat } from "./detect.ts";
export { type JsonElement, readJsonElements } from "./jsonElements.ts";
export { parseJsonl } from "./jsonl.ts";
export { type ByteSource, MAX_LINE_BYTES, readLines, type SourceLine } from "./lines.ts";
export {
  firstErrors,
  type ImportSink,
  type ImportTally,
  type ParseOptions,
  parseRecords,
  type RunImportOptions,
  runImport,
  type ValidRecord,
} from "./run.ts";
export {
  MNEMONIC_RULES,
  parseSyslog,
  parseSyslogLine,
  SYSLOG_SEVERITY_MAP,
  type SyslogOptions,
  YearResolver,
} from "./syslog.ts";
export { type ImportRecord, isRejected, MAX_FUTURE_SKEW_MS, validateRecord } from "./validate.ts";
