/**
 * Writes the role × procedure matrix of `docs/security/access_control.md` from the router's metadata
 * (`pnpm docs:access`); with `--check` it only says whether the document is current (exit 1 when not).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { withAccessMatrix } from "@teleops/api";

const DOCUMENT = fileURLToPath(new URL("../docs/security/access_control.md", import.meta.url));

const current = readFileSync(DOCUMENT, "utf8");
const generated = withAccessMatrix(current);
if (process.argv.includes("--check")) {
  if (generated !== current) {
    process.stderr.write("docs/security/access_control.md is out of date: run `pnpm docs:access`\n");
    process.exit(1);
  }
  process.stdout.write("docs/security/access_control.md matches the router\n");
} else {
  writeFileSync(DOCUMENT, generated);
  process.stdout.write(`wrote ${DOCUMENT}\n`);
}
