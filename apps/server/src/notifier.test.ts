import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson, trpcQuery } from "./http/webhookTesting.ts";
import { startTestServer, type TestServer } from "./testing.ts";

const ZERO_TIME = "0001-01-01T00:00:00Z";
const SECRET = "receiver-shared-secret-7e21";

/** Alertmanager's webhook with two alarms of one router, all in one state. */
function alertmanager(host: string, status: "firing" | "resolved", startsAt: string, endsAt = ZERO_TIME) {
  return {
    receiver: "teleops",
    status,
    alerts: ["LinkDown", "BGPSessionDown"].map((alertname, i) => ({
      status,
      labels: { alertname, instance: `${host}:9100`, job: "snmp", severity: "critical" },
      annotations: { summary: `${alertname} on ${host}` },
      startsAt,
      endsAt,
      generatorURL: "http://prometheus.example:9090/graph",
      fingerprint: `${host}-${i}`,
    })),
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://alertmanager.example:9093",
    version: "4",
    groupKey: "{}:{}",
    truncatedAlerts: 0,
  };
}

async function trpcMutation<T>(server: TestServer, path: string, input: unknown): Promise<T> {
  const response = await fetch(`${server.url}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(input),
  });
  const json = (await response.json()) as { result?: { data: T }; error?: { message: string } };
  if (!json.result) throw new Error(`${path} failed (${response.status}): ${json.error?.message ?? "no result"}`);
  return json.result.data;
}

describe.each(testBackends())("the notifier in a running server on $name", (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  const got: Array<{ at: number; headers: IncomingHttpHeaders; raw: string }> = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      got.push({ at: Date.now(), headers: req.headers, raw: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(204);
      res.end();
    });
  });
  beforeAll(async () => {
    database = await backend.open();
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    server = await startTestServer(database, { autoResolveAfterMs: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await new Promise((resolve) => receiver.close(resolve));
    await database?.dispose();
  });

  it("posts a signed webhook within 5 s of a new critical incident, a resolve when it resolves, nothing for a silenced device", async () => {
    const { port } = receiver.address() as AddressInfo;
    const channel = await trpcMutation<{ id: string; secret: string }>(server, "notifications.channels.create", {
      type: "webhook",
      url: `http://127.0.0.1:${port}/teleops`,
      secret: SECRET,
      min_severity: "critical",
    });
    expect(channel.secret).toBe("…7e21");
    await trpcMutation(server, "silences.create", {
      matchers: [{ name: "host", op: "=", value: "ams2-core-9" }],
      duration: "1h",
      comment: "line card swap",
    });
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    expect(
      (await postJson(`${server.url}/webhooks/alertmanager`, alertmanager("ams2-core-9", "firing", startsAt))).status,
    ).toBe(202);
    const sentAt = Date.now();
    expect(
      (await postJson(`${server.url}/webhooks/alertmanager`, alertmanager("fra1-core-1", "firing", startsAt))).status,
    ).toBe(202);
    const waitFor = async (n: number) => {
      for (let i = 0; i < 100 && got.length < n; i++) await new Promise((r) => setTimeout(r, 100));
    };
    await waitFor(1);
    expect(got).toHaveLength(1);
    expect(got[0]?.at ?? Number.POSITIVE_INFINITY).toBeLessThan(sentAt + 5_000);
    const opened = JSON.parse(got[0]?.raw ?? "{}") as { event: string; incident: { id: string; hosts: string[] } };
    expect(opened).toMatchObject({ event: "incident.opened", incident: { hosts: ["fra1-core-1"] } });
    expect(got[0]?.headers["x-teleops-signature"]).toBe(
      `sha256=${createHmac("sha256", SECRET)
        .update(got[0]?.raw ?? "")
        .digest("hex")}`,
    );

    const resolvedAt = new Date().toISOString();
    await postJson(
      `${server.url}/webhooks/alertmanager`,
      alertmanager("fra1-core-1", "resolved", startsAt, resolvedAt),
    );
    await waitFor(2);
    expect(got.map((r) => (JSON.parse(r.raw) as { event: string }).event)).toEqual([
      "incident.opened",
      "incident.resolved",
    ]);
    // The receiver has answered; the notifier records the outcome a moment later.
    type Delivery = { status: string; event: string; incident_id: string };
    let deliveries: Delivery[] = [];
    for (let i = 0; i < 50; i++) {
      deliveries = await trpcQuery<Delivery[]>(server, "notifications.deliveries", {});
      if (deliveries.every((d) => d.status === "delivered")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(deliveries.map((d) => [d.event, d.status, d.incident_id])).toEqual([
      ["incident.resolved", "delivered", opened.incident.id],
      ["incident.opened", "delivered", opened.incident.id],
    ]);
  });

  it("logs failed sends with counts only: neither the secret nor the receiver's URL reaches the log", async () => {
    const lines: string[] = [];
    // A database of its own: the other server's notifier must not take these deliveries (and their log lines).
    const own = await backend.open();
    const logged = await startTestServer(own, {
      logger: pino({ level: "info" }, { write: (line: string) => void lines.push(line) }),
    });
    try {
      const token = "XoXoSlackPathToken0123";
      const create = (input: unknown) => trpcMutation<{ id: string }>(logged, "notifications.channels.create", input);
      await create({ type: "slack", url: `http://127.0.0.1:9/services/T1/B2/${token}` });
      await create({ type: "webhook", url: "http://127.0.0.1:9/hook", secret: "never-in-the-log-9911" });
      const startsAt = new Date(Date.now() - 30_000).toISOString();
      await postJson(`${logged.url}/webhooks/alertmanager`, alertmanager("lis1-core-4", "firing", startsAt));
      for (let i = 0; i < 100 && !lines.some((l) => l.includes("notification deliveries failed")); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const log = lines.join("");
      expect(log).toContain("notification deliveries failed");
      expect(log).not.toContain(token);
      expect(log).not.toContain("never-in-the-log-9911");
      const failed = await trpcQuery<Array<{ status: string; last_error: string | null }>>(
        logged,
        "notifications.deliveries",
        {},
      );
      // Still retrying (a refused connection is worth another try), with the reason on the record.
      expect(failed.filter((d) => d.status === "pending" && d.last_error)).not.toHaveLength(0);
    } finally {
      await logged.close();
      await own.dispose();
    }
  });
});
