import { LlmRunError } from "@teleops/core";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import type { LabelCaseInput } from "@teleops/schema";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor, AppServices } from "./context.ts";
import { createCaller } from "./root.ts";
import { callerFor, testServices } from "./testing.ts";

const operator: Actor = { name: "olga", role: "operator", tenantId: "northwind" };
const viewer: Actor = { name: "vic", role: "viewer", tenantId: "northwind" };
const stranger: Actor = { name: "eve", role: "admin", tenantId: "contoso" };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    return error instanceof TRPCError ? error.code : "NOT_TRPC";
  }
}

const alert = (host: string, second: number, alertType: string, message: string) => ({
  timestamp: `2025-09-24T12:00:${String(second).padStart(2, "0")}Z`,
  source_system: "net-snmp",
  host,
  service: "backbone",
  severity: "critical",
  alert_type: alertType,
  message,
});

const CASE: LabelCaseInput = {
  case_id: "X-1",
  incident_summary: "Packet loss on core-router-1 during peak hours",
  root_cause: "dirty optic on core-router-1",
  category: "network_degradation",
  root_component: "core-router-1",
  severity: "major",
  alerts: [
    alert("core-router-1", 1, "interface_crc_errors", "xe-0/0/1 input CRC errors 900/min"),
    alert("core-router-1", 20, "packet_loss", "Packet loss 12% on xe-0/0/1"),
    alert("core-router-2", 40, "bfd_session_flap", "BFD session to core-router-1 flapped"),
  ],
};

type LlmEngine = NonNullable<AppServices["llm"]>;

/** A configured LLM that echoes the baseline's ranking, except on one case where its endpoint fails. */
const echoLlm: LlmEngine = {
  configured: true,
  describe: () => ({ configured: true, model: "echo-model", baseUrl: "llm.local:8080", howToConfigure: "" }),
  run: async (request) => {
    if (request.incidentId === "X-2") {
      throw new LlmRunError("HTTP 500 from the LLM endpoint", "http", {
        redacted_prompt: "",
        raw_response: null,
        parse_outcome: "http_error",
        attempts: 1,
        latency_ms: 1,
        prompt_tokens: null,
        completion_tokens: null,
        error: "HTTP 500",
      });
    }
    return {
      hypotheses: request.baseline,
      model: "echo-model",
      trace: {
        redacted_prompt: "",
        raw_response: "{}",
        parse_outcome: "ok",
        attempts: 1,
        latency_ms: 1,
        prompt_tokens: null,
        completion_tokens: null,
        error: null,
      },
    };
  },
};

