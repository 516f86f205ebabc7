import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

function teleops(args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", MAIN, ...args],
      // No server runs in this file: the correlation evaluation must not need one.
      { env: { ...process.env, TELEOPS_URL: "http://127.0.0.1:9", TELEOPS_TOKEN: "" } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const alert = (host: string, second: number, alertType: string) => ({
  timestamp: `2026-03-01T12:00:${String(second).padStart(2, "0")}Z`,
  source_system: "snmp",
  host,
  service: "backbone",
  severity: "critical",
  alert_type: alertType,
  message: `${alertType} on ${host}`,
});

const stream = (header: object, records: Array<[object, string | null]>) =>
  [{ stream: header }, ...records.map(([a, truth]) => ({ alert: a, truth }))].map((r) => JSON.stringify(r)).join("\n");

const STREAM_KEYS = [
  "alerts",
  "compression",
  "f1",
  "file",
  "incidents",
  "merged_truths",
  "name",
  "noise_in_incidents",
  "phantom",
  "precision",
  "recall",
  "split_truths",
  "truth_incidents",
  "unassigned_share",
];

describe("teleops evaluate --correlation", () => {
  let dir: string;
  let good: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "teleops-correlation-"));
    good = join(dir, "good");
    mkdirSync(good);
    writeFileSync(
      join(good, "a-one-site.jsonl"),
      stream({ name: "one site", description: "three alerts of one failure" }, [
        [alert("core-1", 0, "link_down"), "cut"],
        [alert("core-1", 5, "bgp_session_down"), "cut"],
        [alert("core-1", 9, "packet_loss"), "cut"],
      ]),
    );
    writeFileSync(join(good, "b-noise.jsonl"), stream({}, [[alert("edge-9", 0, "cpu_high"), null]]));
    writeFileSync(join(good, "notes.txt"), "not a stream");
  });

  it("prints one JSON document with every stream, the micro-averaged overall figures and the targets", async () => {
    const result = await teleops(["evaluate", "--correlation", good, "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report).sort()).toEqual(["overall", "streams", "targets"]);
    expect(report.streams.map((s: { name: string }) => s.name)).toEqual(["one site", "b-noise"]);
    for (const key of STREAM_KEYS) expect(report.streams[0]).toHaveProperty(key);
    expect(report.streams[0]).toMatchObject({
      file: join(good, "a-one-site.jsonl"),
      alerts: 3,
      truth_incidents: 1,
      errors: [],
    });
    expect(report.streams[1]).toMatchObject({ alerts: 1, truth_incidents: 0, noise_alerts: 1 });
    expect(report.overall).toMatchObject({ streams: 2, alerts: 4, truth_incidents: 1 });
    for (const key of STREAM_KEYS.filter((k) => k !== "name" && k !== "file")) {
      expect(report.overall).toHaveProperty(key);
    }
    expect(report.targets).toMatchObject({ f1: 0.95, incident_count_tolerance: 0.1, phantom_share: 0.05 });
    expect(typeof report.targets.met).toBe("boolean");
    expect(Array.isArray(report.targets.failures)).toBe(true);
    // Progress for a directory goes to stderr, never into the JSON.
    expect(result.stderr).toMatch(/\[1\/2\] .*a-one-site\.jsonl/);
  });

  it("prints a readable table per stream with the overall row and the targets", async () => {
    const result = await teleops(["evaluate", "--correlation", join(good, "a-one-site.jsonl")]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^STREAM\s+ALERTS\s+TRUTH\s+FOUND\s+P\s+R\s+F1\s+PHANTOM\s+SPLIT\s+MERGED\s+COMPRESSION\s+UNASSIGNED/,
    );
    expect(result.stdout).toMatch(/one site\s+3\s+1\s/);
    expect(result.stdout).toMatch(/overall \(micro\)/);
    expect(result.stdout).toMatch(/mean F1 over streams: \d\.\d{3}; worst stream: one site \(F1 /);
    expect(result.stdout).toMatch(/targets \(every stream\): F1 >= 0.95/);
    expect(result.stderr).toBe("");
  });

  it("exits 1 after the report when a stream has lines it cannot read, naming file and line", async () => {
    const file = join(dir, "broken.jsonl");
    writeFileSync(file, `${stream({}, [[alert("core-1", 0, "link_down"), "cut"]])}\n{oops\n`);
    const result = await teleops(["evaluate", "--correlation", file, "--json"]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.streams[0].errors).toEqual([{ line: 3, message: expect.stringMatching(/^not JSON/) }]);
    expect(result.stderr).toContain(`${file}:3: not JSON`);
    expect(result.stderr).toMatch(/1 lines in 1 of 1 streams could not be read/);
  });

  it("exits 2 on usage errors: no such file, a directory without streams, mixed with --labels", async () => {
    const missing = await teleops(["evaluate", "--correlation", join(dir, "nope.jsonl"), "--json"]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toMatch(/no such file/);
    const empty = mkdtempSync(join(tmpdir(), "teleops-correlation-empty-"));
    expect((await teleops(["evaluate", "--correlation", empty])).code).toBe(2);
    const mixed = await teleops(["evaluate", "--correlation", good, "--labels", "x.jsonl"]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/does not combine with --labels/);
  });
});
