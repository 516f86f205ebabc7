import type { Alert } from "@teleops/schema";
import { describe, expect, it } from "vitest";
import { Facts } from "./facts.ts";

function alert(fields: Partial<Alert>): Alert {
  return {
    id: 1,
    fingerprint: "f",
    timestamp: "2026-11-12T00:00:00.000Z",
    source_system: "test",
    host: "r1",
    service: "",
    severity: "major",
    alert_type: "x",
    message: "",
    tags: {},
    raw_payload: {},
    tenant_id: null,
    status: "firing",
    incident_id: null,
    ...fields,
  };
}

describe("facts from every source", () => {
  it("reads Alertmanager labels nested in the payload under SNMP and Prometheus names", () => {
    const facts = new Facts([
      alert({
        raw_payload: {
          labels: {
            ifName: "Hu0/0/0/7",
            ifAlias: "CID FRA-PNI-0007 | PNI AS64500",
            bgpPeerRemoteAddr: "198.51.100.21",
          },
          annotations: { description: "Outbound utilisation is 96.4% for 10 minutes." },
        },
      }),
    ]);
    expect(facts.interface()).toBe("Hu0/0/0/7");
    expect(facts.peerIp()).toBe("198.51.100.21");
    expect(facts.circuit()).toBe("FRA-PNI-0007");
    expect(facts.percent(["utilization_pct"], /util/i)).toBe(96.4);
  });

  it("keeps an annotation apart from a field of the same name", () => {
    const facts = new Facts([
      alert({ raw_payload: { annotations: { description: "BGP peer down on ams1-peer-01 for 5 minutes." } } }),
    ]);
    expect(facts.text("description")).toBeUndefined();
    expect(facts.fromMessages(/\bon (\S+) for/)).toBe("ams1-peer-01");
  });

  it("reads syslog structured data, tags and node_exporter NIC devices, but not block devices as interfaces", () => {
    expect(
      new Facts([
        alert({ raw_payload: { structured_data: { "junos@2636": { "interface-name": "et-1/0/0" } } } }),
      ]).interface(),
    ).toBe("et-1/0/0");
    expect(new Facts([alert({ tags: { neighbor: "10.0.0.9" } })]).peerIp()).toBe("10.0.0.9");
    expect(new Facts([alert({ raw_payload: { labels: { device: "eth1" } } })]).interface()).toBe("eth1");
    expect(new Facts([alert({ raw_payload: { labels: { device: "/dev/sda1" } } })]).interface()).toBeUndefined();
  });

  it("reads query and wait times from PostgreSQL wording when no field carries them", () => {
    const facts = new Facts([
      alert({ message: "LOG:  duration: 5234.118 ms  statement: SELECT 1" }),
      alert({ message: "LOG:  process 28990 still waiting for ShareLock on transaction 9 after 1000.123 ms" }),
    ]);
    expect(facts.durationMs("duration_ms")).toBe(5234.118);
  });
});
