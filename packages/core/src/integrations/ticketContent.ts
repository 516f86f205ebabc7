/**
 * What a ticket made from an incident says, whichever system it goes to: title, description and the priority
 * fields mapped from the incident's severity. The mock store and the real clients share it.
 */
import type { Incident, Severity } from "@teleops/schema";

/** ServiceNow's default priority matrix: impact and urgency per severity give priorities 1 to 5. */
export const SERVICENOW_BY_SEVERITY: Readonly<Record<Severity, { impact: string; urgency: string; priority: string }>> =
  {
    critical: { impact: "1", urgency: "1", priority: "1" },
    major: { impact: "1", urgency: "2", priority: "2" },
    minor: { impact: "2", urgency: "2", priority: "3" },
    warning: { impact: "2", urgency: "3", priority: "4" },
    info: { impact: "3", urgency: "3", priority: "5" },
  };

/** Jira's five default priorities, by name (the name is what a create request may send) and default id. */
export const JIRA_BY_SEVERITY: Readonly<Record<Severity, { name: string; id: string }>> = {
  critical: { name: "Highest", id: "1" },
  major: { name: "High", id: "2" },
  minor: { name: "Medium", id: "3" },
  warning: { name: "Low", id: "4" },
  info: { name: "Lowest", id: "5" },
};

/** `[INC-000123] <incident title>`, cut to the field's length (ServiceNow 160, Jira 255). */
export function ticketTitle(incident: Incident, maxLength: number): string {
  return `[${incident.id}] ${incident.title}`.slice(0, maxLength);
}

/**
 * The ticket body: what the incident is, where, the accepted root cause when a reviewer accepted one, and the
 * address of the incident in TeleOps when the server knows its own public address.
 */
export function ticketDescription(incident: Incident, incidentUrl?: string | null): string {
  const list = (items: string[]) =>
    items.length > 10 ? `${items.slice(0, 10).join(", ")} (+${items.length - 10} more)` : items.join(", ");
  const lines = [
    `TeleOps incident ${incident.id}: ${incident.title}`,
    `Severity: ${incident.severity}. Status: ${incident.status}.`,
    `First alert: ${incident.start_time}. Last alert: ${incident.end_time}. Alerts: ${incident.alert_count}.`,
    `Hosts: ${list(incident.hosts) || "none"}`,
    `Services: ${list(incident.services) || "none"}`,
    `Sites: ${list(incident.sites) || "none"}`,
    "",
  ];
  if (incident.suspected_root_cause || incident.suspected_category || incident.suspected_component) {
    lines.push(
      "Accepted root cause analysis:",
      `Category: ${incident.suspected_category ?? "not given"}`,
      `Root cause: ${incident.suspected_root_cause ?? "not given"}`,
      `Component: ${incident.suspected_component ?? "not given"}`,
    );
  } else {
    lines.push("No root cause analysis has been accepted yet.");
  }
  if (incidentUrl) lines.push("", `Open in TeleOps: ${incidentUrl}`);
  return lines.join("\n");
}

/** Jira labels of a ticket: `teleops`, the incident id (what the inbound webhook links by) and the accepted category. */
export function jiraLabels(incident: Incident): string[] {
  return ["teleops", incident.id, ...(incident.suspected_category ? [incident.suspected_category] : [])];
}
