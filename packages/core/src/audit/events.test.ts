import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { AUDIT_GENESIS_HASH } from "@teleops/schema";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventHash } from "./chain.ts";
import { appendAudit, listAudit, verifyAudit } from "./events.ts";

function review(tenantId: string, actor: string, incidentId: string, decision: "accepted" | "rejected") {
  return {
    tenantId,
    actor,
    action: "rca.review",
    entityType: "rca_artifact",
    entityId: `artifact-${incidentId}-${decision}`,
    incidentId,
    details: { decision, notes: `looked at ${incidentId}`, engine: "baseline", confidence: 0.82 },
  };
}

/** Runs SQL the application never runs: a DBA bypassing the append-only trigger. */
async function tamper(database: TestDatabase, statement: ReturnType<typeof sql>): Promise<void> {
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_events disable trigger audit_events_no_update_delete`);
    await tx.execute(statement);
    await tx.execute(sql`alter table audit_events enable trigger audit_events_no_update_delete`);
  });
}

describe.each(testBackends())("audit trail on $name", (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await backend.open();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("chains each tenant's events from the genesis hash, each hash covering the event's content", async () => {
    const first = await appendAudit(database.db, review("acme", "olga", "INC-000001", "accepted"));
    const second = await appendAudit(database.db, review("acme", "olga", "INC-000002", "rejected"));
    const other = await appendAudit(database.db, review("globex", "eve", "INC-000003", "accepted"));
    expect(first.prev_hash).toBe(AUDIT_GENESIS_HASH);
    expect(second.prev_hash).toBe(first.hash);
    expect(other.prev_hash).toBe(AUDIT_GENESIS_HASH);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.hash).toBe(
      auditEventHash({
        tenant: "acme",
        at: first.at,
        actor: "olga",
        action: "rca.review",
        entity_type: "rca_artifact",
        entity_id: first.entity_id,
        incident_id: "INC-000001",
        details: first.details,
        prev_hash: AUDIT_GENESIS_HASH,
      }),
    );
    expect(await verifyAudit(database.db, "acme")).toEqual({ ok: true, checked: 2, first_broken: null });
  });

  it("hashes the same content the same way whatever the key order", () => {
    const content = {
      tenant: "acme",
      at: "2026-11-25T08:00:00.000Z",
      actor: "olga",
      action: "rca.review",
      entity_type: "rca_artifact",
      entity_id: "a1",
      incident_id: null,
      details: { b: 1, a: { y: 2, x: 3 } },
      prev_hash: AUDIT_GENESIS_HASH,
    };
    const reordered = { ...content, details: { a: { x: 3, y: 2 }, b: 1 } };
    expect(auditEventHash(reordered)).toBe(auditEventHash(content));
    expect(auditEventHash({ ...content, actor: "mallory" })).not.toBe(auditEventHash(content));
  });

  it("keeps one unbroken chain when many reviews are appended at once", async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        appendAudit(database.db, review("initech", `op${i}`, `INC-${i}`, i % 2 ? "accepted" : "rejected")),
      ),
    );
    expect(await verifyAudit(database.db, "initech")).toEqual({ ok: true, checked: 12, first_broken: null });
  });

  it("filters by incident, decision, reviewer and time, newest first, within the tenant", async () => {
    const all = await listAudit(database.db, "acme");
    expect(all.events.map((e) => e.incident_id)).toEqual(["INC-000002", "INC-000001"]);
    expect((await listAudit(database.db, "acme", { incidentId: "INC-000001" })).events).toHaveLength(1);
    expect((await listAudit(database.db, "acme", { decision: "rejected" })).events[0]?.incident_id).toBe("INC-000002");
    expect((await listAudit(database.db, "acme", { reviewer: "olga" })).events).toHaveLength(2);
    expect((await listAudit(database.db, "acme", { actor: "eve" })).events).toHaveLength(0);
    expect((await listAudit(database.db, "acme", { from: "2999-01-01T00:00:00Z" })).events).toHaveLength(0);
    expect((await listAudit(database.db, "acme", { to: new Date().toISOString() })).events).toHaveLength(2);
    const page = await listAudit(database.db, "acme", { limit: 1 });
    expect(page.events).toHaveLength(1);
    const next = await listAudit(database.db, "acme", { limit: 1, cursor: page.nextCursor ?? undefined });
    expect(next.events[0]?.incident_id).toBe("INC-000001");
    expect(next.nextCursor).toBeNull();
  });

  it("refuses to update or delete a stored event", async () => {
    await expect(database.db.execute(sql`update audit_events set actor = 'mallory'`)).rejects.toThrow();
    await expect(database.db.execute(sql`delete from audit_events where tenant_id = 'acme'`)).rejects.toThrow();
    expect(await verifyAudit(database.db, "acme")).toMatchObject({ ok: true });
  });

  it("reports the first edited event when a stored row's details are changed with SQL", async () => {
    await appendAudit(database.db, review("umbrella", "uma", "INC-1", "accepted"));
    const target = await appendAudit(database.db, review("umbrella", "uma", "INC-2", "accepted"));
    await appendAudit(database.db, review("umbrella", "uma", "INC-3", "accepted"));
    await tamper(
      database,
      sql`update audit_events set details = jsonb_set(details, '{decision}', '"rejected"') where id = ${target.id}`,
    );
    const result = await verifyAudit(database.db, "umbrella");
    expect(result.ok).toBe(false);
    expect(result.checked).toBe(2);
    expect(result.first_broken?.id).toBe(target.id);
    expect(result.first_broken?.reason).toMatch(/changed after it was written/);
  });

  it("reports the event after a deleted one as broken", async () => {
    await appendAudit(database.db, review("hooli", "hal", "INC-1", "accepted"));
    const removed = await appendAudit(database.db, review("hooli", "hal", "INC-2", "rejected"));
    const after = await appendAudit(database.db, review("hooli", "hal", "INC-3", "accepted"));
    await tamper(database, sql`delete from audit_events where id = ${removed.id}`);
    const result = await verifyAudit(database.db, "hooli");
    expect(result).toMatchObject({ ok: false, checked: 2, first_broken: { id: after.id } });
    expect(result.first_broken?.reason).toMatch(/removed or reordered/);
  });

  it("reports the first remaining event when the oldest one is deleted", async () => {
    const oldest = await appendAudit(database.db, review("stark", "sam", "INC-1", "accepted"));
    const next = await appendAudit(database.db, review("stark", "sam", "INC-2", "accepted"));
    await tamper(database, sql`delete from audit_events where id = ${oldest.id}`);
    expect(await verifyAudit(database.db, "stark")).toMatchObject({ ok: false, first_broken: { id: next.id } });
  });

  it("verifies an empty trail as intact", async () => {
    expect(await verifyAudit(database.db, "nobody")).toEqual({ ok: true, checked: 0, first_broken: null });
  });
});
