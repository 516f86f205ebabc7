import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { evaluationRuns } from "@teleops/db";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { startTestServer, type TestServer } from "@teleops/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

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

const CASE = {
  case_id: "C-1",
  incident_summary: "Packet loss on core-router-1 during peak hours",
  root_cause: "dirty optic on core-router-1",
  category: "network_degradation",
  root_component: "core-router-1",
  severity: "major",
  reviewer: "an extra field the file may carry",
  alerts: [
    {
      timestamp: "2025-09-24T12:00:01Z",
      source_system: "net-snmp",
      host: "core-router-1",
      service: "backbone",
      severity: "critical",
      alert_type: "packet_loss",
      message: "Packet loss 18% on xe-0/0/1",
      raw_payload: { loss_pct: 18, interface: "xe-0/0/1" },
    },
  ],
};

const ENGINE_KEYS = [
  "cases",
  "category_accuracy",
  "component_accuracy",
  "ece",
  "mean_score",
  "per_case",
  "top3_category_accuracy",
  "wrong_but_confident",
];

const [pglite] = testBackends({});

describe("teleops evaluate", () => {
  let database: TestDatabase;
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    if (!pglite) throw new Error("no PGlite backend");
    database = await pglite.open();
    server = await startTestServer(database);
    dir = mkdtempSync(join(tmpdir(), "teleops-evaluate-"));
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  it("prints the contract's report for the shipped labels as one JSON document, with the LLM as null", async () => {
    const result = await teleops(["evaluate", "--json", "--server", server.url]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    // The contract's keys, plus `label_sets` (added by issue 18: the vendor-wording set beside the manual one).
    expect(Object.keys(report).sort()).toEqual(["cases", "engines", "label_sets", "labels_file"]);
    expect(report).toMatchObject({
      labels_file: "fixtures/evaluation/manual_labels.jsonl",
      cases: 50,
      engines: { llm: null },
    });
    expect(Object.keys(report.engines.baseline)).toEqual(expect.arrayContaining(ENGINE_KEYS));
    expect(Object.keys(report.engines.baseline)).toEqual(
      expect.arrayContaining(["brier", "ece_raw", "brier_raw", "ece_cv", "brier_cv", "wrong_but_confident_top_decile"]),
    );
    expect(report.label_sets.map((set: { name: string; cases: number }) => [set.name, set.cases])).toEqual([
      ["manual", 50],
      ["vendor", expect.any(Number)],
    ]);
    expect(report.label_sets[1].cases).toBeGreaterThanOrEqual(30);
    expect(report.label_sets[0].engines.baseline.mean_score).toBe(report.engines.baseline.mean_score);
    expect(report.label_sets[1].engines).toMatchObject({ llm: null, baseline: { cases: report.label_sets[1].cases } });
    expect(report.engines.baseline.per_case).toHaveLength(50);
    expect(Object.keys(report.engines.baseline.per_case[0]).sort()).toEqual(
      ["case_id", "category", "confidence", "hypothesis", "root_component", "score"].sort(),
    );
    expect(result.stderr).toMatch(/scoring every engine on the server's manual label set/);
    expect(result.stderr).toMatch(/llm: LLM engine not configured/);
    expect(await database.db.$count(evaluationRuns)).toBe(1);
  });

  it("scores a local label file, names it in the report and writes the same report to --out", async () => {
    const file = join(dir, "labels.jsonl");
    writeFileSync(file, `${JSON.stringify(CASE)}\n\n${JSON.stringify({ ...CASE, case_id: "C-2" })}\n`);
    const out = join(dir, "report.json");
    const result = await teleops([
      "evaluate",
      "--labels",
      file,
      "--engine",
      "all",
      "--out",
      out,
      "--json",
      "--server",
      server.url,
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ labels_file: file, cases: 2, engines: { llm: null } });
    expect(report.engines.baseline.per_case.map((c: { case_id: string }) => c.case_id)).toEqual(["C-1", "C-2"]);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(report);
    expect(result.stderr).toMatch(/LLM engine not configured/);
  });

  it("refuses a bad label file with exit 2 and the line numbers, before sending anything", async () => {
    const before = await database.db.$count(evaluationRuns);
    const file = join(dir, "bad.jsonl");
    writeFileSync(
      file,
      [JSON.stringify(CASE), "{oops", JSON.stringify({ ...CASE, case_id: "C-3", category: "power" })].join("\n"),
    );
    const result = await teleops(["evaluate", "--labels", file, "--json", "--server", server.url]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`${file}:2: not valid JSON`);
    expect(result.stderr).toContain(`${file}:3: category:`);
    expect(result.stderr).toMatch(/2 of 3 lines are not valid label cases/);
    expect(await database.db.$count(evaluationRuns)).toBe(before);
  });

  it("prints a readable summary without --json and rejects an unknown engine as a usage error", async () => {
    const table = await teleops(["evaluate", "--synthetic", "11", "--server", server.url]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^synthetic:11@seed1: 11 cases/);
    expect(table.stdout).toMatch(/ENGINE\s+MEAN_SCORE/);
    const bad = await teleops(["evaluate", "--engine", "gpt", "--server", server.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--engine must be one of baseline, llm, all/);
  });
});
