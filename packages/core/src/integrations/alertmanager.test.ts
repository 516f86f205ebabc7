import { alertmanagerAlertSchema, alertmanagerWebhookSchema } from "@teleops/schema";
import { describe, expect, it } from "vitest";
import { alertmanagerToCanonical, copyRecord, hostFromInstance, severityFromLabel } from "./alertmanager.ts";

function apiAlert(overrides: Record<string, unknown> = {}) {
  return alertmanagerAlertSchema.parse({
    labels: { alertname: "LinkDown", instance: "fra1-core-01:9116", job: "snmp", severity: "critical" },
    annotations: { summary: "et-0/0/1 down", description: "Interface et-0/0/1 is operationally down" },
    startsAt: "2026-11-25T10:00:00.5+01:00",
    endsAt: "2026-11-25T10:30:00Z",
    updatedAt: "2026-11-25T09:05:00Z",
    fingerprint: "0a1b2c3d4e5f6071",
    receivers: [{ name: "teleops" }],
    status: { state: "active", silencedBy: [], inhibitedBy: [] },
    generatorURL: "http://prometheus.example:9090/graph",
    ...overrides,
  });
}

describe("alertmanagerToCanonical", () => {
  it("keeps the received alert, its labels and its keys' order, own __proto__ keys included", () => {
    const received = JSON.parse(
      '{"status":"firing","__proto__":{"polluted":true},"fingerprint":"f1","startsAt":"2026-11-25T09:00:00Z",' +
        '"labels":{"__proto__":"x","alertname":"LinkDown","host":"h1"},"extra":[1]}',
    );
    const parsed = alertmanagerAlertSchema.parse(received);
    const alert = alertmanagerToCanonical(parsed, { receiver: "teleops", groupKey: "g" }, { raw: received });
    expect(Object.keys(alert.raw_payload)).toEqual([
      "status",
      "__proto__",
      "fingerprint",
      "startsAt",
      "labels",
      "extra",
      "receiver",
      "groupKey",
    ]);
    expect(Object.getPrototypeOf(alert.raw_payload)).toBe(Object.prototype);
    expect(Object.hasOwn(alert.raw_payload, "__proto__")).toBe(true);
    expect(JSON.stringify(alert.raw_payload)).toBe(JSON.stringify({ ...received, receiver: "teleops", groupKey: "g" }));
    expect(alert.raw_payload).not.toBe(received);
    expect(Object.keys(alert.tags)).toEqual(Object.keys(parsed.labels));
    expect(alert.tags).not.toBe(parsed.labels);
    expect(Object.keys(alert).slice(-2)).toEqual(["fingerprint", "ends_at"]);
    const plain = { a: 1, b: 2 };
    expect(copyRecord(plain)).toStrictEqual(plain);
    expect(copyRecord(plain)).not.toBe(plain);
  });

  it("maps host, alert type, severity, service, message and tags as the contract says", () => {
    const alert = alertmanagerToCanonical(apiAlert());
    expect(alert).toMatchObject({
      fingerprint: "0a1b2c3d4e5f6071",
      timestamp: "2026-11-25T09:00:00.500Z",
      source_system: "alertmanager",
      host: "fra1-core-01",
      service: "snmp",
      severity: "critical",
      alert_type: "link_down",
      message: "et-0/0/1 down",
      tags: { alertname: "LinkDown", instance: "fra1-core-01:9116", job: "snmp", severity: "critical" },
      status: "firing",
      ends_at: "2026-11-25T10:30:00.000Z",
      tenant_id: null,
    });
  });

  it("takes the host from host, device, instance and node in that order", () => {
    const labels = (extra: Record<string, string>) => apiAlert({ labels: { alertname: "X", ...extra } });
    expect(alertmanagerToCanonical(labels({ node: "n1", instance: "i1:9100", device: "d1", host: "h1" })).host).toBe(
      "h1",
    );
    expect(alertmanagerToCanonical(labels({ node: "n1", instance: "i1:9100", device: "d1" })).host).toBe("d1");
    expect(alertmanagerToCanonical(labels({ node: "n1", instance: "i1:9100" })).host).toBe("i1");
    expect(alertmanagerToCanonical(labels({ node: "n1" })).host).toBe("n1");
    expect(alertmanagerToCanonical(labels({})).host).toBe("unknown");
  });

  it("skips a device label that names a disk or an interface of the host (node_exporter) rather than a machine", () => {
    const labels = (extra: Record<string, string>) => apiAlert({ labels: { alertname: "X", ...extra } });
    for (const device of ["/dev/mapper/vg0-log", "sda1", "nvme0n1p2", "dm-3", "eth0", "ens192", "bond0.20", "tmpfs"]) {
      expect(alertmanagerToCanonical(labels({ device, instance: "db-03.example.net:9100" })).host).toBe(
        "db-03.example.net",
      );
    }
    expect(alertmanagerToCanonical(labels({ device: "fra1-sw-07", instance: "snmp-exporter:9116" })).host).toBe(
      "fra1-sw-07",
    );
  });

  it("names the node or workload of kube-state-metrics alerts, not the exporter's own address", () => {
    const labels = (extra: Record<string, string>) =>
      apiAlert({ labels: { alertname: "X", job: "kube-state-metrics", instance: "198.51.100.61:8443", ...extra } });
    expect(alertmanagerToCanonical(labels({ node: "worker-7" })).host).toBe("worker-7");
    expect(alertmanagerToCanonical(labels({ namespace: "shop", pod: "checkout-7d9f" })).host).toBe(
      "shop/checkout-7d9f",
    );
    expect(alertmanagerToCanonical(labels({})).host).toBe("198.51.100.61");
    const pvc = apiAlert({
      labels: {
        alertname: "KubePersistentVolumeFillingUp",
        job: "kubelet",
        namespace: "monitoring",
        persistentvolumeclaim: "db-0",
      },
    });
    expect(alertmanagerToCanonical(pvc).host).toBe("monitoring/db-0");
  });

  it("strips ports from instances, including IPv6 and probe URLs", () => {
    expect(hostFromInstance("10.0.0.1:9100")).toBe("10.0.0.1");
    expect(hostFromInstance("[2001:db8::1]:9100")).toBe("2001:db8::1");
    expect(hostFromInstance("2001:db8::1")).toBe("2001:db8::1");
    expect(hostFromInstance("https://fra1-cdn-01.example:8443/healthz")).toBe("fra1-cdn-01.example");
    expect(hostFromInstance("fra1-dns-01")).toBe("fra1-dns-01");
  });

  it("normalizes severity aliases and falls back to warning when the label is missing or unreadable", () => {
    expect(severityFromLabel("HIGH")).toBe("major");
    expect(severityFromLabel("Error")).toBe("major");
    expect(severityFromLabel("medium")).toBe("minor");
    expect(severityFromLabel("page")).toBe("critical");
    expect(severityFromLabel("P3")).toBe("minor");
    expect(severityFromLabel("none")).toBe("info");
    expect(severityFromLabel(undefined)).toBe("warning");
    expect(severityFromLabel("whenever")).toBe("warning");
  });

  it("takes the service from job when there is no service label, and the message from description", () => {
    const alert = alertmanagerToCanonical(
      apiAlert({
        labels: { alertname: "HighLatency", service: "checkout-api", job: "blackbox" },
        annotations: { description: "p99 4.2 s" },
      }),
    );
    expect(alert).toMatchObject({ service: "checkout-api", message: "p99 4.2 s" });
  });

  it("reads an API v2 alert as resolved once its end time has passed", () => {
    expect(alertmanagerToCanonical(apiAlert()).status).toBe("firing");
    expect(
      alertmanagerToCanonical(apiAlert({ endsAt: "2026-11-25T09:04:00Z", updatedAt: "2026-11-25T09:05:00Z" })).status,
    ).toBe("resolved");
    const noUpdate = apiAlert({ endsAt: "2026-11-25T09:04:00Z", updatedAt: undefined });
    expect(alertmanagerToCanonical(noUpdate, undefined, { now: new Date("2026-11-25T09:00:00Z") }).status).toBe(
      "firing",
    );
  });

  it("reads Go's zero end time as an open alert and keeps a webhook alert's own status", () => {
    const envelope = alertmanagerWebhookSchema.parse({
      receiver: "teleops",
      status: "firing",
      groupKey: "{}:{}",
      externalURL: "http://alertmanager.example:9093",
      alerts: [
        {
          status: "resolved",
          labels: { alertname: "LinkDown", instance: "a:1" },
          annotations: {},
          startsAt: "2026-11-25T10:00:00Z",
          endsAt: "2026-11-25T10:05:00Z",
          generatorURL: "",
          fingerprint: "ff00",
        },
        {
          status: "firing",
          labels: { alertname: "LinkDown", instance: "b:1" },
          annotations: {},
          startsAt: "2026-11-25T10:00:00Z",
          endsAt: "0001-01-01T00:00:00Z",
          generatorURL: "",
          fingerprint: "ff01",
        },
      ],
    });
    const [resolved, firing] = envelope.alerts.map((a) => alertmanagerToCanonical(a, envelope));
    expect(resolved).toMatchObject({ status: "resolved", ends_at: "2026-11-25T10:05:00.000Z" });
    expect(firing).toMatchObject({ status: "firing", ends_at: null });
    expect(firing?.raw_payload).toMatchObject({ receiver: "teleops", externalURL: "http://alertmanager.example:9093" });
  });

  it("derives a stable fingerprint when an alert comes without one", () => {
    const a = alertmanagerToCanonical(apiAlert({ fingerprint: undefined }));
    const b = alertmanagerToCanonical(apiAlert({ fingerprint: undefined }));
    expect(a.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(a.fingerprint).toBe(b.fingerprint);
  });
});
