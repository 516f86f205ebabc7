import type { Alert, Severity } from "@teleops/schema";
import { describe, expect, it } from "vitest";
import { loadRunbookIndex } from "../retrieval.ts";
import { rankRootCauses } from "./index.ts";

// Each case is written in other vendors' wording than the labelled evaluation sets (IOS-XR, EOS, SR OS, SRX,
// FortiGate, MySQL, Squid, IPMI), so the readings are shown to be about what the words mean, not about one fixture.

const runbooks = loadRunbookIndex();

interface Line {
  host: string;
  type: string;
  message: string;
  severity?: Severity;
  at: number;
  tags?: Record<string, string>;
  status?: Alert["status"];
}

function alerts(lines: Line[]): Alert[] {
  const t0 = Date.parse("2026-02-10T08:00:00Z");
  return lines.map((line, index) => ({
    id: 900 + index,
    fingerprint: `reading-${index}`,
    timestamp: new Date(t0 + line.at * 1000).toISOString(),
    source_system: "syslog",
    host: line.host,
    service: "",
    severity: line.severity ?? "major",
    alert_type: line.type,
    message: line.message,
    tags: line.tags ?? {},
    raw_payload: {},
    tenant_id: null,
    status: line.status ?? "firing",
    incident_id: null,
  }));
}

function top(lines: Line[]) {
  return rankRootCauses({ incidentId: null, summary: null, alerts: alerts(lines) }, { runbooks, calibration: null })
    .hypotheses[0];
}

const xrDown = (peer: string, at: number): Line => ({
  host: "fra-br-7",
  type: "bgp_session_down",
  message: `%ROUTING-BGP-5-ADJCHANGE : neighbor ${peer} Down - Peer closing down the session (VRF: default)`,
  severity: "minor",
  tags: { neighbor: peer },
  at,
});
const xrUp = (peer: string, at: number): Line => ({
  host: "fra-br-7",
  type: "bgp_session_up",
  message: `%ROUTING-BGP-5-ADJCHANGE : neighbor ${peer} Up (VRF: default)`,
  severity: "info",
  tags: { neighbor: peer },
  at,
});
const xrCommit = (at: number): Line => ({
  host: "fra-br-7",
  type: "config_commit",
  message:
    "%MGBL-CONFIG-6-DB_COMMIT : Configuration committed by user 'neteng'. Use 'show configuration commit changes 1000000412' to view the changes.",
  severity: "info",
  at,
});

describe("reading one device's alarms in order", () => {
  it("reads every session dropping once right after a commit as the commit, not as a flap", () => {
    const hypothesis = top([
      xrCommit(0),
      xrDown("198.51.100.1", 3),
      xrDown("198.51.100.5", 3),
      xrDown("203.0.113.9", 4),
      xrUp("198.51.100.1", 70),
      xrUp("198.51.100.5", 72),
    ]);
    expect(hypothesis?.category).toBe("config_change");
    expect(hypothesis?.root_component).toBe("fra-br-7");
  });

  it("does not blame a commit made after the sessions had started dropping", () => {
    const hypothesis = top([
      xrDown("198.51.100.1", 0),
      xrUp("198.51.100.1", 40),
      xrCommit(60),
      xrDown("198.51.100.1", 90),
      xrUp("198.51.100.1", 130),
    ]);
    expect(hypothesis?.category).toBe("bgp_flap");
  });

  it("counts a flap per session: one peer down twice is a flap, three peers down once each are not", () => {
    const onePeer = top([
      xrDown("198.51.100.1", 0),
      xrUp("198.51.100.1", 40),
      xrDown("198.51.100.1", 90),
      xrUp("198.51.100.1", 130),
    ]);
    expect(onePeer?.hypothesis).toMatch(/flapping/);
    const threePeers = top([
      xrDown("198.51.100.1", 0),
      xrDown("198.51.100.5", 1),
      xrDown("203.0.113.9", 1),
      xrUp("198.51.100.1", 60),
      xrUp("198.51.100.5", 61),
    ]);
    expect(threePeers?.hypothesis).not.toMatch(/flapping/);
    expect(threePeers?.hypothesis).toMatch(/only shared symptoms/);
  });

  it("keeps a failure that names itself when it follows a commit (a loss of light is a fiber fault, whatever changed)", () => {
    const hypothesis = top([
      { host: "ams-pe-3", type: "config_commit", message: "UI_COMMIT: User 'ops' requested 'commit' operation", at: 0 },
      {
        host: "ams-pe-3",
        type: "optical_loss_of_signal",
        message: "Optics LOS alarm on et-0/0/4",
        severity: "critical",
        at: 20,
      },
      { host: "ams-pe-3", type: "link_down", message: "et-0/0/4 changed state to down", at: 21 },
    ]);
    expect(hypothesis?.category).toBe("fiber_cut");
  });

  it("reads a prefix limit inside a VRF as routes leaking into it, and the session it tears down as its doing", () => {
    const lines: Line[] = [
      {
        host: "dc1-pe-eos-2",
        type: "bgp_max_prefix_exceeded",
        message:
          "%BGP-3-NOTIFICATION: sent to neighbor 10.9.0.2 (VRF tenant-red AS 65010) 6/1 (Cease/maximum number of prefixes reached) 0 bytes",
        at: 0,
      },
      {
        host: "dc1-pe-eos-2",
        type: "bgp_session_down",
        message:
          "%BGP-5-ADJCHANGE: peer 10.9.0.2 (VRF tenant-red AS 65010) old state Established event Stop new state Idle",
        severity: "minor",
        tags: { neighbor: "10.9.0.2" },
        at: 1,
      },
    ];
    const inVrf = top(lines);
    expect(inVrf?.category).toBe("mpls_vpn_leak");
    expect(inVrf?.root_component).toBe("dc1-pe-eos-2");
    const globalTable = top(
      lines.map((line) => ({ ...line, message: line.message.replace("VRF tenant-red", "VRF default") })),
    );
    expect(globalTable?.category).not.toBe("mpls_vpn_leak");
  });
});

