/**
 * Refused webhook deliveries (issue 16, items 1, 5, 7 and 11): recorded under the credential's tenant only, never
 * stored when unauthenticated, never logged with their bodies, counted when they cannot be recorded, and answered
 * with paths and short messages instead of parser dumps.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { integrationEvents as integrationEventsTable } from "@teleops/db";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAuthenticator, sha256Hex } from "../auth.ts";
import { createLogger } from "../logErrors.ts";
import { startTestServer, type TestServer } from "../testing.ts";
import { hubSignature, postJson } from "./webhookTesting.ts";

const ACME_HOOK = "acme-hook-token-0000000000000000";
const ENV_HOOK = "env-hook-token-00000000000000000";
const JIRA_SECRET = "jira-secret-for-refusals";
const PLANTED = ["hunter2-planted-pw", "sk-planted-4242424242", "AKIAPLANTED77EXAMPLE", "planted-community-rw"];

function usersFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), "teleops-refusals-")), "users.json");
  const user = (name: string, tenant: string) => ({ name, role: "viewer", tenant, token_sha256: sha256Hex(name) });
  writeFileSync(
    file,
    JSON.stringify({
      users: [user("acme-viewer", "acme"), user("noc-viewer", "noc")],
      webhook_tokens: [
        { tenant: "acme", sources: ["alerts", "alertmanager", "servicenow"], token_sha256: sha256Hex(ACME_HOOK) },
      ],
    }),
  );
  return file;
}

/** A log that keeps every line, to prove what never reaches it. */
function capturedLog() {
  const lines: string[] = [];
  const logger = createLogger("info", { write: (line: string) => lines.push(line) });
  return { logger, text: () => lines.join("") };
}

async function eventsOf(server: TestServer, viewer: string) {
  const input = encodeURIComponent(JSON.stringify({ limit: 500, withPayload: true }));
  const response = await fetch(`${server.url}/trpc/integrations.events?input=${input}`, {
    headers: { authorization: `Bearer ${viewer}` },
  });
  const json = (await response.json()) as {
    result: { data: { events: Array<{ http_status: number; payload: unknown; headers: Record<string, string> }> } };
  };
  return json.result.data.events;
}

async function metric(server: TestServer, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(" ").pop()) : 0;
}

