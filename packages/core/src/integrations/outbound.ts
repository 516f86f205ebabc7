/**
 * Creating a ticket from an incident in the mock ServiceNow or Jira store: a record shaped like the real API's,
 * with a realistic number, a priority from the incident's severity and a description from the incident and
 * its accepted root cause, linked back to the incident.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { type DbOrTx, tickets } from "@teleops/db";
import { type Incident, SERVICENOW_PRIORITIES, type Severity, type Ticket, type TicketSystem } from "@teleops/schema";
import { and, eq, sql } from "drizzle-orm";
import { appendAudit } from "../audit/index.ts";
import { rowsOf } from "../correlation/persist.ts";
import { ConflictError } from "../errors.ts";
import { getIncident } from "../incidents/queries.ts";
import { toTicket } from "./tickets.ts";

export const MOCK_SERVICENOW_INSTANCE = "https://noc-example.service-now.com";
export const MOCK_JIRA_SITE = "https://noc-example.atlassian.net";
export const MOCK_JIRA_PROJECT = "NETOPS";

/** First numbers the mock stores hand out; the shipped fixtures sit below them. */
const FIRST_SERVICENOW_NUMBER = 10_001;
const FIRST_JIRA_NUMBER = 101;

/** ServiceNow's default priority matrix: impact and urgency per severity give priorities 1 to 5. */
const SERVICENOW_BY_SEVERITY: Readonly<Record<Severity, { impact: string; urgency: string; priority: string }>> = {
  critical: { impact: "1", urgency: "1", priority: "1" },
  major: { impact: "1", urgency: "2", priority: "2" },
  minor: { impact: "2", urgency: "2", priority: "3" },
  warning: { impact: "2", urgency: "3", priority: "4" },
  info: { impact: "3", urgency: "3", priority: "5" },
};

const JIRA_BY_SEVERITY: Readonly<Record<Severity, { name: string; id: string }>> = {
  critical: { name: "Highest", id: "1" },
  major: { name: "High", id: "2" },
  minor: { name: "Medium", id: "3" },
  warning: { name: "Low", id: "4" },
  info: { name: "Lowest", id: "5" },
};

const SYSTEM_NAMES: Readonly<Record<TicketSystem, string>> = { servicenow: "ServiceNow incident", jira: "Jira issue" };

/** The ticket body: what the incident is, where, and the accepted root cause when a reviewer accepted one. */
export function ticketDescription(incident: Incident): string {
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
  return lines.join("\n");
}

export interface CreateTicketParams {
  incidentId: string;
  system: TicketSystem;
  /** Who asked, for the audit trail. */
  actor: string;
}

