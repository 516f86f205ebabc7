/**
 * `teleops import <file>`: parses the file here, streaming (flat memory for any size), sends valid alerts to
 * the server in batches, and prints what was read, imported, duplicated and rejected.
 */
import { createReadStream, type Stats } from "node:fs";
import { open, stat } from "node:fs/promises";
import { basename } from "node:path";
import { detectFormat, type ImportSink, type ImportTally, parseRecords, runImport } from "@teleops/core/importers";
import { IMPORT_BATCH_MAX, IMPORT_FORMATS, type ImportFormat, type LineError } from "@teleops/schema";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { CliError, createClient, type GlobalOptions } from "../client.ts";
import { note, printJson, printTable } from "../output.ts";

interface ImportOptions extends GlobalOptions {
  format?: string;
  dryRun?: boolean;
  tenant?: string;
  year?: number;
  batchSize: number;
}

/** Files bigger than this show a progress bar (on stderr): roughly a few thousand alert lines. */
const PROGRESS_MIN_BYTES = 512 * 1024;
const HEAD_BYTES = 8 * 1024;
/** Batches in flight at once: the server validates one while the database stores the other. */
const IN_FLIGHT_BATCHES = 2;

export function addImportCommand(program: Command, withGlobals: (command: Command) => Command): void {
  withGlobals(
    program
      .command("import")
      .description("validate and load alerts from a file (JSONL, CSV, syslog, Alertmanager), then correlate them")
      .argument("<file>", "the file to import")
      .option("--format <format>", `one of ${IMPORT_FORMATS.join(", ")} (default: from the name and content)`)
      .option("--dry-run", "parse and validate only; nothing is stored")
      .option("--tenant <tenant>", "expected tenant: refused unless it is your token's tenant (the default)")
      .option(
        "--year <yyyy>",
        "syslog: year of the first RFC 3164 timestamp (default: from the file's mtime)",
        yearOption,
      )
      .option("--batch-size <n>", `alerts per request (1–${IMPORT_BATCH_MAX})`, batchSizeOption, IMPORT_BATCH_MAX),
  ).action((file: string, opts: ImportOptions) => importFile(file, opts));
}

function yearOption(value: string): number {
  const year = Number(value);
  if (!Number.isInteger(year) || year < 1970 || year > 9999) {
    throw new CliError(`--year must be a four-digit year, got "${value}"`, 2);
  }
  return year;
}

function batchSizeOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > IMPORT_BATCH_MAX) {
    throw new CliError(`--batch-size must be a whole number from 1 to ${IMPORT_BATCH_MAX}, got "${value}"`, 2);
  }
  return n;
}

async function importFile(file: string, opts: ImportOptions): Promise<void> {
  const requested = opts.format?.trim().toLowerCase();
  if (requested !== undefined && !isFormat(requested)) {
    throw new CliError(`--format must be one of ${IMPORT_FORMATS.join(", ")}; got "${opts.format}"`, 2);
  }
  const { info, head } = await inspectFile(file);
  const format = requested ?? detectFormat(basename(file), head);
  if (!format) {
    throw new CliError(
      `cannot tell the format of ${file} from its name or first line; pass --format ${IMPORT_FORMATS.join("|")}`,
      2,
    );
  }

  if (!opts.json) note(`${opts.dryRun ? "checking" : "importing"} ${file} as ${format}…`);
  let bytesRead = 0;
  const counted = (async function* () {
    for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) {
      const bytes = chunk as Buffer;
      bytesRead += bytes.length;
      yield bytes;
    }
  })();
  const records = parseRecords(format, counted, { year: opts.year, referenceTime: info.mtimeMs });
  const progress = info.size >= PROGRESS_MIN_BYTES ? progressBar(info.size) : undefined;
  const onProgress = progress ? (tally: Readonly<ImportTally>) => progress.update(bytesRead, tally) : undefined;

  if (opts.dryRun) {
    const tally = await runImport(records, { onProgress }).finally(() => progress?.stop());
    return report(opts, {
      file,
      format,
      dry_run: true,
      read: tally.read,
      valid: tally.valid,
      imported: 0,
      duplicates: 0,
      rejected: tally.rejected,
      errors: tally.errors,
      incidents: [],
    });
  }

  const client = createClient(opts);
  const started = await client.imports.start.mutate({ fileName: basename(file), format, tenant: opts.tenant });
  // The server stores each batch already correlated, so the incidents grow while the file loads.
  const sink: ImportSink = {
    store: (batch) => client.imports.batch.mutate({ importId: started.id, tenant: opts.tenant, records: batch }),
  };
  let tally: ImportTally;
  try {
    tally = await runImport(records, { sink, batchSize: opts.batchSize, concurrency: IN_FLIGHT_BATCHES, onProgress });
  } catch (error) {
    progress?.stop();
    // Record the failure when the server is still there; the original error is what the operator needs.
    await client.imports.finish
      .mutate({
        importId: started.id,
        tenant: opts.tenant,
        read: 0,
        rejected: 0,
        errors: [],
        failure: error instanceof Error ? error.message.slice(0, 2_000) : String(error),
      })
      .catch(() => undefined);
    throw error;
  }
  progress?.stop();
  const summary = await client.imports.finish.mutate({
    importId: started.id,
    tenant: opts.tenant,
    read: tally.read,
    rejected: tally.parseRejected,
    errors: tally.parseErrors,
  });
  return report(opts, {
    file,
    format,
    dry_run: false,
    import_id: summary.id,
    tenant: summary.tenant,
    read: summary.read,
    valid: tally.valid,
    imported: summary.imported,
    duplicates: summary.duplicates,
    rejected: summary.rejected,
    errors: summary.errors,
    incidents: summary.incidents,
    resolved_history: summary.resolved_history ?? 0,
  });
}

