import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAudit, verifyAudit } from "../audit/events.ts";
import { DEFAULT_CORRELATION_CONFIG, topologyView } from "../correlation/index.ts";
import { NotFoundError, PreconditionError, UpstreamError } from "../errors.ts";
import { loadTopology } from "../generator/index.ts";
import { getIncident } from "../incidents/queries.ts";
import { generateAndStore } from "../scenarios/generateAndStore.ts";
import { createLlmEngine, type LlmEngine, LlmRunError } from "./llm/index.ts";
import { loadRunbookIndex } from "./retrieval.ts";
import { LLM_NOT_CONFIGURED, listRca, type RcaServices, reviewRca, runRca } from "./store.ts";

const topology = loadTopology();
const runbooks = loadRunbookIndex();

interface Captured {
  model: string;
  messages: Array<{ role: string; content: string }>;
}

/** A minimal OpenAI-compatible chat-completions endpoint that answers whatever `answer()` returns. */
async function startLlm(answer: () => { status: number; body: unknown }): Promise<{
  url: string;
  requests: Captured[];
  server: Server;
}> {
  const requests: Captured[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => {
      raw += chunk.toString("utf8");
    });
    req.on("end", () => {
      requests.push(JSON.parse(raw) as Captured);
      const { status, body } = answer();
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, requests, server };
}

function completion(content: string) {
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model: "tiny-noc",
    choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content } }],
    usage: { prompt_tokens: 900, completion_tokens: 120, total_tokens: 1020 },
  };
}