describe.each(testBackends())("evaluation router on $name", (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await backend.open();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("scores the baseline on the shipped manual set and reports the unconfigured LLM as null, not zeros", async () => {
    const { run, report } = await callerFor(database.db, operator).evaluation.run({ source: "manual", engine: "all" });
    expect(report.labels_file).toBe("fixtures/evaluation/manual_labels.jsonl");
    expect(report.cases).toBe(50);
    expect(report.engines.llm).toBeNull();
    expect(run.notes.join(" ")).toMatch(/LLM engine not configured/);
    const baseline = report.engines.baseline;
    expect(baseline?.cases).toBe(50);
    expect(baseline?.per_case).toHaveLength(50);
    for (const key of [
      "mean_score",
      "category_accuracy",
      "component_accuracy",
      "top3_category_accuracy",
      "ece",
    ] as const) {
      expect(baseline?.[key]).toBeGreaterThanOrEqual(0);
      expect(baseline?.[key]).toBeLessThanOrEqual(1);
    }
    expect(run.engines.baseline?.reliability).toHaveLength(10);
    expect(run.engines.baseline?.per_category.map((c) => c.category)).toContain("other");
  });

  it("scores cases the client sent and keeps the label file's name", async () => {
    const { report } = await callerFor(database.db, operator).evaluation.run({
      source: "cases",
      engine: "baseline",
      cases: [CASE],
      labelsFile: "my_labels.jsonl",
    });
    expect(report).toMatchObject({ labels_file: "my_labels.jsonl", cases: 1, engines: { llm: null } });
    expect(report.engines.baseline?.per_case[0]?.case_id).toBe("X-1");
  });

  it("scores generated scenarios over every category in synthetic mode", async () => {
    const { run } = await callerFor(database.db, operator).evaluation.run({
      source: "synthetic",
      synthetic: 11,
      seed: 4,
    });
    expect(run.labels_file).toBe("synthetic:11@seed4");
    expect(run.engines.baseline?.per_category).toHaveLength(11);
  });

  it("runs a configured LLM beside the baseline and counts a failed LLM call as a 0 with its error", async () => {
    const caller = createCaller({ db: database.db, services: { ...testServices(), llm: echoLlm }, actor: operator });
    const { run, report } = await caller.evaluation.run({
      source: "cases",
      engine: "all",
      cases: [CASE, { ...CASE, case_id: "X-2" }],
    });
    expect(report.engines.baseline).not.toBeNull();
    expect(run.engines.llm?.model).toBe("echo-model");
    expect(report.engines.llm?.per_case[0]?.score).toBe(report.engines.baseline?.per_case[0]?.score);
    expect(run.engines.llm?.per_case[1]).toMatchObject({ score: 0, error: "HTTP 500 from the LLM endpoint" });
  });

  it("keeps what the model says out of the stored run and its report: echoed values are redacted", async () => {
    const leaks = ["victim.person@trusted.example.com", "10.11.12.13", "2001:db8:ab::7", "sk_live_51HcQ2x"];
    const said = `SECRET_KEY=${leaks[3]} from ${leaks[1]} and ${leaks[2]}, mail ${leaks[0]}`;
    const echoing: LlmEngine = {
      ...echoLlm,
      run: async (request) => {
        if (request.incidentId === "X-2") {
          throw new LlmRunError(`endpoint said: ${said}`, "http", {
            redacted_prompt: "",
            raw_response: said,
            parse_outcome: "http_error",
            attempts: 1,
            latency_ms: 1,
            prompt_tokens: null,
            completion_tokens: null,
            error: said,
          });
        }
        const [top] = request.baseline;
        if (!top) throw new Error("no baseline hypothesis");
        return {
          hypotheses: [{ ...top, root_component: leaks[1] ?? null, hypothesis: said }],
          model: "echo-model",
          trace: {
            redacted_prompt: "",
            raw_response: said,
            parse_outcome: "ok",
            attempts: 1,
            latency_ms: 1,
            prompt_tokens: null,
            completion_tokens: null,
            error: null,
          },
        };
      },
    };
    const caller = createCaller({ db: database.db, services: { ...testServices(), llm: echoing }, actor: operator });
    const { run, report } = await caller.evaluation.run({
      source: "cases",
      engine: "llm",
      cases: [CASE, { ...CASE, case_id: "X-2" }],
    });
    const kept = JSON.stringify([run, report, await caller.evaluation.byId({ id: run.id })]);
    expect(kept).toContain("SECRET_KEY=<secret>");
    for (const leak of leaks) expect(kept).not.toContain(leak);
  });

  it("refuses bad requests with BAD_REQUEST: no cases, synthetic options on the manual set, an empty component", async () => {
    const caller = callerFor(database.db, operator);
    expect(await codeOf(caller.evaluation.run({ source: "cases" }))).toBe("BAD_REQUEST");
    expect(await codeOf(caller.evaluation.run({ source: "manual", synthetic: 5 }))).toBe("BAD_REQUEST");
    expect(await codeOf(caller.evaluation.run({ source: "cases", cases: [{ ...CASE, root_component: " " }] }))).toBe(
      "BAD_REQUEST",
    );
  });

  it("lets a viewer read the history, newest first, but not start a run", async () => {
    const caller = callerFor(database.db, viewer);
    expect(await codeOf(caller.evaluation.run({ source: "manual" }))).toBe("FORBIDDEN");
    const runs = await caller.evaluation.list();
    expect(runs.length).toBeGreaterThanOrEqual(4);
    expect(runs[0]?.source).toBe("cases");
    expect(runs.at(-1)).toMatchObject({ source: "manual", cases: 50, llm_mean_score: null });
    expect(runs.at(-1)?.baseline_mean_score).toEqual(expect.any(Number));
    const full = await caller.evaluation.byId({ id: runs.at(-1)?.id ?? "" });
    expect(full.engines.baseline?.per_case).toHaveLength(50);
  });

  it("keeps each tenant's runs to itself", async () => {
    const caller = callerFor(database.db, stranger);
    expect(await caller.evaluation.list()).toEqual([]);
    const [theirs] = await callerFor(database.db, viewer).evaluation.list();
    expect(await codeOf(caller.evaluation.byId({ id: theirs?.id ?? "" }))).toBe("NOT_FOUND");
  });
});
