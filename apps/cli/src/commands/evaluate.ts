/**
 * `teleops evaluate`: scores the RCA engines against a label file (checked here first, with line numbers), the
 * server's shipped manual set, or generated scenarios, and prints the contract's evaluation report. With
 * `--correlation` it scores the correlator on labelled streams instead, locally (see correlationEvaluate.ts).
 */
import { readFile, stat, writeFile } from "node:fs/promises";
import { parseLabelFile } from "@teleops/core/evaluation/labels";
import { createRedactor } from "@teleops/core/redaction";
import {
  EVALUATION_ENGINES,
  type EvaluationEngineChoice,
  type EvaluationReport,
  LABEL_CASES_MAX_BYTES,
  SYNTHETIC_CASES_MAX,
} from "@teleops/schema";
import type { Command } from "commander";
import { CliError, createClient, type GlobalOptions } from "../client.ts";
import { note, printJson, printTable } from "../output.ts";
import { evaluateCorrelation } from "./correlationEvaluate.ts";

interface EvaluateOptions extends GlobalOptions {
  labels?: string;
  engine: string;
  out?: string;
  synthetic?: number;
  seed?: number;
  correlation?: string;
}

const ERRORS_SHOWN = 20;

export function addEvaluateCommand(program: Command, withGlobals: (command: Command) => Command): void {
  withGlobals(
    program
      .command("evaluate")
      .description("score the RCA engines against labelled incidents (default: the server's shipped manual set)")
      .option("--labels <file>", "a JSONL label file (validated here before it is sent)")
      .option(
        "--engine <engine>",
        `one of ${EVALUATION_ENGINES.join(", ")}; an unconfigured engine reports null`,
        "all",
      )
      .option("--out <file>", "also write the report (JSON) to this file")
      .option(
        "--synthetic <n>",
        `score N generated scenarios over every category instead (1–${SYNTHETIC_CASES_MAX})`,
        countOption,
      )
      .option("--seed <n>", "synthetic mode: first seed (default 1)", seedOption)
      .option(
        "--correlation <file|dir>",
        "score the correlator on labelled streams instead (a .jsonl stream or a directory of them); runs locally",
      ),
  ).action((opts: EvaluateOptions) =>
    opts.correlation === undefined ? evaluate(opts) : evaluateCorrelation(opts.correlation, opts),
  );
}

function countOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > SYNTHETIC_CASES_MAX) {
    throw new CliError(`--synthetic must be a whole number from 1 to ${SYNTHETIC_CASES_MAX}, got "${value}"`, 2);
  }
  return n;
}

function seedOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 1_000_000) {
    throw new CliError(`--seed must be a whole number from 0 to 1000000, got "${value}"`, 2);
  }
  return n;
}

function engineOption(value: string): EvaluationEngineChoice {
  const engine = EVALUATION_ENGINES.find((e) => e === value.trim().toLowerCase());
  if (!engine) throw new CliError(`--engine must be one of ${EVALUATION_ENGINES.join(", ")}; got "${value}"`, 2);
  return engine;
}

/** Reads and validates the label file; any bad line stops the command before anything is sent. */
async function readLabels(file: string) {
  let size: number;
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new CliError(`cannot read ${file}: it is a directory`, 2);
    size = info.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    throw new CliError(`cannot read ${file}: ${code === "ENOENT" ? "no such file" : String(error)}`, 2);
  }
  if (size > LABEL_CASES_MAX_BYTES) {
    throw new CliError(`${file} is ${(size / 1024 / 1024).toFixed(1)} MB; the limit is 5 MB, split it`, 2);
  }
  const parsed = parseLabelFile(await readFile(file, "utf8"));
  if (parsed.errors.length > 0) {
    for (const error of parsed.errors.slice(0, ERRORS_SHOWN)) note(`${file}:${error.line}: ${error.message}`);
    if (parsed.errors.length > ERRORS_SHOWN) note(`… and ${parsed.errors.length - ERRORS_SHOWN} more bad lines`);
    throw new CliError(`${file}: ${parsed.errors.length} of ${parsed.read} lines are not valid label cases`, 2);
  }
  if (parsed.cases.length === 0) throw new CliError(`${file} holds no label cases`, 2);
  return parsed.cases;
}

