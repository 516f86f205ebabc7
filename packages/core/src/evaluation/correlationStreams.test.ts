import { describe, expect, it } from "vitest";
import { deriveFingerprint } from "../alerts/fingerprint.ts";
import { readLabelledStream } from "./correlationStreams.ts";

const NOW = Date.parse("2026-12-01T00:00:00Z");

const lines = (...records: unknown[]) => records.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n");

const amAlert = (instance: string, status: "firing" | "resolved", startsAt: string, extra: object = {}) => ({
  status,
  labels: { alertname: "LinkDown", instance: `${instance}:9116`, job: "snmp", severity: "critical", site: "fra1" },
  annotations: { summary: `link down on ${instance}` },
  startsAt,
  endsAt: status === "resolved" ? "2026-03-01T12:10:00Z" : "0001-01-01T00:00:00Z",
  generatorURL: "http://prometheus:9090/graph",
  fingerprint: `fp-${instance}`,
  ...extra,
});

const amBody = (alerts: object[], status: "firing" | "resolved" = "firing") => ({
  version: "4",
  groupKey: '{}:{alertname="LinkDown"}',
  truncatedAlerts: 0,
  status,
  receiver: "teleops",
  groupLabels: { alertname: "LinkDown" },
  commonLabels: { alertname: "LinkDown" },
  commonAnnotations: {},
  externalURL: "http://alertmanager:9093",
  alerts,
});