const badAlert = { timestamp: "2026-11-25T10:00:00Z", severity: "major", alert_type: "link_down" };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe.each(testBackends())("refused webhook deliveries on $name", (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  const log = capturedLog();

  beforeAll(async () => {
    database = await backend.open();
    server = await startTestServer(database, {
      auth: loadAuthenticator(usersFile()),
      webhookToken: ENV_HOOK,
      jiraWebhookSecret: JIRA_SECRET,
      security: { webhookTenant: "noc" },
      logger: log.logger,
    });
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  it("records a refused delivery under its credential's tenant, never under the webhook tenant", async () => {
    const refused = await postJson(`${server.url}/webhooks/alerts`, badAlert, bearer(ACME_HOOK));
    expect(refused.status).toBe(400);
    const wrongType = await fetch(`${server.url}/webhooks/servicenow`, {
      method: "POST",
      headers: { ...bearer(ACME_HOOK), "content-type": "text/plain" },
      body: "x",
    });
    expect(wrongType.status).toBe(415);
    const acme = await eventsOf(server, "acme-viewer");
    expect(acme.map((e) => e.http_status).sort()).toEqual([400, 415]);
    expect(acme.find((e) => e.http_status === 400)?.payload).toEqual(badAlert);
    expect(await eventsOf(server, "noc-viewer")).toEqual([]);
    // The env credential's refusals still go to its tenant.
    expect((await postJson(`${server.url}/webhooks/alerts`, badAlert, bearer(ENV_HOOK))).status).toBe(400);
    expect((await eventsOf(server, "noc-viewer")).map((e) => e.http_status)).toEqual([400]);
  });

  it("stores nothing for unauthenticated refusals, counts them in /metrics, and keeps recorded headers short", async () => {
    const before = await database.db.$count(integrationEventsTable);
    const longAgent = `probe/${"a".repeat(10_000)}`;
    for (let i = 0; i < 10; i++) {
      const answer = await postJson(`${server.url}/webhooks/alerts`, badAlert, {
        ...bearer(`guessed-${i}`),
        "user-agent": longAgent,
      });
      expect(answer.status).toBe(401);
    }
    expect((await fetch(`${server.url}/webhooks/alertmanager`)).status).toBe(405);
    const unsigned = await postJson(`${server.url}/webhooks/jira`, { webhookEvent: "jira:issue_updated" });
    expect(unsigned.status).toBe(401);
    expect(await database.db.$count(integrationEventsTable)).toBe(before);
    expect(
      await metric(
        server,
        "teleops_webhook_refusals_total",
        'route="/webhooks/alerts",status="401",authenticated="false"',
      ),
    ).toBe(10);
    expect(
      await metric(
        server,
        "teleops_webhook_refusals_total",
        'route="/webhooks/jira",status="401",authenticated="false"',
      ),
    ).toBe(1);
    // An authenticated refusal is recorded, with its headers cut short and its credential reduced to the scheme.
    const signed = JSON.stringify({ webhookEvent: "" });
    const refused = await postJson(`${server.url}/webhooks/jira`, signed, {
      "x-hub-signature": hubSignature(JIRA_SECRET, signed),
      "user-agent": longAgent,
      authorization: "Bearer some-proxy-credential",
    });
    expect(refused.status).toBe(400);
    const event = (await eventsOf(server, "noc-viewer")).find((e) => e.headers["user-agent"]?.startsWith("probe/"));
    expect(event?.http_status).toBe(400);
    expect(event?.headers.authorization).toBe("Bearer [redacted]");
    expect(JSON.stringify(event?.headers)).not.toContain("some-proxy-credential");
    expect(event?.headers["user-agent"]?.length).toBeLessThanOrEqual(257);
  });

  it("never logs a refused body: a lone surrogate is recorded as U+FFFD, and nothing planted reaches the log", async () => {
    const body = `{"timestamp":"2026-11-25T10:00:00Z","host":"h1","severity":"major","alert_type":"x","message":"\\ud800 password=${PLANTED[0]}","raw_payload":{"api_key":"${PLANTED[1]}","aws":"${PLANTED[2]}","snmp_community":"${PLANTED[3]}"}}`;
    const refused = await postJson(`${server.url}/webhooks/alerts`, body, bearer(ACME_HOOK));
    expect(refused.status).toBe(400);
    const recorded = (await eventsOf(server, "acme-viewer")).find((e) =>
      JSON.stringify(e.payload ?? "").includes("\uFFFD password"),
    );
    expect(recorded).toBeDefined();
    // A schema error quotes the sender's value back to the sender only; the log names the field.
    const quoted = await postJson(
      `${server.url}/webhooks/alerts`,
      { ...badAlert, host: "h", timestamp: PLANTED[3] },
      bearer(ACME_HOOK),
    );
    expect(quoted.status).toBe(400);
    expect(log.text()).toContain("the alerts does not match the schema at timestamp");
    for (const secret of PLANTED) expect([secret, log.text().includes(secret)]).toEqual([secret, false]);
  });

  it("answers malformed JSON with a position, never a fragment of the body, in the answer or the log", async () => {
    const texts = [`{"password":"${PLANTED[0]}" x}`, `{"token":${PLANTED[1]}}`, `{"a":"${PLANTED[2]}"`];
    for (const text of texts) {
      const answer = await postJson(`${server.url}/webhooks/alerts`, text, bearer(ACME_HOOK));
      expect(answer.status).toBe(400);
      expect(String(answer.body.error)).toMatch(/^malformed JSON: /);
      const issues = answer.body.issues as Array<{ path: string; message: string }>;
      expect(issues).toHaveLength(1);
      for (const secret of PLANTED) expect(JSON.stringify(answer.body)).not.toContain(secret);
    }
    const first = await postJson(`${server.url}/webhooks/alerts`, texts[0], bearer(ACME_HOOK));
    expect(first.body.error).toBe(
      "malformed JSON: expected ',' or '}' after property value at line 1, column 34; nothing was stored",
    );
    const query = encodeURIComponent(`{"text":"${PLANTED[3]}" x}`);
    const trpc = await fetch(`${server.url}/trpc/incidents.list?input=${query}`, { headers: bearer("acme-viewer") });
    expect(trpc.status).toBe(400);
    expect(await trpc.text()).not.toContain(PLANTED[3]);
    for (const secret of PLANTED) expect([secret, log.text().includes(secret)]).toEqual([secret, false]);
  });

  it("answers an invalid tRPC input with field paths and a short message, not zod's JSON dump", async () => {
    const input = encodeURIComponent(JSON.stringify({ limit: "ten", status: 7 }));
    const response = await fetch(`${server.url}/trpc/incidents.list?input=${input}`, {
      headers: bearer("acme-viewer"),
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as {
      error: { message: string; data: { issues: Array<{ path: string; message: string }> } };
    };
    expect(error.message).toMatch(/^invalid input: (limit|status): .+; 1 more$/);
    expect(error.message).not.toContain("{");
    expect(error.data.issues.map((i) => i.path).sort()).toEqual(["limit", "status"]);
    const schema = await postJson(`${server.url}/webhooks/alerts`, badAlert, bearer(ACME_HOOK));
    expect(schema.body.error).toBe(
      "the alerts does not match the schema (host: Invalid input: expected string, received undefined); nothing was stored",
    );
  });
});

describe.each(testBackends())("refusals while the database is gone on $name", (backend) => {
  it("still answers, logs no body, and counts the refusal it could not record", async () => {
    const database = await backend.open();
    const log = capturedLog();
    const server = await startTestServer(database, { webhookToken: ENV_HOOK, logger: log.logger });
    try {
      await database.dispose();
      const body = { ...badAlert, message: `password=${PLANTED[0]}`, raw_payload: { api_key: PLANTED[1] } };
      const refused = await postJson(`${server.url}/webhooks/alerts`, body, bearer(ENV_HOOK));
      expect(refused.status).toBe(400);
      expect(await metric(server, "teleops_webhook_refusals_unrecorded_total", 'route="/webhooks/alerts"')).toBe(1);
      expect(log.text()).toContain("could not record the rejected delivery");
      for (const secret of PLANTED) expect([secret, log.text().includes(secret)]).toEqual([secret, false]);
    } finally {
      await server.close();
    }
  });
});
