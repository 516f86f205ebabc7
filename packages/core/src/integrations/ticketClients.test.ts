import type { Incident } from "@teleops/schema";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeTicketSystem, type RecordedRequest, startFakeTicketSystem } from "./fakeTicketSystems.ts";
import { createJiraClient, createServicenowClient, TicketSystemError } from "./ticketClients.ts";

const incident: Incident = {
  id: "INC-000042",
  title: "Optical loss of signal on fra1-roadm-01",
  severity: "critical",
  status: "open",
  start_time: "2026-12-03T09:00:00.000Z",
  end_time: "2026-12-03T09:12:00.000Z",
  alert_count: 37,
  hosts: ["fra1-roadm-01", "fra1-xpdr-02"],
  services: ["transport"],
  sites: ["fra1"],
  owner: null,
  synthetic: false,
  suspected_category: null,
  suspected_root_cause: null,
  suspected_component: null,
  merged_into: null,
  tenant_id: "acme",
  created_at: "2026-12-03T09:00:05.000Z",
  updated_at: "2026-12-03T09:12:05.000Z",
};
const incidentUrl = "https://teleops.example.net/incidents/INC-000042";
const PASSWORD = "sn-pa55word-never-shown";
const TOKEN = "ATATT3x-jira-token-never-shown";

let fake: FakeTicketSystem | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function only(requests: RecordedRequest[]): RecordedRequest {
  expect(requests).toHaveLength(1);
  const [request] = requests;
  if (!request) throw new Error("no request");
  return request;
}

async function failure(promise: Promise<unknown>): Promise<TicketSystemError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TicketSystemError)) throw new Error(`expected a TicketSystemError, got ${String(error)}`);
  return error;
}

