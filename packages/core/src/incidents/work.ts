/**
 * Working incidents: assigning an owner, writing notes, acting on many incidents at once, and the timeline that
 * puts notes beside everything else that happened to an incident. Every change is audited with its actor.
 */
import { auditEvents, type DbOrTx, type IncidentNoteRow, incidentNotes, incidents, tickets } from "@teleops/db";
import type {
  AddNoteInput,
  AssignIncidentInput,
  BulkUpdateInput,
  BulkUpdateResult,
  Incident,
  IncidentNote,
  IncidentStatus,
  TimelineEntry,
} from "@teleops/schema";
import { and, asc, eq, inArray } from "drizzle-orm";
import { appendAudit, toAuditEvent } from "../audit/events.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { getIncident, setIncidentStatus, toIncident } from "./queries.ts";

/** Who acts: the signed-in user, in their tenant. */
export interface WorkingActor {
  tenantId: string;
  name: string;
}

/** The users an incident of this tenant may be assigned to (the users file's, or the one local user). */
export type Assignees = readonly string[];

function checkAssignee(name: string, assignees: Assignees, path: string): void {
  if (assignees.includes(name)) return;
  const known = assignees.length > 0 ? `; assign one of: ${[...assignees].sort().join(", ")}` : "";
  const message = `unknown user "${name}": no operator or admin of that name in this tenant${known}`;
  throw new ValidationError(message, [{ path, message: `unknown user "${name}"` }]);
}

function refuseMerged(incident: Incident): void {
  if (incident.merged_into !== null) {
    throw new ValidationError(`${incident.id} was merged into ${incident.merged_into}; work on that incident`);
  }
}

async function setOwner(tx: DbOrTx, actor: WorkingActor, before: Incident, owner: string | null): Promise<Incident> {
  const [row] = await tx
    .update(incidents)
    .set({ owner, updatedAt: new Date() })
    .where(and(eq(incidents.tenantId, actor.tenantId), eq(incidents.id, before.id)))
    .returning();
  if (!row) throw new NotFoundError(`incident ${before.id} not found`);
  await appendAudit(tx, {
    tenantId: actor.tenantId,
    actor: actor.name,
    action: "incident.assign",
    entityType: "incident",
    entityId: before.id,
    incidentId: before.id,
    details: { from: before.owner, to: owner },
  });
  return toIncident(row);
}

/** Sets (or, with `to: null`, clears) the incident's owner; assigning someone who is not a user is refused. */
export async function assignIncident(
  db: DbOrTx,
  actor: WorkingActor,
  input: AssignIncidentInput,
  assignees: Assignees,
): Promise<Incident> {
  if (input.to !== null) checkAssignee(input.to, assignees, "to");
  return db.transaction(async (tx) => {
    const before = await getIncident(tx, actor.tenantId, input.id);
    refuseMerged(before);
    if (before.owner === input.to) return before;
    return setOwner(tx, actor, before, input.to);
  });
}

function toNote(row: IncidentNoteRow): IncidentNote {
  return {
    id: row.id,
    incident_id: row.incidentId,
    author: row.author,
    created_at: row.createdAt.toISOString(),
    text: row.body,
  };
}

/** Adds a markdown note by the actor to the incident's timeline. */
export async function addIncidentNote(db: DbOrTx, actor: WorkingActor, input: AddNoteInput): Promise<IncidentNote> {
  return db.transaction(async (tx) => {
    const incident = await getIncident(tx, actor.tenantId, input.id);
    const [row] = await tx
      .insert(incidentNotes)
      .values({ tenantId: actor.tenantId, incidentId: incident.id, author: actor.name, body: input.text })
      .returning();
    if (!row) throw new Error("note insert returned no row");
    await appendAudit(tx, {
      tenantId: actor.tenantId,
      actor: actor.name,
      action: "incident.note",
      entityType: "incident_note",
      entityId: String(row.id),
      incidentId: incident.id,
      details: { characters: input.text.length },
    });
    return toNote(row);
  });
}

const BULK_STATUS: Record<"acknowledge" | "resolve", IncidentStatus> = {
  acknowledge: "acknowledged",
  resolve: "resolved",
};

/**
 * One action on several incidents, in one transaction: all of them change or, when one is unknown, none does.
 * Acknowledging takes ownership, as it does for one incident; incidents already in the asked state (or merged
 * into another) are reported unchanged.
 */
export async function bulkUpdateIncidents(
  db: DbOrTx,
  actor: WorkingActor,
  input: BulkUpdateInput,
  assignees: Assignees,
): Promise<BulkUpdateResult> {
  const ids = [...new Set(input.ids)];
  if (input.action === "assign" && input.to !== undefined) checkAssignee(input.to, assignees, "to");
  return db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(incidents)
      .where(and(eq(incidents.tenantId, actor.tenantId), inArray(incidents.id, ids)))
      .orderBy(asc(incidents.id))
      .for("update");
    const found = new Set(rows.map((row) => row.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0)
      throw new NotFoundError(`incident${missing.length > 1 ? "s" : ""} ${missing.join(", ")} not found`);
    const result: BulkUpdateResult = { updated: [], unchanged: [] };
    for (const before of rows.map(toIncident)) {
      if (before.merged_into !== null) {
        result.unchanged.push(before.id);
        continue;
      }
      if (input.action === "assign" || input.action === "unassign") {
        const owner = input.action === "assign" ? (input.to ?? null) : null;
        if (before.owner === owner) result.unchanged.push(before.id);
        else {
          await setOwner(tx, actor, before, owner);
          result.updated.push(before.id);
        }
        continue;
      }
      const status = BULK_STATUS[input.action];
      if (before.status === status) {
        result.unchanged.push(before.id);
        continue;
      }
      const owner = status === "acknowledged" ? actor.name : null;
      const after = await setIncidentStatus(tx, actor.tenantId, before.id, status, owner);
      await appendAudit(tx, {
        tenantId: actor.tenantId,
        actor: actor.name,
        action: "incident.status",
        entityType: "incident",
        entityId: after.id,
        incidentId: after.id,
        details: { from: before.status, to: after.status, owner: after.owner, bulk: true },
      });
      result.updated.push(after.id);
    }
    return result;
  });
}

