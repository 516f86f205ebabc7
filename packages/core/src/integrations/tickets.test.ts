import { jiraWebhookEventSchema, servicenowWebhookSchema } from "@teleops/schema";
import { describe, expect, it } from "vitest";
import { jiraDedupKey, jiraEventToTicket } from "./jira.ts";
import { loadIntegrationFixtures, parseEncodedQuery } from "./mockApis.ts";
import {
  parseServicenowTime,
  servicenowDedupKey,
  servicenowPriority,
  servicenowRecordToTicket,
  servicenowState,
} from "./servicenow.ts";
import { findIncidentRefs } from "./tickets.ts";

describe("ServiceNow records", () => {
  it("reads the state as a code, a display value or a display-value object", () => {
    expect(servicenowState("2")).toBe("In Progress");
    expect(servicenowState("in progress")).toBe("In Progress");
    expect(servicenowState({ display_value: "On Hold", value: "3" })).toBe("On Hold");
    expect(servicenowState(6)).toBe("Resolved");
    expect(servicenowState("42")).toBe("42");
    expect(servicenowState(undefined)).toBeUndefined();
  });

  it("reads the priority as a code, its label or its label without the code", () => {
    expect(servicenowPriority("1")).toBe("1 - Critical");
    expect(servicenowPriority("3 - Moderate")).toBe("3 - Moderate");
    expect(servicenowPriority("Planning")).toBe("5 - Planning");
  });

  it("reads ServiceNow's UTC times and ISO times", () => {
    expect(parseServicenowTime("2026-11-24 02:51:33")?.toISOString()).toBe("2026-11-24T02:51:33.000Z");
    expect(parseServicenowTime("2026-11-24T02:51:33+01:00")?.toISOString()).toBe("2026-11-24T01:51:33.000Z");
    expect(parseServicenowTime("")).toBeNull();
    expect(parseServicenowTime("yesterday")).toBeNull();
  });

  it("turns every shipped fixture into a ticket with a known state, priority and instance link", () => {
    const { servicenow } = loadIntegrationFixtures();
    expect(servicenow.length).toBeGreaterThanOrEqual(8);
    for (const raw of servicenow) {
      const ticket = servicenowRecordToTicket(servicenowWebhookSchema.parse(raw));
      expect(["New", "In Progress", "On Hold", "Resolved", "Closed"]).toContain(ticket.status);
      expect(ticket.priority).toMatch(/^[1-5] - /);
      expect(ticket.url).toMatch(/^https:\/\/noc-example\.service-now\.com\/nav_to\.do/);
      expect(ticket.externalUpdatedAt).toBeInstanceOf(Date);
    }
  });

  it("links by correlation_id first, then the short description, and keys deliveries by record version", () => {
    const record = servicenowWebhookSchema.parse({
      sys_id: "abc",
      number: "INC0010001",
      short_description: "see INC-000042 and INC-000007",
      correlation_id: "INC-000007",
      sys_mod_count: "2",
    });
    expect(servicenowRecordToTicket(record).incidentRefs).toEqual(["INC-000007", "INC-000042"]);
    expect(servicenowDedupKey(record)).toBe("abc#2");
    expect(servicenowDedupKey({ ...record, sys_updated_on: "2026-11-24 02:51:33" })).toBe("abc@2026-11-24 02:51:33");
  });
});

describe("Jira events", () => {
  const event = jiraWebhookEventSchema.parse({
    timestamp: 1764064800000,
    webhookEvent: "jira:issue_updated",
    user: { accoundId: "99:abc" },
    issue: {
      id: 10495,
      key: "NETOPS-95",
      self: "https://noc-example.atlassian.net/rest/api/2/issue/10495",
      fields: { summary: "", labels: ["INC-000012"] },
    },
    changelog: {
      id: 10201,
      items: [
        { field: "status", fromString: "Open", toString: "In Progress" },
        { field: "summary", toString: "Investigate SERVFAIL spike" },
      ],
    },
  });

  it("takes status and summary from the changelog when the issue fields leave them out", () => {
    if (!event.issue) throw new Error("no issue");
    expect(jiraEventToTicket(event, event.issue)).toMatchObject({
      externalId: "10495",
      number: "NETOPS-95",
      title: "Investigate SERVFAIL spike",
      status: "In Progress",
      url: "https://noc-example.atlassian.net/browse/NETOPS-95",
      incidentRefs: ["INC-000012"],
      raw: { account_id: "99:abc" },
    });
  });

  it("keys a delivery by Atlassian's identifier, else by issue, event and changelog", () => {
    expect(jiraDedupKey(event, "hook-1", Buffer.from("{}"))).toBe("hook-1");
    expect(jiraDedupKey(event, undefined, Buffer.from("{}"))).toBe("10495:jira:issue_updated:10201");
  });
});

describe("findIncidentRefs", () => {
  it("finds TeleOps incident ids in order without repeats, and nothing in ServiceNow numbers", () => {
    expect(findIncidentRefs(["INC-000003 then INC-000001", "INC-000003", undefined, "INC0010001"])).toEqual([
      "INC-000003",
      "INC-000001",
    ]);
  });
});

describe("parseEncodedQuery", () => {
  it("reads conditions and ordering of ServiceNow's encoded query syntax", () => {
    expect(parseEncodedQuery("state=2^priorityIN1,2^short_descriptionLIKEfra1^ORDERBYDESCsys_updated_on")).toEqual({
      conditions: [
        { field: "state", operator: "=", value: "2" },
        { field: "priority", operator: "IN", value: "1,2" },
        { field: "short_description", operator: "LIKE", value: "fra1" },
      ],
      order: [{ field: "sys_updated_on", descending: true }],
    });
    expect(parseEncodedQuery("priority<=2^activeISNOTEMPTY").conditions).toEqual([
      { field: "priority", operator: "<=", value: "2" },
      { field: "active", operator: "ISNOTEMPTY", value: "" },
    ]);
  });

  it("refuses terms it cannot read instead of returning everything", () => {
    expect(() => parseEncodedQuery("state~2")).toThrow(/not <field><operator><value>/);
    expect(() => parseEncodedQuery("state=1^ORstate=2")).toThrow(/OR/);
  });
});
