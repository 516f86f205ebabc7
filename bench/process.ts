/**
 * Processes a benchmark starts and watches: a TeleOps server (`node --import tsx apps/server/src/main.ts`), a
 * throwaway PostgreSQL database or PGlite directory for it, free ports, and resident memory read from /proc.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SERVER_MAIN = join(ROOT, "apps/server/src/main.ts");

export const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function statusKib(pid: number | undefined, field: "VmRSS" | "VmHWM"): number {
  if (pid === undefined) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Current resident memory of a process in MiB; Linux only, 0 elsewhere. */
export function rssMib(pid: number | undefined): number {
  return Math.round(statusKib(pid, "VmRSS") / 1024);
}

/** Peak resident memory (VmHWM) of a process in MiB; Linux only, 0 elsewhere. */
export function peakRssMib(pid: number | undefined): number {
  return Math.round(statusKib(pid, "VmHWM") / 1024);
}

/** Polls a process's peak memory while it runs (VmHWM vanishes with the process). */
export function watchPeak(child: ChildProcess): { peak(): number; stop(): void } {
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, peakRssMib(child.pid));
  }, 100);
  return {
    peak: () => Math.max(peak, peakRssMib(child.pid)),
    stop: () => clearInterval(timer),
  };
}

/** RSS samples of a process at a fixed interval, each with the seconds since sampling began. */
export function sampleRss(pid: number | undefined, everyMs: number): { samples: RssSample[]; stop(): RssSample[] } {
  const samples: RssSample[] = [];
  const t0 = performance.now();
  const take = () => samples.push({ s: Math.round((performance.now() - t0) / 100) / 10, rss_mib: rssMib(pid) });
  take();
  const timer = setInterval(take, everyMs);
  return {
    samples,
    stop: () => {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

export interface RssSample {
  s: number;
  rss_mib: number;
}

export interface TeleopsProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts the server as an operator would, waits for `/readyz`, and stops it with SIGTERM. One process
 * (`TELEOPS_WORKERS=1`) unless `env` asks for more, so figures compare across runs and machines and RSS is the
 * server's own; a cell that measures several workers says so.
 */
export async function startTeleops(env: Record<string, string>): Promise<TeleopsProcess> {
  const port = await freePort();
  // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server under load.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter((arg) => arg !== "");
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", SERVER_MAIN], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "warn", TELEOPS_WORKERS: "1", ...env, PORT: String(port), HOST: "127.0.0.1" },
    // The server logs JSON lines (warnings and errors at LOG_LEVEL=warn) to stdout; they go to the console.
    stdio: ["ignore", "pipe", "inherit"],
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.trim() !== "" && !line.includes("no TELEOPS_USERS_FILE")) process.stderr.write(`server: ${line}\n`);
    }
  });
  const url = `http://127.0.0.1:${port}`;
  let ready = false;
  for (let i = 0; i < 600 && !ready; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      ready = (await fetch(`${url}/readyz`)).ok;
    } catch {
      // not listening yet
    }
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!ready) {
    // Not left running behind the caller, who gets no handle to stop it.
    child.kill("SIGTERM");
    throw new Error("server did not become ready within 60 s");
  }
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export interface BenchDatabase {
  kind: "pglite" | "postgres";
  /** What the server process needs in its environment to use this database. */
  env: Record<string, string>;
  /** Connection URL (PostgreSQL only), for the benchmark's own queries. */
  url: string | undefined;
  drop(): Promise<void>;
  /** Leaves the database in place (to be looked at after the run) and lets go of it. */
  keep(): Promise<void>;
}

/** A fresh database: a new PostgreSQL database on the server at `adminUrl`, or an empty PGlite directory. */
export async function freshDatabase(
  kind: "pglite" | "postgres",
  adminUrl: string | undefined,
  label: string,
): Promise<BenchDatabase> {
  if (kind === "pglite") {
    const dir = mkdtempSync(join(tmpdir(), `teleops-bench-${label}-`));
    return {
      kind,
      env: { TELEOPS_DATA_DIR: dir },
      url: undefined,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
      keep: async () => {},
    };
  }
  if (!adminUrl) throw new Error("PostgreSQL needs BENCH_DATABASE_URL or TEST_DATABASE_URL");
  const name = `teleops_bench_${label}_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  const target = new URL(adminUrl);
  target.pathname = `/${name}`;
  return {
    kind,
    env: { DATABASE_URL: target.toString() },
    url: target.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
    keep: () => admin.end(),
  };
}

export async function postgresVersion(url: string | undefined): Promise<string | null> {
  if (!url) return null;
  const probe = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return String((await probe`show server_version`)[0]?.server_version ?? "");
  } finally {
    await probe.end();
  }
}

/**
 * Stands in for autovacuum when the server has it off: `VACUUM (ANALYZE)` in the background each time the
 * alerts table has grown by a fifth (autovacuum's default scale factor) since the last one. Off when autovacuum
 * is on or the database is PGlite.
 */
export function vacuumStandIn(url: string | undefined, autovacuum: string | null) {
  if (!url || autovacuum !== "off") return { onStored: (_: number) => {}, runs: () => 0, finish: async () => {} };
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  let running: Promise<void> | null = null;
  let lastAt = 0;
  let runs = 0;
  return {
    onStored(stored: number) {
      if (running || stored - lastAt < Math.max(50_000, lastAt * 0.2)) return;
      lastAt = stored;
      runs += 1;
      running = (async () => {
        await sql`vacuum (analyze) alerts`;
        await sql`vacuum (analyze) incidents`;
      })().finally(() => {
        running = null;
      });
    },
    runs: () => runs,
    async finish() {
      await running;
      await sql.end();
    },
  };
}

export async function autovacuumSetting(url: string | undefined): Promise<string | null> {
  if (!url) return null;
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return String((await sql`show autovacuum`)[0]?.autovacuum ?? "");
  } finally {
    await sql.end();
  }
}
