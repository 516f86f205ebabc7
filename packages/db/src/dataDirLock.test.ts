import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DATA_DIR_LOCK_FILE, DataDirLockedError, lockDataDir } from "./dataDirLock.ts";

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "teleops-lockfile-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the data-directory lock", () => {
  it("writes this process's pid, refuses a second holder, and removes the file on release", () => {
    const dir = dataDir();
    const lock = lockDataDir(dir);
    expect(readFileSync(join(dir, DATA_DIR_LOCK_FILE), "utf8").trim()).toBe(String(process.pid));
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    lock.release();
    expect(existsSync(join(dir, DATA_DIR_LOCK_FILE))).toBe(false);
    lockDataDir(dir).release();
  });

  it("refuses a directory a live Node process holds, naming its pid and the DATABASE_URL way out", () => {
    const dir = dataDir();
    // The parent of this test process is a live Node process (the test runner).
    writeFileSync(join(dir, DATA_DIR_LOCK_FILE), `${process.ppid}\n`);
    expect(() => lockDataDir(dir)).toThrow(`in use by another TeleOps process (pid ${process.ppid})`);
    expect(() => lockDataDir(dir)).toThrow("DATABASE_URL");
  });

  it("takes over a file left by a process that is gone, by our own pid, or by garbage", () => {
    for (const content of ["999999999\n", `${process.pid}\n`, "", "not a pid"]) {
      const dir = dataDir();
      writeFileSync(join(dir, DATA_DIR_LOCK_FILE), content);
      const lock = lockDataDir(dir);
      expect(readFileSync(join(dir, DATA_DIR_LOCK_FILE), "utf8").trim()).toBe(String(process.pid));
      lock.release();
    }
  });
});
