import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { alerts, imports } from "@teleops/db";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { startTestServer, type TestServer } from "@teleops/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const samples = (name: string) => fileURLToPath(new URL(`../../../fixtures/data_samples/${name}`, import.meta.url));

function teleops(args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", MAIN, ...args],
      { env: { ...process.env, TELEOPS_URL: "", TELEOPS_TOKEN: "" }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const [pglite] = testBackends({});

describe("teleops import", () => {
  let database: TestDatabase;
  let server: TestServer;
  let dir: string;
  const storedAlerts = () => database.db.$count(alerts);
  beforeAll(async () => {
    if (!pglite) throw new Error("no PGlite backend");
    database = await pglite.open();
    server = await startTestServer(database);
    dir = mkdtempSync(join(tmpdir(), "teleops-import-"));
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  it("imports every line of the anonymized sample and reports the incidents it formed, as one JSON document", async () => {
    const file = samples("anonymized_alerts.jsonl");
    const lines = readFileSync(file, "utf8").trim().split("\n").length;
    const result = await teleops(["import", file, "--json", "--server", server.url]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      file,
      format: "jsonl",
      read: lines,
      imported: lines,
      duplicates: 0,
      rejected: 0,
      errors: [],
    });
    expect(report.incidents.length).toBeGreaterThanOrEqual(5);
    for (const incident of report.incidents)
      expect(incident).toEqual({ id: expect.stringMatching(/^INC-/), alert_count: expect.any(Number) });
    expect(await storedAlerts()).toBe(lines);
  });

  it("reports the same file again as all duplicates and stores nothing new", async () => {
    const before = await storedAlerts();
    const result = await teleops(["import", samples("anonymized_alerts.jsonl"), "--server", server.url, "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ imported: 0, duplicates: before, rejected: 0, incidents: [] });
    expect(await storedAlerts()).toBe(before);
    expect(await database.db.$count(imports)).toBe(2);
  });

  it.each([
    ["network_syslog.log", "syslog", ["--year", "2025"]],
    ["alerts_export.csv", "csv", []],
    ["alertmanager_alerts.json", "alertmanager", []],
  ])("imports the %s sample as %s and correlates it", async (name, format, extra) => {
    const result = await teleops(["import", samples(name), "--json", "--server", server.url, ...extra]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ format, rejected: 0, duplicates: 0 });
    expect(report.imported).toBe(report.read);
    expect(report.read).toBeGreaterThan(20);
    expect(report.incidents.length).toBeGreaterThanOrEqual(1);
  });

  it("stores nothing on --dry-run and exits 1 naming each rejected line", async () => {
    const file = join(dir, "mixed.jsonl");
    const good = (host: string) =>
      JSON.stringify({ timestamp: "2025-09-30T10:00:00Z", host, severity: "major", alert_type: "link_down" });
    writeFileSync(
      file,
      `${good("dry-1")}\n{"broken\n${good("dry-2")}\n{"timestamp":"2025-09-30T10:00:00Z","host":"x","severity":"urgent","alert_type":"y"}\n`,
    );
    const before = await storedAlerts();
    const dry = await teleops(["import", file, "--dry-run", "--json", "--server", server.url]);
    expect(dry.code).toBe(1);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      dry_run: true,
      read: 4,
      valid: 2,
      imported: 0,
      rejected: 2,
      errors: [
        { line: 2, message: expect.stringMatching(/^not valid JSON/) },
        { line: 4, message: expect.stringMatching(/unknown severity "urgent"/) },
      ],
    });
    expect(dry.stderr).toMatch(/2 of 4 records rejected/);
    expect(await storedAlerts()).toBe(before);

    const real = await teleops(["import", file, "--json", "--server", server.url]);
    expect(real.code).toBe(1);
    expect(JSON.parse(real.stdout)).toMatchObject({ imported: 2, rejected: 2 });
    expect(await storedAlerts()).toBe(before + 2);
  });

  it("exits 2 with one clear line for a missing, empty, binary or unrecognizable file", async () => {
    const empty = join(dir, "empty.jsonl");
    writeFileSync(empty, "");
    const binary = join(dir, "blob.jsonl");
    writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02]));
    const prose = join(dir, "notes.txt");
    writeFileSync(prose, "dear NOC,\nthe router is sad\n");
    const cases: Array<[string[], RegExp]> = [
      [[join(dir, "nope.jsonl")], /cannot read .*nope\.jsonl: no such file/],
      [[empty], /empty\.jsonl is empty/],
      [[binary], /looks like a binary file/],
      [[dir], /it is a directory/],
      [[prose], /cannot tell the format .*pass --format/],
      [[prose, "--format", "xml"], /--format must be one of/],
    ];
    for (const [args, message] of cases) {
      const result = await teleops(["import", ...args, "--json", "--server", server.url]);
      expect([args[0], result.code]).toEqual([args[0], 2]);
      expect(result.stdout).toBe("");
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
    const down = await teleops(["import", samples("alerts_export.csv"), "--server", "http://127.0.0.1:9"]);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/cannot reach TeleOps/);
  });

  it("streams a large file in batches with nothing but the report on stdout", async () => {
    const file = join(dir, "big.jsonl");
    const rows: string[] = [];
    for (let i = 0; i < 6_000; i++) {
      const t = new Date(Date.parse("2025-08-01T00:00:00Z") + i * 1_000).toISOString();
      rows.push(
        JSON.stringify({
          timestamp: t,
          source_system: "bulk",
          host: `bulk-host-${i % 50}`,
          service: "bulk",
          severity: "info",
          alert_type: "heartbeat_missed",
          message: `heartbeat ${i} missed on a host that exists only in this test`,
          tags: { site: "test-site", seq: String(i) },
        }),
      );
    }
    writeFileSync(file, `${rows.join("\n")}\n`);
    const result = await teleops(["import", file, "--json", "--batch-size", "700", "--server", server.url]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ read: 6_000, imported: 6_000, rejected: 0 });
  });
});