async function evaluate(opts: EvaluateOptions): Promise<void> {
  const engine = engineOption(opts.engine);
  if (opts.labels && opts.synthetic !== undefined)
    throw new CliError("use either --labels or --synthetic, not both", 2);
  if (opts.seed !== undefined && opts.synthetic === undefined)
    throw new CliError("--seed only applies with --synthetic", 2);
  const cases = opts.labels ? await readLabels(opts.labels) : undefined;

  const what = cases
    ? `${cases.length} cases from ${opts.labels}`
    : opts.synthetic !== undefined
      ? `${opts.synthetic} generated scenarios`
      : "the server's manual label set";
  note(`scoring ${engine === "all" ? "every engine" : `the ${engine} engine`} on ${what}…`);
  const { run, report } = await createClient(opts).evaluation.run.mutate({
    source: cases ? "cases" : opts.synthetic !== undefined ? "synthetic" : "manual",
    engine,
    // Spread into plain objects: the wire schema accepts extra alert fields, the AlertDraft interface does not say so.
    ...(cases
      ? { cases: cases.map((c) => ({ ...c, alerts: c.alerts?.map((a) => ({ ...a })) })), labelsFile: opts.labels }
      : {}),
    ...(opts.synthetic !== undefined ? { synthetic: opts.synthetic, seed: opts.seed } : {}),
  });
  for (const reason of run.notes) note(reason);
  note(`run ${run.id} stored (${run.duration_ms} ms)`);

  if (opts.out) {
    try {
      // The file leaves the system's access control, so addresses and tenant ids are redacted first.
      await writeFile(opts.out, `${JSON.stringify(createRedactor().redactValue(report), null, 2)}\n`);
    } catch (error) {
      throw new CliError(`cannot write ${opts.out}: ${error instanceof Error ? error.message : String(error)}`, 2);
    }
    note(`report written to ${opts.out}`);
  }
  if (opts.json) return printJson(report);
  printReport(report);
}

function pct(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

function printReport(report: EvaluationReport): void {
  process.stdout.write(`${report.labels_file}: ${report.cases} cases\n\n`);
  const engines = (["baseline", "llm"] as const).map((name) => ({ name, result: report.engines[name] }));
  printTable(
    engines.map(
      ({ name, result }): Record<string, string | number> =>
        result
          ? {
              engine: name,
              mean_score: result.mean_score.toFixed(3),
              category: pct(result.category_accuracy),
              component: pct(result.component_accuracy),
              top3: pct(result.top3_category_accuracy),
              wrong_confident: result.wrong_but_confident,
              ece: result.ece.toFixed(3),
            }
          : { engine: name, mean_score: "null (not run or not configured)" },
    ),
    ["engine", "mean_score", "category", "component", "top3", "wrong_confident", "ece"],
  );
  if (report.label_sets && report.label_sets.length > 1) {
    process.stdout.write("\nlabel sets (ece_cv: calibration cross-validated, never fitted on the case it scores)\n");
    printTable(
      report.label_sets.flatMap((set) =>
        (["baseline", "llm"] as const).flatMap((name) => {
          const r = set.engines[name];
          return r
            ? [
                {
                  set: set.name,
                  engine: name,
                  cases: r.cases,
                  mean_score: r.mean_score.toFixed(3),
                  component: pct(r.component_accuracy),
                  ece: r.ece.toFixed(3),
                  ece_cv: r.ece_cv?.toFixed(3) ?? "-",
                  brier: r.brier?.toFixed(3) ?? "-",
                },
              ]
            : [];
        }),
      ),
      ["set", "engine", "cases", "mean_score", "component", "ece", "ece_cv", "brier"],
    );
  }
  for (const { name, result } of engines) {
    const misses = result?.per_case.filter((c) => c.score < 1) ?? [];
    if (misses.length === 0) continue;
    process.stdout.write(`\n${name}: cases below 1.0\n`);
    printTable(
      misses.map((c) => ({
        case: c.case_id,
        score: c.score.toFixed(1),
        category: c.category ?? "-",
        component: c.root_component ?? "-",
        confidence: c.confidence.toFixed(2),
      })),
      ["case", "score", "category", "component", "confidence"],
    );
  }
}
