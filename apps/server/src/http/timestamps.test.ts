/**
 * Event times outside 1970-01-01 … now + the configured bound (issue 16, item 6): a 400 naming the field on every
 * webhook route and a rejected line in imports, never a 500, and the integration log keeps answering.
 */
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { setEventTimeWindow } from "@teleops/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../config.ts";
import { startTestServer, type TestServer } from "../testing.ts";
import { integrationEvents, postJson } from "./webhookTesting.ts";

const EARLY = ["0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z"];
const LATE = ["9999-12-31T23:59:59Z", new Date(Date.now() + 25 * 3_600_000).toISOString()];
const BAD = [...EARLY, ...LATE];

const alert = (timestamp: string) => ({ timestamp, host: "par1-core-01", severity: "major", alert_type: "link_down" });
const amPayload = (field: "startsAt" | "updatedAt", time: string) => ({
  receiver: "teleops",
  status: "firing",
  alerts: [
    {
      status: "firing",
      labels: { alertname: "LinkDown", instance: "par1-core-01:9100" },
      startsAt: "2026-11-25T08:00:00Z",
      endsAt: "0001-01-01T00:00:00Z",
      fingerprint: "0f0f0f0f0f0f0f0f",
      [field]: time,
    },
  ],
});
const snRecord = (field: "sys_updated_on" | "opened_at", time: string) => ({
  sys_id: "46d44e2b2f3a4b10a9f5f2c3d4e5f601",
  number: "INC0010042",
  short_description: "core link down",
  [field]: time.replace("T", " ").replace("Z", ""),
});
const jiraEvent = (time: string | number, where: "timestamp" | "updated") => ({
  webhookEvent: "jira:issue_updated",
  ...(where === "timestamp" ? { timestamp: time } : {}),
  issue: {
    id: "10042",
    key: "NETOPS-42",
    fields: { summary: "core link down", ...(where === "updated" ? { updated: time } : {}) },
  },
});

describe.each(testBackends())("event times on $name", (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    database = await backend.open();
    server = await startTestServer(database);
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  const post = (route: string, body: unknown) => postJson(`${server.url}/webhooks/${route}`, body);
  const pathsOf = (answer: { body: Record<string, unknown> }) =>
    (answer.body.issues as Array<{ path: string; message: string }>).map((issue) => issue.path);

  it("answers 400 naming the field for times before 1970 or past now + 1 day, on every webhook route", async () => {
    for (const time of BAD) {
      const cases: Array<[string, unknown, string]> = [
        ["alerts", alert(time), "timestamp"],
        ["alerts", [alert("2026-11-25T08:00:00Z"), alert(time)], "[1].timestamp"],
        ["alertmanager", amPayload("startsAt", time), "alerts[0].startsAt"],
        ["alertmanager", amPayload("updatedAt", time), "alerts[0].updatedAt"],
        ["servicenow", snRecord("sys_updated_on", time), "sys_updated_on"],
        ["servicenow", snRecord("opened_at", time), "opened_at"],
        ["jira", jiraEvent(time, "updated"), "issue.fields.updated"],
        ["jira", jiraEvent(Date.parse(time), "timestamp"), "timestamp"],
      ];
      for (const [route, body, path] of cases) {
        const answer = await post(route, body);
        expect([route, time, answer.status]).toEqual([route, time, 400]);
        expect([route, time, pathsOf(answer)]).toEqual([route, time, [path]]);
        expect(String(answer.body.error)).toContain(`${path}: out of range`);
      }
    }
    // Far out of JavaScript's own range too.
    expect((await post("jira", jiraEvent(1e20, "timestamp"))).status).toBe(400);
  });

  it("accepts times within the window, and the integration log keeps answering", async () => {
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    expect((await post("alerts", alert(soon))).status).toBe(202);
    expect((await post("alerts", alert("1970-01-01T00:00:00Z"))).status).toBe(202);
    expect((await post("servicenow", snRecord("sys_updated_on", soon))).status).toBe(202);
    expect((await post("jira", jiraEvent(soon, "updated"))).status).toBe(202);
    const log = await integrationEvents(server, { withPayload: true });
    expect(log.byOutcome.accepted).toBe(4);
    expect(log.events.every((event) => event.http_status < 500)).toBe(true);
  });

  it("rejects such import lines with their line number while the others load", async () => {
    const lines = [alert("2026-11-25T08:00:00Z"), alert("0000-01-01T00:00:00Z"), alert("9999-12-31T23:59:59Z")];
    const response = await fetch(`${server.url}/trpc/imports.upload`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fileName: "times.jsonl", content: lines.map((l) => JSON.stringify(l)).join("\n") }),
    });
    const result = ((await response.json()) as { result: { data: Record<string, unknown> } }).result.data;
    expect(result).toMatchObject({ imported: 1, rejected: 2 });
    const errors = result.errors as Array<{ line: number; message: string }>;
    expect(errors.map((e) => e.line)).toEqual([2, 3]);
    expect(errors.every((e) => /timestamp.*out of range/.test(e.message))).toBe(true);
  });
});

describe("the event-time window", () => {
  it("is configurable and validated: TELEOPS_TIMESTAMP_MAX_FUTURE_MIN", () => {
    expect(loadConfig({}).TELEOPS_TIMESTAMP_MAX_FUTURE_MIN).toBe(1_440);
    expect(loadConfig({ TELEOPS_TIMESTAMP_MAX_FUTURE_MIN: "5" }).TELEOPS_TIMESTAMP_MAX_FUTURE_MIN).toBe(5);
    expect(() => loadConfig({ TELEOPS_TIMESTAMP_MAX_FUTURE_MIN: "-1" })).toThrow(ConfigError);
    expect(() => loadConfig({ TELEOPS_TIMESTAMP_MAX_FUTURE_MIN: "soon" })).toThrow(/TELEOPS_TIMESTAMP_MAX_FUTURE_MIN/);
  });

  it("moves the upper bound of every schema at once", async () => {
    const [pglite] = testBackends({});
    if (!pglite) throw new Error("no backend");
    const database = await pglite.open();
    const server = await startTestServer(database);
    const inTenMinutes = new Date(Date.now() + 10 * 60_000).toISOString();
    try {
      setEventTimeWindow({ maxFutureMs: 5 * 60_000 });
      const answer = await postJson(`${server.url}/webhooks/alerts`, alert(inTenMinutes));
      expect(answer.status).toBe(400);
      expect(String(answer.body.error)).toContain("and 5 min from now");
    } finally {
      setEventTimeWindow({ maxFutureMs: 24 * 60 * 60_000 });
      await server.close();
      await database.dispose();
    }
  });
});
