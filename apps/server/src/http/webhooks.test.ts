import { tickets } from "@teleops/db";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../testing.ts";
import { hubSignature, integrationEvents, postJson, trpcQuery } from "./webhookTesting.ts";

const WEBHOOK_TOKEN = "alerts-token";
const JIRA_SECRET = "jira-secret";
const SERVICENOW_TOKEN = "sn-token";

interface RouteCase {
  path: string;
  source: string;
  /** Headers that pass the route's credential check for this body. */
  credentials(body: string): Record<string, string>;
  wrongCredentials(body: string): Record<string, string>;
  wrongTypes: unknown;
  wrongTypePaths: string[];
  missingFields: unknown;
  missingMessage: RegExp;
}

const ROUTES: RouteCase[] = [
  {
    path: "/webhooks/alertmanager",
    source: "alertmanager",
    credentials: () => ({ authorization: `Bearer ${WEBHOOK_TOKEN}` }),
    wrongCredentials: () => ({ authorization: "Bearer guessed" }),
    wrongTypes: {
      receiver: "teleops",
      status: "firing",
      truncatedAlerts: "none",
      alerts: [{ status: "firing", labels: "LinkDown", startsAt: 1764064800, fingerprint: "ab12" }],
    },
    wrongTypePaths: ["truncatedAlerts", "alerts[0].labels", "alerts[0].startsAt"],
    missingFields: { alerts: [] },
    missingMessage: /receiver is required/,
  },
  {
    path: "/webhooks/jira",
    source: "jira",
    credentials: (body) => ({ "x-hub-signature": hubSignature(JIRA_SECRET, body) }),
    wrongCredentials: (body) => ({ "x-hub-signature": hubSignature("not-the-secret", body) }),
    wrongTypes: { webhookEvent: "jira:issue_updated", issue: { id: "10001", key: 42, fields: { labels: "INC-1" } } },
    wrongTypePaths: ["issue.key", "issue.fields.labels"],
    missingFields: { timestamp: 1764064800000, issue: { id: "10001", key: "NETOPS-1" } },
    missingMessage: /webhookEvent is required/,
  },
  {
    path: "/webhooks/servicenow",
    source: "servicenow",
    credentials: () => ({ authorization: `Bearer ${SERVICENOW_TOKEN}` }),
    wrongCredentials: () => ({ authorization: `Basic ${Buffer.from(`admin:wrong`).toString("base64")}` }),
    wrongTypes: { sys_id: 7, number: ["INC0010001"], state: [2] },
    wrongTypePaths: ["sys_id", "number", "state"],
    missingFields: { short_description: "no identity" },
    missingMessage: /sys_id is required/,
  },
  {
    path: "/webhooks/alerts",
    source: "alerts",
    credentials: () => ({ authorization: `Bearer ${WEBHOOK_TOKEN}` }),
    wrongCredentials: () => ({}),
    wrongTypes: { timestamp: "2026-11-25T10:00:00Z", host: 7, severity: "apocalyptic", alert_type: "link_down" },
    wrongTypePaths: ["host", "severity"],
    missingFields: { host: "fra1-core-01" },
    missingMessage: /expected string, received undefined/,
  },
];

