/**
 * Creating a ticket from an incident: in the real ServiceNow or Jira when the server has its client, else in the
 * mock store as a record shaped like the real API's, with a realistic number, a priority from the incident's
 * severity and a description from the incident and its accepted root cause, linked back to the incident.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { type DbOrTx, tickets } from "@teleops/db";
import { type Incident, SERVICENOW_PRIORITIES, type Ticket, type TicketSystem } from "@teleops/schema";
import { and, eq, sql } from "drizzle-orm";
import { appendAudit } from "../audit/index.ts";
import { rowsOf } from "../correlation/persist.ts";
import { ConflictError } from "../errors.ts";
import { getIncident } from "../incidents/queries.ts";
import { recordIntegrationEvent } from "./events.ts";
import { type RemoteTicket, type TicketSystemClient, TicketSystemError } from "./ticketClients.ts";
import {
  JIRA_BY_SEVERITY,
  jiraLabels,
  SERVICENOW_BY_SEVERITY,
  ticketDescription,
  ticketTitle,
} from "./ticketContent.ts";
import { toTicket } from "./tickets.ts";

export const MOCK_SERVICENOW_INSTANCE = "https://noc-example.service-now.com";
export const MOCK_JIRA_SITE = "https://noc-example.atlassian.net";
export const MOCK_JIRA_PROJECT = "NETOPS";

/** First numbers the mock stores hand out; the shipped fixtures sit below them. */
const FIRST_SERVICENOW_NUMBER = 10_001;
const FIRST_JIRA_NUMBER = 101;

const SYSTEM_NAMES: Readonly<Record<TicketSystem, string>> = { servicenow: "ServiceNow incident", jira: "Jira issue" };

export interface CreateTicketParams {
  incidentId: string;
  system: TicketSystem;
  /** Who asked, for the audit trail. */
  actor: string;
  /** The real system's client; without one the ticket goes to the built-in mock store. */
  client?: TicketSystemClient | undefined;
  /** The incident's address in TeleOps, written into a real ticket; null when unknown. */
  incidentUrl?: string | null | undefined;
}

/** The stored ticket, and whether it went to the built-in mock store rather than a real system. */
export type CreatedTicket = Ticket & { mock: boolean };

/**
 * Opens a ticket for the incident: in the real system when its client is configured, else in the mock store.
 * One ticket per incident and system; each creation is audited.
 */
export async function createOutboundTicket(
  db: DbOrTx,
  tenantId: string,
  params: CreateTicketParams,
): Promise<CreatedTicket> {
  if (params.client) return { ...(await createRealTicket(db, tenantId, params, params.client)), mock: false };
  return { ...(await createMockTicket(db, tenantId, params)), mock: true };
}

async function outboundTicketOf(tx: DbOrTx, tenantId: string, system: TicketSystem, incidentId: string) {
  const [row] = await tx
    .select()
    .from(tickets)
    .where(
      and(
        eq(tickets.tenantId, tenantId),
        eq(tickets.system, system),
        eq(tickets.incidentId, incidentId),
        eq(tickets.origin, "outbound"),
      ),
    )
    .limit(1);
  return row;
}

function alreadyHas(incidentId: string, system: TicketSystem, number: string): ConflictError {
  return new ConflictError(`${incidentId} already has ${SYSTEM_NAMES[system]} ${number}`);
}

/**
 * The real system is called outside any transaction (it may take seconds); a refusal or timeout is recorded as a
 * failed integration event and thrown on as `TicketSystemError`, which the API answers with 502.
 */
async function createRealTicket(
  db: DbOrTx,
  tenantId: string,
  params: CreateTicketParams,
  client: TicketSystemClient,
): Promise<Ticket> {
  const incident = await getIncident(db, tenantId, params.incidentId);
  const already = await outboundTicketOf(db, tenantId, params.system, incident.id);
  if (already) throw alreadyHas(incident.id, params.system, already.number);
  const summary = { direction: "outbound", incident_id: incident.id, target: client.target, actor: params.actor };
  let remote: RemoteTicket;
  try {
    remote = await client.create({ incident, incidentUrl: params.incidentUrl ?? null });
  } catch (error) {
    if (!(error instanceof TicketSystemError)) throw error;
    await recordIntegrationEvent(db, {
      tenantId,
      source: params.system,
      outcome: "failed",
      httpStatus: error.remoteStatus ?? 504,
      headers: {},
      summary: { ...summary, remote_status: error.remoteStatus },
      error: error.message,
    });
    throw error;
  }
  return db.transaction(async (tx) => {
    const now = new Date();
    const identity = and(
      eq(tickets.tenantId, tenantId),
      eq(tickets.system, params.system),
      eq(tickets.externalId, remote.externalId),
    );
    // The system's webhook about the new ticket can arrive before this answer is stored: then it is adopted.
    const [early] = await tx.select().from(tickets).where(identity).for("update");
    const [row] = early
      ? await tx
          .update(tickets)
          .set({ origin: "outbound", incidentId: early.incidentId ?? incident.id, updatedAt: now })
          .where(identity)
          .returning()
      : await tx
          .insert(tickets)
          .values({
            id: randomUUID(),
            tenantId,
            system: params.system,
            externalId: remote.externalId,
            number: remote.number,
            title: remote.title,
            status: remote.status,
            priority: remote.priority,
            url: remote.url,
            incidentId: incident.id,
            origin: "outbound",
            raw: remote.raw,
            externalUpdatedAt: null,
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
      details: {
        system: params.system,
        number: row.number,
        priority: row.priority,
        mock: false,
        target: client.target,
      },
    });
    await recordIntegrationEvent(tx, {
      tenantId,
      source: params.system,
      outcome: "accepted",
      httpStatus: 201,
      dedupKey: `outbound:${remote.externalId}`,
      headers: {},
      summary: { ...summary, ticket: { number: row.number, status: row.status, incident_id: row.incidentId } },
    });
    return toTicket(row);
  });
}

/** The mock store: numbering and the one-per-incident check are serialized per tenant and system. */
async function createMockTicket(db: DbOrTx, tenantId: string, params: CreateTicketParams): Promise<Ticket> {
  return db.transaction(async (tx) => {
    const incident = await getIncident(tx, tenantId, params.incidentId);
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`teleops:ticket:${tenantId}:${params.system}`}))`);
    const already = await outboundTicketOf(tx, tenantId, params.system, incident.id);
    if (already) throw alreadyHas(incident.id, params.system, already.number);
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
      details: { system: params.system, number: row.number, priority: row.priority, mock: true },
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
  const title = ticketTitle(incident, 160);
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
  const title = ticketTitle(incident, 255);
  const time = jiraTime(now);
  const labels = jiraLabels(incident);
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
