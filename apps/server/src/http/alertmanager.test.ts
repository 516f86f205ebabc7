import { alerts } from "@teleops/db";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../testing.ts";
import { integrationEvents, postJson, trpcQuery } from "./webhookTesting.ts";

const ZERO_TIME = "0001-01-01T00:00:00Z";
const auth = { authorization: "Bearer am-token" };

interface AlertSpec {
  fingerprint: string;
  alertname: string;
  instance: string;
  startsAt: string;
  status?: "firing" | "resolved";
  endsAt?: string;
  severity?: string;
}

/** An alert as Alertmanager's webhook notifier writes it. */
function amAlert(spec: AlertSpec) {
  return {
    status: spec.status ?? "firing",
    labels: {
      alertname: spec.alertname,
      instance: spec.instance,
      job: "snmp",
      severity: spec.severity ?? "critical",
      site: spec.instance.slice(0, 4),
    },
    annotations: { summary: `${spec.alertname} on ${spec.instance}`, runbook_url: "https://runbooks.example/net" },
    startsAt: spec.startsAt,
    endsAt: spec.endsAt ?? ZERO_TIME,
    generatorURL: "http://prometheus.example:9090/graph?g0.expr=ifOperStatus+%3D%3D+2",
    fingerprint: spec.fingerprint,
  };
}

function envelope(status: "firing" | "resolved", list: object[], extra: object = {}) {
  return {
    receiver: "teleops",
    status,
    alerts: list,
    groupLabels: { site: "fra1" },
    commonLabels: { job: "snmp" },
    commonAnnotations: {},
    externalURL: "http://alertmanager.example:9093",
    version: "4",
    groupKey: '{}/{severity=~"critical|major"}:{site="fra1"}',
    truncatedAlerts: 0,
    ...extra,
  };
}

interface IncidentPage {
  total: number;
  incidents: Array<{ id: string; alert_count: number; hosts: string[] }>;
}

