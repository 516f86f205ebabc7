import { recordIntegrationEvent } from "@teleops/core";
import { incidents } from "@teleops/db";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "./context.ts";
import { callerFor } from "./testing.ts";

const operator: Actor = { name: "olga", role: "operator", tenantId: "acme" };
const viewer: Actor = { name: "vic", role: "viewer", tenantId: "acme" };
const stranger: Actor = { name: "eve", role: "admin", tenantId: "globex" };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    return error instanceof TRPCError ? error.code : "NOT_TRPC";
  }
}

describe.each(testBackends())("integrations router on $name", (backend) => {
  let database: TestDatabase;
  let incidentId = "";
  beforeAll(async () => {
    database = await backend.open();
    const generated = await callerFor(database.db, { ...operator, role: "admin" }).scenarios.generate({
      scenario: "fiber_cut",
      seed: 7,
      startTime: "2026-11-25T08:00:00Z",
    });
    incidentId = generated.incidents[0]?.id ?? "";
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("pages the mock ServiceNow incidents with limit and offset and reports the total", async () => {
    const caller = callerFor(database.db, viewer);
    const all = await caller.integrations.servicenow.incidents({ limit: 100 });
    expect(all.total).toBe(12);
    expect(all.result).toHaveLength(12);
    const first = await caller.integrations.servicenow.incidents({ limit: 5, offset: 0 });
    const last = await caller.integrations.servicenow.incidents({ limit: 5, offset: 10 });
    expect(first.result.map((r) => r.number)).toEqual(all.result.slice(0, 5).map((r) => r.number));
    expect(last.result).toHaveLength(2);
    expect(last.total).toBe(12);
    // Records are served exactly as the Table API writes them: strings and {link, value} references.
    expect(first.result[0]).toMatchObject({
      state: "2",
      priority: "1",
      assignment_group: { value: expect.any(String) },
    });
  });

  it("filters the mock ServiceNow incidents by state and priority with an encoded query", async () => {
    const caller = callerFor(database.db, viewer);
    const numbers = async (query: string) =>
      (await caller.integrations.servicenow.incidents({ query, limit: 100 })).result.map((r) => r.number);
    expect(await numbers("state=2")).toEqual(["INC0009981", "INC0009984", "INC0009988", "INC0009991"]);
    expect(await numbers("priority=1")).toEqual(["INC0009981", "INC0009983", "INC0009986", "INC0009988", "INC0009990"]);
    expect(await numbers("state=2^priority=1")).toEqual(["INC0009981", "INC0009988"]);
    expect(await numbers("stateIN6,7^ORDERBYDESCsys_updated_on")).toEqual([
      "INC0009983",
      "INC0009990",
      "INC0009987",
      "INC0009986",
    ]);
    expect(await codeOf(caller.integrations.servicenow.incidents({ query: "colour=red" }))).toBe("BAD_REQUEST");
  });

  it("pages the mock Jira search with startAt and maxResults and filters by status name", async () => {
    const caller = callerFor(database.db, viewer);
    const page = await caller.integrations.jira.issues({ startAt: 10, maxResults: 5 });
    expect(page).toMatchObject({ startAt: 10, maxResults: 5, total: 12 });
    expect(page.issues).toHaveLength(2);
    const inProgress = await caller.integrations.jira.issues({ status: "in progress" });
    expect(inProgress.total).toBe(4);
    expect(inProgress.issues.map((i) => i.key)).toEqual(["NETOPS-98", "NETOPS-95", "NETOPS-89", "NETOPS-93"]);
    expect(await codeOf(caller.integrations.jira.issues({ maxResults: 1000 }))).toBe("BAD_REQUEST");
  });

  it("creates a ServiceNow incident from an incident with a realistic number, severity priority and a link", async () => {
    const caller = callerFor(database.db, operator);
    const incident = await caller.incidents.byId({ id: incidentId });
    const ticket = await caller.integrations.createTicket({ incidentId, system: "servicenow" });
    expect(ticket).toMatchObject({
      system: "servicenow",
      number: "INC0010001",
      status: "New",
      priority: incident.severity === "critical" ? "1 - Critical" : expect.any(String),
      incident_id: incidentId,
      origin: "outbound",
    });
    // No instance is configured here, so the ticket is a mock one and the answer says so.
    const { mock: isMock, ...stored } = ticket;
    expect(isMock).toBe(true);
    expect(await caller.integrations.tickets({ incidentId })).toEqual([stored]);

    const mock = await caller.integrations.servicenow.incidents({ query: "numberSTARTSWITHINC001" });
    expect(mock.total).toBe(1);
    const record = mock.result[0];
    expect(record).toMatchObject({ number: "INC0010001", state: "1", correlation_id: incidentId });
    expect(String(record?.description)).toContain(incident.title);
    expect(String(record?.description)).toContain("No root cause analysis has been accepted yet.");
    expect(await codeOf(caller.integrations.createTicket({ incidentId, system: "servicenow" }))).toBe("CONFLICT");
  });

  it("creates a Jira issue whose description carries the accepted root cause", async () => {
    await database.db
      .update(incidents)
      .set({
        suspectedCategory: "fiber_cut",
        suspectedRootCause: "fiber cut on the long-haul span at the ROADM",
        suspectedComponent: "fra1-roadm-01",
      })
      .where(eq(incidents.id, incidentId));
    const caller = callerFor(database.db, operator);
    const ticket = await caller.integrations.createTicket({ incidentId, system: "jira" });
    expect(ticket).toMatchObject({ system: "jira", number: "NETOPS-101", status: "Open", incident_id: incidentId });
    expect(["Highest", "High", "Medium", "Low", "Lowest"]).toContain(ticket.priority);
    const search = await caller.integrations.jira.issues({ status: "Open" });
    expect(search.total).toBe(5);
    const issue = search.issues.find((i) => i.key === "NETOPS-101") as
      | { key: string; fields: { description: string; labels: string[] } }
      | undefined;
    if (!issue) throw new Error("NETOPS-101 not served by the mock search");
    expect(issue.fields.labels).toEqual(["teleops", incidentId, "fiber_cut"]);
    expect(issue.fields.description).toContain("Root cause: fiber cut on the long-haul span at the ROADM");
    expect(issue.fields.description).toContain("Component: fra1-roadm-01");
    expect((await caller.integrations.tickets({ incidentId })).map((t) => t.number)).toEqual([
      "INC0010001",
      "NETOPS-101",
    ]);
  });

  it("lets viewers read but not create tickets, and hides other tenants' incidents", async () => {
    expect(await codeOf(callerFor(database.db, viewer).integrations.createTicket({ incidentId, system: "jira" }))).toBe(
      "FORBIDDEN",
    );
    const outsider = callerFor(database.db, stranger);
    expect(await codeOf(outsider.integrations.createTicket({ incidentId, system: "jira" }))).toBe("NOT_FOUND");
    expect(await codeOf(outsider.integrations.tickets({ incidentId }))).toBe("NOT_FOUND");
    expect(await outsider.integrations.tickets()).toEqual([]);
    expect((await outsider.integrations.servicenow.incidents({ limit: 100 })).total).toBe(12);
    expect(await codeOf(callerFor(database.db, null).integrations.events())).toBe("UNAUTHORIZED");
  });

  it("lists integration events filtered by source, outcome and time, newest first, payloads on request", async () => {
    const record = (source: "jira" | "servicenow", outcome: "accepted" | "rejected", httpStatus: number) =>
      recordIntegrationEvent(database.db, {
        tenantId: "acme",
        source,
        outcome,
        httpStatus,
        headers: { "content-type": "application/json" },
        payload: { hello: source },
        summary: {},
      });
    // received_at is the database's clock, and PGlite's ticks in whole milliseconds: events recorded within one
    // tick are simultaneous and tie. A few milliseconds apart, "newest first" has one answer.
    const tick = () => new Promise((resolve) => setTimeout(resolve, 3));
    const first = await record("jira", "accepted", 202);
    await tick();
    await record("servicenow", "rejected", 400);
    await tick();
    const last = await record("jira", "rejected", 401);
    const caller = callerFor(database.db, viewer);
    const all = await caller.integrations.events();
    expect(all.total).toBe(3);
    expect(all.events[0]?.id).toBe(last.id);
    expect(all.events[0]?.payload).toBeNull();
    expect(all.byOutcome).toEqual({ accepted: 1, duplicate: 0, rejected: 2, failed: 0 });
    const jira = await caller.integrations.events({ source: "jira", withPayload: true });
    expect(jira.events.map((e) => e.http_status)).toEqual([401, 202]);
    expect(jira.events[1]?.payload).toEqual({ hello: "jira" });
    expect((await caller.integrations.events({ outcome: "rejected" })).total).toBe(2);
    expect((await caller.integrations.events({ since: first.received_at })).total).toBe(3);
    expect((await caller.integrations.events({ until: first.received_at })).total).toBe(0);
    expect((await callerFor(database.db, stranger).integrations.events()).total).toBe(0);
  });
});
