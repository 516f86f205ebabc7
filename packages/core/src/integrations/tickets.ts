/**
 * External tickets (ServiceNow incidents, Jira issues) linked to TeleOps incidents: inbound updates from the
 * webhooks, and the listing the incident detail shows.
 */
import { randomUUID } from "node:crypto";
import { type DbOrTx, incidents, type TicketRow, tickets } from "@teleops/db";
import type { Ticket, TicketSystem } from "@teleops/schema";
import canonicalize from "canonicalize";
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { isClosedTicketStatus, markClearedByTicket } from "../incidents/lifecycle.ts";

/** A ticket as a webhook describes it; fields it leaves undefined keep their stored value. */
export interface InboundTicket {
  system: TicketSystem;
  externalId: string;
  number: string;
  title: string | undefined;
  status: string | undefined;
  priority: string | undefined;
  url: string | undefined;
  /** The sender's own update time; an update older than the stored one is stale and changes nothing. */
  externalUpdatedAt: Date | null;
  raw: Record<string, unknown>;
  /** TeleOps incident ids the ticket names (labels, correlation id, summary), in order of preference. */
  incidentRefs: string[];
}

export interface InboundTicketResult {
  ticket: Ticket;
  created: boolean;
  /** True when the update was older than what is stored, so nothing changed. */
  stale: boolean;
  /** True when the sender's record is exactly the stored one (a redelivery), so nothing changed. */
  unchanged: boolean;
}

const INCIDENT_ID = /\bINC-\d{4,}\b/g;

/** TeleOps incident ids (`INC-000123`) mentioned in the given texts, first mention first, without repeats. */
export function findIncidentRefs(texts: ReadonlyArray<string | undefined>): string[] {
  const found = new Set<string>();
  for (const text of texts) {
    for (const match of text?.matchAll(INCIDENT_ID) ?? []) found.add(match[0]);
  }
  return [...found];
}

export function toTicket(row: TicketRow): Ticket {
  return {
    id: row.id,
    system: row.system,
    external_id: row.externalId,
    number: row.number,
    title: row.title,
    status: row.status,
    priority: row.priority,
    url: row.url,
    incident_id: row.incidentId,
    origin: row.origin,
    external_updated_at: row.externalUpdatedAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** The first named incident that exists in the tenant. */
async function resolveIncidentRef(tx: DbOrTx, tenantId: string, refs: readonly string[]): Promise<string | null> {
  if (refs.length === 0) return null;
  const rows = await tx
    .select({ id: incidents.id })
    .from(incidents)
    .where(and(eq(incidents.tenantId, tenantId), inArray(incidents.id, [...refs])));
  const existing = new Set(rows.map((row) => row.id));
  return refs.find((ref) => existing.has(ref)) ?? null;
}

/**
 * Creates or updates the ticket a webhook describes and links it to the incident it names. A later update
 * moves the status; an update that names no incident keeps the existing link.
 */
export async function upsertInboundTicket(
  db: DbOrTx,
  tenantId: string,
  inbound: InboundTicket,
): Promise<InboundTicketResult> {
  // A concurrent first delivery of the same ticket can win the insert; the second pass then updates it.
  const first = await db.transaction((tx) => applyInboundTicket(tx, tenantId, inbound));
  if (first) return first;
  const second = await db.transaction((tx) => applyInboundTicket(tx, tenantId, inbound));
  if (!second) throw new Error(`ticket ${inbound.system}:${inbound.externalId} could not be stored`);
  return second;
}

async function applyInboundTicket(
  tx: DbOrTx,
  tenantId: string,
  inbound: InboundTicket,
): Promise<InboundTicketResult | null> {
  const identity = and(
    eq(tickets.tenantId, tenantId),
    eq(tickets.system, inbound.system),
    eq(tickets.externalId, inbound.externalId),
  );
  const [existing] = await tx.select().from(tickets).where(identity).for("update");
  if (
    existing?.externalUpdatedAt &&
    inbound.externalUpdatedAt &&
    inbound.externalUpdatedAt.getTime() < existing.externalUpdatedAt.getTime()
  ) {
    return { ticket: toTicket(existing), created: false, stale: true, unchanged: false };
  }
  // Compared as stored: the JSON round trip drops undefined fields as jsonb does.
  if (existing && canonicalize(existing.raw) === canonicalize(JSON.parse(JSON.stringify(inbound.raw)))) {
    return { ticket: toTicket(existing), created: false, stale: false, unchanged: true };
  }
  const incidentId = (await resolveIncidentRef(tx, tenantId, inbound.incidentRefs)) ?? existing?.incidentId ?? null;
  const now = new Date();
  if (existing) {
    const [row] = await tx
      .update(tickets)
      .set({
        number: inbound.number,
        title: inbound.title ?? existing.title,
        status: inbound.status ?? existing.status,
        priority: inbound.priority ?? existing.priority,
        url: inbound.url ?? existing.url,
        incidentId,
        raw: inbound.raw,
        externalUpdatedAt: inbound.externalUpdatedAt ?? existing.externalUpdatedAt,
        updatedAt: now,
      })
      .where(identity)
      .returning();
    if (!row) throw new Error("ticket update returned no row");
    // Closed in the ticket system: the linked incident resolves after the hold, as when its alarms clear.
    if (row.incidentId && isClosedTicketStatus(row.status) && !isClosedTicketStatus(existing.status)) {
      await markClearedByTicket(tx, tenantId, row.incidentId, now);
    }
    return { ticket: toTicket(row), created: false, stale: false, unchanged: false };
  }
  const [row] = await tx
    .insert(tickets)
    .values({
      id: randomUUID(),
      tenantId,
      system: inbound.system,
      externalId: inbound.externalId,
      number: inbound.number,
      title: inbound.title ?? inbound.number,
      status: inbound.status ?? "Unknown",
      priority: inbound.priority ?? null,
      url: inbound.url ?? null,
      incidentId,
      origin: "inbound",
      raw: inbound.raw,
      externalUpdatedAt: inbound.externalUpdatedAt,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: [tickets.tenantId, tickets.system, tickets.externalId] })
    .returning();
  return row ? { ticket: toTicket(row), created: true, stale: false, unchanged: false } : null;
}

export interface ListTicketsParams {
  incidentId?: string | undefined;
  system?: TicketSystem | undefined;
  limit?: number;
}

/** Tickets of the tenant, newest first; with an incident id, the ones linked to it in the order they were made. */
export async function listTickets(db: DbOrTx, tenantId: string, params: ListTicketsParams = {}): Promise<Ticket[]> {
  const where = [eq(tickets.tenantId, tenantId)];
  if (params.incidentId) where.push(eq(tickets.incidentId, params.incidentId));
  if (params.system) where.push(eq(tickets.system, params.system));
  const rows = await db
    .select()
    .from(tickets)
    .where(and(...where))
    .orderBy(params.incidentId ? asc(tickets.createdAt) : desc(tickets.updatedAt), asc(tickets.id))
    .limit(params.limit ?? 200);
  return rows.map(toTicket);
}