describe.each(testBackends())("POST /webhooks/alertmanager on $name", (backend) => {
  let database: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    database = await backend.open();
    server = await startTestServer(database, { webhookToken: "am-token" });
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  const send = (body: unknown) => postJson(`${server.url}/webhooks/alertmanager`, body, auth);
  const storedAlert = async (fingerprint: string) => {
    const rows = await database.db.select().from(alerts);
    return rows.filter((row) => row.fingerprint === fingerprint);
  };

  const fra1 = [
    {
      fingerprint: "1a00000000000001",
      alertname: "LinkDown",
      instance: "fra1-core-01:9116",
      startsAt: "2026-11-25T10:00:00.123456789Z",
    },
    {
      fingerprint: "1a00000000000002",
      alertname: "IsisAdjacencyDown",
      instance: "fra1-core-01:9116",
      startsAt: "2026-11-25T10:00:20Z",
    },
    {
      fingerprint: "1a00000000000003",
      alertname: "BGPNeighborDown",
      instance: "fra1-core-01:9116",
      startsAt: "2026-11-25T11:00:45+01:00",
    },
  ];

  it("stores a firing group as one incident and turns its alerts resolved when the resolved notification comes", async () => {
    const firing = await send(
      envelope(
        "firing",
        fra1.map((spec) => amAlert(spec)),
      ),
    );
    expect(firing.status).toBe(202);
    expect(firing.body).toMatchObject({ accepted: 3, duplicates: 0, resolved: 0 });
    expect(typeof firing.body.event_id).toBe("string");

    const page = await trpcQuery<IncidentPage>(server, "incidents.list", { text: "fra1-core-01" });
    expect(page.total).toBe(1);
    const incident = page.incidents[0];
    expect(incident).toMatchObject({ alert_count: 3, hosts: ["fra1-core-01"] });

    const resolvedAt = "2026-11-25T10:20:00Z";
    const resolved = await send(
      envelope(
        "resolved",
        fra1.map((spec) => amAlert({ ...spec, status: "resolved", endsAt: resolvedAt })),
      ),
    );
    expect(resolved.body).toMatchObject({ accepted: 3, duplicates: 0, resolved: 3 });

    const members = await trpcQuery<Array<{ status: string; host: string; alert_type: string; service: string }>>(
      server,
      "incidents.alerts",
      { id: incident?.id },
    );
    expect(members).toHaveLength(3);
    expect(members.map((a) => a.status)).toEqual(["resolved", "resolved", "resolved"]);
    expect(new Set(members.map((a) => a.alert_type))).toEqual(
      new Set(["link_down", "isis_adjacency_down", "bgp_neighbor_down"]),
    );
    expect(members[0]).toMatchObject({ host: "fra1-core-01", service: "snmp" });
    const [row] = await storedAlert("1a00000000000001");
    expect(row?.endsAt?.toISOString()).toBe("2026-11-25T10:20:00.000Z");
    expect((await trpcQuery<IncidentPage>(server, "incidents.list", { text: "fra1-core-01" })).total).toBe(1);
  });

  it("changes nothing when Alertmanager redelivers the same notifications, and logs them as duplicates", async () => {
    const before = await trpcQuery<{ alerts: number; incidents: number }>(server, "metrics.overview");
    const again = await send(
      envelope(
        "firing",
        fra1.map((spec) => amAlert(spec)),
      ),
    );
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 3 });
    const resolvedAgain = await send(
      envelope(
        "resolved",
        fra1.map((spec) => amAlert({ ...spec, status: "resolved", endsAt: "2026-11-25T10:20:00Z" })),
      ),
    );
    expect(resolvedAgain.body).toMatchObject({ accepted: 0, duplicates: 3, resolved: 0 });
    // Stored alerts and incidents are as before (the incident itself may resolve meanwhile: its alerts cleared
    // longer ago than the auto-resolve hold).
    expect(await trpcQuery(server, "metrics.overview")).toMatchObject({
      alerts: before.alerts,
      incidents: before.incidents,
    });
    const rows = await storedAlert("1a00000000000001");
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe("resolved");

    const log = await integrationEvents(server, { source: "alertmanager" });
    expect(log.events.slice(0, 2).map((e) => [e.outcome, e.http_status])).toEqual([
      ["duplicate", 202],
      ["duplicate", 202],
    ]);
    expect(log.byOutcome).toMatchObject({ accepted: 2, duplicate: 2 });
    expect(log.events[0]?.headers.authorization).toBe("Bearer [redacted]");
  });

  it("decides per alert: a resolved alert inside a firing notification resolves, the firing one is stored", async () => {
    const first = {
      fingerprint: "2b00000000000001",
      alertname: "PacketLoss",
      instance: "ams1-agg-01",
      startsAt: "2026-11-26T06:40:00Z",
    };
    const second = {
      fingerprint: "2b00000000000002",
      alertname: "BfdSessionFlap",
      instance: "ams1-core-01:9116",
      startsAt: "2026-11-26T06:41:00Z",
    };
    await send(envelope("firing", [amAlert(first)]));
    const mixed = await send(
      envelope("firing", [amAlert({ ...first, status: "resolved", endsAt: "2026-11-26T06:55:00Z" }), amAlert(second)]),
    );
    expect(mixed.body).toMatchObject({ accepted: 2, duplicates: 0, resolved: 1 });
    expect((await storedAlert(first.fingerprint)).map((r) => r.status)).toEqual(["resolved"]);
    expect((await storedAlert(second.fingerprint)).map((r) => r.status)).toEqual(["firing"]);
    const [firstRow] = await storedAlert(first.fingerprint);
    expect(firstRow).toMatchObject({ host: "ams1-agg-01", severity: "critical" });
    expect(firstRow?.rawPayload).toMatchObject({ endsAt: ZERO_TIME, receiver: "teleops" });
  });

  it("keeps an alert resolved when the resolve arrives before the firing notification", async () => {
    const spec = {
      fingerprint: "3c00000000000001",
      alertname: "DnsServfailHigh",
      instance: "lon1-dns-01:9153",
      startsAt: "2026-11-27T10:06:00Z",
    };
    const early = await send(
      envelope("resolved", [amAlert({ ...spec, status: "resolved", endsAt: "2026-11-27T10:30:00Z" })]),
    );
    expect(early.body).toMatchObject({ accepted: 1, duplicates: 0, resolved: 0 });
    const late = await send(envelope("firing", [amAlert(spec)]));
    expect(late.body).toMatchObject({ accepted: 0, duplicates: 1 });
    const rows = await storedAlert(spec.fingerprint);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe("resolved");
    expect(rows[0]?.endsAt?.toISOString()).toBe("2026-11-27T10:30:00.000Z");
  });

  it("resolves the latest firing occurrence when the resolve names a start time TeleOps did not store", async () => {
    const spec = {
      fingerprint: "4d00000000000001",
      alertname: "InterfaceCrcErrors",
      instance: "nyc1-agg-02",
      startsAt: "2026-11-28T01:00:00Z",
      severity: "warning",
    };
    await send(envelope("firing", [amAlert(spec)]));
    const drifted = await send(
      envelope("resolved", [
        amAlert({ ...spec, startsAt: "2026-11-28T01:00:30Z", status: "resolved", endsAt: "2026-11-28T02:00:00Z" }),
      ]),
    );
    expect(drifted.body).toMatchObject({ accepted: 1, resolved: 1 });
    const rows = await storedAlert(spec.fingerprint);
    expect(rows.map((r) => [r.status, r.timestamp.toISOString()])).toEqual([["resolved", "2026-11-28T01:00:00.000Z"]]);
  });

  it("records truncatedAlerts in the answer and the integration event", async () => {
    const spec = {
      fingerprint: "5e00000000000001",
      alertname: "DdosSuspected",
      instance: "sin1-edge-01",
      startsAt: "2026-11-29T19:31:00Z",
    };
    const answer = await send(envelope("firing", [amAlert(spec)], { truncatedAlerts: 7 }));
    expect(answer.body).toMatchObject({ accepted: 1, truncated_alerts: 7 });
    const log = await integrationEvents(server, { source: "alertmanager", withPayload: true });
    const event = log.events.find((e) => e.id === answer.body.event_id);
    expect(event?.summary).toMatchObject({ truncated_alerts: 7, stored: 1, receiver: "teleops" });
    expect(event?.payload).toMatchObject({ truncatedAlerts: 7, version: "4" });
  });

  it("maps an alert without a severity label to warning, strips the IPv6 port and ignores unknown fields", async () => {
    const answer = await send({
      ...envelope("firing", [
        {
          ...amAlert({
            fingerprint: "6f00000000000001",
            alertname: "NodeFilesystemAlmostFull",
            instance: "[2001:db8::7]:9100",
            startsAt: "2026-11-30T08:00:00Z",
          }),
          labels: {
            alertname: "NodeFilesystemAlmostFull",
            instance: "[2001:db8::7]:9100",
            job: "node",
            mountpoint: "/var",
          },
          annotations: { description: "Filesystem /var is 97% full" },
        },
      ]),
      timeout: false,
      someFutureField: { nested: true },
    });
    expect(answer.status).toBe(202);
    const [row] = await storedAlert("6f00000000000001");
    expect(row).toMatchObject({
      host: "2001:db8::7",
      service: "node",
      alertType: "node_filesystem_almost_full",
      severity: "warning",
      message: "Filesystem /var is 97% full",
      sourceSystem: "alertmanager",
      tags: { alertname: "NodeFilesystemAlmostFull", instance: "[2001:db8::7]:9100", job: "node", mountpoint: "/var" },
    });
  });
  it("makes one incident of three LinkDown alerts for three core routers of one site in one notification", async () => {
    // As Prometheus users write them: instance and job labels, the site as a label, no topology loaded.
    const routers = ["core-rtr-01", "core-rtr-02", "core-rtr-03"].map((host, index) => ({
      status: "firing",
      labels: {
        alertname: "LinkDown",
        instance: `${host}:9116`,
        job: "snmp",
        site: "fra1",
        severity: "critical",
        ifName: `Hu0/0/0/${index}`,
      },
      annotations: { summary: `${host} Hu0/0/0/${index} is down` },
      startsAt: `2026-11-26T08:15:0${index}.${index}00Z`,
      endsAt: ZERO_TIME,
      generatorURL: "http://prometheus.example:9090/graph",
      fingerprint: `2b0000000000000${index}`,
    }));
    const answer = await send(envelope("firing", routers, { groupKey: '{}:{alertname="LinkDown"}' }));
    expect(answer.status).toBe(202);
    const page = await trpcQuery<IncidentPage>(server, "incidents.list", { text: "core-rtr" });
    expect(page.incidents).toHaveLength(1);
    expect(page.incidents[0]?.alert_count).toBe(3);
    expect(page.incidents[0]?.hosts).toEqual(["core-rtr-01", "core-rtr-02", "core-rtr-03"]);
  });
});
