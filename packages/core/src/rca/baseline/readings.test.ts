import type { Alert, AlertDraft, Severity } from "@teleops/schema";
import { describe, expect, it } from "vitest";
import { parseSyslogLine, YearResolver } from "../../importers/syslog.ts";
import { loadRunbookIndex } from "../retrieval.ts";
import { ROOT_GRADE, readSignals } from "./features.ts";
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

// The readings must not over-match: each line below uses a word a reading keys on ("full", "cache", "space", "pool",
// "VRF", a commit) in a sense that is not that reading's. Where a vendor line exists it goes through the production
// syslog importer, so the alert type is the one the product would store, not one written for the test.

const years = new YearResolver(2026, Date.parse("2026-12-01T00:00:00Z"));

/** Raw syslog lines through the importer, as stored alerts in file order. */
function imported(lines: string[]): Alert[] {
  return lines.map((line, index) => {
    const draft = parseSyslogLine(line, years);
    if (typeof draft === "string") throw new Error(`importer rejected ${line}: ${draft}`);
    return stored(draft, index);
  });
}

function stored(draft: AlertDraft, index: number): Alert {
  return { ...draft, id: 2000 + index, fingerprint: draft.fingerprint ?? `imported-${index}`, incident_id: null };
}

function topOf(list: Alert[]) {
  return rankRootCauses({ incidentId: null, summary: null, alerts: list }, { runbooks, calibration: null })
    .hypotheses[0];
}

/** What the engine reads in one line: its feature ids and its strongest vote for a category. */
function reading(type: string, message: string) {
  const signals = readSignals(type, message);
  return {
    ids: signals.features.map((f) => f.id),
    vote: (category: string) => signals.votes.get(category as never) ?? 0,
  };
}

describe("not over-reading capacity exhaustion", () => {
  it.each([
    ["syslog", "Disk is almost full (< 10% left)"],
    ["syslog", "Filesystem /var is 91% full"],
    [
      "KubePersistentVolumeFullInFourDays",
      "Based on recent sampling, the PersistentVolume claimed by data-0 in Namespace db is expected to fill up within four days. Currently 12.5% is available.",
    ],
    ["syslog", "Full volume backup completed for job NIGHTLY-VOL3"],
    ["ospf_neighbor_down", "OSPF nbr 10.20.0.9 on Vlan40 (storage-volume-net) from FULL to DOWN, dead timer expired"],
    ["syslog", "no route to host; space reserved; left interface Gi0/1"],
  ])("%s: %s is a warning at most, not a resource that ran out", (type, message) => {
    const read = reading(type, message);
    expect(read.ids).not.toContain("resource_exhausted");
    expect(read.ids).not.toContain("no_space_left");
    expect(read.vote("capacity_exhaustion")).toBeLessThan(ROOT_GRADE);
  });

  it("reads a full disk stated only in free text at the message weight, and ENOSPC in full", () => {
    expect(reading("syslog_message", "Filesystem /var is full").vote("capacity_exhaustion")).toBeLessThan(ROOT_GRADE);
    const [enospc] = imported([
      '<26>Feb 10 08:00:00 pg-4 postgres[27004]: [3-1] PANIC:  could not write to file "pg_wal/xlogtemp.27004": No space left on device',
    ]);
    expect(reading(enospc?.alert_type ?? "", enospc?.message ?? "").vote("capacity_exhaustion")).toBeGreaterThanOrEqual(
      ROOT_GRADE,
    );
  });

  it("does not read a nearly-full volume before a crash as the crash's cause", () => {
    const hypothesis = topOf(
      imported([
        "<188>Feb 10 08:00:00 pg-5 monit[400]: Filesystem /var is 91% full",
        "<27>Feb 10 08:04:00 pg-5 postgres[26990]: [3-1] LOG:  server process (PID 29011) was terminated by signal 11: Segmentation fault",
      ]),
    );
    expect(hypothesis?.category).not.toBe("capacity_exhaustion");
  });
});

