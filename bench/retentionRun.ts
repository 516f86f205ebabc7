/**
 * Runs bench/retention.ts in a process of its own (it makes and drops a throwaway database) and reads the one JSON
 * line it prints.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { RetentionRun } from "./report.ts";

const SCRIPT = fileURLToPath(new URL("./retention.ts", import.meta.url));

export function benchRetention(databaseUrl: string, rows: number): RetentionRun {
  const output = execFileSync(process.execPath, ["--import", "tsx", SCRIPT, String(rows)], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 16 * 1024 * 1024,
  });
  const last = output.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as RetentionRun;
}
