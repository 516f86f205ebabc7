// `pnpm bench [--quick]`: the server-side suite, then the SPA budgets, each given the same flags.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
for (const script of ["bench/run.ts", "apps/web/e2e/budgets.ts"]) {
  const run = spawnSync(process.execPath, ["--import", "tsx", script, ...args], { cwd: root, stdio: "inherit" });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
