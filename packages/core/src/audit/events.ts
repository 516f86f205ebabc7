/**
 * Appending to, listing and verifying a tenant's audit trail. Appends are serialized per tenant with a
 * transaction advisory lock, so the chain has one order even with several server replicas.
 */
import { type AuditEventRow, auditEvents, type DbOrTx } from "@teleops/db";
import {
  AUDIT_GENESIS_HASH,
  type AuditEvent,
  type AuditListParams,
  type AuditPage,
  type AuditVerification,
  auditListParamsSchema,
} from "@teleops/schema";
import { and, asc, desc, eq, gt, gte, lt, lte, type SQL, sql } from "drizzle-orm";
import { auditEventHash } from "./chain.ts";

export interface AuditAppend {
  tenantId: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  incidentId: string | null;
  details: Record<string, unknown>;
}

export function toAuditEvent(row: AuditEventRow): AuditEvent {
  return {
    id: row.id,
    tenant_id: row.tenantId,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    entity_type: row.entityType,
    entity_id: row.entityId,
    incident_id: row.incidentId,
    details: row.details,
    prev_hash: row.prevHash,
    hash: row.hash,
  };
}

/**
 * Appends one event to the tenant's chain. Pass the transaction that makes the audited change, so the
 * change and its record commit or roll back together.
 */
export async function appendAudit(db: DbOrTx, event: AuditAppend): Promise<AuditEvent> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`teleops:audit:${event.tenantId}`}))`);
    const [previous] = await tx
      .select({ hash: auditEvents.hash })
      .from(auditEvents)
      .where(eq(auditEvents.tenantId, event.tenantId))
      .orderBy(desc(auditEvents.id))
      .limit(1);
    // Milliseconds, not the database clock's microseconds: the hash covers the time exactly as stored.
    const at = new Date();
    const prevHash = previous?.hash ?? AUDIT_GENESIS_HASH;
    // A JSON round trip drops undefined fields now, as jsonb would on the way back, so the hash still matches.
    const details = JSON.parse(JSON.stringify(event.details)) as Record<string, unknown>;
    const hash = auditEventHash({
      tenant: event.tenantId,
      at: at.toISOString(),
      actor: event.actor,
      action: event.action,
      entity_type: event.entityType,
      entity_id: event.entityId,
      incident_id: event.incidentId,
      details,
      prev_hash: prevHash,
    });
    const [row] = await tx
      .insert(auditEvents)
      .values({
        tenantId: event.tenantId,
        at,
        actor: event.actor,
        action: event.action,
        entityType: event.entityType,
        entityId: event.entityId,
        incidentId: event.incidentId,
        details,
        prevHash,
        hash,
      })
      .returning();
    if (!row) throw new Error("audit insert returned no row");
    return toAuditEvent(row);
  });
}

/** The tenant's events, newest first, filtered by incident, review decision, actor (reviewer), action and time. */
export async function listAudit(db: DbOrTx, tenantId: string, input: AuditListParams = {}): Promise<AuditPage> {
  const params = auditListParamsSchema.parse(input);
  const where: SQL[] = [eq(auditEvents.tenantId, tenantId)];
  if (params.incidentId) where.push(eq(auditEvents.incidentId, params.incidentId));
  if (params.decision) where.push(sql`${auditEvents.details}->>'decision' = ${params.decision}`);
  const actor = params.actor ?? params.reviewer;
  if (actor) where.push(eq(auditEvents.actor, actor));
  if (params.action) where.push(eq(auditEvents.action, params.action));
  if (params.from) where.push(gte(auditEvents.at, new Date(params.from)));
  if (params.to) where.push(lte(auditEvents.at, new Date(params.to)));
  if (params.cursor !== undefined) where.push(lt(auditEvents.id, params.cursor));
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(...where))
    .orderBy(desc(auditEvents.id))
    .limit(params.limit + 1);
  const page = rows.slice(0, params.limit);
  const last = page[page.length - 1];
  return { events: page.map(toAuditEvent), nextCursor: rows.length > params.limit && last ? last.id : null };
}

const VERIFY_BATCH = 1_000;

/**
 * Walks the tenant's chain from the first event and reports the first event whose stored hash does not
 * match its content (edited) or whose `prev_hash` does not match the event before it (removed or reordered).
 */
export async function verifyAudit(db: DbOrTx, tenantId: string): Promise<AuditVerification> {
  let expectedPrev = AUDIT_GENESIS_HASH;
  let checked = 0;
  let after = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenantId), gt(auditEvents.id, after)))
      .orderBy(asc(auditEvents.id))
      .limit(VERIFY_BATCH);
    for (const row of rows) {
      checked += 1;
      if (row.prevHash !== expectedPrev) {
        const reason =
          expectedPrev === AUDIT_GENESIS_HASH
            ? "prev_hash is not the genesis hash: the events before this one were removed"
            : "prev_hash does not match the previous event's hash: an event before this one was removed or reordered";
        return { ok: false, checked, first_broken: { id: row.id, reason } };
      }
      const recomputed = auditEventHash({
        tenant: row.tenantId,
        at: row.at.toISOString(),
        actor: row.actor,
        action: row.action,
        entity_type: row.entityType,
        entity_id: row.entityId,
        incident_id: row.incidentId,
        details: row.details,
        prev_hash: row.prevHash,
      });
      if (recomputed !== row.hash) {
        return {
          ok: false,
          checked,
          first_broken: {
            id: row.id,
            reason: "hash does not match the event's content: it was changed after it was written",
          },
        };
      }
      expectedPrev = row.hash;
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < VERIFY_BATCH) break;
    after = last.id;
  }
  return { ok: true, checked, first_broken: null };
}