describe("not over-reading a cache restart", () => {
  it.each([
    ["syslog_message", "mce: [Hardware Error]: Machine check events logged; L3 cache error; Kernel panic"],
    ["syslog_message", "nscd: cache daemon died"],
    ["syslog_message", "sssd_nss cache responder killed"],
    ["process_killed", "Redis cache process killed by OOM"],
  ])("%s: %s is not an HTTP cache coming back cold", (type, message) => {
    const read = reading(type, message);
    expect(read.ids).not.toContain("cache_restart");
    expect(read.vote("cdn_cache_stampede")).toBe(0);
  });

  it("still reads a Varnish child dying, from the importer's own alert type", () => {
    const [child] = imported(["<11>Feb 10 08:00:00 cache-9 varnishd[1822]: Child (1836) died signal=6"]);
    expect(reading(child?.alert_type ?? "", child?.message ?? "").ids).toContain("cache_restart");
  });

  it("does not read a Redis killed by the OOM killer, then application errors, as a cache stampede", () => {
    const hypothesis = top([
      { host: "sess-db-2", type: "process_killed", message: "Redis cache process killed by OOM", at: 0 },
      { host: "shop-api-1", type: "http_5xx_rate_high", message: "5xx rate 12% on /checkout", at: 40 },
      { host: "shop-api-2", type: "http_5xx_rate_high", message: "5xx rate 14% on /checkout", at: 45 },
    ]);
    expect(hypothesis?.category).not.toBe("cdn_cache_stampede");
  });
});

describe("a CPU hog needs corroboration to be a freeze", () => {
  const hog =
    "<187>Feb 10 08:03:40 lis-agg-3 5608: Feb 10 08:03:40.004 UTC: %SYS-3-CPUHOG: Task is running for (2004)msecs, more than (2000)msecs (0/0),process = BGP Router";

  it("does not read one CPUHOG line alone as a control-plane freeze", () => {
    const hypothesis = topOf(imported([hog]));
    // At most a freeze "seen only through shared symptoms", never one read as the failure itself.
    if (hypothesis?.category === "router_freeze") expect(hypothesis.hypothesis).toMatch(/only shared symptoms/);
    const signals = readSignals("cpu_hog", "%SYS-3-CPUHOG: Task is running for (2004)msecs");
    expect(Math.max(...signals.votes.values())).toBeLessThan(ROOT_GRADE);
  });

  it("reads it as a freeze when the neighbours' hold timers expire on it (IOS lines through the importer)", () => {
    const hypothesis = topOf(
      imported([
        hog,
        "<189>Feb 10 08:04:20 lis-agg-4 771: Feb 10 08:04:20.000 UTC: %OSPF-5-ADJCHG: Process 1, Nbr 10.255.0.3 on TenGigabitEthernet0/0/1 from FULL to DOWN, Neighbor Down: Dead timer expired",
        "<189>Feb 10 08:04:24 lis-agg-5 772: Feb 10 08:04:24.000 UTC: %OSPF-5-ADJCHG: Process 1, Nbr 10.255.0.3 on TenGigabitEthernet0/0/2 from FULL to DOWN, Neighbor Down: Dead timer expired",
        "<187>Feb 10 08:04:30 lis-edge-1 990: Feb 10 08:04:30.000 UTC: %BGP-3-NOTIFICATION: sent to neighbor 10.255.0.3 4/0 (hold time expired) 0 bytes",
      ]),
    );
    expect(hypothesis?.category).toBe("router_freeze");
    expect(hypothesis?.root_component).toBe("lis-agg-3");
  });
});