describe("readLabelledStream", () => {
  it("reads the header, then an RFC 3164 syslog line through the syslog importer in the header's year", () => {
    const stream = readLabelledStream(
      lines(
        { stream: { name: "fra1 link", description: "one link at fra1", year: 2025 } },
        {
          syslog:
            "<187>Mar  1 12:00:00 core-rtr-01 1234: *Mar  1 12:00:00.123: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down",
          truth: "fra1-link",
        },
      ),
      { name: "file-name", now: NOW },
    );
    expect(stream.errors).toEqual([]);
    expect(stream.name).toBe("fra1 link");
    expect(stream.description).toBe("one link at fra1");
    expect(stream.topology).toBeUndefined();
    expect(stream.truth).toEqual(["fra1-link"]);
    const [alert] = stream.alerts;
    expect(alert).toMatchObject({
      timestamp: "2025-03-01T12:00:00.000Z",
      source_system: "syslog",
      host: "core-rtr-01",
      severity: "major",
      alert_type: "link_down",
      status: "firing",
      tenant_id: null,
      tags: { interface: "GigabitEthernet0/1" },
    });
    expect(alert?.fingerprint).toBe(deriveFingerprint(alert as NonNullable<typeof alert>));
  });

  it("maps an Alertmanager body per alert, with truth per alert; a later resolve of an alert adds nothing", () => {
    const stream = readLabelledStream(
      lines(
        {
          alertmanager: amBody([
            amAlert("core-rtr-01", "firing", "2026-03-01T12:00:00Z"),
            amAlert("core-rtr-02", "firing", "2026-03-01T12:00:01Z"),
          ]),
          truth: ["fra1", null],
        },
        // Alertmanager re-sends the group with one alert resolved: nothing new. The alert stays as the correlator
        // met it (firing), since the store correlates an alert when it first arrives.
        {
          alertmanager: amBody(
            [
              amAlert("core-rtr-01", "resolved", "2026-03-01T12:00:00Z"),
              amAlert("core-rtr-02", "firing", "2026-03-01T12:00:01Z"),
            ],
            "resolved",
          ),
          truth: ["fra1", null],
        },
      ),
      { name: "am", now: NOW },
    );
    expect(stream.errors).toEqual([]);
    expect(stream.name).toBe("am");
    expect(stream.alerts).toHaveLength(2);
    expect(stream.duplicates).toBe(1);
    expect(stream.truth).toEqual(["fra1", null]);
    expect(stream.alerts.map((a) => [a.host, a.alert_type, a.service, a.status, a.fingerprint])).toEqual([
      ["core-rtr-01", "link_down", "snmp", "firing", "fp-core-rtr-01"],
      ["core-rtr-02", "link_down", "snmp", "firing", "fp-core-rtr-02"],
    ]);
    expect(stream.alerts[0]?.tags).toMatchObject({ site: "fra1", instance: "core-rtr-01:9116" });
    expect(stream.alerts[0]?.raw_payload).toMatchObject({ groupKey: '{}:{alertname="LinkDown"}' });
  });

  it("keeps an Alertmanager alert first seen resolved, already closed", () => {
    const stream = readLabelledStream(
      lines({
        alertmanager: amBody([amAlert("edge-1", "resolved", "2026-03-01T12:00:00Z")], "resolved"),
        truth: ["x"],
      }),
      { name: "late", now: NOW },
    );
    expect(stream.errors).toEqual([]);
    expect(stream.alerts.map((a) => a.status)).toEqual(["resolved"]);
  });

  it("validates an alert line like an import: severity aliases, derived fingerprint, extra fields in raw_payload", () => {
    const stream = readLabelledStream(
      lines({
        alert: {
          timestamp: "2026-03-01T12:00:00Z",
          source_system: "servicenow",
          host: "olt-7",
          service: "gpon",
          severity: "High",
          alert_type: "pon_los",
          message: "PON LOS on 1/1/3",
          ticket: "INC0012345",
        },
        truth: "olt-7-los",
      }),
      { name: "snow", now: NOW },
    );
    expect(stream.errors).toEqual([]);
    const [alert] = stream.alerts;
    expect(alert).toMatchObject({ severity: "major", host: "olt-7", status: "firing" });
    expect(alert?.raw_payload).toMatchObject({ ticket: "INC0012345" });
    expect(alert?.fingerprint).toBe(deriveFingerprint(alert as NonNullable<typeof alert>));
    expect(JSON.stringify(stream.alerts)).not.toContain("olt-7-los");
  });

  it("reports each malformed line with its number and reason, and still reads the good ones", () => {
    const good = {
      alert: {
        timestamp: "2026-03-01T12:00:00Z",
        source_system: "snmp",
        host: "r1",
        service: "",
        severity: "major",
        alert_type: "link_down",
        message: "down",
      },
      truth: "a",
    };
    const stream = readLabelledStream(
      [
        JSON.stringify(good),
        "{not json",
        JSON.stringify({ syslog: "this is no syslog line", truth: null }),
        JSON.stringify({ alert: { ...good.alert, host: undefined }, truth: "a" }),
        "",
        JSON.stringify({ alert: good.alert }),
        JSON.stringify({ alertmanager: amBody([amAlert("r2", "firing", "2026-03-01T12:00:00Z")]), truth: [] }),
        JSON.stringify({ alertmanager: { receiver: "x" }, truth: [] }),
        JSON.stringify({ stream: { name: "late header" } }),
        JSON.stringify({ syslog: "x", alert: good.alert, truth: null }),
        JSON.stringify({ something: 1 }),
        JSON.stringify([1, 2]),
        JSON.stringify({ alert: { ...good.alert, message: "again" }, truth: "b" }),
      ].join("\n"),
      { name: "bad", now: NOW },
    );
    expect(stream.alerts).toHaveLength(1);
    expect(stream.truth).toEqual(["a"]);
    expect(stream.errors.map((e) => e.line)).toEqual([2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13]);
    const message = (line: number) => stream.errors.find((e) => e.line === line)?.message ?? "";
    expect(message(2)).toMatch(/^not JSON/);
    expect(message(3)).toMatch(/^syslog: /);
    expect(message(4)).toBe("alert: host: required");
    expect(message(6)).toMatch(/truth is required/);
    expect(message(7)).toMatch(/one entry per alert \(1\)/);
    expect(message(8)).toMatch(/^alertmanager: .*status/);
    expect(message(9)).toBe("the stream header must be the first line");
    expect(message(10)).toMatch(/exactly one of .* found syslog and alert/);
    expect(message(11)).toMatch(/found something/);
    expect(message(12)).toBe("a line must be a JSON object");
    // Same fingerprint and time as line 1 (the message is not part of an alert's identity), another truth.
    expect(message(13)).toMatch(/same alert as on line 1 .*"b" here, "a" there/);
  });

  it("uses a topology from the header and refuses a broken one by line", () => {
    const topology = {
      sites: [{ name: "fra1", region: "eu" }],
      devices: [{ name: "r1", role: "core", site: "fra1", layer: "routing" }],
      links: [],
    };
    const alert = {
      timestamp: "2026-03-01T12:00:00Z",
      source_system: "snmp",
      host: "r1",
      service: "",
      severity: "major",
      alert_type: "link_down",
      message: "down",
    };
    const ok = readLabelledStream(lines({ stream: { topology } }, { alert, truth: null }), { name: "t", now: NOW });
    expect(ok.errors).toEqual([]);
    expect(ok.topology?.devices.map((d) => d.name)).toEqual(["r1"]);
    const broken = readLabelledStream(
      lines({ stream: { topology: { ...topology, links: [{ a: "r1", b: "nowhere" }] } } }, { alert, truth: null }),
      { name: "t", now: NOW },
    );
    expect(broken.errors).toEqual([{ line: 1, message: expect.stringMatching(/^stream: .*nowhere/) }]);
    expect(broken.topology).toBeUndefined();
  });

  it("says so when a stream holds no alert at all", () => {
    expect(readLabelledStream("\n\n", { name: "empty" }).errors).toEqual([
      { line: 0, message: "the stream holds no alerts" },
    ]);
  });
});