const SYSTEM_NAMES: Record<string, string> = { servicenow: "ServiceNow", jira: "Jira" };

/** One audit event as a timeline line; events that are not about the incident's course give none. */
function auditEntry(event: ReturnType<typeof toAuditEvent>): TimelineEntry | null {
  const d = event.details;
  const base = { at: event.at, actor: event.actor, source: `audit:${event.id}` };
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  const reason = text(d.reason) ? ` (${text(d.reason)})` : "";
  switch (event.action) {
    case "incident.status": {
      const to = text(d.to) as IncidentStatus;
      const owner = to === "acknowledged" && text(d.owner) ? ` by ${text(d.owner)}` : "";
      return { ...base, kind: "status", status: to, summary: `${text(d.from)} → ${to}${owner}${reason}` };
    }
    case "incident.reopen":
      return { ...base, kind: "reopen", status: "open", summary: `reopened${reason}` };
    case "incident.assign":
      return {
        ...base,
        kind: "assign",
        summary: d.to ? `assigned to ${text(d.to)}` : `unassigned${d.from ? ` (was ${text(d.from)})` : ""}`,
      };
    case "rca.review":
      return {
        ...base,
        kind: "review",
        summary: `RCA (${text(d.engine)}) ${text(d.decision)}${d.notes ? `: ${text(d.notes)}` : ""}`,
      };
    case "ticket.create":
      return {
        ...base,
        kind: "ticket",
        summary: `${SYSTEM_NAMES[text(d.system)] ?? text(d.system)} ticket ${text(d.number)} created`,
      };
    case "incident.merge":
      return d.into
        ? { ...base, kind: "merge", summary: `merged into ${text(d.into)}${reason}` }
        : {
            ...base,
            kind: "merge",
            summary: `${Array.isArray(d.from) ? d.from.join(", ") : ""} merged into this incident${reason}`,
          };
    case "incident.split":
      return {
        ...base,
        kind: "split",
        summary: `${Array.isArray(d.alert_ids) ? d.alert_ids.length : 0} alerts split off into ${text(d.into)}`,
      };
    case "incident.move_alerts":
      return {
        ...base,
        kind: "move",
        summary: `${Array.isArray(d.alert_ids) ? d.alert_ids.length : 0} alerts moved in from ${text(d.from)}`,
      };
    default:
      return null;
  }
}

/**
 * The incident's course, oldest first: notes, status changes (the system's included), owners, RCA reviews,
 * tickets and merges or splits, from the notes, the audit trail and the linked tickets.
 */
export async function incidentTimeline(db: DbOrTx, tenantId: string, id: string): Promise<TimelineEntry[]> {
  const incident = await getIncident(db, tenantId, id);
  const [notes, events, linked] = await Promise.all([
    db
      .select()
      .from(incidentNotes)
      .where(and(eq(incidentNotes.tenantId, tenantId), eq(incidentNotes.incidentId, id)))
      .orderBy(asc(incidentNotes.createdAt), asc(incidentNotes.id)),
    db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.incidentId, id)))
      .orderBy(asc(auditEvents.id)),
    db
      .select()
      .from(tickets)
      .where(and(eq(tickets.tenantId, tenantId), eq(tickets.incidentId, id), eq(tickets.origin, "inbound"))),
  ]);
  const entries: TimelineEntry[] = [];
  for (const row of events) {
    const entry = auditEntry(toAuditEvent(row));
    if (entry) entries.push(entry);
  }
  for (const note of notes) {
    entries.push({
      kind: "note",
      at: note.createdAt.toISOString(),
      actor: note.author,
      summary: "note",
      text: note.body,
      source: `note:${note.id}`,
    });
  }
  for (const ticket of linked) {
    entries.push({
      kind: "ticket",
      at: ticket.createdAt.toISOString(),
      actor: SYSTEM_NAMES[ticket.system] ?? ticket.system,
      summary: `${SYSTEM_NAMES[ticket.system] ?? ticket.system} ticket ${ticket.number} linked (now ${ticket.status})`,
      url: ticket.url,
      source: `ticket:${ticket.id}`,
    });
  }
  if (incident.cleared_at && incident.status !== "resolved") {
    entries.push({
      kind: "cleared",
      at: incident.cleared_at,
      actor: "system",
      summary: "every alarm cleared: resolves by itself after the hold unless one fires again",
      source: "incident:cleared_at",
    });
  }
  // Same instant: the order above (a note after the change it comments on).
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => Date.parse(a.entry.at) - Date.parse(b.entry.at) || a.index - b.index)
    .map(({ entry }) => entry);
}
