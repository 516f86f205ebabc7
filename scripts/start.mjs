// `pnpm start`: build the SPA if it is missing, then run the server on the embedded database by default.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const pnpm = process.env.npm_execpath ?? "pnpm";

if (!existsSync(`${root}apps/web/dist/index.html`)) {
  process.stderr.write("building the web UI (first start only)…\n");
  const build = spawnSync(process.execPath, [pnpm, "--filter", "@teleops/web", "build"], {
    cwd: root,
    stdio: "inherit",
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const server = spawn(process.execPath, ["--import", "tsx", `${root}apps/server/src/main.ts`], {
  cwd: root,
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
