/**
 * One process per embedded data directory. PGlite has no lock of its own: two servers on one directory each
 * keep their own view of it and silently lose each other's writes. The lock is a pid file created with O_EXCL
 * (`teleops.pid` inside the directory); a file left by a process that is gone (SIGKILL, power loss) is taken
 * over at once, so a crashed server restarts without waiting. A mkdir/mtime lock (proper-lockfile) would make
 * that restart wait for the lock to go stale, and cannot say which process holds it.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { resolve } from "node:path";

export const DATA_DIR_LOCK_FILE = "teleops.pid";

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `the data directory ${dataDir} is in use by another TeleOps process (pid ${pid}). Stop that process, or give ` +
        "this one its own TELEOPS_DATA_DIR; to run several processes on one database, use PostgreSQL " +
        "(DATABASE_URL=postgres://…)",
    );
  }
}

export interface DataDirLock {
  /** Removes the pid file if it is still ours; safe to call more than once. */
  release(): void;
}

/** Lock files this process holds: a pid file naming our own pid is stale only if we do not hold it. */
const held = new Set<string>();

export function lockDataDir(dataDir: string): DataDirLock {
  const path = resolve(dataDir, DATA_DIR_LOCK_FILE);
  if (held.has(path)) throw new DataDirLockedError(dataDir, process.pid);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(path)) {
      held.add(path);
      const release = () => {
        held.delete(path);
        if (readPid(path) === process.pid) rmSync(path, { force: true });
      };
      // A process that exits without closing its database (a fatal start-up error) leaves no lock behind.
      process.once("exit", release);
      return {
        release() {
          process.removeListener("exit", release);
          release();
        },
      };
    }
    // Our own pid in a file we do not hold: a previous process of the same pid (a restarted container).
    const holder = readPid(path);
    if (holder !== undefined && holder !== process.pid && isRunning(holder)) {
      throw new DataDirLockedError(dataDir, holder);
    }
    takeOverStale(path, holder);
  }
  throw new Error(`could not take the lock ${path}: other processes keep replacing it`);
}

function tryCreate(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a live Node process (a reused pid of another program, after a reboot, does not count). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("node");
  } catch {
    // No /proc (macOS) or not ours to read: trust the signal check.
    return true;
  }
}

/**
 * Moves a stale pid file aside. Two processes may find the same stale file at once: the one whose rename moved
 * a fresh lock instead (the other's) puts it back, and both then try O_EXCL again, which only one wins.
 */
function takeOverStale(path: string, stalePid: number | undefined): void {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if (readPid(aside) !== stalePid) {
    try {
      linkSync(aside, path);
    } catch {
      // Yet another process took the lock meanwhile; its file stands.
    }
  }
  rmSync(aside, { force: true });
}
