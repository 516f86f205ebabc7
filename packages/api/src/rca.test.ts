import { LlmRunError } from "@teleops/core";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import type { GroundTruth, LlmTrace } from "@teleops/schema";
import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor, AppServices } from "./context.ts";
import { createCaller } from "./root.ts";
import { callerFor, testServices } from "./testing.ts";

const operator: Actor = { name: "olga", role: "operator", tenantId: "acme" };
const second: Actor = { name: "omar", role: "operator", tenantId: "acme" };
const viewer: Actor = { name: "vic", role: "viewer", tenantId: "acme" };
const stranger: Actor = { name: "eve", role: "admin", tenantId: "globex" };
const START = "2026-11-25T08:00:00Z";

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
    return { code: "OK", message: "" };
  } catch (error) {
    return error instanceof TRPCError
      ? { code: error.code, message: error.message }
      : { code: "NOT_TRPC", message: "" };
  }
}

const TRACE: LlmTrace = {
  redacted_prompt: "incident INC-x on core router <IPV4_1>",
  raw_response: "<html>upstream exploded</html>",
  parse_outcome: "http_error",
  attempts: 1,
  latency_ms: 12,
  prompt_tokens: null,
  completion_tokens: null,
  error: "HTTP 500 from the LLM endpoint",
};

type LlmEngine = NonNullable<AppServices["llm"]>;

/** An LLM engine that answers by echoing the baseline's ranking, or fails like an endpoint answering 500. */
function fakeLlm(mode: "answers" | "fails"): LlmEngine {
  return {
    configured: true,
    describe: () => ({ configured: true, model: "fake-model", baseUrl: "llm.local:8080", howToConfigure: "" }),
    run: async (request) => {
      if (mode === "fails") throw new LlmRunError("HTTP 500 from the LLM endpoint", "http", TRACE, 500);
      return {
        hypotheses: request.baseline,
        model: "fake-model",
        trace: { ...TRACE, raw_response: "{}", parse_outcome: "ok", error: null },
      };
    },
  } as LlmEngine;
}

function callerWith(database: TestDatabase, actor: Actor, llm: LlmEngine) {
  return createCaller({ db: database.db, services: { ...testServices(), llm }, actor });
}

