/**
 * Throwaway PostgreSQL clusters for tests and benchmarks: a primary initdb'd in a temp dir on a free port, and a
 * streaming standby cloned from it with `pg_basebackup -R`. Stopping the shared server would break every other
 * test, so fault and replica tests run on clusters of their own.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PG_ROOT = "/usr/lib/postgresql";

/** The newest installed PostgreSQL's bin directory (Debian layout), or undefined when there is none. */
export const pgBin: string | undefined = existsSync(PG_ROOT)
  ? readdirSync(PG_ROOT)
      .sort((a, b) => Number(a) - Number(b))
      .map((version) => join(PG_ROOT, version, "bin"))
      .filter((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_basebackup")))
      .pop()
  : undefined;

/** Runs a PostgreSQL tool, as the postgres user when we are root (initdb and postgres refuse root). */
export function runPgTool(tool: string, args: string[]): string {
  const binary = join(pgBin ?? "", tool);
  if (process.getuid?.() === 0) {
    const quoted = [binary, ...args].map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(" ");
    return execFileSync("su", ["postgres", "-c", quoted], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  }
  return execFileSync(binary, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** A loopback port nobody listens on right now. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port")),
      );
    });
  });
}

export interface ThrowawayCluster {
  port: number;
  dataDir: string;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` (trust authentication). */
  url(database?: string): string;
  start(): void;
  /** `immediate` is a crash as far as clients can tell; `fast` is a clean shutdown. */
  stop(mode?: "immediate" | "fast"): void;
}

export interface ThrowawayPair {
  primary: ThrowawayCluster;
  /** Unset when the pair was made without one (`withStandby: false`). */
  standby: ThrowawayCluster | undefined;
  /** Stops both servers and removes every file. */
  remove(): void;
}

/**
 * Initialises and starts a primary (`wal_level=replica`, replication connections trusted from loopback) and,
 * unless `withStandby` is false, a hot standby streaming from it. Each runs on its own free port.
 */
export async function startThrowawayPair(
  options: {
    withStandby?: boolean;
    /** fsync as a real server does (benchmarks); default off, which tests do not need and which is faster. */
    durable?: boolean;
  } = {},
): Promise<ThrowawayPair> {
  if (!pgBin) throw new Error(`no PostgreSQL binaries under ${PG_ROOT}`);
  const dir = mkdtempSync(join(tmpdir(), "teleops-pg-"));
  // The postgres user (when we run as root) must be able to create the data directories in here.
  chmodSync(dir, 0o777);
  const clusters: ThrowawayCluster[] = [];
  const remove = () => {
    process.off("exit", remove);
    for (const cluster of clusters.reverse()) {
      try {
        cluster.stop("immediate");
      } catch {
        // never started, or already stopped
      }
    }
    rmSync(dir, { recursive: true, force: true });
    clusters.length = 0;
  };
  // A test process that ends without its afterAll (a failed beforeAll, a timeout) still stops its servers.
  process.on("exit", remove);
  try {
    const durable = options.durable ?? false;
    const primary = cluster(dir, "primary", await freeLoopbackPort(), durable);
    runPgTool("initdb", ["-D", primary.dataDir, "-A", "trust", "-U", "postgres", "--no-sync"]);
    clusters.push(primary);
    primary.start();
    if (options.withStandby === false) return { primary, standby: undefined, remove };
    const standby = cluster(dir, "standby", await freeLoopbackPort(), durable);
    // -R writes standby.signal and primary_conninfo; -X stream copies the WAL written during the copy.
    runPgTool(
      "pg_basebackup",
      ["-h", "127.0.0.1", "-p", String(primary.port), "-U", "postgres"].concat([
        "-D",
        standby.dataDir,
        "-R",
        "-X",
        "stream",
        "-c",
        "fast",
        "--no-sync",
      ]),
    );
    clusters.push(standby);
    standby.start();
    return { primary, standby, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

function cluster(dir: string, name: string, port: number, durable: boolean): ThrowawayCluster {
  const dataDir = join(dir, name);
  // Settings on the command line: a standby cloned from the primary must not inherit the primary's port.
  const settings = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    "-c wal_level=replica",
    "-c max_wal_senders=4",
    `-c fsync=${durable ? "on" : "off"}`,
    // Long reads on the standby are not cancelled by the primary's vacuum (see the deployment runbook).
    "-c hot_standby_feedback=on",
  ].join(" ");
  return {
    port,
    dataDir,
    url: (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start: () => {
      runPgTool("pg_ctl", ["-D", dataDir, "-o", settings, "-l", join(dir, `${name}.log`), "-w", "start"]);
    },
    stop: (mode = "immediate") => {
      runPgTool("pg_ctl", ["-D", dataDir, "-m", mode, "-w", "stop"]);
    },
  };
}
