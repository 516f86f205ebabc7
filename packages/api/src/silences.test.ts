import { createDeliveryWriter, DEFAULT_CORRELATION_CONFIG, ingestAlerts, withFingerprint } from "@teleops/core";
import { alerts } from "@teleops/db";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import type { CanonicalAlert } from "@teleops/schema";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import type { Actor } from "./context.ts";
import { callerFor } from "./testing.ts";

const operator: Actor = { name: "olga", role: "operator", tenantId: "northwind" };
const viewer: Actor = { name: "vic", role: "viewer", tenantId: "northwind" };
const otherOperator: Actor = { name: "eve", role: "operator", tenantId: "contoso" };

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
    return { code: "OK", message: "" };
  } catch (error) {
    if (!(error instanceof TRPCError)) return { code: "NOT_TRPC", message: String(error) };
    // Over HTTP the error formatter turns a schema failure into "path: message"; a direct caller gets zod's error.
    if (error.cause instanceof ZodError) {
      const issue = error.cause.issues[0];
      return { code: error.code, message: `${issue?.path.join(".")}: ${issue?.message}` };
    }
    return { code: error.code, message: error.message };
  }
}

/** Four alarms on one router within a minute: enough for the correlator to open an incident. */
function routerAlarms(host: string, at: Date, tag: string): CanonicalAlert[] {
  return ["link_down", "bgp_session_down", "interface_errors", "packet_loss"].map((type, index) =>
    withFingerprint({
      fingerprint: undefined,
      timestamp: new Date(at.getTime() + index * 5_000).toISOString(),
      source_system: "alertmanager",
      host,
      service: "backbone",
      severity: "critical",
      alert_type: type,
      message: `${type} on ${host} xe-0/0/${index} (${tag})`,
      tags: { site: "fra1", alertname: type },
      raw_payload: {},
      tenant_id: null,
      status: "firing",
    }),
  );
}

