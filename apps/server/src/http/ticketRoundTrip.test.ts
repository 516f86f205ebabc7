import { createJiraClient, createServicenowClient } from "@teleops/core";
import { type FakeTicketSystem, startFakeTicketSystem } from "@teleops/core/integrations/testing";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../testing.ts";
import { integrationEvents, postJson, trpcQuery } from "./webhookTesting.ts";

const SN_WEBHOOK_TOKEN = "sn-inbound-token";
const SN_PASSWORD = "sn-outbound-pa55";
const JIRA_TOKEN = "jira-outbound-token";

interface TicketView {
  number: string;
  external_id: string;
  status: string;
  incident_id: string | null;
  origin: string;
  mock?: boolean;
}

describe.each(testBackends())("a ticket made in a real system comes back through its webhook, on $name", (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  let servicenow: FakeTicketSystem;
  let jira: FakeTicketSystem;
  let incidentId = "";

  beforeAll(async () => {
    database = await backend.open();
    [servicenow, jira] = await Promise.all([startFakeTicketSystem("servicenow"), startFakeTicketSystem("jira")]);
    server = await startTestServer(database, {
      servicenowWebhookToken: SN_WEBHOOK_TOKEN,
      publicUrl: "https://teleops.example.net/",
      ticketSystems: {
        servicenow: createServicenowClient({ instanceUrl: servicenow.url, user: "svc.teleops", password: SN_PASSWORD }),
        jira: createJiraClient({
          baseUrl: jira.url,
          email: "noc-bot@example.net",
          apiToken: JIRA_TOKEN,
          projectKey: "NOC",
          issueType: "Task",
        }),
      },
    });
    await postJson(`${server.url}/webhooks/alerts`, {
      timestamp: "2026-12-03T09:14:00Z",
      source_system: "optical-nms",
      host: "fra1-roadm-01",
      service: "transport",
      severity: "critical",
      alert_type: "optical_loss_of_signal",
      message: "LOS on 1-1-L1",
    });
    const page = await trpcQuery<{ incidents: Array<{ id: string }> }>(server, "incidents.list");
    incidentId = page.incidents[0]?.id ?? "";
  });
  afterAll(async () => {
    await server?.close();
    await Promise.all([servicenow?.close(), jira?.close()]);
    await database?.dispose();
  });

  const createTicket = (system: "servicenow" | "jira") =>
    postJson(`${server.url}/trpc/integrations.createTicket`, { incidentId, system });
  const tickets = () => trpcQuery<TicketView[]>(server, "integrations.tickets", { incidentId });

  it("creates the ServiceNow incident with the correlation id, and the Business Rule's post moves it on", async () => {
    expect(incidentId).toMatch(/^INC-\d+$/);
    const created = await createTicket("servicenow");
    expect(created.status).toBe(200);
    const ticket = (created.body.result as { data: TicketView }).data;
    expect(ticket).toMatchObject({ mock: false, number: "INC0020001", incident_id: incidentId, status: "New" });
    const sent = servicenow.requests.at(-1);
    expect(sent?.path).toBe("/api/now/table/incident");
    expect(sent?.body).toMatchObject({
      correlation_id: incidentId,
      correlation_display: "TeleOps",
      urgency: "1",
      impact: "1",
      description: expect.stringContaining(`https://teleops.example.net/incidents/${incidentId}`),
    });

    // What ServiceNow's Business Rule posts once an agent picks the incident up.
    const inbound = await postJson(
      `${server.url}/webhooks/servicenow`,
      {
        sys_id: ticket.external_id,
        number: "INC0020001",
        short_description: `[${incidentId}] Optical loss of signal`,
        state: "2",
        priority: "1",
        correlation_id: incidentId,
        sys_updated_on: "2026-12-03 10:05:00",
        sys_mod_count: "1",
      },
      { authorization: `Bearer ${SN_WEBHOOK_TOKEN}` },
    );
    expect(inbound.status).toBe(202);
    expect(inbound.body.ticket).toMatchObject({ number: "INC0020001", status: "In Progress", incident_id: incidentId });
    const linked = await tickets();
    expect(linked.filter((t) => t.number === "INC0020001")).toEqual([
      expect.objectContaining({ status: "In Progress", incident_id: incidentId, origin: "outbound" }),
    ]);
  });

  it("creates the Jira issue with the incident id as a label, and the issue event links back to it", async () => {
    const created = await createTicket("jira");
    const ticket = (created.body.result as { data: TicketView }).data;
    expect(ticket).toMatchObject({ mock: false, number: "NOC-1", incident_id: incidentId });
    const sent = jira.requests.at(-1)?.body as { fields: { labels: string[] } };
    expect(sent.fields.labels).toContain(incidentId);

    const inbound = await postJson(`${server.url}/webhooks/jira`, {
      timestamp: Date.parse("2026-12-03T10:06:00Z"),
      webhookEvent: "jira:issue_updated",
      issue: {
        id: ticket.external_id,
        key: "NOC-1",
        self: `${jira.url}/rest/api/3/issue/${ticket.external_id}`,
        fields: {
          summary: `[${incidentId}] Optical loss of signal`,
          labels: ["teleops", incidentId],
          status: { name: "In Progress" },
          priority: { name: "Highest" },
          updated: "2026-12-03T10:06:00.000+0000",
        },
      },
      changelog: { id: "20001", items: [{ field: "status", fromString: "To Do", toString: "In Progress" }] },
    });
    expect(inbound.status).toBe(202);
    const linked = (await tickets()).filter((t) => t.number === "NOC-1");
    expect(linked).toEqual([expect.objectContaining({ status: "In Progress", incident_id: incidentId })]);
  });

  it("answers a refusal of the real system with 502 and its reason over HTTP, and logs it as a failed event", async () => {
    // A second incident, so the one-ticket-per-incident rule does not answer first.
    await postJson(`${server.url}/webhooks/alerts`, {
      timestamp: "2026-12-02T03:00:00Z",
      source_system: "dns-probe",
      host: "lon1-dns-01",
      service: "dns",
      severity: "critical",
      alert_type: "dns_servfail",
      message: "SERVFAIL rate 40%",
    });
    const page = await trpcQuery<{ incidents: Array<{ id: string }> }>(server, "incidents.list");
    const other = page.incidents.find((i) => i.id !== incidentId)?.id ?? "";
    expect(other).toMatch(/^INC-\d+$/);
    servicenow.script.push({
      status: 403,
      body: {
        error: { message: "Operation Failed", detail: "ACL Exception Insert Failed due to security constraints" },
      },
    });
    const refused = await postJson(`${server.url}/trpc/integrations.createTicket`, {
      incidentId: other,
      system: "servicenow",
    });
    expect(refused.status).toBe(502);
    const message = (refused.body.error as { message: string }).message;
    expect(message).toContain(
      "ServiceNow refused the ticket (HTTP 403 Forbidden): Operation Failed: ACL Exception Insert Failed due to security constraints.",
    );
    expect(message).not.toContain(SN_PASSWORD);
    const failed = await integrationEvents(server, { outcome: "failed" });
    expect(failed.events[0]).toMatchObject({ source: "servicenow", http_status: 403, error: message });
  });
});