/** Creates the ticket and its audit event in one transaction; one ticket per incident and system. */
export async function createOutboundTicket(db: DbOrTx, tenantId: string, params: CreateTicketParams): Promise<Ticket> {
  return db.transaction(async (tx) => {
    const incident = await getIncident(tx, tenantId, params.incidentId);
    // Serializes numbering (and the one-per-incident check) per tenant and system.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`teleops:ticket:${tenantId}:${params.system}`}))`);
    const [already] = await tx
      .select()
      .from(tickets)
      .where(
        and(
          eq(tickets.tenantId, tenantId),
          eq(tickets.system, params.system),
          eq(tickets.incidentId, incident.id),
          eq(tickets.origin, "outbound"),
        ),
      )
      .limit(1);
    if (already) {
      throw new ConflictError(`${incident.id} already has ${SYSTEM_NAMES[params.system]} ${already.number}`);
    }
    const now = new Date();
    const sequence = await nextNumber(tx, tenantId, params.system);
    const record =
      params.system === "servicenow" ? servicenowRecord(incident, sequence, now) : jiraIssue(incident, sequence, now);
    const [row] = await tx
      .insert(tickets)
      .values({
        id: randomUUID(),
        tenantId,
        system: params.system,
        externalId: record.externalId,
        number: record.number,
        title: record.title,
        status: record.status,
        priority: record.priority,
        url: record.url,
        incidentId: incident.id,
        origin: "outbound",
        raw: record.raw,
        externalUpdatedAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (!row) throw new Error("ticket insert returned no row");
    await appendAudit(tx, {
      tenantId,
      actor: params.actor,
      action: "ticket.create",
      entityType: "ticket",
      entityId: row.id,
      incidentId: incident.id,
      details: { system: params.system, number: row.number, priority: row.priority },
    });
    return toTicket(row);
  });
}

async function nextNumber(tx: DbOrTx, tenantId: string, system: TicketSystem): Promise<number> {
  const [pattern, offset, first] =
    system === "servicenow"
      ? ["^INC[0-9]{7}$", 4, FIRST_SERVICENOW_NUMBER]
      : [`^${MOCK_JIRA_PROJECT}-[0-9]+$`, MOCK_JIRA_PROJECT.length + 2, FIRST_JIRA_NUMBER];
  const result = await tx.execute(
    sql`select max(substring(${tickets.number} from ${offset})::int) as n from ${tickets}
        where ${tickets.tenantId} = ${tenantId} and ${tickets.system} = ${system} and ${tickets.number} ~ ${pattern}`,
  );
  const highest = Number(rowsOf<{ n: number | string | null }>(result)[0]?.n ?? 0);
  return Math.max(first, highest + 1);
}

interface MockRecord {
  externalId: string;
  number: string;
  title: string;
  status: string;
  priority: string;
  url: string;
  raw: Record<string, unknown>;
}

/** Reference ids in the fixtures are derived from names, so the same group or user has the same sys_id. */
function reference(table: string, name: string) {
  const value = createHash("md5").update(name).digest("hex");
  return { link: `${MOCK_SERVICENOW_INSTANCE}/api/now/table/${table}/${value}`, value };
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, as the Table API writes times. */
function servicenowTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}

function servicenowRecord(incident: Incident, sequence: number, now: Date): MockRecord {
  const number = `INC${String(sequence).padStart(7, "0")}`;
  const sysId = randomBytes(16).toString("hex");
  const { impact, urgency, priority } = SERVICENOW_BY_SEVERITY[incident.severity];
  const title = `[${incident.id}] ${incident.title}`.slice(0, 160);
  const time = servicenowTime(now);
  const integrationUser = reference("sys_user", "teleops.integration");
  const raw = {
    sys_id: sysId,
    number,
    short_description: title,
    description: ticketDescription(incident),
    state: "1",
    incident_state: "1",
    active: "true",
    impact,
    urgency,
    priority,
    severity: impact,
    category: "network",
    subcategory: incident.suspected_category ?? "",
    contact_type: "monitoring",
    cmdb_ci: "",
    assignment_group: reference("sys_user_group", "Network Operations Center"),
    assigned_to: "",
    caller_id: integrationUser,
    opened_by: integrationUser,
    opened_at: time,
    sys_created_on: time,
    sys_created_by: "teleops.integration",
    sys_updated_on: time,
    sys_updated_by: "teleops.integration",
    sys_mod_count: "0",
    sys_class_name: "incident",
    correlation_id: incident.id,
    correlation_display: "TeleOps",
    resolved_at: "",
    closed_at: "",
    close_code: "",
    close_notes: "",
  };
  return {
    externalId: sysId,
    number,
    title,
    status: "New",
    priority: SERVICENOW_PRIORITIES[priority] ?? priority,
    url: `${MOCK_SERVICENOW_INSTANCE}/nav_to.do?uri=incident.do?sys_id=${sysId}`,
    raw,
  };
}

/** Jira writes times as `2026-11-25T10:04:12.000+0000`. */
function jiraTime(date: Date): string {
  return date.toISOString().replace("Z", "+0000");
}

function jiraIssue(incident: Incident, sequence: number, now: Date): MockRecord {
  const key = `${MOCK_JIRA_PROJECT}-${sequence}`;
  const id = String(10_400 + sequence);
  const priority = JIRA_BY_SEVERITY[incident.severity];
  const title = `[${incident.id}] ${incident.title}`.slice(0, 255);
  const time = jiraTime(now);
  const labels = ["teleops", incident.id, ...(incident.suspected_category ? [incident.suspected_category] : [])];
  const raw = {
    expand: "operations,versionedRepresentations,editmeta,changelog,renderedFields",
    id,
    self: `${MOCK_JIRA_SITE}/rest/api/2/issue/${id}`,
    key,
    fields: {
      summary: title,
      description: ticketDescription(incident),
      issuetype: { self: `${MOCK_JIRA_SITE}/rest/api/2/issuetype/10003`, id: "10003", name: "Task", subtask: false },
      project: {
        self: `${MOCK_JIRA_SITE}/rest/api/2/project/10021`,
        id: "10021",
        key: MOCK_JIRA_PROJECT,
        name: "Network Operations",
        projectTypeKey: "software",
      },
      status: {
        self: `${MOCK_JIRA_SITE}/rest/api/2/status/1`,
        description: "",
        name: "Open",
        id: "1",
        statusCategory: {
          self: `${MOCK_JIRA_SITE}/rest/api/2/statuscategory/2`,
          id: 2,
          key: "new",
          colorName: "blue-gray",
          name: "To Do",
        },
      },
      priority: { self: `${MOCK_JIRA_SITE}/rest/api/2/priority/${priority.id}`, ...priority },
      labels,
      components: [],
      created: time,
      updated: time,
      resolutiondate: null,
      resolution: null,
      assignee: null,
      reporter: {
        self: `${MOCK_JIRA_SITE}/rest/api/2/user?accountId=557058:f58131cb-b67d-43c7-b30d-6b58d40bd077`,
        accountId: "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077",
        displayName: "TeleOps Integration",
        active: true,
        timeZone: "Etc/UTC",
        accountType: "app",
      },
    },
  };
  return {
    externalId: id,
    number: key,
    title,
    status: "Open",
    priority: priority.name,
    url: `${MOCK_JIRA_SITE}/browse/${key}`,
    raw,
  };
}
