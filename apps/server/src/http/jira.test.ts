import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../testing.ts";
import { hubSignature, integrationEvents, postJson, trpcQuery } from "./webhookTesting.ts";

const SECRET = "jira-webhook-secret";
const SITE = "https://noc-example.atlassian.net";

interface TicketView {
  number: string;
  title: string;
  status: string;
  priority: string | null;
  incident_id: string | null;
  url: string | null;
  origin: string;
}

function issue(key: string, id: string, fields: Record<string, unknown>) {
  return {
    id,
    self: `${SITE}/rest/api/2/issue/${id}`,
    key,
    fields: {
      issuetype: { id: "10003", name: "Task", subtask: false },
      project: { id: "10021", key: "NETOPS", name: "Network Operations" },
      created: "2026-11-25T10:12:40.000+0000",
      updated: "2026-11-25T10:12:40.000+0000",
      priority: { self: `${SITE}/rest/api/2/priority/1`, name: "Highest", id: "1" },
      ...fields,
    },
  };
}

const user = {
  self: `${SITE}/rest/api/2/user?accountId=712020:0c9d8e7f`,
  accountId: "712020:0c9d8e7f",
  displayName: "Bram de Vries",
  active: true,
  timeZone: "Europe/Amsterdam",
  accountType: "atlassian",
};

const status = (name: string, category: string) => ({
  name,
  id: "3",
  statusCategory: { key: category === "Done" ? "done" : "indeterminate", name: category },
});

/**
 * Atlassian's documented `jira:issue_updated` example, field for field: a string priority, a string `timestamp`,
 * `"active": "true"`, and the user id spelled `accoundId`.
 */
const ATLASSIAN_EXAMPLE = `{
   "id": 2,
   "timestamp": "2009-09-09T00:08:36.796-0500",
   "issue": {
      "expand":"renderedFields,names,schema,transitions,operations,editmeta,changelog",
      "id":"99291",
      "self":"https://jira.atlassian.com/rest/api/2/issue/99291",
      "key":"JRA-20002",
      "fields":{
         "summary":"I feel the need for speed",
         "created":"2009-12-16T23:46:10.612-0600",
         "description":"Make the issue nav load 10x faster",
         "labels":["UI", "dialogue", "move"],
         "priority": "Minor"
      }
   },
   "user": {
      "self":"https://jira.atlassian.com/rest/api/2/user?accountId=99:27935d01-92a7-4687-8272-a9b8d3b2ae2e",
      "accoundId": "99:27935d01-92a7-4687-8272-a9b8d3b2ae2e",
      "accountType": "atlassian",
      "avatarUrls":{
         "16x16":"https://jira.atlassian.com/secure/useravatar?size=small&avatarId=10605",
         "48x48":"https://jira.atlassian.com/secure/useravatar?avatarId=10605"
      },
      "displayName":"Bryan Rollins [Atlassian]",
      "active" : "true",
      "timeZone": "Europe/Warsaw"
   },
   "changelog": {
      "items": [
         {
            "toString": "A new summary.",
            "to": null,
            "fromString": "What is going on here?????",
            "from": null,
            "fieldtype": "jira",
            "field": "summary"
         },
         {
            "toString": "New Feature",
            "to": "2",
            "fromString": "Improvement",
            "from": "4",
            "fieldtype": "jira",
            "field": "issuetype"
         }
      ],
      "id": 10124
   },
   "webhookEvent": "jira:issue_updated"
}`;

