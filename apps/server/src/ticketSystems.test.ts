import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";
import { describeTicketSystems, ticketSystemsFrom } from "./ticketSystems.ts";

const SERVICENOW = {
  SERVICENOW_INSTANCE_URL: "https://acme.service-now.com/",
  SERVICENOW_USER: "svc.teleops",
  SERVICENOW_PASSWORD: "s3cret-sn",
};
const JIRA = {
  JIRA_BASE_URL: "https://acme.atlassian.net",
  JIRA_EMAIL: "noc@acme.example",
  JIRA_API_TOKEN: "s3cret-jira",
};

describe("ticket systems from the environment", () => {
  it("are mocks when nothing is set, and say so in the start-up log", () => {
    const clients = ticketSystemsFrom(loadConfig({}));
    expect(clients).toEqual({});
    expect(describeTicketSystems(clients)).toEqual({
      servicenow: "mock (SERVICENOW_INSTANCE_URL not set)",
      jira: "mock (JIRA_BASE_URL not set)",
    });
  });

  it("are real with all three variables, described by address and project only", () => {
    const config = loadConfig({ ...SERVICENOW, ...JIRA, JIRA_PROJECT_KEY: "NOC" });
    expect(config.JIRA_ISSUE_TYPE).toBe("Task");
    expect(config.TELEOPS_TICKET_TIMEOUT_MS).toBe(10_000);
    const described = describeTicketSystems(ticketSystemsFrom(config));
    expect(described).toEqual({
      servicenow: "real: https://acme.service-now.com",
      jira: "real: https://acme.atlassian.net (project NOC)",
    });
    expect(JSON.stringify(described)).not.toMatch(/s3cret|svc\.teleops|noc@acme/);
    expect(loadConfig(JIRA).JIRA_PROJECT_KEY).toBe("NETOPS");
  });

  it("refuses to start with only some of a system's variables, naming the missing ones and no value", () => {
    const half = { SERVICENOW_INSTANCE_URL: SERVICENOW.SERVICENOW_INSTANCE_URL, SERVICENOW_PASSWORD: "s3cret-sn" };
    expect(() => loadConfig(half)).toThrow(ConfigError);
    expect(() => loadConfig(half)).toThrow(
      "invalid configuration: ServiceNow tickets need SERVICENOW_INSTANCE_URL, SERVICENOW_USER, SERVICENOW_PASSWORD; SERVICENOW_USER is not set",
    );
    expect(() => loadConfig({ JIRA_API_TOKEN: "s3cret-jira" })).toThrow(/JIRA_BASE_URL and JIRA_EMAIL are not set/);
    expect(() => loadConfig({ ...JIRA, JIRA_BASE_URL: "acme.atlassian.net" })).toThrow(/JIRA_BASE_URL/);
    expect(() => loadConfig({ ...JIRA, JIRA_PROJECT_KEY: "noc ops" })).toThrow(/JIRA_PROJECT_KEY/);
    // A password written into the address would be shown wherever the address is: refused, and not echoed.
    const inUrl = { ...SERVICENOW, SERVICENOW_INSTANCE_URL: "https://svc:s3cret-sn@acme.service-now.com" };
    expect(() => loadConfig(inUrl)).toThrow(
      "SERVICENOW_INSTANCE_URL: no user or password in the address; set SERVICENOW_USER and SERVICENOW_PASSWORD",
    );
  });
});