describe.each(testBackends())("webhook bad input on $name", (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    database = await backend.open();
    server = await startTestServer(database, {
      webhookToken: WEBHOOK_TOKEN,
      jiraWebhookSecret: JIRA_SECRET,
      servicenowWebhookToken: SERVICENOW_TOKEN,
    });
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  describe.each(ROUTES)("$path", (route) => {
    const url = () => `${server.url}${route.path}`;
    const send = (body: string, headers: Record<string, string> = {}) =>
      postJson(url(), body, { ...route.credentials(body), ...headers });

    it("answers malformed JSON with 400 and the parser's message", async () => {
      const answer = await send('{"receiver": "teleops", "alerts": [');
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/malformed JSON/);
    });

    it("answers wrong types with 400 and the path of every bad field", async () => {
      const answer = await send(JSON.stringify(route.wrongTypes));
      expect(answer.status).toBe(400);
      const paths = (answer.body.issues as Array<{ path: string }>).map((issue) => issue.path);
      expect(paths).toEqual(expect.arrayContaining(route.wrongTypePaths));
    });

    it("answers missing required fields with 400 naming them", async () => {
      const answer = await send(JSON.stringify(route.missingFields));
      expect(answer.status).toBe(400);
      const messages = (answer.body.issues as Array<{ message: string }>).map((issue) => issue.message).join("; ");
      expect(messages).toMatch(route.missingMessage);
    });

    it("answers a 2 MiB body with 413", async () => {
      const answer = await send(JSON.stringify({ padding: "x".repeat(2 * 1024 * 1024) }));
      expect(answer.status).toBe(413);
    });

    it("answers a non-JSON content type with 415", async () => {
      const answer = await send("receiver=teleops", { "content-type": "application/x-www-form-urlencoded" });
      expect(answer.status).toBe(415);
    });

    it("answers wrong credentials with 401", async () => {
      const body = JSON.stringify(route.wrongTypes);
      const answer = await postJson(url(), body, route.wrongCredentials(body));
      expect(answer.status).toBe(401);
    });

    it("answers a string holding a NUL character with 400 instead of failing in the database", async () => {
      const answer = await send('{"sys_id":"a\\u0000b","webhookEvent":"x\\u0000","receiver":"\\u0000"}');
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/NUL/);
    });

    it("answers GET with 405", async () => {
      const response = await fetch(url(), { headers: route.credentials("") });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
    });

    it("stored nothing and recorded every refusal of an authenticated sender as a rejected integration event", async () => {
      const log = await integrationEvents(server, { source: route.source });
      // 401 and 405 come before the credential is checked, and Jira's credential is the signature over the body:
      // those refusals are counted in /metrics, never stored (issue 16).
      const recorded = route.source === "jira" ? [400, 400, 400, 400] : [400, 400, 400, 400, 413, 415];
      expect(log.byOutcome).toEqual({ accepted: 0, duplicate: 0, rejected: recorded.length, failed: 0 });
      expect(log.events.map((e) => e.http_status).sort()).toEqual(recorded);
      expect(log.events.every((e) => e.error !== null)).toBe(true);
      const schemaRejection = log.events.find((e) => e.http_status === 400 && Array.isArray(e.summary.issues));
      expect(schemaRejection).toBeDefined();
    });
  });

  it("never stored an alert, an incident or a ticket from the refused deliveries", async () => {
    const overview = await trpcQuery<{ alerts: number; incidents: number }>(server, "metrics.overview");
    expect(overview).toMatchObject({ alerts: 0, incidents: 0 });
    expect(await database.db.select().from(tickets)).toEqual([]);
    const log = await integrationEvents(server);
    expect(log.total).toBe(3 * 6 + 4);
    expect(log.events.some((e) => e.http_status >= 500)).toBe(false);
  });

  it("answers unknown webhook routes with 404 without logging an event", async () => {
    const answer = await postJson(`${server.url}/webhooks/pagerduty`, {});
    expect(answer.status).toBe(404);
    expect((await integrationEvents(server)).total).toBe(3 * 6 + 4);
  });
});

describe("webhooks in production without credentials", () => {
  it("closes every route whose credential is not configured, and counts the refusals without storing them", async () => {
    const [pglite] = testBackends({});
    if (!pglite) throw new Error("no backend");
    const database = await pglite.open();
    const server = await startTestServer(database, { production: true });
    try {
      const statuses: number[] = [];
      for (const route of ROUTES) {
        statuses.push((await postJson(`${server.url}${route.path}`, JSON.stringify(route.missingFields))).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401]);
      expect((await integrationEvents(server)).total).toBe(0);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      for (const route of ROUTES) {
        expect(metrics).toContain(
          `teleops_webhook_refusals_total{route="${route.path}",status="401",authenticated="false"} 1`,
        );
      }
    } finally {
      await server.close();
      await database.dispose();
    }
  });
});