describe("the ServiceNow client", () => {
  const client = (url: string, timeoutMs?: number) =>
    createServicenowClient({ instanceUrl: `${url}/`, user: "svc.teleops", password: PASSWORD, timeoutMs });

  it("posts the incident to the Table API with basic auth, the mapped urgency/impact and the correlation id", async () => {
    fake = await startFakeTicketSystem("servicenow");
    const ticket = await client(fake.url).create({ incident, incidentUrl });
    const request = only(fake.requests);
    expect(request).toMatchObject({ method: "POST", path: "/api/now/table/incident" });
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`svc.teleops:${PASSWORD}`).toString("base64")}`);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.body).toEqual({
      short_description: "[INC-000042] Optical loss of signal on fra1-roadm-01",
      description: expect.stringContaining(`Open in TeleOps: ${incidentUrl}`),
      impact: "1",
      urgency: "1",
      correlation_id: "INC-000042",
      correlation_display: "TeleOps",
    });
    expect((request.body as { description: string }).description).toContain("Hosts: fra1-roadm-01, fra1-xpdr-02");
    expect(ticket).toMatchObject({
      number: "INC0020001",
      externalId: expect.stringMatching(/^5e1f/),
      status: "New",
      priority: "1 - Critical",
      url: `${fake.url}/nav_to.do?uri=incident.do?sys_id=${ticket.externalId}`,
    });
  });

  it("maps each severity to ServiceNow impact and urgency", async () => {
    fake = await startFakeTicketSystem("servicenow");
    for (const severity of ["critical", "major", "minor", "warning", "info"] as const) {
      await client(fake.url).create({ incident: { ...incident, severity }, incidentUrl: null });
    }
    expect(fake.requests.map((r) => r.body as { impact: string; urgency: string })).toMatchObject([
      { impact: "1", urgency: "1" },
      { impact: "1", urgency: "2" },
      { impact: "2", urgency: "2" },
      { impact: "2", urgency: "3" },
      { impact: "3", urgency: "3" },
    ]);
  });

  it("turns a 401 into a sentence with ServiceNow's reason and what to check, never the password", async () => {
    fake = await startFakeTicketSystem("servicenow");
    fake.script.push({
      status: 401,
      body: {
        error: { message: "User Not Authenticated", detail: "Required to provide Auth information" },
        status: "failure",
      },
    });
    const error = await failure(client(fake.url).create({ incident, incidentUrl }));
    expect(error.remoteStatus).toBe(401);
    expect(error.message).toBe(
      "ServiceNow refused the ticket (HTTP 401 Unauthorized): User Not Authenticated: Required to provide Auth " +
        "information. Check SERVICENOW_USER and SERVICENOW_PASSWORD.",
    );
    expect(error.message).not.toContain(PASSWORD);
  });

  it("reports a 400's field error, and scrubs the password if the instance quotes it back", async () => {
    fake = await startFakeTicketSystem("servicenow");
    fake.script.push({
      status: 400,
      body: {
        error: { message: `Invalid value for urgency; basic auth was svc.teleops:${PASSWORD}` },
        status: "failure",
      },
    });
    const error = await failure(client(fake.url).create({ incident, incidentUrl }));
    expect(error.message).toContain("(HTTP 400 Bad Request): Invalid value for urgency");
    expect(error.message).toContain("svc.teleops:[redacted]");
    expect(error.message).not.toContain(PASSWORD);
  });

  it("gives up after the timeout and says the ticket may exist", async () => {
    fake = await startFakeTicketSystem("servicenow");
    fake.script.push({ status: 0, hang: true });
    const started = Date.now();
    const error = await failure(client(fake.url, 300).create({ incident, incidentUrl }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error.remoteStatus).toBeNull();
    expect(error.message).toBe(
      `ServiceNow at ${fake.url} did not answer within 0.3 s; the ticket may or may not exist there, so look for it before trying again`,
    );
  });

  it("says what to check when the address redirects (a login page) or the system fails on its side", async () => {
    fake = await startFakeTicketSystem("servicenow");
    fake.script.push({ status: 302, body: {} }, { status: 503, body: "<html>down</html>" });
    const redirected = await failure(client(fake.url).create({ incident, incidentUrl }));
    expect(redirected.message).toBe(
      "ServiceNow refused the ticket (HTTP 302 Found). The address redirects elsewhere (a login page?); check SERVICENOW_INSTANCE_URL.",
    );
    const down = await failure(client(fake.url).create({ incident, incidentUrl }));
    expect(down.message).toBe(
      "ServiceNow refused the ticket (HTTP 503 Service Unavailable). The system failed on its side; try again later.",
    );
  });

  it("names an instance it cannot reach", async () => {
    fake = await startFakeTicketSystem("servicenow");
    const gone = fake.url;
    await fake.close();
    fake = undefined;
    const error = await failure(client(gone).create({ incident, incidentUrl }));
    expect(error.message).toMatch(/^could not reach ServiceNow at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });
});

describe("the Jira client", () => {
  const client = (url: string) =>
    createJiraClient({
      baseUrl: url,
      email: "noc-bot@example.net",
      apiToken: TOKEN,
      projectKey: "NOC",
      issueType: "Task",
    });

  it("creates the issue through REST v3 with basic auth email:token, ADF description, priority and the labels", async () => {
    fake = await startFakeTicketSystem("jira");
    const ticket = await client(fake.url).create({ incident: { ...incident, severity: "major" }, incidentUrl });
    const request = only(fake.requests);
    expect(request).toMatchObject({ method: "POST", path: "/rest/api/3/issue" });
    expect(request.headers.authorization).toBe(
      `Basic ${Buffer.from(`noc-bot@example.net:${TOKEN}`).toString("base64")}`,
    );
    const { fields } = request.body as { fields: Record<string, unknown> };
    expect(fields).toMatchObject({
      project: { key: "NOC" },
      issuetype: { name: "Task" },
      summary: "[INC-000042] Optical loss of signal on fra1-roadm-01",
      priority: { name: "High" },
      labels: ["teleops", "INC-000042"],
      description: { type: "doc", version: 1, content: expect.any(Array) },
    });
    // The link back is a real ADF link mark, not just text.
    expect(JSON.stringify(fields.description)).toContain(
      JSON.stringify({ type: "text", text: incidentUrl, marks: [{ type: "link", attrs: { href: incidentUrl } }] }),
    );
    expect(ticket).toMatchObject({
      externalId: "10901",
      number: "NOC-1",
      status: "Created",
      priority: "High",
      url: `${fake.url}/browse/NOC-1`,
    });
  });

  it("reports Jira's field errors from a 400 and what to check", async () => {
    fake = await startFakeTicketSystem("jira");
    fake.script.push({
      status: 400,
      body: {
        errorMessages: [],
        errors: { priority: "Field 'priority' cannot be set. It is not on the appropriate screen, or unknown." },
      },
    });
    const error = await failure(client(fake.url).create({ incident, incidentUrl }));
    expect(error.remoteStatus).toBe(400);
    expect(error.message).toContain(
      "Jira refused the ticket (HTTP 400 Bad Request): priority: Field 'priority' cannot be set. It is not on the appropriate screen, or unknown.",
    );
    expect(error.message).toContain("JIRA_PROJECT_KEY (NOC)");
  });

  it("turns a 403 into what the account may not do, without the token", async () => {
    fake = await startFakeTicketSystem("jira");
    fake.script.push({
      status: 403,
      body: { errorMessages: ["You do not have permission to create issues in this project."], errors: {} },
    });
    const error = await failure(client(fake.url).create({ incident, incidentUrl }));
    expect(error.message).toBe(
      "Jira refused the ticket (HTTP 403 Forbidden): You do not have permission to create issues in this project. " +
        "The account noc-bot@example.net may not create issues in project NOC.",
    );
    expect(error.message).not.toContain(TOKEN);
  });
});
