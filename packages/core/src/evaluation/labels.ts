/**
 * Label files (JSONL, one case per line): parsing with line-numbered errors, and the shipped manual set. Pure
 * apart from `loadLabelFile`, so the CLI can validate a file before it sends anything.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type LabelCase, type LineError, labelCaseSchema } from "@teleops/schema";

/** `fixtures/evaluation/manual_labels.jsonl` at the repository root, found from this file. */
export const MANUAL_LABELS_PATH = fileURLToPath(
  new URL("../../../../fixtures/evaluation/manual_labels.jsonl", import.meta.url),
);
/** How the report names the shipped set. */
export const MANUAL_LABELS_NAME = "fixtures/evaluation/manual_labels.jsonl";
/** The labelled cases in real vendor wording (`fixtures/evaluation/vendor_cases.ts`, built by `pnpm labels:vendor`). */
export const VENDOR_LABELS_PATH = fileURLToPath(
  new URL("../../../../fixtures/evaluation/vendor_labels.jsonl", import.meta.url),
);
export const VENDOR_LABELS_NAME = "fixtures/evaluation/vendor_labels.jsonl";

export interface LabelFileParse {
  /** Non-blank lines read. */
  read: number;
  cases: LabelCase[];
  errors: LineError[];
}

function issuesText(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .slice(0, 5)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.map(String).join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

/** Parses a label file; every bad line is reported with its 1-based line number and the reason, the rest still parse. */
export function parseLabelFile(text: string): LabelFileParse {
  const cases: LabelCase[] = [];
  const errors: LineError[] = [];
  const seen = new Map<string, number>();
  let read = 0;
  text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .forEach((raw, index) => {
      const line = index + 1;
      if (raw.trim() === "") return;
      read += 1;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (error) {
        errors.push({ line, message: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` });
        return;
      }
      const parsed = labelCaseSchema.safeParse(value);
      if (!parsed.success) {
        errors.push({ line, message: issuesText(parsed.error.issues) });
        return;
      }
      const firstLine = seen.get(parsed.data.case_id);
      if (firstLine !== undefined) {
        errors.push({ line, message: `case_id ${parsed.data.case_id} already used on line ${firstLine}` });
        return;
      }
      seen.set(parsed.data.case_id, line);
      cases.push(parsed.data);
    });
  return { read, cases, errors };
}

/** Reads and parses a label file from disk. */
export function loadLabelFile(path: string): LabelFileParse {
  return parseLabelFile(readFileSync(path, "utf8"));
}