describe.each(testBackends())("rca and audit routers on $name", (backend) => {
  let database: TestDatabase;
  let incidentId = "";
  let truth: GroundTruth;
  beforeAll(async () => {
    database = await backend.open();
    const generated = await callerFor(database.db, { ...operator, role: "admin" }).scenarios.generate({
      scenario: "bgp_flap",
      seed: 3,
      startTime: START,
    });
    const first = Array.isArray(generated.ground_truth) ? generated.ground_truth[0] : generated.ground_truth;
    if (!first || !generated.incidents[0]) throw new Error("bgp_flap produced no incident");
    truth = first;
    incidentId = generated.incidents[0].id;
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("runs the baseline on a BGP flap, blaming the flapping router with cited alerts and the BGP runbook", async () => {
    const artifact = await callerFor(database.db, operator).rca.run({ incidentId, engine: "baseline" });
    expect(artifact).toMatchObject({
      incident_id: incidentId,
      engine: "baseline",
      model: null,
      status: "pending_review",
      created_by: "olga",
      reviewer: null,
      error: null,
    });
    const top = artifact.hypotheses[0];
    expect(top?.category).toBe("bgp_flap");
    expect(top?.root_component).toBe(truth.root_component);
    expect(top?.hypothesis).toMatch(/AS ?\d+/);
    const alertIds = new Set(
      (await callerFor(database.db, viewer).incidents.alerts({ id: incidentId })).map((a) => a.id),
    );
    expect(top?.evidence.alert_ids.length).toBeGreaterThan(0);
    for (const id of top?.evidence.alert_ids ?? []) expect(alertIds.has(id)).toBe(true);
    expect(artifact.retrieval.some((chunk) => /bgp/i.test(chunk.file))).toBe(true);
    expect(artifact.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it("lists artifacts newest first and finds the latest per engine and status", async () => {
    const caller = callerFor(database.db, viewer);
    const listed = await caller.rca.list({ incidentId });
    expect(listed).toHaveLength(1);
    expect((await caller.rca.latest({ incidentId, engine: "baseline" }))?.id).toBe(listed[0]?.id);
    expect(await caller.rca.latest({ incidentId, engine: "llm" })).toBeNull();
    expect(await caller.rca.latest({ incidentId, status: "accepted" })).toBeNull();
  });

  it("says plainly that the LLM engine is not configured, and stores nothing", async () => {
    const caller = callerFor(database.db, operator);
    const engines = await caller.rca.engines();
    expect(engines.baseline.ready).toBe(true);
    expect(engines.baseline.runbook_sections).toBeGreaterThan(0);
    expect(engines.llm.configured).toBe(false);
    expect(engines.llm.how_to_configure).toMatch(/LLM_BASE_URL/);
    expect(await failureOf(caller.rca.run({ incidentId, engine: "llm" }))).toEqual({
      code: "PRECONDITION_FAILED",
      message: "LLM engine not configured: set LLM_BASE_URL and LLM_MODEL",
    });
    expect(await caller.rca.list({ incidentId })).toHaveLength(1);
  });

  it("keeps a failed LLM run as a failed artifact with its trace, and reports the failure to the caller", async () => {
    const caller = callerWith(database, operator, fakeLlm("fails"));
    const failure = await failureOf(caller.rca.run({ incidentId, engine: "llm" }));
    expect(failure.code).toBe("BAD_GATEWAY");
    expect(failure.message).toMatch(/LLM engine failed: HTTP 500/);
    const failed = await caller.rca.latest({ incidentId, engine: "llm" });
    expect(failed).toMatchObject({ status: "failed", error: "HTTP 500 from the LLM endpoint", hypotheses: [] });
    expect(failed?.trace).toEqual(TRACE);
    if (!failed) throw new Error("no failed artifact");
    expect(
      await failureOf(caller.rca.review({ artifactId: failed.id, decision: "accepted", notes: "" })),
    ).toMatchObject({
      code: "CONFLICT",
    });
    expect(
      (await caller.rca.review({ artifactId: failed.id, decision: "rejected", notes: "endpoint down" })).status,
    ).toBe("rejected");
  });

  it("stores a successful LLM run with its model and trace, and names the endpoint it used", async () => {
    const caller = callerWith(database, operator, fakeLlm("answers"));
    const artifact = await caller.rca.run({ incidentId, engine: "llm" });
    expect(artifact).toMatchObject({ engine: "llm", model: "fake-model", status: "pending_review" });
    expect(artifact.trace?.parse_outcome).toBe("ok");
    expect((await caller.rca.byId({ id: artifact.id })).trace?.redacted_prompt).toMatch(/<IPV4_1>/);
    const engines = await caller.rca.engines();
    expect(engines.llm).toMatchObject({ configured: true, model: "fake-model", base_url: "llm.local:8080" });
  });

  it("accepts an artifact as the acting user, once, and sets the incident's suspected cause", async () => {
    const caller = callerFor(database.db, operator);
    const baseline = await caller.rca.latest({ incidentId, engine: "baseline" });
    if (!baseline) throw new Error("no baseline artifact");
    const reviewed = await caller.rca.review({
      artifactId: baseline.id,
      decision: "accepted",
      notes: " confirmed on the router ",
    });
    expect(reviewed).toMatchObject({ status: "accepted", reviewer: "olga", review_notes: "confirmed on the router" });
    expect(reviewed.reviewed_at).not.toBeNull();
    const incident = await caller.incidents.byId({ id: incidentId });
    expect(incident).toMatchObject({
      suspected_category: "bgp_flap",
      suspected_component: truth.root_component,
      suspected_root_cause: baseline.hypotheses[0]?.hypothesis,
    });

    const again = await failureOf(
      callerFor(database.db, second).rca.review({ artifactId: baseline.id, decision: "rejected", notes: "no" }),
    );
    expect(again.code).toBe("CONFLICT");
    expect(again.message).toMatch(/already accepted by olga/);
    expect((await caller.rca.byId({ id: baseline.id })).reviewer).toBe("olga");
  });

  it("lets exactly one of two simultaneous reviews win", async () => {
    const artifact = await callerFor(database.db, operator).rca.run({ incidentId, engine: "baseline" });
    const results = await Promise.all([
      failureOf(
        callerFor(database.db, operator).rca.review({ artifactId: artifact.id, decision: "accepted", notes: "" }),
      ),
      failureOf(
        callerFor(database.db, second).rca.review({ artifactId: artifact.id, decision: "rejected", notes: "" }),
      ),
    ]);
    expect(results.map((r) => r.code).sort()).toEqual(["CONFLICT", "OK"]);
  });

  it("records reviews and status changes in an audit trail that filters and verifies", async () => {
    const caller = callerFor(database.db, operator);
    await caller.incidents.setStatus({ id: incidentId, status: "acknowledged" });
    const audit = callerFor(database.db, viewer).audit;
    const all = await audit.list();
    expect(all.events[0]).toMatchObject({
      action: "incident.status",
      actor: "olga",
      incident_id: incidentId,
      details: { from: "open", to: "acknowledged" },
    });
    const accepted = await audit.list({ decision: "accepted", reviewer: "olga" });
    expect(accepted.events.length).toBeGreaterThanOrEqual(1);
    expect(accepted.events.every((e) => e.action === "rca.review" && e.details.decision === "accepted")).toBe(true);
    expect(accepted.events.at(-1)?.details).toMatchObject({ engine: "baseline", category: "bgp_flap" });
    expect((await audit.list({ decision: "rejected" })).events.length).toBeGreaterThanOrEqual(1);
    expect((await audit.list({ incidentId: "INC-999999" })).events).toEqual([]);
    expect((await audit.list({ from: "2999-01-01T00:00:00Z" })).events).toEqual([]);
    expect(await audit.verify()).toEqual({ ok: true, checked: all.events.length, first_broken: null });
  });

  it("shows verification failing at the row whose details were edited with SQL", async () => {
    const audit = callerFor(database.db, viewer).audit;
    const [target] = (await audit.list({ decision: "accepted", limit: 1 })).events;
    if (!target) throw new Error("no review event");
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`alter table audit_events disable trigger audit_events_no_update_delete`);
      await tx.execute(
        sql`update audit_events set details = jsonb_set(details, '{decision}', '"rejected"') where id = ${target.id}`,
      );
      await tx.execute(sql`alter table audit_events enable trigger audit_events_no_update_delete`);
    });
    const result = await audit.verify();
    expect(result.ok).toBe(false);
    expect(result.first_broken?.id).toBe(target.id);
  });

  it("never shows or reviews one tenant's RCA and audit trail to another", async () => {
    const other = callerFor(database.db, stranger);
    const [artifact] = await callerFor(database.db, viewer).rca.list({ incidentId });
    if (!artifact) throw new Error("no artifact");
    expect((await failureOf(other.rca.run({ incidentId, engine: "baseline" }))).code).toBe("NOT_FOUND");
    expect((await failureOf(other.rca.list({ incidentId }))).code).toBe("NOT_FOUND");
    expect((await failureOf(other.rca.latest({ incidentId }))).code).toBe("NOT_FOUND");
    expect((await failureOf(other.rca.byId({ id: artifact.id }))).code).toBe("NOT_FOUND");
    expect((await failureOf(other.rca.review({ artifactId: artifact.id, decision: "rejected", notes: "" }))).code).toBe(
      "NOT_FOUND",
    );
    expect((await other.audit.list()).events).toEqual([]);
    expect(await other.audit.verify()).toEqual({ ok: true, checked: 0, first_broken: null });
  });

  it("lets viewers read but not run or review", async () => {
    const caller = callerFor(database.db, viewer);
    const [artifact] = await caller.rca.list({ incidentId });
    expect((await failureOf(caller.rca.run({ incidentId, engine: "baseline" }))).code).toBe("FORBIDDEN");
    expect(
      (await failureOf(caller.rca.review({ artifactId: artifact?.id ?? "", decision: "accepted", notes: "" }))).code,
    ).toBe("FORBIDDEN");
    expect((await failureOf(callerFor(database.db, null).audit.list())).code).toBe("UNAUTHORIZED");
  });
});
