import { readFileSync } from "node:fs";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../testing.ts";
import { integrationEvents, postJson, trpcQuery } from "./webhookTesting.ts";

const TOKEN = "sn-shared-token";
const INSTANCE = "https://noc-example.service-now.com";

/** The shipped Table API fixture: records exactly as ServiceNow returns them. */
const fixture = JSON.parse(
  readFileSync(new URL("../../../../fixtures/integrations/servicenow_incidents.json", import.meta.url), "utf8"),
) as { result: Array<Record<string, unknown>> };

function fixtureRecord(number: string): Record<string, unknown> {
  const record = fixture.result.find((r) => r.number === number);
  if (!record) throw new Error(`fixture ${number} missing`);
  return structuredClone(record);
}

interface TicketView {
  number: string;
  title: string;
  status: string;
  priority: string | null;
  incident_id: string | null;
  url: string | null;
}

describe.each(testBackends())("POST /webhooks/servicenow on $name", (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  let incidentId = "";
  beforeAll(async () => {
    database = await backend.open();
    server = await startTestServer(database, { servicenowWebhookToken: TOKEN });
    await postJson(`${server.url}/webhooks/alerts`, {
      timestamp: "2026-11-24T02:14:00Z",
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
    await database?.dispose();
  });

  const bearer = { authorization: `Bearer ${TOKEN}` };
  const basic = { authorization: `Basic ${Buffer.from(`svc.teleops:${TOKEN}`).toString("base64")}` };
  const deliver = (body: unknown, headers: Record<string, string> = bearer) =>
    postJson(`${server.url}/webhooks/servicenow`, body, headers);
  const tickets = () => trpcQuery<TicketView[]>(server, "integrations.tickets");
  const ticket = async (number: string) => (await tickets()).find((t) => t.number === number);

  it("takes a Table API record with reference objects, links it by correlation_id and reads the state code", async () => {
    const base = fixtureRecord("INC0009981");
    const record = { ...base, correlation_id: incidentId };
    const answer = await deliver(record, basic);
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ accepted: 1, duplicates: 0, ticket: { number: "INC0009981" } });
    const linked = await trpcQuery<TicketView[]>(server, "integrations.tickets", { incidentId });
    expect(linked).toEqual([
      expect.objectContaining({
        number: "INC0009981",
        status: "In Progress",
        priority: "1 - Critical",
        title: "Loss of signal on fra1-roadm-01 line port, fra1-ams1 span dark",
        url: `${INSTANCE}/nav_to.do?uri=incident.do?sys_id=${String(base.sys_id)}`,
      }),
    ]);
  });

  it("moves the linked ticket's status when a later version of the record arrives with a display-value state", async () => {
    const record = {
      ...fixtureRecord("INC0009981"),
      state: "Resolved",
      sys_updated_on: "2026-11-24 09:40:00",
      sys_mod_count: "7",
      // A Business Rule that sends plain strings: reference fields as sys_id text, no correlation id.
      assignment_group: "b02fd751bf2b41eedcd6324f4d06d834",
      cmdb_ci: "7174d5e36961935153d3f15d20ca93ff",
      correlation_id: "",
    };
    const answer = await deliver(record);
    expect(answer.body).toMatchObject({ accepted: 1, ticket: { status: "Resolved", incident_id: incidentId } });
    expect(await ticket("INC0009981")).toMatchObject({ status: "Resolved", incident_id: incidentId });
  });

  it("applies the same version of a record once: sys_id with sys_updated_on, or with sys_mod_count", async () => {
    const record = { ...fixtureRecord("INC0009984") };
    expect((await deliver(record)).body).toMatchObject({ accepted: 1, duplicates: 0 });
    expect((await deliver(record, basic)).body).toMatchObject({ accepted: 0, duplicates: 1 });

    const { sys_updated_on: _ignored, ...withoutTime } = fixtureRecord("INC0009985");
    expect((await deliver({ ...withoutTime, sys_mod_count: "3" })).body).toMatchObject({ accepted: 1 });
    expect((await deliver({ ...withoutTime, sys_mod_count: "3" })).body).toMatchObject({ duplicates: 1 });
    expect((await deliver({ ...withoutTime, sys_mod_count: "4", state: "2" })).body).toMatchObject({ accepted: 1 });
    expect(await ticket("INC0009985")).toMatchObject({ status: "In Progress" });

    const log = await integrationEvents(server, { source: "servicenow", outcome: "duplicate" });
    expect(log.events.map((e) => e.dedup_key)).toEqual([
      `${withoutTime.sys_id}#3`,
      `${record.sys_id}@${record.sys_updated_on}`,
    ]);
  });

  it("reads sysparm_display_value=all objects and the {result:{…}} wrapper, linking by short_description", async () => {
    const base = fixtureRecord("INC0009988");
    const record = {
      ...base,
      short_description: {
        display_value: `DNS SERVFAIL in lon1, see ${incidentId}`,
        value: `DNS SERVFAIL in lon1, see ${incidentId}`,
      },
      state: { display_value: "On Hold", value: "3" },
      priority: { display_value: "2 - High", value: "2" },
      correlation_id: { display_value: "", value: "" },
      assignment_group: {
        display_value: "DC Services",
        link: `${INSTANCE}/api/now/table/sys_user_group/abc`,
        value: "abc",
      },
    };
    const answer = await deliver({ result: record });
    expect(answer.status).toBe(202);
    expect(await ticket("INC0009988")).toMatchObject({
      status: "On Hold",
      priority: "2 - High",
      incident_id: incidentId,
      title: `DNS SERVFAIL in lon1, see ${incidentId}`,
    });
  });

  it("takes a Table API list answer pasted as is, applying each record once", async () => {
    // The shape of the Table API's GET answer: every field present, empty strings, references as {link, value}.
    const answer = {
      result: [
        {
          parent: "",
          made_sla: "true",
          caused_by: "",
          watch_list: "",
          upon_reject: "cancel",
          sys_updated_on: "2026-11-25 14:20:03",
          child_incidents: "0",
          hold_reason: "",
          number: "INC0009989",
          resolved_by: "",
          sys_updated_by: "noc.l2.anna",
          opened_by: {
            link: `${INSTANCE}/api/now/table/sys_user/6816f79cc0a8016401c5a33be04be441`,
            value: "6816f79cc0a8016401c5a33be04be441",
          },
          sys_created_on: "2026-11-25 13:44:50",
          sys_domain: { link: `${INSTANCE}/api/now/table/sys_user_group/global`, value: "global" },
          state: "3",
          sys_created_by: "admin",
          knowledge: "false",
          order: "",
          calendar_stc: "",
          closed_at: "",
          cmdb_ci: {
            link: `${INSTANCE}/api/now/table/cmdb_ci/b0c25d1bc0a800090168be1bfcdcd759`,
            value: "b0c25d1bc0a800090168be1bfcdcd759",
          },
          delivery_plan: "",
          impact: "2",
          active: "true",
          priority: "3",
          sys_mod_count: "5",
          short_description: "CDN cache stampede on nyc1-cdn-01, origin fetch errors from nyc1-app-01",
          sys_id: "0c5f3cece4b6f11c0bd1fc41d7dd1a6e",
          urgency: "2",
          severity: "3",
          correlation_id: "",
        },
        {
          ...fixtureRecord("INC0009992"),
        },
      ],
    };
    const first = await deliver(answer);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(await ticket("INC0009989")).toMatchObject({ status: "On Hold", priority: "3 - Moderate" });
    expect(await ticket("INC0009992")).toMatchObject({ status: "New", priority: "5 - Planning" });
    expect((await deliver(answer)).body).toMatchObject({ accepted: 0, duplicates: 2 });
    const bad = await deliver({ result: [{ number: "INC1" }] });
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toEqual([{ path: "result[0].sys_id", message: "sys_id is required" }]);
  });

  it("keeps an unknown state as sent and tolerates fields it does not know", async () => {
    const record = {
      sys_id: "0f0e0d0c0b0a09080706050403020100",
      number: "INC0009999",
      short_description: "Customer-specific state",
      state: "-5",
      priority: "Critical",
      u_custom_field: { anything: [1, 2, 3] },
      sys_updated_on: "2026-11-25 18:00:00",
    };
    expect((await deliver(record)).status).toBe(202);
    expect(await ticket("INC0009999")).toMatchObject({ status: "-5", priority: "1 - Critical" });
  });

  it("refuses missing or wrong credentials with 401 and a Basic challenge", async () => {
    const record = fixtureRecord("INC0009990");
    const none = await deliver(record, {});
    const wrong = await deliver(record, { authorization: `Basic ${Buffer.from("admin:admin").toString("base64")}` });
    const wrongBearer = await deliver(record, { authorization: "Bearer nope" });
    expect([none.status, wrong.status, wrongBearer.status]).toEqual([401, 401, 401]);
    expect(await ticket("INC0009990")).toBeUndefined();
    const response = await fetch(`${server.url}/webhooks/servicenow`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(response.headers.get("www-authenticate")).toContain("Basic");
  });
});
