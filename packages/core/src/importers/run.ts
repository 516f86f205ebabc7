/**
 * The import loop shared by the CLI and the server: parse a file's records, send the valid ones in batches to
 * a sink (the server, or nothing for a dry run) and tally what was read, stored, duplicated and rejected.
 */
import {
  type AlertDraft,
  IMPORT_ERRORS_KEPT,
  type ImportBatchResult,
  type ImportFormat,
  type LineError,
} from "@teleops/schema";
import { parseAlertmanager } from "./alertmanager.ts";
import { parseCsv } from "./csv.ts";
import { parseJsonl } from "./jsonl.ts";
import type { ByteSource } from "./lines.ts";
import { parseSyslog } from "./syslog.ts";
import type { ImportRecord } from "./validate.ts";

export interface ParseOptions {
  now?: number;
  /** Syslog: year of the first RFC 3164 timestamp. */
  year?: number;
  /** Syslog: the file's modification time (ms), for the year when `year` is not given. */
  referenceTime?: number;
}

export function parseRecords(
  format: ImportFormat,
  source: ByteSource,
  options: ParseOptions = {},
): AsyncGenerator<ImportRecord> {
  switch (format) {
    case "jsonl":
      return parseJsonl(source, options);
    case "csv":
      return parseCsv(source, options);
    case "syslog":
      return parseSyslog(source, options);
    case "alertmanager":
      return parseAlertmanager(source, options);
  }
}

export interface ValidRecord {
  line: number;
  alert: AlertDraft;
}

/** Where valid records go: `store` answers once the batch is committed. */
export interface ImportSink {
  store(records: ValidRecord[]): Promise<ImportBatchResult>;
}

export interface ImportTally {
  read: number;
  valid: number;
  imported: number;
  duplicates: number;
  rejected: number;
  /** The first rejected records by line (at most 100). */
  errors: LineError[];
  /** Of `rejected`, those refused while parsing here (the rest the sink refused): what `finish` reports. */
  parseRejected: number;
  parseErrors: LineError[];
}

export interface RunImportOptions {
  /** No sink: a dry run that only parses and validates. */
  sink?: ImportSink;
  batchSize?: number;
  /** Batches sent before the first answer is awaited (default 1). */
  concurrency?: number;
  /** Called after each record is read and after each batch is stored. */
  onProgress?: (tally: Readonly<ImportTally>) => void;
}

export async function runImport(
  records: AsyncIterable<ImportRecord>,
  options: RunImportOptions = {},
): Promise<ImportTally> {
  const batchSize = options.batchSize ?? 1_000;
  const tally: ImportTally = {
    read: 0,
    valid: 0,
    imported: 0,
    duplicates: 0,
    rejected: 0,
    errors: [],
    parseRejected: 0,
    parseErrors: [],
  };
  const reject = (error: LineError) => {
    tally.rejected += 1;
    tally.errors = keep(tally.errors, error);
  };
  let batch: ValidRecord[] = [];
  // Batches are stored while the next ones are parsed: client, server and database work at the same time.
  const maxInFlight = Math.max(1, options.concurrency ?? 1);
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const flush = async () => {
    if (batch.length === 0 || !options.sink) return;
    const sending = batch;
    batch = [];
    const sink = options.sink;
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    if (failure) throw failure.error;
    const pending: Promise<void> = sink
      .store(sending)
      .then((result) => {
        tally.imported += result.imported;
        tally.duplicates += result.duplicates;
        for (const error of result.rejected) reject(error);
        options.onProgress?.(tally);
      })
      // Kept, not thrown here: a failure while the next batch is parsed must not be an unhandled rejection.
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(pending));
    inFlight.add(pending);
  };

  for await (const record of records) {
    tally.read += 1;
    if ("error" in record) {
      const error = { line: record.line, message: record.error };
      reject(error);
      tally.parseRejected += 1;
      tally.parseErrors = keep(tally.parseErrors, error);
    } else {
      tally.valid += 1;
      if (options.sink) batch.push({ line: record.line, alert: record.alert });
      if (batch.length >= batchSize) await flush();
    }
    if (options.onProgress && tally.read % 1_000 === 0) options.onProgress(tally);
  }
  await flush();
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  tally.errors = firstErrors(tally.errors);
  tally.parseErrors = firstErrors(tally.parseErrors);
  options.onProgress?.(tally);
  return tally;
}

/** Appends while short; past twice the kept number, trims back to the first ones so memory stays bounded. */
function keep(errors: LineError[], error: LineError): LineError[] {
  errors.push(error);
  return errors.length > IMPORT_ERRORS_KEPT * 2 ? firstErrors(errors) : errors;
}

export function firstErrors(errors: readonly LineError[]): LineError[] {
  return [...errors].sort((a, b) => a.line - b.line).slice(0, IMPORT_ERRORS_KEPT);
}
