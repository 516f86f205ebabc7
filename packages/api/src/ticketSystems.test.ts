import { createJiraClient, createServicenowClient, upsertInboundTicket } from "@teleops/core";
import { type FakeTicketSystem, startFakeTicketSystem } from "@teleops/core/integrations/testing";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor, AppServices } from "./context.ts";
import { createCaller } from "./root.ts";
import { callerFor, testServices } from "./testing.ts";

const operator: Actor = { name: "olga", role: "operator", tenantId: "acme" };
const PASSWORD = "sn-secret-pa55";
const TOKEN = "jira-api-token-secret";

async function refusal(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  return error;
}

describe.each(testBackends())("tickets in real ServiceNow and Jira on $name", (backend) => {
  let database: TestDatabase;
  let servicenow: FakeTicketSystem;
  let jira: FakeTicketSystem;
  let services: AppServices;
  const incidentIds: string[] = [];

  beforeAll(async () => {
    database = await backend.open();
    [servicenow, jira] = await Promise.all([startFakeTicketSystem("servicenow"), startFakeTicketSystem("jira")]);
    services = {
      ...testServices(),
      publicUrl: "https://teleops.example.net",
      ticketSystems: {
        servicenow: createServicenowClient({
          instanceUrl: servicenow.url,
          user: "svc.teleops",
          password: PASSWORD,
        }),
        jira: createJiraClient({
          baseUrl: jira.url,
          email: "noc-bot@example.net",
          apiToken: TOKEN,
          projectKey: "NOC",
          issueType: "Task",
        }),
      },
    };
    const admin = callerFor(database.db, { ...operator, role: "admin" });
    // A day apart, so the two failures are two incidents.
    for (const [scenario, startTime] of [
      ["fiber_cut", "2026-11-25T08:00:00Z"],
      ["dns_outage", "2026-11-26T08:00:00Z"],
    ] as const) {
      const generated = await admin.scenarios.generate({ scenario, seed: 7, startTime });
      for (const incident of generated.incidents) if (!incidentIds.includes(incident.id)) incidentIds.push(incident.id);
    }
    expect(incidentIds.length).toBeGreaterThanOrEqual(2);
  });
  afterAll(async () => {
    await Promise.all([servicenow?.close(), jira?.close()]);
    await database?.dispose();
  });

  const real = (actor: Actor = operator) => createCaller({ db: database.db, services, actor });
  /** The same Jira with a short time limit, for the timeout. */
  const impatient = () =>
    createCaller({
      db: database.db,
      services: {
        ...services,
        ticketSystems: {
          jira: createJiraClient({
            baseUrl: jira.url,
            email: "noc-bot@example.net",
            apiToken: TOKEN,
            projectKey: "NOC",
            issueType: "Task",
            timeoutMs: 300,
          }),
        },
      },
      actor: operator,
    });

  it("says which systems are real, naming where without any credential", async () => {
    const systems = await real().integrations.systems();
    expect(systems).toEqual({
      servicenow: { mode: "real", target: servicenow.url },
      jira: { mode: "real", target: `${jira.url} (project NOC)` },
      sample_tickets: true,
    });
    expect(JSON.stringify(systems)).not.toMatch(/pa55|secret|svc\.teleops|noc-bot/);
    expect(await callerFor(database.db, operator).integrations.systems()).toMatchObject({
      servicenow: { mode: "mock", target: null },
      jira: { mode: "mock", target: null },
    });
  });

  it("creates the ServiceNow incident in the instance, stores it linked, and the webhook's update lands on it", async () => {
    const incidentId = incidentIds[0] ?? "";
    const ticket = await real().integrations.createTicket({ incidentId, system: "servicenow" });
    const sent = servicenow.requests.at(-1);
    expect(sent?.path).toBe("/api/now/table/incident");
    expect(sent?.headers.authorization).toBe(`Basic ${Buffer.from(`svc.teleops:${PASSWORD}`).toString("base64")}`);
    expect(sent?.body).toMatchObject({
      correlation_id: incidentId,
      correlation_display: "TeleOps",
      description: expect.stringContaining(`https://teleops.example.net/incidents/${incidentId}`),
    });
    expect(ticket).toMatchObject({
      mock: false,
      system: "servicenow",
      number: "INC0020001",
      status: "New",
      incident_id: incidentId,
      origin: "outbound",
      url: expect.stringContaining(`${servicenow.url}/nav_to.do?uri=incident.do?sys_id=`),
    });
    // Real tickets live in the real system: the mock Table API does not serve them.
    const mockList = await real().integrations.servicenow.incidents({ query: "number=INC0020001" });
    expect(mockList.total).toBe(0);

    // ServiceNow's business rule then reports the record moving on, keyed by the same sys_id.
    await upsertInboundTicket(database.db, "acme", {
      system: "servicenow",
      externalId: ticket.external_id,
      number: ticket.number,
      title: ticket.title,
      status: "In Progress",
      priority: "1 - Critical",
      url: undefined,
      externalUpdatedAt: new Date("2026-12-03T10:05:00Z"),
      raw: { sys_id: ticket.external_id, state: "2", correlation_id: incidentId },
      incidentRefs: [incidentId],
    });
    const linked = await real().integrations.tickets({ incidentId });
    expect(linked).toHaveLength(1);
    expect(linked[0]).toMatchObject({ number: "INC0020001", status: "In Progress", origin: "outbound" });

    const events = await real().integrations.events({ source: "servicenow" });
    expect(events.events[0]).toMatchObject({
      outcome: "accepted",
      http_status: 201,
      summary: { direction: "outbound", incident_id: incidentId, ticket: { number: "INC0020001" } },
    });
    expect(await refusal(real().integrations.createTicket({ incidentId, system: "servicenow" }))).toMatchObject({
      code: "CONFLICT",
      message: `${incidentId} already has ServiceNow incident INC0020001`,
    });
  });

  it("answers a ServiceNow 401 with 502 BAD_GATEWAY and the instance's reason, records a failed event, stores nothing", async () => {
    const incidentId = incidentIds[1] ?? "";
    servicenow.script.push({
      status: 401,
      body: {
        error: { message: "User Not Authenticated", detail: "Required to provide Auth information" },
        status: "failure",
      },
    });
    const error = await refusal(real().integrations.createTicket({ incidentId, system: "servicenow" }));
    expect(error.code).toBe("BAD_GATEWAY");
    expect(error.message).toBe(
      "ServiceNow refused the ticket (HTTP 401 Unauthorized): User Not Authenticated: Required to provide Auth " +
        "information. Check SERVICENOW_USER and SERVICENOW_PASSWORD.",
    );
    expect(await real().integrations.tickets({ incidentId })).toEqual([]);
    const failed = await real().integrations.events({ outcome: "failed" });
    expect(failed.events[0]).toMatchObject({
      source: "servicenow",
      http_status: 401,
      error: error.message,
      summary: { direction: "outbound", incident_id: incidentId, remote_status: 401, actor: "olga" },
    });
    expect(JSON.stringify(failed)).not.toContain(PASSWORD);
  });

  it("answers a Jira 400 with its field errors and a timeout with 502, never a 500", async () => {
    const incidentId = incidentIds[1] ?? "";
    jira.script.push({
      status: 400,
      body: { errorMessages: [], errors: { project: "valid project is required" } },
    });
    const fieldError = await refusal(real().integrations.createTicket({ incidentId, system: "jira" }));
    expect(fieldError.code).toBe("BAD_GATEWAY");
    expect(fieldError.message).toContain(
      "Jira refused the ticket (HTTP 400 Bad Request): project: valid project is required.",
    );

    jira.script.push({ status: 0, hang: true });
    const timeout = await refusal(impatient().integrations.createTicket({ incidentId, system: "jira" }));
    expect(timeout.code).toBe("BAD_GATEWAY");
    expect(timeout.message).toContain("did not answer within 0.3 s");
    const failed = await real().integrations.events({ source: "jira", outcome: "failed" });
    expect(failed.events.map((e) => e.http_status)).toEqual([504, 400]);
    expect(JSON.stringify(failed)).not.toContain(TOKEN);
  });

  it("creates the Jira issue with the incident id as a label, and the result says it is real", async () => {
    const incidentId = incidentIds[1] ?? "";
    const ticket = await real().integrations.createTicket({ incidentId, system: "jira" });
    const sent = jira.requests.at(-1)?.body as { fields: { labels: string[]; project: { key: string } } };
    expect(sent.fields.labels).toEqual(expect.arrayContaining(["teleops", incidentId]));
    expect(sent.fields.project).toEqual({ key: "NOC" });
    expect(ticket).toMatchObject({ mock: false, number: expect.stringMatching(/^NOC-\d+$/), incident_id: incidentId });
  });

  it("adopts the record when ServiceNow's webhook about the new incident arrives before its answer", async () => {
    const incidentId = incidentIds.at(-1) ?? "";
    const early = await startFakeTicketSystem("servicenow");
    try {
      const sysId = "a7d0c5e1b2f34a5b8c9d0e1f2a3b4c5d";
      early.script.push({
        status: 201,
        body: { result: { sys_id: sysId, number: "INC0030001", state: "1", priority: "1" } },
      });
      // The Business Rule posts the new record before the Table API's answer reaches TeleOps.
      await upsertInboundTicket(database.db, "acme", {
        system: "servicenow",
        externalId: sysId,
        number: "INC0030001",
        title: undefined,
        status: "New",
        priority: undefined,
        url: undefined,
        externalUpdatedAt: new Date("2026-12-03T10:00:00Z"),
        raw: { sys_id: sysId, correlation_id: incidentId },
        incidentRefs: [incidentId],
      });
      const caller = createCaller({
        db: database.db,
        services: {
          ...services,
          ticketSystems: {
            servicenow: createServicenowClient({ instanceUrl: early.url, user: "svc.teleops", password: PASSWORD }),
          },
        },
        actor: operator,
      });
      const ticket = await caller.integrations.createTicket({ incidentId, system: "servicenow" });
      expect(ticket).toMatchObject({ external_id: sysId, origin: "outbound", incident_id: incidentId, mock: false });
      expect((await caller.integrations.tickets({ incidentId })).filter((t) => t.system === "servicenow")).toHaveLength(
        1,
      );
    } finally {
      await early.close();
    }
  });

  it("without a configured system, the ticket is a mock one and the answer says so", async () => {
    const incidentId = incidentIds[0] ?? "";
    const ticket = await callerFor(database.db, operator).integrations.createTicket({ incidentId, system: "jira" });
    expect(ticket).toMatchObject({ mock: true, number: "NETOPS-101", url: expect.stringContaining("atlassian.net") });
  });

  it("serves the shipped sample tickets only where the lab is on, so a live database never sees them", async () => {
    const labOff = createCaller({ db: database.db, services: { ...testServices(), lab: false }, actor: operator });
    const labOn = callerFor(database.db, operator);
    expect((await labOn.integrations.servicenow.incidents({ limit: 100 })).total).toBe(12);
    expect((await labOff.integrations.servicenow.incidents({ limit: 100 })).total).toBe(0);
    // The mock issue made above is still served: it was made in this database, for this tenant's incident.
    const jiraOff = await labOff.integrations.jira.issues();
    expect(jiraOff.issues.map((issue) => issue.key)).toEqual(["NETOPS-101"]);
    expect(await labOff.integrations.systems()).toMatchObject({ sample_tickets: false });
  });
});
