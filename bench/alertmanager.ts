/**
 * A real Prometheus Alertmanager (the Debian `prometheus-alertmanager` binary) on a loopback port, as the
 * reference point of the ingest benchmark: in memory, one node, a receiver that sends nothing anywhere.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./process.ts";

const BINARY = "/usr/bin/prometheus-alertmanager";

/** Route everything to a receiver with no integrations: Alertmanager keeps the alerts and notifies no one. */
const CONFIG = `route:
  receiver: "null"
  group_by: ["alertname", "site"]
receivers:
  - name: "null"
`;

export interface RunningAlertmanager {
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

export function alertmanagerVersion(): string | null {
  if (!existsSync(BINARY)) return null;
  try {
    const out = execFileSync(BINARY, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return /version (\S+)/.exec(out)?.[1] ?? out.split("\n")[0] ?? null;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    return /version (\S+)/.exec(stderr)?.[1] ?? null;
  }
}

export async function startAlertmanager(): Promise<RunningAlertmanager | null> {
  if (!existsSync(BINARY)) return null;
  const dir = mkdtempSync(join(tmpdir(), "teleops-bench-am-"));
  const config = join(dir, "alertmanager.yml");
  writeFileSync(config, CONFIG);
  const port = await freePort();
  const child: ChildProcess = spawn(
    BINARY,
    [
      `--config.file=${config}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // An empty cluster address turns gossip off: a single node, as most benchmarks of it run.
      "--cluster.listen-address=",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const url = `http://127.0.0.1:${port}`;
  let ready = false;
  for (let i = 0; i < 300 && !ready; i++) {
    if (child.exitCode !== null) throw new Error(`alertmanager exited with ${child.exitCode}`);
    try {
      ready = (await fetch(`${url}/-/ready`)).ok;
    } catch {
      // not listening yet
    }
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!ready) throw new Error("alertmanager did not become ready within 30 s");
  return {
    url,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once("exit", done);
        child.kill("SIGTERM");
      }),
  };
}
