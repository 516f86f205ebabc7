import { type TestDatabase, testBackends } from "@teleops/db/testing";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../testing.ts";
import { postJson, trpcQuery } from "./webhookTesting.ts";

interface TrpcAnswer {
  result: { data: Record<string, unknown> };
  error: { message: string; data: { issues: Array<{ path: string; message: string }> } };
}

/** A tRPC mutation over HTTP as the SPA and CLI send it: the status and the JSON answer. */
async function trpcMutation(server: TestServer, path: string, input: unknown) {
  const response = await fetch(`${server.url}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: (await response.json()) as TrpcAnswer };
}

/** Four alarms Alertmanager sends for one router, a few seconds apart, starting `at`. */
function routerDelivery(host: string, at: number, tag: string) {
  const alerts = ["LinkDown", "BgpSessionDown", "InterfaceErrors", "PacketLoss"].map((alertname, index) => ({
    status: "firing",
    labels: { alertname, instance: `${host}:9116`, job: "snmp", severity: "critical", site: "fra1" },
    annotations: { summary: `${alertname} on ${host} xe-0/0/${index}` },
    startsAt: new Date(at + index * 3_000).toISOString(),
    endsAt: "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus.example:9090/graph",
    fingerprint: `${tag}-${host}-${index}`,
  }));
  return {
    receiver: "teleops",
    status: "firing",
    alerts,
    groupLabels: { site: "fra1" },
    commonLabels: { job: "snmp" },
    commonAnnotations: {},
    externalURL: "http://alertmanager.example:9093",
    version: "4",
    groupKey: `{}:{host="${host}"}`,
    truncatedAlerts: 0,
  };
}

interface AlertPage {
  alerts: Array<{ host: string; incident_id: string | null; silenced_by: string | null; fingerprint: string }>;
}
interface IncidentPage {
  incidents: Array<{ id: string; hosts: string[] }>;
}

describe.each(testBackends())("silences at the webhooks on $name", (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  const logLines: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    database = await backend.open();
    const logger = pino({ level: "info" }, { write: (line: string) => logLines.push(JSON.parse(line)) });
    server = await startTestServer(database, { logger });
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  const incidentHosts = async () =>
    (await trpcQuery<IncidentPage>(server, "incidents.list", { limit: 500 })).incidents.flatMap((i) => i.hosts);

  it("answers a bad matcher with a 400 naming the field", async () => {
    const answer = await trpcMutation(server, "silences.create", {
      matchers: [{ name: "host", op: "=~", value: "core-(" }],
      duration: "2h",
      comment: "planned",
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toMatch(/^invalid input: matchers\.0\.value: not a valid regular expression/);
    expect(answer.body.error.data.issues[0]?.path).toBe("matchers.0.value");
  });

  it("stores a silenced device's new Alertmanager alerts silenced and out of incidents, and correlates them after expiry", async () => {
    const created = await trpcMutation(server, "silences.create", {
      matchers: [{ name: "host", op: "=", value: "core-rtr-01" }],
      duration: "2h",
      comment: "line card swap CHG-7",
    });
    expect(created.status).toBe(200);
    const silence = created.body.result.data as { id: string; created_by: string };
    expect(silence.created_by).toBe("local-admin");

    const now = Date.now() - 60_000;
    const held = await postJson(`${server.url}/webhooks/alertmanager`, routerDelivery("core-rtr-01", now, "during"));
    expect(held.status).toBe(202);
    expect(held.body).toMatchObject({ accepted: 4, duplicates: 0, silenced: 4 });
    expect(logLines.filter((line) => line.msg === "webhook delivery").at(-1)).toMatchObject({
      route: "/webhooks/alertmanager",
      accepted: 4,
      silenced: 4,
    });
    // A device the silence does not name goes on as before.
    const other = await postJson(`${server.url}/webhooks/alertmanager`, routerDelivery("core-rtr-02", now, "during"));
    expect(other.body).toMatchObject({ accepted: 4, silenced: 0 });

    const during = await trpcQuery<AlertPage>(server, "alerts.list", { host: "core-rtr-01" });
    expect(during.alerts).toHaveLength(4);
    expect(during.alerts.every((a) => a.silenced_by === silence.id && a.incident_id === null)).toBe(true);
    const hosts = await incidentHosts();
    expect(hosts).not.toContain("core-rtr-01");
    expect(hosts).toContain("core-rtr-02");

    // Redelivered, the held alerts stay stored once.
    const again = await postJson(`${server.url}/webhooks/alertmanager`, routerDelivery("core-rtr-01", now, "during"));
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 4 });

    const expired = await trpcMutation(server, "silences.expire", { id: silence.id });
    expect(expired.body.result.data).toMatchObject({ state: "expired", expired_by: "local-admin" });
    const after = await postJson(
      `${server.url}/webhooks/alertmanager`,
      routerDelivery("core-rtr-01", Date.now() - 10_000, "after"),
    );
    expect(after.body).toMatchObject({ accepted: 4, silenced: 0 });
    const afterAlerts = (await trpcQuery<AlertPage>(server, "alerts.list", { host: "core-rtr-01" })).alerts.filter(
      (a) => a.fingerprint.startsWith("after-"),
    );
    expect(afterAlerts).toHaveLength(4);
    expect(afterAlerts.every((a) => a.silenced_by === null && a.incident_id !== null)).toBe(true);
    expect(await incidentHosts()).toContain("core-rtr-01");
    // The alerts held earlier never joined the incident the later ones opened.
    const stillHeld = (await trpcQuery<AlertPage>(server, "alerts.list", { host: "core-rtr-01" })).alerts.filter((a) =>
      a.fingerprint.startsWith("during-"),
    );
    expect(stillHeld.every((a) => a.incident_id === null && a.silenced_by === silence.id)).toBe(true);
  });

  it("silences canonical alerts on POST /webhooks/alerts by tag", async () => {
    const created = await trpcMutation(server, "silences.create", {
      matchers: [
        { name: "circuit", op: "=~", value: "LIS-MAD-.*" },
        { name: "severity", op: "!=", value: "info" },
      ],
      duration: "90m",
      comment: "carrier maintenance",
    });
    const silence = created.body.result.data as { id: string };
    const at = Date.now() - 5_000;
    const answer = await postJson(`${server.url}/webhooks/alerts`, [
      {
        timestamp: new Date(at).toISOString(),
        host: "lis-roadm-1",
        source_system: "syslog",
        severity: "critical",
        alert_type: "los",
        message: "Loss of signal on line port 1-5-2",
        tags: { circuit: "LIS-MAD-2" },
      },
      {
        timestamp: new Date(at + 1_000).toISOString(),
        host: "lis-roadm-1",
        source_system: "syslog",
        severity: "info",
        alert_type: "los",
        message: "Loss of signal on line port 1-5-3",
        tags: { circuit: "LIS-MAD-2" },
      },
    ]);
    expect(answer.body).toMatchObject({ accepted: 2, silenced: 1 });
    const stored = await trpcQuery<AlertPage>(server, "alerts.list", { host: "lis-roadm-1" });
    expect(stored.alerts.map((a) => a.silenced_by).sort()).toEqual([silence.id, null].sort());
  });
});