describe.each(testBackends())("POST /webhooks/jira on $name", (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  let incidentId = "";
  beforeAll(async () => {
    database = await backend.open();
    server = await startTestServer(database, { jiraWebhookSecret: SECRET });
    // An incident for the issues to name.
    await postJson(`${server.url}/webhooks/alerts`, {
      timestamp: "2026-11-25T10:06:00Z",
      source_system: "dns-probe",
      host: "lon1-dns-01",
      service: "dns",
      severity: "critical",
      alert_type: "dns_servfail_high",
      message: "SERVFAIL 42%",
    });
    const page = await trpcQuery<{ incidents: Array<{ id: string }> }>(server, "incidents.list");
    incidentId = page.incidents[0]?.id ?? "";
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  /** Sends a body signed as Jira signs it, with Atlassian's delivery identifier. */
  async function deliver(body: unknown, identifier?: string, headers: Record<string, string> = {}) {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    return postJson(`${server.url}/webhooks/jira`, text, {
      "x-hub-signature": hubSignature(SECRET, text),
      "user-agent": "Atlassian Webhook HTTP Client",
      ...(identifier ? { "x-atlassian-webhook-identifier": identifier } : {}),
      ...headers,
    });
  }
  const ticketsOf = (id?: string) =>
    trpcQuery<TicketView[]>(server, "integrations.tickets", id ? { incidentId: id } : {});

  it("links a created issue to the incident named in its labels and moves its status on each update", async () => {
    expect(incidentId).toMatch(/^INC-\d{6}$/);
    const created = await deliver(
      {
        timestamp: 1795651960000,
        webhookEvent: "jira:issue_created",
        issue_event_type_name: "issue_created",
        user,
        issue: issue("NETOPS-95", "10495", {
          summary: "Investigate SERVFAIL spike on lon1-dns-01/02",
          status: status("Open", "To Do"),
          labels: ["dns_outage", incidentId],
        }),
      },
      "b7d2a7b0-0001",
    );
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await ticketsOf(incidentId)).toEqual([
      expect.objectContaining({
        number: "NETOPS-95",
        status: "Open",
        priority: "Highest",
        url: `${SITE}/browse/NETOPS-95`,
        origin: "inbound",
      }),
    ]);

    const updated = await deliver(
      {
        timestamp: 1795652000000,
        webhookEvent: "jira:issue_updated",
        issue_event_type_name: "issue_generic",
        user,
        issue: issue("NETOPS-95", "10495", {
          summary: "Investigate SERVFAIL spike on lon1-dns-01/02",
          status: status("In Progress", "In Progress"),
          labels: ["dns_outage", incidentId],
          updated: "2026-11-25T10:35:02.000+0000",
        }),
        changelog: {
          id: "10201",
          items: [
            {
              field: "status",
              fieldtype: "jira",
              fieldId: "status",
              from: "1",
              fromString: "Open",
              to: "3",
              toString: "In Progress",
            },
          ],
        },
      },
      "b7d2a7b0-0002",
    );
    expect(updated.body).toMatchObject({ accepted: 1 });
    expect((await ticketsOf(incidentId))[0]?.status).toBe("In Progress");
    const log = await integrationEvents(server, { source: "jira" });
    expect(log.events[0]?.summary).toMatchObject({
      webhook_event: "jira:issue_updated",
      changed_fields: ["status"],
      account_id: "712020:0c9d8e7f",
    });
    expect(log.events[0]?.headers["x-atlassian-webhook-identifier"]).toBe("b7d2a7b0-0002");

    const deleted = await deliver(
      {
        timestamp: 1795652100000,
        webhookEvent: "jira:issue_deleted",
        issue_event_type_name: "issue_deleted",
        user,
        issue: issue("NETOPS-95", "10495", {
          summary: "Investigate SERVFAIL spike on lon1-dns-01/02",
          status: status("In Progress", "In Progress"),
          labels: ["dns_outage", incidentId],
          updated: "2026-11-25T10:35:02.000+0000",
        }),
      },
      "b7d2a7b0-0003",
    );
    expect(deleted.body).toMatchObject({ accepted: 1 });
    expect(await ticketsOf(incidentId)).toEqual([expect.objectContaining({ number: "NETOPS-95", status: "Deleted" })]);
  });

  it("treats a replay with the same X-Atlassian-Webhook-Identifier as a duplicate that changes nothing", async () => {
    const before = await ticketsOf();
    const replay = await deliver(
      {
        webhookEvent: "jira:issue_updated",
        user,
        issue: issue("NETOPS-95", "10495", { summary: "changed on replay", status: status("Open", "To Do") }),
      },
      "b7d2a7b0-0002",
    );
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await ticketsOf()).toEqual(before);
    const log = await integrationEvents(server, { source: "jira", outcome: "duplicate" });
    expect(log.events[0]).toMatchObject({ dedup_key: "b7d2a7b0-0002", http_status: 202 });
  });

  it("creates the ticket from an update for an issue it never saw", async () => {
    const answer = await deliver(
      {
        timestamp: 1795660000000,
        webhookEvent: "jira:issue_updated",
        issue_event_type_name: "issue_assigned",
        user,
        issue: issue("NETOPS-98", "10498", {
          summary: `Move analytics queries off ams1-db-01 primary (${incidentId})`,
          status: status("In Progress", "In Progress"),
          labels: ["database_latency_spike"],
          assignee: user,
        }),
        changelog: {
          id: 10301,
          items: [{ field: "assignee", from: null, to: "712020:0c9d8e7f", toString: "Bram de Vries" }],
        },
      },
      "b7d2a7b0-0010",
    );
    expect(answer.body).toMatchObject({ accepted: 1, ticket: { number: "NETOPS-98", status: "In Progress" } });
    // The incident id in the summary links it as well as a label would.
    expect((await ticketsOf(incidentId)).map((t) => t.number)).toContain("NETOPS-98");
  });

  it("accepts Atlassian's documented example as is, reading the user from accoundId", async () => {
    const answer = await deliver(ATLASSIAN_EXAMPLE);
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ accepted: 1, ticket: { number: "JRA-20002" } });
    const tickets = await ticketsOf();
    expect(tickets.find((t) => t.number === "JRA-20002")).toMatchObject({
      title: "I feel the need for speed",
      priority: "Minor",
      url: "https://jira.atlassian.com/browse/JRA-20002",
      incident_id: null,
    });
    const log = await integrationEvents(server, { source: "jira", outcome: "accepted" });
    expect(log.events[0]?.summary).toMatchObject({
      account_id: "99:27935d01-92a7-4687-8272-a9b8d3b2ae2e",
      changed_fields: ["summary", "issuetype"],
    });
    // Without an identifier header the issue, event and changelog id make the key; a resend is a duplicate.
    expect(log.events[0]?.dedup_key).toBe("99291:jira:issue_updated:10124");
    expect((await deliver(ATLASSIAN_EXAMPLE)).body).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it("ignores an update older than the stored one instead of moving the status back", async () => {
    const stale = await deliver(
      {
        webhookEvent: "jira:issue_updated",
        user,
        issue: issue("NETOPS-98", "10498", {
          summary: "Move analytics queries off ams1-db-01 primary",
          status: status("Open", "To Do"),
          updated: "2026-11-20T00:00:00.000+0000",
        }),
      },
      "b7d2a7b0-0011",
    );
    expect(stale.body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await ticketsOf()).find((t) => t.number === "NETOPS-98")?.status).toBe("In Progress");
  });

  it("refuses a missing, malformed or wrong signature with 401 and stores nothing, not even the rejection", async () => {
    const body = JSON.stringify({
      webhookEvent: "jira:issue_created",
      issue: issue("NETOPS-200", "10600", { summary: "forged", status: status("Open", "To Do") }),
    });
    const url = `${server.url}/webhooks/jira`;
    const before = await integrationEvents(server, { source: "jira", outcome: "rejected" });
    const missing = await postJson(url, body);
    const malformed = await postJson(url, body, { "x-hub-signature": "sha1=abc" });
    const wrongSecret = await postJson(url, body, { "x-hub-signature": hubSignature("guess", body) });
    const tampered = await postJson(url, body.replace("forged", "tampered"), {
      "x-hub-signature": hubSignature(SECRET, body),
    });
    expect([missing.status, malformed.status, wrongSecret.status, tampered.status]).toEqual([401, 401, 401, 401]);
    expect(missing.body.error).toMatch(/X-Hub-Signature/);
    expect((await ticketsOf()).some((t) => t.number === "NETOPS-200")).toBe(false);
    // An unsigned sender is not who it claims to be: its refusals are counted in /metrics, never stored.
    const after = await integrationEvents(server, { source: "jira", outcome: "rejected" });
    expect(after.total).toBe(before.total);
  });
});