interface ImportReport {
  file: string;
  format: ImportFormat;
  dry_run: boolean;
  import_id?: string;
  tenant?: string;
  read: number;
  valid: number;
  imported: number;
  duplicates: number;
  rejected: number;
  errors: LineError[];
  incidents: Array<{ id: string; alert_count: number }>;
  /** Of those incidents, how many were stored resolved: their last alert is older than the quiet period. */
  resolved_history?: number;
}

function report(opts: ImportOptions, result: ImportReport): void {
  if (opts.json) printJson(result);
  else {
    const verb = result.dry_run ? "would import" : "imported";
    const imported = result.dry_run ? result.valid : result.imported;
    process.stdout.write(
      `${result.file} (${result.format}): read ${result.read}, ${verb} ${imported}, duplicates ${result.duplicates}, rejected ${result.rejected}\n`,
    );
    if (result.errors.length > 0) {
      process.stdout.write("\nrejected records (first ones by line):\n");
      printTable(
        result.errors.slice(0, 20).map((e) => ({ line: e.line, reason: e.message })),
        ["line", "reason"],
      );
    }
    if (result.incidents.length > 0) {
      process.stdout.write("\nincidents formed or grown:\n");
      printTable(
        result.incidents.map((i) => ({ incident: i.id, alerts: i.alert_count })),
        ["incident", "alerts"],
      );
    }
    if (result.resolved_history) {
      process.stdout.write(
        `\n${result.resolved_history} of them stored resolved: history whose last alert is older than the quiet period\n`,
      );
    }
  }
  if (result.rejected > 0) {
    throw new CliError(`${result.rejected} of ${result.read} records rejected${opts.json ? "" : " (listed above)"}`, 1);
  }
}

/** Refuses, with one clear line, what is not an importable text file; returns the first bytes for detection. */
async function inspectFile(file: string): Promise<{ info: Stats; head: string }> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${fsReason(error)}`, 2);
  }
  if (info.isDirectory()) throw new CliError(`cannot import ${file}: it is a directory`, 2);
  if (info.size === 0) throw new CliError(`${file} is empty`, 2);
  let bytes: Buffer;
  try {
    const handle = await open(file, "r");
    try {
      const buffer = Buffer.alloc(Math.min(HEAD_BYTES, info.size));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      bytes = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${fsReason(error)}`, 2);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) throw new CliError(`${file} is gzip-compressed; decompress it first`, 2);
  if (bytes.includes(0)) {
    throw new CliError(`${file} looks like a binary file (it contains NUL bytes); TeleOps imports UTF-8 text`, 2);
  }
  const head = bytes.toString("utf8");
  if (info.size <= HEAD_BYTES && head.replace(/^\uFEFF/, "").trim() === "") throw new CliError(`${file} is empty`, 2);
  return { info, head };
}

function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a directory";
  return error instanceof Error ? error.message : String(error);
}

function isFormat(value: string): value is ImportFormat {
  return (IMPORT_FORMATS as readonly string[]).includes(value);
}

/** A byte-based bar on stderr with records, rate and ETA; cli-progress stays silent when stderr is no TTY. */
function progressBar(totalBytes: number) {
  const bar = new cliProgress.SingleBar(
    {
      format: "importing |{bar}| {percentage}% | {records} records | {rate}/s | ETA {eta_formatted}",
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  bar.start(totalBytes, 0, { records: 0, rate: 0 });
  return {
    update(bytes: number, tally: Readonly<ImportTally>) {
      const seconds = (performance.now() - started) / 1000;
      bar.update(bytes, { records: tally.read, rate: seconds > 0 ? Math.round(tally.read / seconds) : 0 });
    },
    stop() {
      bar.stop();
    },
  };
}