describe("prefix limits and sessions are matched by neighbour", () => {
  const ios = (host: string, second: number, text: string) =>
    `<187>Feb 10 08:00:${String(second).padStart(2, "0")} ${host} ${5000 + second}: Feb 10 08:00:${String(second).padStart(2, "0")}.000 UTC: ${text}`;

  it("does not read a global peer's prefix limit as a VRF leak because another peer in a VRF went down", () => {
    const hypothesis = topOf(
      imported([
        ios(
          "pe-7",
          0,
          "%BGP-3-MAXPFXEXCEED: Number of prefixes received from 192.0.2.1 (afi 0): 1001 exceeds limit 1000",
        ),
        ios("pe-7", 1, "%BGP-5-ADJCHANGE: neighbor 192.0.2.1 Down Peer closed the session"),
        ios("pe-7", 20, "%BGP-5-ADJCHANGE: neighbor 10.9.9.2 vpn vrf CUST-A Down BGP Notification received"),
      ]),
    );
    expect(hypothesis?.category).not.toBe("mpls_vpn_leak");
  });

  it("keeps another peer's flap when one peer is torn down by its limit (two peers, one condition)", () => {
    const hypothesis = topOf(
      imported([
        ios(
          "edge-3",
          0,
          "%BGP-3-MAXPFXEXCEED: Number of prefixes received from 192.0.2.1 (afi 0): 1001 exceeds limit 1000",
        ),
        ios("edge-3", 1, "%BGP-5-ADJCHANGE: neighbor 192.0.2.1 Down Peer closed the session"),
        ios("edge-3", 5, "%BGP-5-ADJCHANGE: neighbor 198.51.100.9 Down BGP Notification received"),
        ios("edge-3", 20, "%BGP-5-ADJCHANGE: neighbor 198.51.100.9 Up"),
        ios("edge-3", 35, "%BGP-5-ADJCHANGE: neighbor 198.51.100.9 Down BGP Notification received"),
        ios("edge-3", 50, "%BGP-5-ADJCHANGE: neighbor 198.51.100.9 Up"),
      ]),
    );
    expect(hypothesis?.category).toBe("bgp_flap");
    expect(hypothesis?.hypothesis).toMatch(/flapping/);
  });

  it("does not read a VPNv4 address family on a global route-reflector session as a VRF", () => {
    const hypothesis = topOf(
      imported([
        ios(
          "pe-8",
          0,
          "%BGP-3-MAXPFXEXCEED: Number of prefixes received from 10.255.0.1 (afi 4): 1000001 exceeds limit 1000000",
        ),
        ios(
          "pe-8",
          1,
          "%BGP_SESSION-5-ADJCHANGE: neighbor 10.255.0.1 VPNv4 Unicast topology base removed from session  Peer closed the session",
        ),
      ]),
    );
    expect(hypothesis?.category).not.toBe("mpls_vpn_leak");
  });

  it("does not read 'VRF lookup' or 'VRF table' as a VRF's name", () => {
    const lines: Line[] = [
      {
        host: "pe-9",
        type: "bgp_prefix_limit_exceeded",
        message: "Number of prefixes received from 192.0.2.7: 2001 exceeds limit 2000",
        at: 0,
      },
      {
        host: "pe-9",
        type: "bgp_session_down",
        message: "neighbor 192.0.2.7 Down - VRF lookup failed for next hop, VRF table unchanged",
        tags: { neighbor: "192.0.2.7" },
        at: 1,
      },
    ];
    expect(top(lines)?.category).not.toBe("mpls_vpn_leak");
    // The same two lines with the session named in a VRF (Nokia SR OS `vprn` service) are a leak.
    const inVprn = lines.map((line) =>
      line.type === "bgp_session_down"
        ? { ...line, message: "vprn300 BGP: neighbor 192.0.2.7 Down - peer closed" }
        : line,
    );
    expect(top(inVprn)?.category).toBe("mpls_vpn_leak");
  });
});

describe("each commit on its own time", () => {
  it("blames a commit that broke a link after an earlier harmless commit (IOS lines through the importer)", () => {
    const hypothesis = topOf(
      imported([
        "<189>Feb 10 08:00:00 ber-agg-2 4101: Feb 10 08:00:00.120 UTC: %SYS-5-CONFIG_I: Configured from console by alice on vty0 (192.0.2.10)",
        "<189>Feb 10 08:10:00 ber-agg-2 4118: Feb 10 08:10:00.120 UTC: %SYS-5-CONFIG_I: Configured from console by bob on vty1 (192.0.2.11)",
        "<187>Feb 10 08:10:20 ber-agg-2 4120: Feb 10 08:10:20.400 UTC: %LINK-3-UPDOWN: Interface TenGigabitEthernet0/1/0, changed state to down",
        "<189>Feb 10 08:10:21 ber-agg-2 4121: Feb 10 08:10:21.400 UTC: %LINEPROTO-5-UPDOWN: Line protocol on Interface TenGigabitEthernet0/1/0, changed state to down",
      ]),
    );
    expect(hypothesis?.category).toBe("config_change");
    expect(hypothesis?.root_component).toBe("ber-agg-2");
  });

  it("does not read a limit line that says 'Configured maximum' as a commit", () => {
    const hypothesis = top([
      {
        host: "ams-pe-6",
        type: "bgp_prefix_threshold_reached",
        message:
          "BGP_PREFIX_THRESH_EXCEEDED: 10.50.0.2 (External AS 65201): Configured maximum prefix-limit threshold(80) exceeded for inet-unicast nlri: 9001 (instance CUST-B)",
        at: 0,
      },
      {
        host: "ams-pe-6",
        type: "bgp_session_down",
        message:
          "RPD_BGP_NEIGHBOR_STATE_CHANGED: BGP peer 10.50.0.2 (External AS 65201) changed state from Established to Idle (event Stop) (instance CUST-B)",
        severity: "minor",
        tags: { neighbor: "10.50.0.2" },
        at: 1,
      },
    ]);
    expect(hypothesis?.category).toBe("mpls_vpn_leak");
  });
});
