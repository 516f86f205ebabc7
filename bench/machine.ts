/** Describes the machine a benchmark ran on, so numbers are never read without their context. */
import { execFileSync } from "node:child_process";
import os from "node:os";

export interface MachineInfo {
  cpus: number;
  cpu_model: string;
  memory_gib: number;
  node: string;
  platform: string;
  postgres: string | null;
  date: string;
}

export function machineInfo(postgresVersion: string | null): MachineInfo {
  return {
    cpus: os.availableParallelism(),
    cpu_model: os.cpus()[0]?.model ?? "unknown",
    memory_gib: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    postgres: postgresVersion,
    date: new Date().toISOString(),
  };
}

export function gitRevision(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? 0;
}