describe.each(testBackends())("RCA artifacts on $name", (backend) => {
  let database: TestDatabase;
  let incidentId = "";
  let rootComponent = "";
  const servers: Server[] = [];
  const base: RcaServices = { runbooks, topology, llm: createLlmEngine({}) };

  beforeAll(async () => {
    database = await backend.open();
    const outcome = await generateAndStore(
      database.db,
      { tenantId: "acme", topology, topologyView: topologyView(topology), correlation: DEFAULT_CORRELATION_CONFIG },
      {
        scenario: "fiber_cut",
        seed: 11,
        durationMinutes: 10,
        ratePerMinute: 25,
        noisePerMinute: 0,
        startTime: "2026-11-25T08:00:00Z",
      },
    );
    const truth = Array.isArray(outcome.ground_truth) ? outcome.ground_truth[0] : outcome.ground_truth;
    incidentId = outcome.incidents[0]?.id ?? "";
    rootComponent = truth?.root_component ?? "";
  });
  afterAll(async () => {
    for (const server of servers) server.close();
    await database?.dispose();
  });

  it("stores the baseline's ranking for review, naming who ran it", async () => {
    const artifact = await runRca(database.db, {
      tenantId: "acme",
      actor: "olga",
      incidentId,
      engine: "baseline",
      services: base,
    });
    expect(artifact).toMatchObject({ engine: "baseline", status: "pending_review", created_by: "olga" });
    expect(artifact.hypotheses[0]).toMatchObject({ category: "fiber_cut", root_component: rootComponent });
    expect(artifact.retrieval.length).toBeGreaterThan(0);
    expect(artifact.retrieval.every((chunk) => (chunk.excerpt ?? "").length > 0)).toBe(true);
  });

  it("refuses another tenant's incident as not found", async () => {
    await expect(
      runRca(database.db, { tenantId: "globex", actor: "eve", incidentId, engine: "baseline", services: base }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it("refuses an unconfigured LLM run without storing anything", async () => {
    const before = (await listRca(database.db, "acme", incidentId)).length;
    const run = runRca(database.db, { tenantId: "acme", actor: "olga", incidentId, engine: "llm", services: base });
    await expect(run).rejects.toBeInstanceOf(PreconditionError);
    await expect(run).rejects.toThrow(LLM_NOT_CONFIGURED);
    expect(await listRca(database.db, "acme", incidentId)).toHaveLength(before);
  });

  it("sends the LLM a redacted prompt with the retrieved runbook sections and stores its answer and trace", async () => {
    const answer = {
      hypotheses: [
        {
          rank: 1,
          category: "fiber_cut",
          root_component: rootComponent,
          hypothesis: `Fiber cut on the span at ${rootComponent}`,
          confidence: 0.8,
          evidence_alert_ids: [],
          evidence_notes: ["loss of signal precedes the routing alarms"],
          remediation_steps: ["Dispatch field team"],
          runbook_ids: ["fiber_cut#diagnosis"],
        },
      ],
    };
    const llm = await startLlm(() => ({ status: 200, body: completion(JSON.stringify(answer)) }));
    servers.push(llm.server);
    const artifact = await runRca(database.db, {
      tenantId: "acme",
      actor: "olga",
      incidentId,
      engine: "llm",
      services: { ...base, llm: createLlmEngine({ baseUrl: llm.url, model: "tiny-noc", timeoutMs: 5_000 }) },
    });
    expect(artifact).toMatchObject({ engine: "llm", model: "tiny-noc", status: "pending_review", error: null });
    expect(artifact.hypotheses[0]).toMatchObject({ category: "fiber_cut", root_component: rootComponent });
    expect(artifact.trace).toMatchObject({ prompt_tokens: 900, completion_tokens: 120 });
    const sent = llm.requests[0]?.messages.map((m) => m.content).join("\n") ?? "";
    expect(llm.requests[0]?.model).toBe("tiny-noc");
    expect(sent).toContain(artifact.retrieval[0]?.id ?? "missing");
    expect(sent).not.toMatch(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/);
    expect(artifact.trace?.redacted_prompt).toContain(artifact.retrieval[0]?.id ?? "missing");
  });

  it("stores a failed LLM run with its trace and still reports the failure", async () => {
    const llm = await startLlm(() => ({ status: 500, body: { error: { message: "model crashed" } } }));
    servers.push(llm.server);
    const run = runRca(database.db, {
      tenantId: "acme",
      actor: "olga",
      incidentId,
      engine: "llm",
      services: { ...base, llm: createLlmEngine({ baseUrl: llm.url, model: "tiny-noc", timeoutMs: 5_000 }) },
    });
    await expect(run).rejects.toBeInstanceOf(UpstreamError);
    await expect(run).rejects.toThrow(/LLM engine failed/);
    const [failed] = await listRca(database.db, "acme", incidentId);
    expect(failed).toMatchObject({ engine: "llm", status: "failed", hypotheses: [] });
    expect(failed?.error).toMatch(/500|model crashed/);
    expect(failed?.trace?.redacted_prompt.length).toBeGreaterThan(0);
  });

  it("rejects an answer citing alert ids not in the incident, asks once for a repair, then records the error on the artifact", async () => {
    const invented = {
      hypotheses: [
        {
          rank: 1,
          category: "fiber_cut",
          root_component: rootComponent,
          hypothesis: `Fiber cut seen by ${rootComponent}`,
          confidence: 0.7,
          evidence_alert_ids: [987_654],
          evidence_notes: [],
          remediation_steps: [],
          runbook_ids: [],
        },
      ],
    };
    const llm = await startLlm(() => ({ status: 200, body: completion(JSON.stringify(invented)) }));
    servers.push(llm.server);
    const run = runRca(database.db, {
      tenantId: "acme",
      actor: "olga",
      incidentId,
      engine: "llm",
      services: { ...base, llm: createLlmEngine({ baseUrl: llm.url, model: "tiny-noc", timeoutMs: 5_000 }) },
    });
    await expect(run).rejects.toBeInstanceOf(UpstreamError);
    expect(llm.requests).toHaveLength(2);
    expect(llm.requests[1]?.messages.at(-1)?.content).toMatch(/cites alert ids that are not in this incident: #987654/);
    const [failed] = await listRca(database.db, "acme", incidentId);
    expect(failed).toMatchObject({ engine: "llm", status: "failed", hypotheses: [] });
    expect(failed?.error).toMatch(/hypothesis 1 cites alert ids that are not in this incident: #987654/);
  });

  it("accepts once, sets the incident's suspected cause and appends a verifiable audit event", async () => {
    const artifact = (await listRca(database.db, "acme", incidentId)).find((a) => a.engine === "baseline");
    if (!artifact) throw new Error("no baseline artifact");
    const reviewed = await reviewRca(database.db, {
      tenantId: "acme",
      actor: "rita",
      artifactId: artifact.id,
      decision: "accepted",
      notes: "span confirmed down by the field team",
    });
    expect(reviewed).toMatchObject({ status: "accepted", reviewer: "rita" });
    expect(await getIncident(database.db, "acme", incidentId)).toMatchObject({
      suspected_category: "fiber_cut",
      suspected_component: rootComponent,
    });
    const [event] = (await listAudit(database.db, "acme", { incidentId })).events;
    expect(event).toMatchObject({
      action: "rca.review",
      actor: "rita",
      entity_id: artifact.id,
      details: { decision: "accepted", notes: "span confirmed down by the field team", category: "fiber_cut" },
    });
    expect((await verifyAudit(database.db, "acme")).ok).toBe(true);
    await expect(
      reviewRca(database.db, {
        tenantId: "acme",
        actor: "sam",
        artifactId: artifact.id,
        decision: "rejected",
        notes: "",
      }),
    ).rejects.toThrow(/already accepted by rita/);
  });

  it("stores what any LLM engine says redacted: echoed addresses, e-mails and secrets never reach an artifact", async () => {
    const leaks = ["victim.person@trusted.example.com", "10.11.12.13", "2001:db8:ab::7", "sk_live_51HcQ2x"];
    const said = `SECRET_KEY=${leaks[3]} seen from ${leaks[1]} and ${leaks[2]}, mail ${leaks[0]}`;
    const trace = {
      redacted_prompt: "",
      raw_response: said,
      parse_outcome: `valid; dropped unknown runbook ids ${leaks[0]}`,
      attempts: 1,
      latency_ms: 1,
      prompt_tokens: null,
      completion_tokens: null,
      error: null,
    };
    // An engine that does not redact: the store must not rely on the engine to do it.
    const careless: LlmEngine = {
      configured: true,
      describe: () => ({ configured: true, model: "careless", baseUrl: "llm.local", howToConfigure: "" }),
      run: async (input) =>
        input.summary === "fail"
          ? Promise.reject(new LlmRunError(`endpoint said: ${said}`, "http", { ...trace, error: said }))
          : {
              model: "careless",
              trace,
              hypotheses: [
                {
                  rank: 1,
                  category: "other",
                  root_component: leaks[1] ?? null,
                  hypothesis: said,
                  confidence: 0.3,
                  evidence: { alert_ids: [], counts_by_type: {}, first_seen: {}, notes: [said] },
                  remediation_steps: [said],
                  runbook_refs: [],
                },
              ],
            },
    };
    const params = { tenantId: "acme", actor: "olga", incidentId, engine: "llm" as const };
    await runRca(database.db, { ...params, services: { ...base, llm: careless } });
    const failing: LlmEngine = { ...careless, run: (input) => careless.run({ ...input, summary: "fail" }) };
    await expect(runRca(database.db, { ...params, services: { ...base, llm: failing } })).rejects.toSatisfy(
      (error: Error) => leaks.every((leak) => !error.message.includes(leak)),
    );
    const stored = JSON.stringify((await listRca(database.db, "acme", incidentId)).filter((a) => a.engine === "llm"));
    expect(stored).toContain("SECRET_KEY=<secret>");
    for (const leak of leaks) expect(stored).not.toContain(leak);
  });
});
