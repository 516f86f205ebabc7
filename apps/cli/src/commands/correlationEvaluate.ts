/**
 * `teleops evaluate --correlation <file|dir>`: reads labelled streams, correlates each in this process (no
 * server) and prints the figures per stream and overall, against the targets of the correlation work.
 */
import { readFile, writeFile } from "node:fs/promises";
import {
  correlationReport,
  listCorrelationStreamFiles,
  readLabelledStream,
  type ScoredStream,
  scoreLabelledStream,
  streamNameOf,
} from "@teleops/core/evaluation/correlation";
import type { CorrelationEvaluation, CorrelationScore } from "@teleops/schema";
import { CliError, type GlobalOptions } from "../client.ts";
import { note, printJson, printTable } from "../output.ts";

interface CorrelationOptions extends GlobalOptions {
  labels?: string;
  synthetic?: number;
  out?: string;
}

const ERRORS_SHOWN = 20;

export async function evaluateCorrelation(path: string, opts: CorrelationOptions): Promise<void> {
  if (opts.labels !== undefined || opts.synthetic !== undefined) {
    throw new CliError("--correlation scores the correlator; it does not combine with --labels or --synthetic", 2);
  }
  let files: string[];
  try {
    files = await listCorrelationStreamFiles(path);
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error), 2);
  }
  if (files.length === 0) throw new CliError(`${path} holds no labelled streams (*.jsonl)`, 2);

  const scored: ScoredStream[] = [];
  let badLines = 0;
  for (const [index, file] of files.entries()) {
    if (files.length > 1) note(`[${index + 1}/${files.length}] ${file}`);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new CliError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, 2);
    }
    const stream = readLabelledStream(text, { name: streamNameOf(file) });
    for (const error of stream.errors.slice(0, ERRORS_SHOWN)) note(`${file}:${error.line}: ${error.message}`);
    if (stream.errors.length > ERRORS_SHOWN) note(`… and ${stream.errors.length - ERRORS_SHOWN} more bad lines`);
    badLines += stream.errors.length;
    scored.push(scoreLabelledStream(stream, file));
  }
  const report = correlationReport(scored);

  if (opts.out) {
    try {
      await writeFile(opts.out, `${JSON.stringify(report, null, 2)}\n`);
    } catch (error) {
      throw new CliError(`cannot write ${opts.out}: ${error instanceof Error ? error.message : String(error)}`, 2);
    }
    note(`report written to ${opts.out}`);
  }
  if (opts.json) printJson(report);
  else printCorrelationReport(report);
  if (badLines > 0) {
    const streams = report.streams.filter((s) => s.errors.length > 0).length;
    throw new CliError(`${badLines} lines in ${streams} of ${report.streams.length} streams could not be read`, 1);
  }
}

const fixed = (value: number | null, digits: number) => (value === null ? "-" : value.toFixed(digits));
const percent = (value: number | null) => (value === null ? "-" : `${(value * 100).toFixed(1)}%`);

function row(name: string, score: CorrelationScore): Record<string, string | number> {
  return {
    stream: name,
    alerts: score.alerts,
    truth: score.truth_incidents,
    found: score.incidents,
    p: fixed(score.precision, 3),
    r: fixed(score.recall, 3),
    f1: fixed(score.f1, 3),
    phantom: score.phantom,
    split: score.split_truths,
    merged: score.merged_truths,
    compression: fixed(score.compression, 1),
    unassigned: percent(score.unassigned_share),
  };
}

function printCorrelationReport(report: CorrelationEvaluation): void {
  printTable(
    [...report.streams.map((s) => row(s.name, s)), row("overall (micro)", report.overall)],
    ["stream", "alerts", "truth", "found", "p", "r", "f1", "phantom", "split", "merged", "compression", "unassigned"],
  );
  const { targets } = report;
  const worst = report.overall.worst_stream;
  if (worst) {
    process.stdout.write(
      `\nmean F1 over streams: ${fixed(report.overall.macro_f1, 3)}; worst stream: ${worst.name} (F1 ${worst.f1.toFixed(3)})\n`,
    );
  }
  process.stdout.write(
    `targets (every stream): F1 >= ${targets.f1}, incidents within ±${targets.incident_count_tolerance * 100}% of truth, phantom <= ${targets.phantom_share * 100}% of incidents: ${targets.met ? "met" : "NOT met"}\n`,
  );
  for (const failure of targets.failures) process.stdout.write(`  - ${failure}\n`);
}
