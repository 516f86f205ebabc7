import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { startTestServer, type TestServer } from "@teleops/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

function teleops(args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", MAIN, ...args],
      { env: { ...process.env, TELEOPS_URL: "", TELEOPS_TOKEN: "" } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const [pglite] = testBackends({});

describe("teleops rca", () => {
  let database: TestDatabase;
  let server: TestServer;
  let incidentId = "";
  let rootComponent = "";
  beforeAll(async () => {
    if (!pglite) throw new Error("no PGlite backend");
    database = await pglite.open();
    server = await startTestServer(database);
    const generated = await teleops([
      "generate",
      "--scenario",
      "bgp_flap",
      "--seed",
      "3",
      "--json",
      "--server",
      server.url,
    ]);
    const report = JSON.parse(generated.stdout);
    incidentId = report.incidents[0].id;
    rootComponent = report.ground_truth.root_component;
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  it("prints the stored baseline artifact as one JSON document", async () => {
    const result = await teleops(["rca", incidentId, "--json", "--server", server.url]);
    expect(result.code).toBe(0);
    const artifact = JSON.parse(result.stdout);
    expect(artifact).toMatchObject({ incident_id: incidentId, engine: "baseline", status: "pending_review" });
    expect(Object.keys(artifact)).toEqual(
      expect.arrayContaining(["id", "hypotheses", "retrieval", "duration_ms", "created_by", "created_at", "reviewer"]),
    );
    expect(artifact.hypotheses[0]).toMatchObject({ category: "bgp_flap", root_component: rootComponent });
  });

  it("shows the ranked hypotheses with their evidence to a person", async () => {
    const result = await teleops(["rca", incidentId, "--engine", "baseline", "--server", server.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`1. bgp_flap at ${rootComponent}`);
    expect(result.stdout).toMatch(/cited alerts: \d+/);
    expect(result.stdout).toMatch(/bgp_flap\.md/);
  });

  it("exits 1 with a plain message when the LLM engine is not configured", async () => {
    const result = await teleops(["rca", incidentId, "--engine", "llm", "--json", "--server", server.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("LLM engine not configured: set LLM_BASE_URL and LLM_MODEL");
  });

  it("exits 2 for an unknown engine or incident", async () => {
    const engine = await teleops(["rca", incidentId, "--engine", "gpt", "--server", server.url]);
    expect(engine.code).toBe(2);
    expect(engine.stderr).toMatch(/--engine must be one of baseline, llm/);
    const missing = await teleops(["rca", "INC-999999", "--server", server.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/INC-999999 not found/);
  });
});
