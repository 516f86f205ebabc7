import { createHmac, randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { incidents, notificationDeliveries } from "@teleops/db";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { type CanonicalAlert, type ChannelCreateInput, silenceCreateInputSchema } from "@teleops/schema";
import { eq } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeliveryWriter } from "../alerts/deliveries.ts";
import { withFingerprint } from "../alerts/fingerprint.ts";
import { DEFAULT_CORRELATION_CONFIG } from "../correlation/correlator.ts";
import { setIncidentStatus } from "../incidents/queries.ts";
import { createSilence } from "../silences/store.ts";
import { createChannel, listChannels } from "./channels.ts";
import { listDeliveries, testChannel } from "./deliveries.ts";
import { deliverDue, planNotifications, retryDelayMs } from "./outbox.ts";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
}

/** A local HTTP receiver that records every POST and answers with `status()` (200 unless told otherwise). */
async function startReceiver(): Promise<{
  url: string;
  got: Received[];
  status: (path: string) => number;
  answer(fn: (path: string) => number): void;
  close(): Promise<void>;
}> {
  const got: Received[] = [];
  let status = (_path: string) => 200;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const path = req.url ?? "/";
      got.push({ path, headers: req.headers, raw, body: JSON.parse(raw) as Record<string, unknown> });
      res.writeHead(status(path), { "content-type": "application/json" });
      res.end('{"status":"ok"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    got,
    status: (path) => status(path),
    answer(fn) {
      status = fn;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Four critical alarms on one router within a minute: the correlator opens an incident for them. */
function routerAlarms(host: string, at: Date, site = "fra1", severity: CanonicalAlert["severity"] = "critical") {
  return ["link_down", "bgp_session_down", "interface_errors", "packet_loss"].map((type, index) =>
    withFingerprint({
      fingerprint: undefined,
      timestamp: new Date(at.getTime() + index * 5_000).toISOString(),
      source_system: "alertmanager",
      host,
      service: "backbone",
      severity,
      alert_type: type,
      message: `${type} on ${host} xe-0/0/${index}`,
      tags: { site, alertname: type },
      raw_payload: {},
      tenant_id: null,
      status: "firing",
    }),
  );
}

const PUBLIC_URL = "https://teleops.example.net";

/** A received email as a reader sees it: quoted-printable lines joined, `=?UTF-8?Q?…?=` header words decoded. */
function readMail(data: string): string {
  const bytes = (text: string) =>
    Buffer.from(
      text.replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
      "latin1",
    ).toString("utf8");
  return bytes(
    data
      .replace(/\?=\r?\n[ \t]+=\?UTF-8\?Q\?/gi, "")
      .replace(/=\?UTF-8\?Q\?([^?]*)\?=/gi, (_, word: string) => word.replace(/_/g, " "))
      .replace(/=\r?\n/g, ""),
  );
}

describe.each(testBackends())("notifications on $name", (backend) => {
  let database: TestDatabase;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let tenant = "";
  const newTenant = () => {
    tenant = `t-${randomBytes(4).toString("hex")}`;
    return tenant;
  };
  const write = (alerts: CanonicalAlert[]) =>
    createDeliveryWriter(database.db, { config: DEFAULT_CORRELATION_CONFIG })(tenant, [{ alerts }]);
  const channel = (input: ChannelCreateInput) => createChannel(database.db, { tenantId: tenant, actor: "ada", input });
  /** One notifier pass at `now`: enqueue what is due, then send it (retries wait `retryBaseMs`). */
  async function pass(now = new Date(), retryBaseMs = 30_000) {
    const enqueued = await planNotifications(database.db, { now, publicUrl: PUBLIC_URL });
    const delivered = await deliverDue(database.db, { now, retryBaseMs });
    return { enqueued, ...delivered };
  }
  async function incidentOf(host: string) {
    const rows = await database.db.select().from(incidents).where(eq(incidents.tenantId, tenant));
    const found = rows.find((row) => row.hosts.includes(host));
    if (!found) throw new Error(`no incident for ${host}`);
    return found;
  }

  beforeAll(async () => {
    database = await backend.open();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await database?.dispose();
  });

  it("posts a signed webhook when a critical incident opens, and a resolve message when it resolves", async () => {
    newTenant();
    const secret = "whsec-test-9f2c41aa";
    const added = await channel({ type: "webhook", url: `${receiver.url}/hook/${tenant}`, secret });
    expect(added.secret).toBe("…41aa");
    expect(JSON.stringify(await listChannels(database.db, tenant))).not.toContain(secret);

    await write(routerAlarms("core-rtr-01", new Date()));
    const incident = await incidentOf("core-rtr-01");
    expect(await pass()).toMatchObject({ enqueued: 1, sent: 1, failed: 0 });
    const mine = () => receiver.got.filter((r) => r.path === `/hook/${tenant}`);
    const [opened] = mine();
    expect(opened?.body).toMatchObject({
      event: "incident.opened",
      incident: { id: incident.id, title: incident.title, severity: "critical", status: "open" },
      url: `${PUBLIC_URL}/incidents/${incident.id}`,
    });
    // The receiver's check: HMAC-SHA256 of the raw body with the shared secret.
    const expected = `sha256=${createHmac("sha256", secret)
      .update(opened?.raw ?? "")
      .digest("hex")}`;
    expect(opened?.headers["x-teleops-signature"]).toBe(expected);

    // Nothing new: a second pass sends nothing.
    expect(await pass()).toMatchObject({ enqueued: 0, sent: 0 });
    await setIncidentStatus(database.db, tenant, incident.id, "resolved", null);
    expect(await pass()).toMatchObject({ enqueued: 1, sent: 1 });
    expect(mine().map((r) => r.body.event)).toEqual(["incident.opened", "incident.resolved"]);
    expect(mine()[1]?.body).toMatchObject({ incident: { id: incident.id, status: "resolved" } });
    const deliveries = await listDeliveries(database.db, tenant, { limit: 10 });
    expect(deliveries.map((d) => [d.event, d.status, d.attempts])).toEqual([
      ["incident.resolved", "delivered", 1],
      ["incident.opened", "delivered", 1],
    ]);
    expect(deliveries[0]?.history).toMatchObject([{ ok: true, response_status: 200, error: null }]);
  });

  it("sends PagerDuty trigger, acknowledge and resolve with one dedup_key, in the Events API v2 format", async () => {
    newTenant();
    await channel({
      type: "pagerduty",
      url: `${receiver.url}/v2/enqueue/${tenant}`,
      secret: "R0UTINGKEY0123456789abcdef",
    });
    await write(routerAlarms("core-rtr-02", new Date()));
    const incident = await incidentOf("core-rtr-02");
    await pass();
    await setIncidentStatus(database.db, tenant, incident.id, "acknowledged", "olga");
    await pass();
    await setIncidentStatus(database.db, tenant, incident.id, "resolved", null);
    await pass();
    const events = receiver.got.filter((r) => r.path === `/v2/enqueue/${tenant}`).map((r) => r.body);
    expect(events.map((e) => e.event_action)).toEqual(["trigger", "acknowledge", "resolve"]);
    expect(new Set(events.map((e) => e.dedup_key))).toEqual(new Set([`teleops/${tenant}/${incident.id}`]));
    expect(events.every((e) => e.routing_key === "R0UTINGKEY0123456789abcdef")).toBe(true);
    expect(events[0]).toMatchObject({
      payload: {
        summary: expect.stringContaining(incident.id),
        source: "core-rtr-02",
        severity: "critical",
        timestamp: incident.startTime.toISOString(),
        group: "fra1",
      },
      links: [{ href: `${PUBLIC_URL}/incidents/${incident.id}` }],
    });
    // acknowledge and resolve carry only what the API reads for them.
    expect(Object.keys(events[2] ?? {}).sort()).toEqual(["dedup_key", "event_action", "routing_key"]);
  });

  it("posts Slack incoming-webhook messages: text with the incident link, and mrkdwn blocks", async () => {
    newTenant();
    await channel({ type: "slack", url: `${receiver.url}/services/T000/B000/${tenant}` });
    await write(routerAlarms("core-rtr-03", new Date()));
    const incident = await incidentOf("core-rtr-03");
    await pass();
    const [message] = receiver.got.filter((r) => r.path === `/services/T000/B000/${tenant}`);
    expect(message?.body.text).toEqual(
      expect.stringContaining(`[CRITICAL] ${incident.id} opened: ${incident.title}\n${PUBLIC_URL}/incidents/`),
    );
    expect(message?.body.blocks).toMatchObject([
      { type: "section", text: { type: "mrkdwn" } },
      { type: "section", text: { type: "mrkdwn", text: expect.stringContaining("Sites: fra1") } },
    ]);
    // The Slack URL is its credential: listed channels show only its first path segment.
    expect((await listChannels(database.db, tenant))[0]?.url).toBe(`${receiver.url}/services/…`);
  });

  it("routes by minimum severity and matchers, and waits out a delay: notified only if still open after it", async () => {
    newTenant();
    await channel({ type: "webhook", url: `${receiver.url}/critical/${tenant}`, min_severity: "critical" });
    await channel({
      type: "webhook",
      url: `${receiver.url}/ams/${tenant}`,
      matchers: [{ name: "site", op: "=", value: "ams2" }],
    });
    await channel({ type: "webhook", url: `${receiver.url}/late/${tenant}`, delay: "10m" });
    await write(routerAlarms("core-rtr-04", new Date(), "fra1", "major"));
    await write(routerAlarms("core-rtr-05", new Date(Date.now() - 3_600_000), "ams2", "critical"));
    const major = await incidentOf("core-rtr-04");
    const amsCritical = await incidentOf("core-rtr-05");
    await pass();
    const at = (prefix: string) =>
      receiver.got.filter((r) => r.path === `/${prefix}/${tenant}`).map((r) => (r.body.incident as { id: string }).id);
    expect(at("critical")).toEqual([amsCritical.id]);
    expect(at("ams")).toEqual([amsCritical.id]);
    expect(at("late")).toEqual([]);
    // One of the two resolves within the delay: only the other is still open after ten minutes.
    await setIncidentStatus(database.db, tenant, major.id, "resolved", null);
    await pass(new Date(Date.now() + 5 * 60_000));
    expect(at("late")).toEqual([]);
    await pass(new Date(Date.now() + 11 * 60_000));
    expect(at("late")).toEqual([amsCritical.id]);
    expect(at("critical")).toEqual([amsCritical.id]);
  });

  it("throttles updates: an incident growing by 100 alerts sends one opening and a bounded number of updates", async () => {
    newTenant();
    await channel({ type: "webhook", url: `${receiver.url}/grow/${tenant}` });
    const start = Date.now() - 30 * 60_000;
    await write(routerAlarms("core-rtr-06", new Date(start)));
    const incident = await incidentOf("core-rtr-06");
    const t0 = Date.now();
    await pass(new Date(t0));
    // 100 more alarms on the same router over 25 minutes of event time, in 10 deliveries a few seconds apart.
    for (let batch = 0; batch < 10; batch += 1) {
      const alerts = Array.from({ length: 10 }, (_, i) =>
        withFingerprint({
          fingerprint: undefined,
          timestamp: new Date(start + 60_000 + (batch * 10 + i) * 15_000).toISOString(),
          source_system: "alertmanager",
          host: "core-rtr-06",
          service: "backbone",
          severity: "critical",
          alert_type: "interface_errors",
          message: `interface_errors on core-rtr-06 xe-0/0/${batch * 10 + i}`,
          tags: { site: "fra1", alertname: "interface_errors", interface: `xe-0/0/${batch * 10 + i}` },
          raw_payload: {},
          tenant_id: null,
          status: "firing",
        }),
      );
      await write(alerts);
      await pass(new Date(t0 + (batch + 1) * 5_000));
    }
    const grown = await incidentOf("core-rtr-06");
    expect(grown.id).toBe(incident.id);
    expect(grown.alertCount).toBeGreaterThanOrEqual(100);
    const events = () => receiver.got.filter((r) => r.path === `/grow/${tenant}`).map((r) => r.body.event);
    // Within the first minute: the opening only.
    expect(events()).toEqual(["incident.opened"]);
    // A minute later the growth goes out as one update with the latest count; then nothing until it changes.
    await pass(new Date(t0 + 61_000));
    await pass(new Date(t0 + 62_000));
    expect(events()).toEqual(["incident.opened", "incident.updated"]);
    const last = receiver.got.filter((r) => r.path === `/grow/${tenant}`).at(-1);
    expect(last?.body).toMatchObject({ incident: { id: incident.id, alert_count: grown.alertCount } });
  });

  it("retries after 500s with exponential backoff, recording each failed attempt with its error", async () => {
    newTenant();
    let calls = 0;
    receiver.answer((path) => {
      if (path !== `/flaky/${tenant}`) return 200;
      calls += 1;
      return calls <= 2 ? 500 : 200;
    });
    await channel({ type: "webhook", url: `${receiver.url}/flaky/${tenant}`, secret: "flaky-secret-000111" });
    await write(routerAlarms("core-rtr-07", new Date()));
    const t0 = Date.now();
    expect(await pass(new Date(t0), 1_000)).toMatchObject({ sent: 1, failed: 1 });
    let [delivery] = await listDeliveries(database.db, tenant, { limit: 1 });
    expect(delivery).toMatchObject({ status: "pending", attempts: 1, last_error: expect.stringContaining("HTTP 500") });
    expect(Date.parse(delivery?.next_attempt_at ?? "")).toBe(t0 + retryDelayMs(1, 1_000));
    // Not due yet half a second later; due after 1 s, then after 2 s more.
    expect(await pass(new Date(t0 + 500), 1_000)).toMatchObject({ sent: 0 });
    expect(await pass(new Date(t0 + 1_000), 1_000)).toMatchObject({ sent: 1, failed: 1 });
    [delivery] = await listDeliveries(database.db, tenant, { limit: 1 });
    expect(Date.parse(delivery?.next_attempt_at ?? "")).toBe(t0 + 1_000 + 2_000);
    expect(await pass(new Date(t0 + 2_500), 1_000)).toMatchObject({ sent: 0 });
    expect(await pass(new Date(t0 + 3_000), 1_000)).toMatchObject({ sent: 1, failed: 0 });
    [delivery] = await listDeliveries(database.db, tenant, { limit: 1 });
    expect(delivery).toMatchObject({ status: "delivered", attempts: 3, last_error: null });
    expect(delivery?.history.map((a) => [a.ok, a.response_status])).toEqual([
      [false, 500],
      [false, 500],
      [true, 200],
    ]);
    expect(delivery?.history[0]?.error).toContain("HTTP 500");
    receiver.answer(() => 200);
  });

  it("gives up at once on a refusal (4xx) and marks the delivery failed with the receiver's answer", async () => {
    newTenant();
    receiver.answer((path) => (path === `/gone/${tenant}` ? 410 : 200));
    await channel({ type: "webhook", url: `${receiver.url}/gone/${tenant}` });
    await write(routerAlarms("core-rtr-08", new Date()));
    await pass();
    const [delivery] = await listDeliveries(database.db, tenant, { status: "failed", limit: 5 });
    expect(delivery).toMatchObject({ status: "failed", attempts: 1, last_error: expect.stringContaining("HTTP 410") });
    receiver.answer(() => 200);
  });

  it("keeps undelivered messages in the outbox: another notifier sends them, including one a dead process held", async () => {
    newTenant();
    await channel({ type: "webhook", url: `${receiver.url}/outbox/${tenant}` });
    await write(routerAlarms("core-rtr-09", new Date()));
    await write(routerAlarms("core-rtr-10", new Date(Date.now() - 3_600_000)));
    const now = new Date();
    // The first process decides both messages, then dies: one never claimed, one claimed and mid-send.
    expect(await planNotifications(database.db, { now, publicUrl: PUBLIC_URL })).toBe(2);
    const rows = await database.db
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.tenantId, tenant));
    await database.db
      .update(notificationDeliveries)
      .set({ status: "sending", attempts: 1, leaseUntil: new Date(now.getTime() + 120_000) })
      .where(eq(notificationDeliveries.id, rows[0]?.id ?? 0));
    // A new process: the unclaimed one goes now, the held one once its lease has run out.
    expect(await deliverDue(database.db, { now })).toMatchObject({ sent: 1 });
    expect(await deliverDue(database.db, { now: new Date(now.getTime() + 121_000) })).toMatchObject({ sent: 1 });
    const got = receiver.got.filter((r) => r.path === `/outbox/${tenant}`);
    expect(got).toHaveLength(2);
    const deliveries = await listDeliveries(database.db, tenant, { limit: 5 });
    expect(deliveries.map((d) => d.status)).toEqual(["delivered", "delivered"]);
  });

  it("enqueues and sends each message once when several notifiers run at the same time", async () => {
    newTenant();
    await channel({ type: "webhook", url: `${receiver.url}/race/${tenant}` });
    await write(routerAlarms("core-rtr-14", new Date()));
    const now = new Date();
    const planned = await Promise.all(
      [1, 2, 3].map(() => planNotifications(database.db, { now, publicUrl: PUBLIC_URL })),
    );
    expect(planned.reduce((sum, n) => sum + n, 0)).toBe(1);
    const sent = await Promise.all([1, 2, 3].map(() => deliverDue(database.db, { now })));
    expect(sent.reduce((sum, r) => sum + r.sent, 0)).toBe(1);
    expect(receiver.got.filter((r) => r.path === `/race/${tenant}`)).toHaveLength(1);
  });

  it("notifies no one of silenced alerts", async () => {
    newTenant();
    await channel({ type: "webhook", url: `${receiver.url}/silenced/${tenant}` });
    await createSilence(database.db, {
      tenantId: tenant,
      actor: "olga",
      input: silenceCreateInputSchema.parse({
        matchers: [{ name: "host", op: "=", value: "core-rtr-11" }],
        duration: "2h",
        comment: "planned works",
      }),
    });
    const [held] = await write(routerAlarms("core-rtr-11", new Date()));
    expect(held?.silenced).toBe(4);
    await write(routerAlarms("core-rtr-12", new Date(Date.now() - 3_600_000)));
    await pass();
    const hosts = receiver.got
      .filter((r) => r.path === `/silenced/${tenant}`)
      .map((r) => (r.body.incident as { hosts: string[] }).hosts);
    expect(hosts).toEqual([["core-rtr-12"]]);
  });

  it("emails through SMTP, threading updates under the incident's first message", async () => {
    newTenant();
    const mails: Array<{ from: string; to: string[]; data: string }> = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      onData(stream, session, callback) {
        let data = "";
        stream.on("data", (chunk: Buffer) => {
          data += chunk.toString("utf8");
        });
        stream.on("end", () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            data,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    const { port } = smtp.server.address() as AddressInfo;
    try {
      await channel({ type: "email", url: "mailto:noc@example.net, oncall@example.net" });
      await write(routerAlarms("core-rtr-13", new Date()));
      const incident = await incidentOf("core-rtr-13");
      const send = { smtp: { url: `smtp://127.0.0.1:${port}`, from: "teleops@example.net" } };
      await planNotifications(database.db, { now: new Date(), publicUrl: PUBLIC_URL });
      await deliverDue(database.db, { now: new Date(), ...send });
      await setIncidentStatus(database.db, tenant, incident.id, "resolved", null);
      await planNotifications(database.db, { now: new Date(), publicUrl: PUBLIC_URL });
      await deliverDue(database.db, { now: new Date(), ...send });
      expect(mails).toHaveLength(2);
      expect(mails[0]).toMatchObject({ from: "teleops@example.net", to: ["noc@example.net", "oncall@example.net"] });
      const [first, second] = mails.map((mail) => readMail(mail.data));
      expect(first).toContain(`Subject: [TeleOps] ${incident.id}: ${incident.title}`);
      expect(first).toContain(`[CRITICAL] ${incident.id} opened`);
      expect(first).toContain(`${PUBLIC_URL}/incidents/${incident.id}`);
      const firstId = /^Message-ID: (<[^>]+>)/im.exec(first ?? "")?.[1];
      expect(firstId).toMatch(/^<.+@teleops>$/);
      expect(second).toContain(`In-Reply-To: ${firstId}`);
      expect(second).toContain(`Subject: Re: [TeleOps] ${incident.id}`);
      expect(second).toContain(`${incident.id} resolved`);
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });

  it("sends a channel test at once and records it; a failure comes back with the error and without the secret", async () => {
    newTenant();
    const ok = await channel({
      type: "webhook",
      url: `${receiver.url}/test/${tenant}`,
      secret: "test-secret-abcd1234",
    });
    const delivered = await testChannel(database.db, {
      tenantId: tenant,
      actor: "ada",
      id: ok.id,
      publicUrl: PUBLIC_URL,
      send: {},
    });
    expect(delivered).toMatchObject({ status: "delivered", event: "test", attempts: 1, channel_id: ok.id });
    expect(receiver.got.filter((r) => r.path === `/test/${tenant}`).map((r) => r.body.event)).toEqual(["test"]);
    const closed = await channel({
      type: "webhook",
      url: "http://127.0.0.1:9/nothing-listens",
      secret: "hidden-secret-zz99",
    });
    const failed = await testChannel(database.db, {
      tenantId: tenant,
      actor: "ada",
      id: closed.id,
      publicUrl: PUBLIC_URL,
      send: { timeoutMs: 2_000 },
    });
    expect(failed).toMatchObject({ status: "failed", attempts: 1, last_error: expect.any(String) });
    expect(failed.history[0]).toMatchObject({ ok: false, response_status: null });
    expect(JSON.stringify(failed)).not.toContain("hidden-secret-zz99");
  });
});
