import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { CORRELATION_STREAM_TEXT_MAX_CHARS } from "@teleops/schema";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "./context.ts";
import { createCaller } from "./root.ts";
import { callerFor, testServices } from "./testing.ts";

const viewer: Actor = { name: "vic", role: "viewer", tenantId: "northwind" };

async function failure(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
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

const STREAM = [
  { stream: { name: "one failure", description: "three alerts of one cut" } },
  { alert: alert("core-1", 0, "link_down"), truth: "cut" },
  { alert: alert("core-1", 4, "bgp_session_down"), truth: "cut" },
  { alert: alert("core-1", 8, "packet_loss"), truth: "cut" },
]
  .map((line) => JSON.stringify(line))
  .join("\n");

describe.each(testBackends())("correlation router on $name", (backend) => {
  let database: TestDatabase;
  let corpus: string;
  beforeAll(async () => {
    database = await backend.open();
    corpus = mkdtempSync(join(tmpdir(), `teleops-corpus-${backend.name}-`));
    writeFileSync(join(corpus, "one-failure.jsonl"), STREAM);
    writeFileSync(join(corpus, "noise.jsonl"), JSON.stringify({ alert: alert("edge-9", 0, "cpu_high"), truth: null }));
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("lets a viewer score sent streams: figures per stream, overall and the targets", async () => {
    const report = await callerFor(database.db, viewer).correlation.evaluate({
      streams: [{ name: "sent.jsonl", text: STREAM }],
    });
    expect(report.streams).toHaveLength(1);
    expect(report.streams[0]).toMatchObject({
      name: "one failure",
      file: "sent.jsonl",
      description: "three alerts of one cut",
      alerts: 3,
      truth_incidents: 1,
      noise_alerts: 0,
      topology: false,
      errors: [],
    });
    expect(report.overall).toMatchObject({ streams: 1, alerts: 3, truth_incidents: 1 });
    expect(report.overall.worst_stream?.name).toBe("one failure");
    expect(report.targets).toMatchObject({ f1: 0.95, incident_count_tolerance: 0.1, phantom_share: 0.05 });
  });

  it("scores the server's corpus directory when called without input", async () => {
    const caller = createCaller({
      db: database.db,
      services: { ...testServices(), correlationCorpusDir: corpus },
      actor: viewer,
    });
    const report = await caller.correlation.evaluate();
    expect(report.streams.map((s) => [s.name, s.file, s.alerts])).toEqual([
      ["noise", "noise.jsonl", 1],
      ["one failure", "one-failure.jsonl", 3],
    ]);
    expect(report.overall.alerts).toBe(4);
    // Scoring takes seconds on the real corpus: the same files give the same report without scoring again,
    // and a changed file is scored afresh.
    expect(await caller.correlation.evaluate()).toBe(report);
    writeFileSync(join(corpus, "noise.jsonl"), `${STREAM}\n`);
    const changed = await caller.correlation.evaluate();
    expect(changed.overall.alerts).toBe(6);
  });

  it("refuses unreadable lines of sent streams with BAD_REQUEST naming stream and line", async () => {
    const error = await failure(
      callerFor(database.db, viewer).correlation.evaluate({
        streams: [{ name: "bad.jsonl", text: `${STREAM}\n{"syslog": "nonsense", "truth": null}\n` }],
      }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toMatch(/1 lines cannot be read, e\.g\. bad\.jsonl:5: syslog: /);
  });

  it("bounds the input: at most 1 MiB of stream text per call", async () => {
    const big = "x".repeat(CORRELATION_STREAM_TEXT_MAX_CHARS / 2 + 1);
    const error = await failure(
      callerFor(database.db, viewer).correlation.evaluate({
        streams: [
          { name: "a", text: big },
          { name: "b", text: big },
        ],
      }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toMatch(/at most 1048576 per call/);
  });

  it("says the corpus cannot be read without telling a client where the server keeps it", async () => {
    const caller = createCaller({
      db: database.db,
      services: { ...testServices(), correlationCorpusDir: join(corpus, "missing") },
      actor: viewer,
    });
    const error = await failure(caller.correlation.evaluate());
    expect(error.code).toBe("PRECONDITION_FAILED");
    expect(error.message).not.toContain(corpus);
  });

  it("needs credentials", async () => {
    expect((await failure(callerFor(database.db, null).correlation.evaluate())).code).toBe("UNAUTHORIZED");
  });
});
