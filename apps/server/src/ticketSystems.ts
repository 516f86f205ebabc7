/** The real ticket systems this server talks to, built once from the configuration; unset ones stay mocks. */
import { createJiraClient, createServicenowClient, type TicketSystemClients } from "@teleops/core";
import type { Config } from "./config.ts";

export function ticketSystemsFrom(config: Config): TicketSystemClients {
  const clients: TicketSystemClients = {};
  if (config.SERVICENOW_INSTANCE_URL && config.SERVICENOW_USER && config.SERVICENOW_PASSWORD) {
    clients.servicenow = createServicenowClient({
      instanceUrl: config.SERVICENOW_INSTANCE_URL,
      user: config.SERVICENOW_USER,
      password: config.SERVICENOW_PASSWORD,
      timeoutMs: config.TELEOPS_TICKET_TIMEOUT_MS,
    });
  }
  if (config.JIRA_BASE_URL && config.JIRA_EMAIL && config.JIRA_API_TOKEN) {
    clients.jira = createJiraClient({
      baseUrl: config.JIRA_BASE_URL,
      email: config.JIRA_EMAIL,
      apiToken: config.JIRA_API_TOKEN,
      projectKey: config.JIRA_PROJECT_KEY,
      issueType: config.JIRA_ISSUE_TYPE,
      timeoutMs: config.TELEOPS_TICKET_TIMEOUT_MS,
    });
  }
  return clients;
}

/** What the start-up log says about each system: where it goes, or that it is the mock. Never a credential. */
export function describeTicketSystems(clients: TicketSystemClients): Record<string, string> {
  return {
    servicenow: clients.servicenow ? `real: ${clients.servicenow.target}` : "mock (SERVICENOW_INSTANCE_URL not set)",
    jira: clients.jira ? `real: ${clients.jira.target}` : "mock (JIRA_BASE_URL not set)",
  };
}
