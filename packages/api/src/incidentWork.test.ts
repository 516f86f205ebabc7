import { seedIncident, type TestDatabase, testBackends } from "@teleops/db/testing";
import type { UserSummary } from "@teleops/schema";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import type { Actor, AppServices } from "./context.ts";
import { createCaller } from "./root.ts";
import { testServices } from "./testing.ts";

const olga: Actor = { name: "olga", role: "operator", tenantId: "acme" };
const vic: Actor = { name: "vic", role: "viewer", tenantId: "acme" };
const eve: Actor = { name: "eve", role: "operator", tenantId: "globex" };
const USERS: UserSummary[] = [
  { name: "olga", role: "operator", tenant: "acme" },
  { name: "ivan", role: "admin", tenant: "acme" },
  { name: "vic", role: "viewer", tenant: "acme" },
  { name: "eve", role: "operator", tenant: "globex" },
];

async function failure(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

/** The field paths and messages of an input refused by its schema (what the HTTP answer lists as `issues`). */
function issuesOf(error: TRPCError): Array<{ path: string; message: string }> {
  if (!(error.cause instanceof ZodError)) throw new Error(`not a schema error: ${error.message}`);
  return error.cause.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
}

describe.each(testBackends())("owners, notes, timeline and bulk actions on $name", (backend) => {
  let database: TestDatabase;
  const withUsers: AppServices = { ...testServices(), identity: { mode: "users", users: () => USERS } };
  const as = (actor: Actor, services: AppServices = withUsers) => createCaller({ db: database.db, services, actor });
  const incident = (tenant = "acme", host = "core-1") =>
    seedIncident(database.db, tenant, [
      { host, alertType: "link_down", timestamp: "2026-03-01T12:00:00Z", severity: "critical" },
      { host, alertType: "bgp_session_down", timestamp: "2026-03-01T12:00:05Z" },
    ]);

  beforeAll(async () => {
    database = await backend.open();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("assigns an incident to a user of the tenant and unassigns it, each change audited with the actor", async () => {
    const { id } = await incident();
    const assigned = await as(olga).incidents.assign({ id, to: "ivan" });
    expect(assigned).toMatchObject({ id, owner: "ivan" });
    expect((await as(vic).incidents.byId({ id })).owner).toBe("ivan");
    const unassigned = await as(olga).incidents.assign({ id, to: null });
    expect(unassigned.owner).toBeNull();
    const audit = await as({ ...olga, role: "admin" }).audit.list({ incidentId: id });
    expect(audit.events.map((e) => [e.actor, e.action, e.details])).toEqual([
      ["olga", "incident.assign", { from: "ivan", to: null }],
      ["olga", "incident.assign", { from: null, to: "ivan" }],
    ]);
  });

  it("refuses an unknown user, a viewer and another tenant's user with a 400 naming the field", async () => {
    const { id } = await incident();
    for (const to of ["nobody", "vic", "eve"]) {
      const error = await failure(as(olga).incidents.assign({ id, to }));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toContain(`unknown user "${to}"`);
      expect(error.message).toContain("ivan, olga");
    }
    expect((await as(olga).incidents.byId({ id })).owner).toBeNull();
  });

  it("lets only operators assign, and never reaches another tenant's incident", async () => {
    const { id } = await incident();
    expect((await failure(as(vic).incidents.assign({ id, to: "olga" }))).code).toBe("FORBIDDEN");
    expect((await failure(as(eve).incidents.assign({ id, to: "eve" }))).code).toBe("NOT_FOUND");
    expect((await failure(as(eve).incidents.addNote({ id, text: "hi" }))).code).toBe("NOT_FOUND");
    expect((await failure(as(eve).incidents.timeline({ id }))).code).toBe("NOT_FOUND");
  });

  it("without a users file, assigns to the one local user", async () => {
    const { id } = await incident("default");
    const local: Actor = { name: "local-admin", role: "admin", tenantId: "default" };
    const caller = as(local, testServices());
    expect(await caller.incidents.assignees()).toEqual({ users: ["local-admin"], me: "local-admin" });
    expect((await caller.incidents.assign({ id, to: "local-admin" })).owner).toBe("local-admin");
    expect((await failure(caller.incidents.assign({ id, to: "olga" }))).code).toBe("BAD_REQUEST");
  });

  it("adds notes and shows them in the timeline with status changes and owners, oldest first", async () => {
    const { id } = await incident();
    await as(olga).incidents.setStatus({ id, status: "acknowledged" });
    const note = await as(olga).incidents.addNote({ id, text: "Checked **xe-0/0/1**: fibre cut at the patch panel" });
    expect(note).toMatchObject({ id: expect.any(Number), author: "olga", incident_id: id });
    expect(note.text).toBe("Checked **xe-0/0/1**: fibre cut at the patch panel");
    expect(Date.parse(note.created_at)).not.toBeNaN();
    await as(olga).incidents.assign({ id, to: "ivan" });
    await as(olga).incidents.setStatus({ id, status: "resolved" });

    const timeline = await as(vic).incidents.timeline({ id });
    expect(timeline.map((entry) => [entry.kind, entry.actor, entry.summary])).toEqual([
      ["status", "olga", "open → acknowledged by olga"],
      ["note", "olga", "note"],
      ["assign", "olga", "assigned to ivan"],
      ["status", "olga", "acknowledged → resolved"],
    ]);
    expect(timeline[1]?.text).toBe(note.text);
    const times = timeline.map((entry) => Date.parse(entry.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it("refuses a blank or oversized note with a 400 naming the text", async () => {
    const { id } = await incident();
    const blank = await failure(as(olga).incidents.addNote({ id, text: "   " }));
    expect(blank.code).toBe("BAD_REQUEST");
    expect(issuesOf(blank)).toEqual([{ path: "text", message: "a note needs some text" }]);
    const huge = await failure(as(olga).incidents.addNote({ id, text: "x".repeat(20_001) }));
    expect(issuesOf(huge)).toEqual([{ path: "text", message: "a note holds at most 20000 characters" }]);
  });

  it("acknowledges, assigns and resolves several incidents in one call, each change audited", async () => {
    const a = await incident("bulk", "r1");
    const b = await incident("bulk", "r2");
    const c = await incident("bulk", "r3");
    const bulkOlga: Actor = { ...olga, tenantId: "bulk" };
    const services: AppServices = {
      ...testServices(),
      identity: { mode: "users", users: () => [...USERS, { name: "olga", role: "operator", tenant: "bulk" }] },
    };
    const caller = as(bulkOlga, services);
    await caller.incidents.setStatus({ id: c.id, status: "acknowledged" });

    const acked = await caller.incidents.bulkUpdate({ ids: [a.id, b.id, c.id], action: "acknowledge" });
    expect(acked).toEqual({ updated: [a.id, b.id], unchanged: [c.id] });
    const page = await caller.incidents.list({ status: ["acknowledged"] });
    expect(page.incidents.map((i) => [i.id, i.owner]).sort()).toEqual([
      [a.id, "olga"],
      [b.id, "olga"],
      [c.id, "olga"],
    ]);

    expect(await caller.incidents.bulkUpdate({ ids: [a.id, b.id], action: "unassign" })).toEqual({
      updated: [a.id, b.id],
      unchanged: [],
    });
    expect((await caller.incidents.list({ unassigned: true })).incidents.map((i) => i.id).sort()).toEqual([a.id, b.id]);
    expect((await caller.incidents.list({ owner: "olga" })).incidents.map((i) => i.id)).toEqual([c.id]);

    const resolved = await caller.incidents.bulkUpdate({ ids: [a.id, b.id, c.id], action: "resolve" });
    expect(resolved.updated).toHaveLength(3);
    const audit = await as({ ...bulkOlga, role: "admin" }, services).audit.list({ action: "incident.status" });
    const bulk = audit.events.filter((e) => e.details.bulk === true);
    expect(bulk).toHaveLength(5);
    expect(bulk.every((e) => e.actor === "olga")).toBe(true);
  });

  it("changes nothing when one selected incident is unknown, and needs a user to assign to", async () => {
    const a = await incident();
    const missing = await failure(as(olga).incidents.bulkUpdate({ ids: [a.id, "INC-999999"], action: "resolve" }));
    expect(missing.code).toBe("NOT_FOUND");
    expect(missing.message).toContain("INC-999999");
    expect((await as(olga).incidents.byId({ id: a.id })).status).toBe("open");
    const noUser = await failure(as(olga).incidents.bulkUpdate({ ids: [a.id], action: "assign" }));
    expect(noUser.code).toBe("BAD_REQUEST");
    expect(issuesOf(noUser)).toEqual([{ path: "to", message: "assign needs the user to assign to" }]);
    const unknown = await failure(as(olga).incidents.bulkUpdate({ ids: [a.id], action: "assign", to: "mallory" }));
    expect(unknown.message).toContain('unknown user "mallory"');
  });
});