describe("reading what a line says caused it", () => {
  it("reads a database that crashed because its disk filled up as capacity exhaustion", () => {
    const hypothesis = top([
      {
        host: "mysql-ledger-2",
        type: "mysqld_error",
        message:
          "[ERROR] [MY-012639] [InnoDB] Write to file ./ibtmp1 failed at offset 0. Operating system error number 28: No space left on device",
        severity: "critical",
        at: 0,
      },
      { host: "mysql-ledger-2", type: "mysqld_crashed", message: "mysqld got signal 6; this could be a bug", at: 2 },
      {
        host: "mysql-ledger-2",
        type: "database_down",
        message: "MySQL server has gone away",
        severity: "critical",
        at: 5,
      },
    ]);
    expect(hypothesis?.category).toBe("capacity_exhaustion");
    expect(hypothesis?.root_component).toBe("mysql-ledger-2");
  });

  it("reads a firewall out of NAT ports as capacity exhaustion, not as a busy worker pool", () => {
    const hypothesis = top(
      [0, 5, 10].map((at) => ({
        host: "fgt-branch-9",
        type: "nat_port_exhausted",
        message:
          'logid="0100022009" type="event" subtype="system" logdesc="NAT port is exhausted" msg="NAT port is exhausted."',
        at,
      })),
    );
    expect(hypothesis?.category).toBe("capacity_exhaustion");
  });

  it("reads a cache process that died before the origin overloaded as a cache stampede", () => {
    const hypothesis = top([
      {
        host: "proxy-cache-4",
        type: "squid_child_exited",
        message: "Squid Parent: squid-1 process 2211 exited due to signal 6 with status 0",
        at: 0,
      },
      {
        host: "origin-app-1",
        type: "worker_connections_exhausted",
        message: "768 worker_connections are not enough",
        severity: "critical",
        at: 30,
      },
    ]);
    expect(hypothesis?.category).toBe("cdn_cache_stampede");
    expect(hypothesis?.root_component).toBe("proxy-cache-4");
  });

  it("reads a CPU hog on a router, with neighbours timing out on it, as a control-plane freeze", () => {
    const hypothesis = top([
      {
        host: "mad-cr-2",
        type: "cpu_hog",
        message: "%OS-SYSMON-4-PROCESS_CPU_HOG: process ospf (jid 1043) hogging the CPU for 9 seconds",
        at: 0,
      },
      {
        host: "mad-agg-1",
        type: "ospf_neighbor_down",
        message: "OSPF neighbor 10.255.9.1 state changed from Full to Down, dead timer expired",
        severity: "warning",
        at: 40,
      },
    ]);
    expect(hypothesis?.category).toBe("router_freeze");
    expect(hypothesis?.root_component).toBe("mad-cr-2");
  });

  it("reads a hypervisor that reported uncorrectable memory errors and then went down as a hardware failure", () => {
    const hypothesis = top([
      {
        host: "esx-07",
        type: "memory_uncorrectable_errors",
        message: "IPMI SEL: Memory: Uncorrectable ECC @ DIMM A3 (CPU1)",
        severity: "warning",
        at: 0,
      },
      { host: "esx-07", type: "host_unreachable", message: "esx-07 not responding", severity: "critical", at: 300 },
      { host: "app-ledger-1", type: "host_unreachable", message: "app-ledger-1 down", severity: "critical", at: 310 },
      { host: "app-ledger-2", type: "host_unreachable", message: "app-ledger-2 down", severity: "critical", at: 312 },
    ]);
    expect(hypothesis?.category).toBe("hardware_failure");
    expect(hypothesis?.root_component).toBe("esx-07");
  });
});
