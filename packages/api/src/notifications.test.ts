import { listAudit } from "@teleops/core";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import type { Actor } from "./context.ts";
import { callerFor } from "./testing.ts";

const admin: Actor = { name: "ada", role: "admin", tenantId: "northwind" };
const otherAdmin: Actor = { name: "eve", role: "admin", tenantId: "contoso" };

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
    return { code: "OK", message: "" };
  } catch (error) {
    if (!(error instanceof TRPCError)) return { code: "NOT_TRPC", message: String(error) };
    if (error.cause instanceof ZodError) {
      const issue = error.cause.issues[0];
      return { code: error.code, message: `${issue?.path.join(".")}: ${issue?.message}` };
    }
    return { code: error.code, message: error.message };
  }
}

describe.each(testBackends())("notifications router on $name", (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await backend.open();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("adds a channel with its route and never shows or audits the secret in full", async () => {
    const caller = callerFor(database.db, admin);
    const secret = "R0UTING-KEY-northwind-77aa";
    const channel = await caller.notifications.channels.create({
      type: "pagerduty",
      secret,
      min_severity: "major",
      matchers: [{ name: "site", op: "=~", value: "fra.*" }],
      delay: "15m",
    });
    expect(channel).toMatchObject({
      type: "pagerduty",
      url: "https://events.pagerduty.com/v2/enqueue",
      secret: "…77aa",
      min_severity: "major",
      delay_ms: 900_000,
      created_by: "ada",
    });
    const listed = await caller.notifications.channels.list();
    expect(listed).toEqual([channel]);
    const audit = (await listAudit(database.db, "northwind", { limit: 50 })).events;
    expect(JSON.stringify(audit)).not.toContain(secret);
    expect(audit.some((event) => event.action === "notification_channel.create")).toBe(true);
    expect(await callerFor(database.db, otherAdmin).notifications.channels.list()).toEqual([]);
  });

  it("refuses bad input as BAD_REQUEST naming the field, never a 500", async () => {
    const caller = callerFor(database.db, admin);
    const cases: Array<[unknown, string]> = [
      [{ type: "webhook", url: "ftp://example.net" }, "url: url must be an http:// or https:// address"],
      [{ type: "webhook" }, "url: a webhook channel needs a url"],
      [{ type: "email", url: "noc@example.net" }, "url: an email channel's url is mailto:address[,address…]"],
      [{ type: "pagerduty" }, "secret: a pagerduty channel needs its routing key as secret"],
      [
        { type: "webhook", url: "https://x.example", min_severity: "urgent" },
        "min_severity: min_severity must be one of critical, major, minor, warning, info",
      ],
      [
        { type: "webhook", url: "https://x.example", delay: "soon" },
        'delay: "soon" is not a delay: write 0 or e.g. 5m, 2h (at most 1d)',
      ],
      [
        { type: "webhook", url: "https://x.example", matchers: [{ name: "host", op: "=~", value: "(" }] },
        "matchers.0.value: not a valid regular expression: /^(?:()$/: Unterminated group",
      ],
    ];
    for (const [input, message] of cases) {
      // @ts-expect-error: deliberately malformed inputs, as a client could send them
      expect(await failureOf(caller.notifications.channels.create(input))).toEqual({ code: "BAD_REQUEST", message });
    }
  });

  it("deletes a channel of the caller's tenant only; another tenant's id is NOT_FOUND", async () => {
    const caller = callerFor(database.db, admin);
    const channel = await caller.notifications.channels.create({ type: "webhook", url: "https://hooks.example.net/x" });
    expect(
      await failureOf(callerFor(database.db, otherAdmin).notifications.channels.delete({ id: channel.id })),
    ).toEqual({
      code: "NOT_FOUND",
      message: `channel ${channel.id} not found`,
    });
    expect(
      await failureOf(callerFor(database.db, otherAdmin).notifications.channels.test({ id: channel.id })),
    ).toMatchObject({
      code: "NOT_FOUND",
    });
    await caller.notifications.channels.delete({ id: channel.id });
    expect((await caller.notifications.channels.list()).map((c) => c.id)).not.toContain(channel.id);
  });
});
