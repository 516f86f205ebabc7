/**
 * Refits the RCA confidence calibration (`packages/core/src/rca/calibration.json`) on the shipped label sets:
 * the baseline runs with raw scores on the manual and vendor-wording sets, Platt scaling of "top category right" on
 * the raw top score's log-odds is fitted on all their cases, and 5-fold cross-validated ECE and Brier (the same
 * method refitted per fold, in `evaluateLabelSets`) are recorded beside it. Run with `pnpm calibration:fit` after the engine or the labels change; `--check` only reports whether
 * the stored curve is the one the current engine and labels give.
 *
 * The LLM engine has no curve (`null`, raw scores): no endpoint is reachable here to measure it. The evaluation
 * still reports its cross-validated figures for any run in which it answered.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fitCalibration } from "../packages/core/src/evaluation/calibration.ts";
import { MANUAL_LABELS_NAME, VENDOR_LABELS_NAME } from "../packages/core/src/evaluation/labels.ts";
import { evaluateLabelSets } from "../packages/core/src/evaluation/run.ts";
import { manualLabels, vendorLabels } from "../packages/core/src/evaluation/store.ts";
import { CALIBRATION_PATH, type CalibrationFile } from "../packages/core/src/rca/calibration.ts";
import { loadRunbookIndex } from "../packages/core/src/rca/retrieval.ts";

const sets = [
  { name: "manual", labels_file: MANUAL_LABELS_NAME, cases: manualLabels() },
  { name: "vendor", labels_file: VENDOR_LABELS_NAME, cases: vendorLabels() },
];
const scored = await evaluateLabelSets(sets, "baseline", { runbooks: loadRunbookIndex(), calibration: null });
const results = scored.sets.flatMap((set) => set.engines.baseline?.per_case ?? []);
const curve = fitCalibration(
  results.map((r) => ({ confidence: r.raw_confidence ?? r.confidence, correct: r.category_correct })),
);

const crossValidation: Record<string, unknown> = { folds: 5, pooled_over: sets.map((s) => s.name) };
for (const set of scored.sets) {
  const b = set.engines.baseline;
  crossValidation[set.name] = {
    ece_raw: b?.ece_raw,
    brier_raw: b?.brier_raw,
    ece_cv: b?.ece_cv,
    brier_cv: b?.brier_cv,
  };
}
const file: CalibrationFile = {
  version: 1,
  target: "the top hypothesis's category is right (a refinement of the label's category counts)",
  fitted_at: new Date().toISOString().slice(0, 10),
  refit: "pnpm calibration:fit (scripts/fit-calibration.ts)",
  fitted_on: sets.map((s) => ({ name: s.labels_file, cases: s.cases.length })),
  cross_validation: crossValidation,
  engines: { baseline: curve, llm: null },
};

if (process.argv.includes("--check")) {
  const stored = JSON.parse(readFileSync(CALIBRATION_PATH, "utf8")) as CalibrationFile;
  const same = JSON.stringify(stored.engines) === JSON.stringify(file.engines);
  process.stderr.write(
    same ? "calibration.json is up to date\n" : "calibration.json is stale: run pnpm calibration:fit\n",
  );
  process.exit(same ? 0 : 1);
}
writeFileSync(CALIBRATION_PATH, `${JSON.stringify(file, null, 2)}\n`);
// The repository's formatter (Biome, checked by `pnpm lint`) lays short arrays out on one line.
execFileSync("npx", ["biome", "format", "--write", CALIBRATION_PATH], { stdio: "ignore" });
process.stderr.write(`${JSON.stringify(crossValidation)}\nwrote ${CALIBRATION_PATH} (${JSON.stringify(curve)})\n`);