describe.each(testBackends())("silences router on $name", (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await backend.open();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("creates a silence from a duration, with the signed-in actor as creator, and audits it", async () => {
    const before = Date.now();
    const silence = await callerFor(database.db, operator).silences.create({
      matchers: [
        { name: "host", op: "=~", value: "core-.*" },
        { name: "site", op: "=", value: "fra1" },
      ],
      duration: "2h",
      comment: "planned line-card swap CHG-1042",
    });
    expect(silence).toMatchObject({
      id: expect.stringMatching(/^SIL-[0-9A-F]{12}$/),
      kind: "once",
      created_by: "olga",
      comment: "planned line-card swap CHG-1042",
      state: "active",
      silencing_now: true,
    });
    const length = Date.parse(silence.ends_at) - Date.parse(silence.starts_at);
    expect(length).toBe(2 * 3_600_000);
    expect(Date.parse(silence.starts_at)).toBeGreaterThanOrEqual(before - 1);
    const audit = await callerFor(database.db, viewer).audit.list({});
    expect(audit.events.find((e) => e.entity_id === silence.id)).toMatchObject({
      action: "silence.create",
      actor: "olga",
      entity_type: "silence",
    });
    await callerFor(database.db, operator).silences.expire({ id: silence.id });
  });

  it("refuses viewers, and bad matchers with the field path", async () => {
    const input = {
      matchers: [{ name: "host", op: "=" as const, value: "core-rtr-01" }],
      duration: "1h",
      comment: "x",
    };
    expect((await failureOf(callerFor(database.db, viewer).silences.create(input))).code).toBe("FORBIDDEN");
    const badRegex = await failureOf(
      callerFor(database.db, operator).silences.create({
        ...input,
        matchers: [{ name: "host", op: "=~", value: "core-(" }],
      }),
    );
    expect(badRegex.code).toBe("BAD_REQUEST");
    expect(badRegex.message).toMatch(/matchers\.0\.value: not a valid regular expression/);
    const noComment = await failureOf(callerFor(database.db, operator).silences.create({ ...input, comment: "" }));
    expect(noComment.message).toMatch(/comment: a comment is required/);
    const past = await failureOf(
      callerFor(database.db, operator).silences.create({
        ...input,
        duration: undefined,
        ends_at: "2020-01-01T00:00:00Z",
      }),
    );
    expect(past).toMatchObject({ code: "BAD_REQUEST", message: "a silence must end in the future" });
  });

  it("lists active silences by default and expired ones with all; expiring twice conflicts", async () => {
    const caller = callerFor(database.db, operator);
    const silence = await caller.silences.create({
      matchers: [{ name: "alert_type", op: "=", value: "fan_failure" }],
      ends_at: new Date(Date.now() + 3_600_000).toISOString(),
      comment: "fan tray on order",
    });
    expect((await callerFor(database.db, viewer).silences.list()).map((s) => s.id)).toContain(silence.id);
    const expired = await caller.silences.expire({ id: silence.id });
    expect(expired).toMatchObject({ state: "expired", expired_by: "olga", silencing_now: false });
    expect((await caller.silences.list()).map((s) => s.id)).not.toContain(silence.id);
    expect((await caller.silences.list({ all: true })).map((s) => s.id)).toContain(silence.id);
    expect((await failureOf(caller.silences.expire({ id: silence.id }))).code).toBe("CONFLICT");
    const audit = await caller.audit.list({});
    expect(audit.events.find((e) => e.entity_id === silence.id && e.action === "silence.expire")).toBeDefined();
  });

  it("keeps each tenant's silences to itself", async () => {
    const silence = await callerFor(database.db, operator).silences.create({
      matchers: [{ name: "host", op: "=", value: "core-rtr-09" }],
      duration: "30m",
      comment: "northwind only",
    });
    const other = callerFor(database.db, otherOperator);
    expect((await other.silences.list({ all: true })).map((s) => s.id)).not.toContain(silence.id);
    expect((await failureOf(other.silences.expire({ id: silence.id }))).code).toBe("NOT_FOUND");
    await callerFor(database.db, operator).silences.expire({ id: silence.id });
  });

  it("stores a weekly maintenance window with its schedule", async () => {
    const window = await callerFor(database.db, operator).silences.create({
      kind: "weekly",
      matchers: [{ name: "site", op: "=", value: "ams1" }],
      schedule: [{ days: [1, 2, 3, 4, 5], start: "22:00", end: "02:00", tz: "Europe/Berlin" }],
      comment: "nightly maintenance",
    });
    expect(window).toMatchObject({ kind: "weekly", state: "active", schedule: [{ tz: "Europe/Berlin" }] });
    expect(Date.parse(window.ends_at) - Date.parse(window.starts_at)).toBe(365 * 86_400_000);
    await callerFor(database.db, operator).silences.expire({ id: window.id });
  });

  it("previews the alerts of the last hour the matchers match", async () => {
    const now = Date.now();
    await ingestAlerts(database.db, "northwind", [
      ...routerAlarms("core-rtr-11", new Date(now - 10 * 60_000), "preview"),
      ...routerAlarms("edge-sw-02", new Date(now - 5 * 60_000), "preview"),
      ...routerAlarms("core-rtr-12", new Date(now - 2 * 3_600_000), "old"),
    ]);
    const preview = await callerFor(database.db, viewer).silences.preview({
      matchers: [{ name: "host", op: "=~", value: "core-rtr-1.*" }],
      limit: 2,
    });
    expect(preview.count).toBe(4);
    expect(preview.alerts).toHaveLength(2);
    expect(preview.alerts.every((a) => a.host === "core-rtr-11")).toBe(true);
    expect(preview.truncated).toBe(false);
  });

  it("holds alerts during a weekly window's ranges only", async () => {
    const writer = createDeliveryWriter(database.db, { config: DEFAULT_CORRELATION_CONFIG });
    const caller = callerFor(database.db, operator);
    const clock = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    const today = ((new Date().getUTCDay() + 6) % 7) + 1;
    // One range open now (an hour either side, in UTC), one that closed two hours ago.
    const open = await caller.silences.create({
      kind: "weekly",
      matchers: [{ name: "host", op: "=", value: "core-rtr-31" }],
      schedule: [
        {
          days: [1, 2, 3, 4, 5, 6, 7],
          start: clock(Date.now() - 3_600_000),
          end: clock(Date.now() + 3_600_000),
          tz: "UTC",
        },
      ],
      comment: "window open now",
    });
    const closed = await caller.silences.create({
      kind: "weekly",
      matchers: [{ name: "host", op: "=", value: "core-rtr-32" }],
      schedule: [
        { days: [today], start: clock(Date.now() + 2 * 3_600_000), end: clock(Date.now() + 3 * 3_600_000), tz: "UTC" },
      ],
      comment: "window later today",
    });
    expect(open.silencing_now).toBe(true);
    expect(closed).toMatchObject({ state: "active", silencing_now: false });
    const [inWindow] = await writer("northwind", [{ alerts: routerAlarms("core-rtr-31", new Date(), "window") }]);
    expect(inWindow?.silenced).toBe(4);
    // Hours older than the next test's alarms, so they stay apart from them; arrival time decides the silence.
    const [outside] = await writer("northwind", [
      { alerts: routerAlarms("core-rtr-32", new Date(Date.now() - 3 * 3_600_000), "window") },
    ]);
    expect(outside?.silenced).toBe(0);
    await caller.silences.expire({ id: open.id });
    await caller.silences.expire({ id: closed.id });
  });

  it("stores alerts a silence holds with its id and out of incidents; after it ends alerts correlate again", async () => {
    const writer = createDeliveryWriter(database.db, { config: DEFAULT_CORRELATION_CONFIG });
    const caller = callerFor(database.db, operator);
    const silence = await caller.silences.create({
      matchers: [{ name: "host", op: "=", value: "core-rtr-21" }],
      duration: "2h",
      comment: "maintenance",
    });
    const [held] = await writer("northwind", [{ alerts: routerAlarms("core-rtr-21", new Date(), "held") }]);
    expect(held).toMatchObject({ accepted: 4, duplicates: 0, silenced: 4 });
    const incidents = await callerFor(database.db, viewer).incidents.list({});
    expect(incidents.incidents.filter((incident) => incident.hosts.includes("core-rtr-21"))).toEqual([]);
    const stored = await database.db.select().from(alerts).where(eq(alerts.host, "core-rtr-21"));
    expect(stored).toHaveLength(4);
    for (const row of stored) {
      expect(row).toMatchObject({ silencedBy: silence.id, incidentId: null, pendingGroup: null });
      expect(row.correlatedAt).not.toBeNull();
    }
    const [again] = await writer("northwind", [
      { alerts: routerAlarms("core-rtr-21", new Date(Date.parse(stored[0]?.timestamp.toISOString() ?? "")), "held") },
    ]);
    expect(again).toMatchObject({ accepted: 0, duplicates: 4, silenced: 0 });

    await caller.silences.expire({ id: silence.id });
    const [after] = await writer("northwind", [
      { alerts: routerAlarms("core-rtr-21", new Date(Date.now() + 1_000), "after") },
    ]);
    expect(after).toMatchObject({ accepted: 4, silenced: 0 });
    const opened = (await callerFor(database.db, viewer).incidents.list({})).incidents.filter((incident) =>
      incident.hosts.includes("core-rtr-21"),
    );
    expect(opened).toHaveLength(1);
    const incidentAlerts = await callerFor(database.db, viewer).alerts.list({ incidentId: opened[0]?.id });
    // The new alerts form the incident; the silenced ones stay out of it.
    expect(incidentAlerts.alerts.map((a) => a.silenced_by)).toEqual([null, null, null, null]);
    const listed = await callerFor(database.db, viewer).alerts.list({ host: "core-rtr-21" });
    expect(listed.alerts.filter((a) => a.silenced_by === silence.id)).toHaveLength(4);
    const heldAlerts = await callerFor(database.db, viewer).silences.alerts({ id: silence.id });
    expect(heldAlerts.silence).toMatchObject({ id: silence.id, state: "expired" });
    expect(heldAlerts.alerts.map((a) => a.host)).toEqual(["core-rtr-21", "core-rtr-21", "core-rtr-21", "core-rtr-21"]);
    expect(heldAlerts.alerts.every((a) => a.silenced_by === silence.id && a.incident_id === null)).toBe(true);
  });
});
