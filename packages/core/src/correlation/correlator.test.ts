import type { Severity, Topology } from "@teleops/schema";
import { describe, expect, it } from "vitest";
import { type CorrelationInput, Correlator, DEFAULT_CORRELATION_CONFIG } from "./correlator.ts";
import { layerOf, pointToPointLink } from "./features.ts";
import { pairwiseScores } from "./inMemory.ts";
import { topologyView } from "./topologyView.ts";

const topology: Topology = {
  sites: [
    { name: "s1", region: "r1" },
    { name: "s2", region: "r1" },
  ],
  devices: [
    { name: "opt-a", role: "optical", site: "s1", layer: "optical", services: [] },
    { name: "rtr-a", role: "core", site: "s1", layer: "routing", services: [] },
    { name: "rtr-b", role: "core", site: "s1", layer: "routing", services: [] },
    { name: "srv-x", role: "server", site: "s1", layer: "application", services: [] },
    { name: "rtr-c", role: "core", site: "s2", layer: "routing", services: [] },
  ],
  links: [
    { a: "opt-a", b: "rtr-a" },
    { a: "rtr-a", b: "rtr-b" },
    { a: "rtr-b", b: "rtr-c" },
  ],
};
const view = topologyView(topology);
const T0 = Date.parse("2026-11-25T10:00:00Z");
let nextRef = 0;

function alert(
  host: string,
  minute: number,
  severity: Severity = "major",
  extra: Partial<CorrelationInput<number>> = {},
) {
  return {
    ref: nextRef++,
    tenantId: "t1",
    timeMs: T0 + minute * 60_000,
    host,
    service: "",
    severity,
    alertType: "link_down",
    message: "",
    tags: {},
    status: "firing",
    site: null,
    ...extra,
  } satisfies CorrelationInput<number>;
}

function run(alerts: Array<CorrelationInput<number>>, topo = view) {
  const correlator = new Correlator<number>(DEFAULT_CORRELATION_CONFIG, topo);
  for (const a of [...alerts].sort((x, y) => x.timeMs - y.timeMs)) correlator.add(a);
  return correlator.incidents().map((g) => g.members.map((m) => m.host).sort());
}

describe("correlator", () => {
  it("groups a root alarm with symptoms on directly linked devices", () => {
    const incidents = run([alert("opt-a", 0, "critical"), alert("rtr-a", 1), alert("rtr-b", 2), alert("rtr-a", 3)]);
    expect(incidents).toEqual([["opt-a", "rtr-a", "rtr-a", "rtr-b"]]);
  });

  it("keeps two failures on linked devices apart: a topology link does not glue two incidents together", () => {
    const at = (seconds: number) => ({ timeMs: T0 + seconds * 1_000 });
    const incidents = run([
      alert("rtr-a", 0, "critical", { ...at(0), alertType: "optical_los", message: "Loss of signal on et-0/0/1" }),
      alert("rtr-a", 0, "major", { ...at(5), alertType: "link_down", message: "Interface et-0/0/1 down" }),
      alert("rtr-b", 0, "major", { ...at(130), alertType: "cpu_high", message: "CPU at 97%" }),
      alert("rtr-b", 0, "major", { ...at(135), alertType: "memory_high", message: "Memory at 96%" }),
      alert("rtr-a", 0, "major", { ...at(200), alertType: "link_down", message: "Interface et-0/0/1 down" }),
      alert("rtr-b", 0, "major", { ...at(210), alertType: "bgp_session_down", message: "BGP peer 192.0.2.9 down" }),
    ]);
    expect(incidents).toEqual([
      ["rtr-a", "rtr-a", "rtr-a"],
      ["rtr-b", "rtr-b", "rtr-b"],
    ]);
  });

  it("does not pull in a same-site server whose alarm is of an unrelated layer", () => {
    const incidents = run([
      alert("opt-a", 0, "critical"),
      alert("rtr-a", 1),
      alert("srv-x", 1, "major", { alertType: "filesystem_almost_full", message: "/var 95% full" }),
      alert("rtr-a", 2),
    ]);
    // The file system nearly full is the server's own incident.
    expect(incidents).toEqual([["opt-a", "rtr-a", "rtr-a"], ["srv-x"]]);
  });

  it("joins both ends of a span that fails between two sites", () => {
    const incidents = run([alert("rtr-b", 0, "critical"), alert("rtr-b", 1), alert("rtr-c", 1, "critical")]);
    expect(incidents).toEqual([["rtr-b", "rtr-b", "rtr-c"]]);
  });

  it("keeps apart failures at two sites whose devices are not linked", () => {
    const incidents = run([
      alert("rtr-a", 0, "critical"),
      alert("rtr-a", 1, "major", { alertType: "bgp_session_down" }),
      alert("rtr-c", 1, "critical", { alertType: "power_supply_failure" }),
      alert("rtr-c", 2),
    ]);
    expect(incidents).toHaveLength(2);
  });

  it("starts a new incident when the same devices alarm again after the quiet period", () => {
    const incidents = run([
      alert("rtr-a", 0, "critical"),
      alert("rtr-a", 5),
      alert("rtr-a", 60, "critical"),
      alert("rtr-a", 61),
    ]);
    expect(incidents).toHaveLength(2);
  });

  it("lets a late alert with an earlier event time join the incident it belongs to", () => {
    const correlator = new Correlator<number>(DEFAULT_CORRELATION_CONFIG, view);
    correlator.add(alert("opt-a", 2, "critical"));
    correlator.add(alert("rtr-a", 3));
    correlator.add(alert("rtr-a", 4));
    correlator.add(alert("rtr-b", 0)); // delivered last, happened first
    const [incident, ...rest] = correlator.incidents();
    expect(rest).toHaveLength(0);
    expect(incident?.members).toHaveLength(4);
    expect(incident?.startMs).toBe(T0);
  });

  it("does not make incidents from scattered low-severity alerts", () => {
    const incidents = run([
      alert("srv-x", 0, "warning"),
      alert("srv-x", 3, "info"),
      alert("srv-x", 6, "warning"),
      alert("rtr-c", 7, "warning"),
    ]);
    expect(incidents).toEqual([]);
  });

  it("needs the minimum alert count unless an alert is critical", () => {
    expect(run([alert("rtr-a", 0, "major"), alert("rtr-a", 1, "major")])).toEqual([]);
    expect(run([alert("rtr-a", 0, "critical")])).toEqual([["rtr-a"]]);
  });

  it("merges two new groups when an alert shows they are one failure", () => {
    const incidents = run([
      alert("opt-a", 0, "critical"),
      alert("rtr-b", 0, "critical"),
      alert("rtr-a", 1), // linked to both
      alert("rtr-a", 2),
    ]);
    expect(incidents).toEqual([["opt-a", "rtr-a", "rtr-a", "rtr-b"]]);
  });

  it("groups application alarms of hosts unknown to the topology by site and service", () => {
    const http = { alertType: "http_5xx_rate_high", message: "5xx above 5%" };
    const mk = (host: string, minute: number) =>
      alert(host, minute, "major", { ...http, service: "payments", site: "dc9" });
    const incidents = run([
      mk("app-1", 0),
      mk("app-2", 1),
      mk("db-1", 2),
      alert("app-9", 2, "major", { ...http, service: "payments", site: "dc7" }),
    ]);
    expect(incidents).toEqual([["app-1", "app-2", "db-1"]]);
  });

  it("continues a seeded incident from its stored state instead of opening a new one", () => {
    const first = new Correlator<number>(DEFAULT_CORRELATION_CONFIG, view);
    for (const a of [alert("rtr-a", 0, "critical"), alert("rtr-a", 1)]) first.add(a);
    const [stored] = first.incidents();
    const correlator = new Correlator<number>(DEFAULT_CORRELATION_CONFIG, view);
    correlator.seed({
      id: "INC-000001",
      tenantId: "t1",
      startMs: T0,
      endMs: T0 + 60_000,
      hosts: ["rtr-a"],
      services: [],
      sites: ["s1"],
      severity: "critical",
      alertCount: 2,
      state: stored ? first.stateOf(stored) : null,
    });
    correlator.add(alert("rtr-b", 3));
    const [incident, ...rest] = correlator.incidents();
    expect(rest).toHaveLength(0);
    expect(incident?.incidentId).toBe("INC-000001");
    expect((incident?.priorCount ?? 0) + (incident?.members.length ?? 0)).toBe(3);
    expect(incident?.reasons[0]).toMatch(/linked to rtr-a in the topology/);
  });

  it("leaves login and configuration chatter on an affected router out of its incident", () => {
    const incidents = run([
      alert("rtr-a", 0, "critical"),
      alert("rtr-a", 0.5, "major", { alertType: "bgp_session_down", message: "neighbor 192.0.2.1 Down" }),
      alert("rtr-a", 1, "minor", {
        alertType: "ssh_login_failed",
        message: "Failed password for admin from 198.51.100.7",
      }),
      alert("rtr-a", 2, "warning", { alertType: "config_change", message: "Configured from console by ops" }),
    ]);
    expect(incidents).toEqual([["rtr-a", "rtr-a"]]);
  });
});

describe("correlation with no topology", () => {
  const none = { siteOf: () => undefined, neighbours: () => undefined };

  it("makes one incident of three LinkDown alerts at one site delivered within a second", () => {
    const incidents = run(
      ["core-rtr-01", "core-rtr-02", "core-rtr-03"].map((host) =>
        alert(host, 0.01, "critical", { alertType: "link_down", tags: { site: "fra1", alertname: "LinkDown" } }),
      ),
      none,
    );
    expect(incidents).toEqual([["core-rtr-01", "core-rtr-02", "core-rtr-03"]]);
  });

  it("reads the site from the host name and joins causally related alarms of neighbouring devices", () => {
    const incidents = run(
      [
        alert("lis1-opt-01", 0, "critical", { alertType: "optical_loss_of_signal", message: "OTS-1/2 LOS" }),
        alert("lis1-cr-01", 0.2, "major", { alertType: "link_down", message: "Interface Hu0/0/0/1 down" }),
        alert("lis1-cr-01", 0.5, "major", { alertType: "bgp_session_down", message: "neighbor 192.0.2.9 Down" }),
        alert("mad2-cr-07", 0.3, "critical", { alertType: "power_supply_failure", message: "PSU 1 failed" }),
        alert("mad2-cr-07", 0.4, "major", { alertType: "fan_failure", message: "fan tray 2 failed" }),
      ],
      none,
    );
    expect(incidents).toEqual([
      ["lis1-cr-01", "lis1-cr-01", "lis1-opt-01"],
      ["mad2-cr-07", "mad2-cr-07"],
    ]);
  });

  it("ties the two ends of a cut span by the circuit id both interface descriptions carry", () => {
    const incidents = run(
      [
        alert("pe1.lisbon.example.net", 0, "critical", { message: "Te0/1/0 down, descr CID LIS-MAD-0042 to madrid" }),
        alert("pe7.madrid.example.net", 0.9, "critical", { message: "et-1/0/3 down (circuit LIS-MAD-0042)" }),
        alert("pe9.paris.example.net", 2, "critical", { message: "et-0/0/1 down (circuit PAR-BRU-0007)" }),
      ],
      none,
    );
    expect(incidents).toEqual([["pe1.lisbon.example.net", "pe7.madrid.example.net"], ["pe9.paris.example.net"]]);
  });

  it("joins a clear to the outage it ends hours later, and a recurrence opens a new incident", () => {
    const down = { alertType: "link_down", message: "xe-0/0/1 down" };
    const incidents = run(
      [
        alert("edge-rtr-9", 0, "critical", down),
        alert("edge-rtr-9", 180, "info", { ...down, status: "resolved", message: "xe-0/0/1 up" }),
        alert("edge-rtr-9", 300, "critical", down),
      ],
      none,
    );
    expect(incidents.map((hosts) => hosts.length)).toEqual([2, 1]);
  });

  it("counts ports named the short way (Gi1/0/14) as separate signals: six access ports down are an incident", () => {
    const ports = [14, 15, 16, 17, 18, 19].map((port) =>
      alert("198.51.100.50", 0, "major", { alertType: "link_down", message: `linkDown Gi1/0/${port}` }),
    );
    expect(run(ports, none)).toEqual([Array(6).fill("198.51.100.50")]);
  });

  it("keeps a protocol error repeated on several interfaces of one switch one signal, not an incident", () => {
    const errors = [29, 7, 47].map((port, i) =>
      alert("agg-switch-5", i * 2, "minor", {
        alertType: "ospf_packet_error",
        message: `%OSPF-4-ERRRCV: Received invalid packet: mismatched area ID from 192.0.2.139, Ethernet${port}`,
      }),
    );
    expect(run(errors, none)).toEqual([]);
  });

  it("reads VPN tunnels and firewall failover by their meaning: the tunnel downs of one IKE peer loss join", async () => {
    const { layerOf } = await import("./features.ts");
    expect(
      layerOf("crypto_session_status", "%CRYPTO-5-SESSION_STATUS: Crypto tunnel is DOWN. Peer 203.0.113.2:500"),
    ).toBe("link");
    expect(layerOf("asa_713123", "%ASA-3-713123: IP = 198.51.100.77, IKE lost contact with remote peer")).toBe("link");
    expect(layerOf("asa_104500", "%ASA-1-104500: (Primary) Switching to ACTIVE (cause: No Active unit found)")).toBe(
      "machine",
    );
    expect(layerOf("asa_622001", "%ASA-6-622001: Removing tracked route 0.0.0.0 0.0.0.0 203.0.113.1")).toBe("routing");
  });
});

describe("pairwise scores", () => {
  it("is perfect for an identical grouping and drops when groups are merged or split", () => {
    expect(pairwiseScores([0, 0, 1, 1, -1], [5, 5, 6, 6, -1])).toEqual({ precision: 1, recall: 1 });
    const merged = pairwiseScores([0, 0, 0, 0], [1, 1, 2, 2]);
    expect(merged.recall).toBe(1);
    expect(merged.precision).toBeCloseTo(2 / 6);
    const split = pairwiseScores([0, 1, 2, 2], [1, 1, 2, 2]);
    expect(split.precision).toBe(1);
    expect(split.recall).toBeCloseTo(1 / 2);
  });
});

describe("incident titles", () => {
  it("names the first signal with operator capitalization and keeps the host count current", async () => {
    const { humanizeAlertType, incidentTitle, retitle } = await import("./describe.ts");
    expect(humanizeAlertType("bgp_session_down")).toBe("BGP session down");
    const title = incidentTitle("ddos_attack_detected", "nyc1-edge-01", 4, ["nyc1"]);
    expect(title).toBe("DDoS attack detected on nyc1-edge-01 and 3 more hosts · nyc1");
    expect(retitle(title, 19, ["nyc1"])).toBe("DDoS attack detected on nyc1-edge-01 and 18 more hosts · nyc1");
    expect(retitle("Imported title", 3, [])).toBe("Imported title");
  });
});

describe("layer relations", () => {
  it("are symmetric: if a relates to b, b relates to a", async () => {
    const { relatedLayers } = await import("./features.ts");
    const layers = [
      "power",
      "hardware",
      "optical",
      "link",
      "switching",
      "storage",
      "routing",
      "traffic",
      "system",
      "service",
      "security",
      "config",
      "housekeeping",
      "other",
    ] as const;
    for (const a of layers) for (const b of relatedLayers(a)) expect(relatedLayers(b)).toContain(a);
  });
});

describe("a tenant's own site pattern", () => {
  it("comes from its topology document and decides sites for host names the default cannot read", () => {
    const links = (pattern?: string) => {
      const topo = topologyView({ sites: [], devices: [], links: [], ...(pattern ? { site_pattern: pattern } : {}) });
      const correlator = new Correlator<number>(DEFAULT_CORRELATION_CONFIG, topo);
      const psu = alert("paris12-pe1", 0, "critical", { alertType: "power_supply_failure", message: "PSU 2 failed" });
      const bgp = alert("paris12-pe2", 1, "major", { alertType: "link_down", message: "xe-0/0/1 down" });
      return correlator.add(psu) === correlator.add(bgp);
    };
    expect(links()).toBe(false);
    expect(links("^(?<site>[a-z]+)\\d+-")).toBe(true);
  });
});

describe("symptoms of a failure elsewhere (no topology, no shared names)", () => {
  const none = { siteOf: () => undefined, neighbours: () => undefined };
  const at = (seconds: number) => T0 + seconds * 1_000;
  const linkDown = (host: string, seconds: number) =>
    alert(host, 0, "critical", { timeMs: at(seconds), alertType: "link_down", message: `${host} Hu0/0/0/0 is down` });
  const probe = (target: string, seconds: number, severity: Severity = "critical") =>
    alert(target, 0, severity, {
      timeMs: at(seconds),
      alertType: "blackbox_probe_failed",
      message: `Probe failed: https://${target}/health`,
    });
  const groupsOf = (alerts: Array<CorrelationInput<number>>) => {
    const correlator = new Correlator<number>(DEFAULT_CORRELATION_CONFIG, none);
    for (const a of [...alerts].sort((x, y) => x.timeMs - y.timeMs)) correlator.add(a);
    return correlator.incidents().map((g) => ({
      hosts: g.members.map((m) => m.host).sort(),
      reasons: g.reasons,
    }));
  };

  it("puts probes of services at other sites, failing just after the core links went down, into that incident", () => {
    const incidents = groupsOf([
      linkDown("fra1-cr1", 0),
      linkDown("fra1-cr2", 0),
      probe("portal.ams1.example.net", 70),
      probe("api.par1.example.net", 85),
    ]);
    expect(incidents.map((i) => i.hosts)).toEqual([
      ["api.par1.example.net", "fra1-cr1", "fra1-cr2", "portal.ams1.example.net"],
    ]);
    expect(incidents[0]?.reasons.join(" ")).toMatch(/failure beginning just before, link → service/);
  });

  it("leaves them apart when they fail long after the failure began, or at warning severity", () => {
    const late = groupsOf([linkDown("fra1-cr1", 0), linkDown("fra1-cr2", 0), probe("portal.ams1.example.net", 400)]);
    expect(late.map((i) => i.hosts)).toEqual([["fra1-cr1", "fra1-cr2"], ["portal.ams1.example.net"]]);
    const mild = groupsOf([
      linkDown("fra1-cr1", 0),
      linkDown("fra1-cr2", 0),
      probe("portal.ams1.example.net", 60, "warning"),
      probe("api.par1.example.net", 62, "warning"),
    ]);
    expect(mild.map((i) => i.hosts)).toEqual([["fra1-cr1", "fra1-cr2"]]);
  });

  it("does not take a symptom at a site with trouble of its own for an effect of a failure elsewhere", () => {
    const incidents = groupsOf([
      linkDown("ams1-agg-01", 0),
      linkDown("ams1-agg-02", 0),
      alert("lon1-fw-01", 0, "major", {
        timeMs: at(20),
        alertType: "policy_deny_rate_high",
        message: "deny rate above threshold",
      }),
      probe("lon1-app-01", 60),
    ]);
    expect(incidents.map((i) => i.hosts)).toEqual([["ams1-agg-01", "ams1-agg-02"], ["lon1-app-01"]]);
  });

  it("never merges two failures because a symptom followed both, and a machine down is no symptom of another", () => {
    const incidents = groupsOf([
      linkDown("fra1-cr1", 0),
      linkDown("fra1-cr2", 0),
      alert("nas-02.example.net", 0, "critical", {
        timeMs: at(30),
        alertType: "node_down",
        message: "Node nas-02 is Down",
      }),
      alert("ci-runner-3.example.net", 0, "critical", {
        timeMs: at(75),
        alertType: "node_down",
        message: "Node ci-runner-3 is Down",
      }),
      probe("wiki.example.net", 70),
    ]);
    // The probe follows the failure that began closest before it (the server, 40 s) and merges nothing; the second
    // server down, 45 s after the first, is a failure of its own.
    expect(incidents.map((i) => i.hosts)).toEqual([
      ["fra1-cr1", "fra1-cr2"],
      ["nas-02.example.net", "wiki.example.net"],
      ["ci-runner-3.example.net"],
    ]);
  });
});

describe("performance-monitoring threshold crossings", () => {
  it("reads 15-minute and 1-day PM bins as measurements, not faults, whatever the vendor's spelling", () => {
    expect(layerOf("T-OPR-LO-15-MIN", "")).toBe("housekeeping");
    expect(layerOf("T-UAS-1-DAY", "")).toBe("housekeeping");
    expect(layerOf("pm_threshold", "TCA: ES-S above threshold in 15-min interval")).toBe("housekeeping");
    expect(layerOf("syslog_message", "Threshold crossed: OPR low, 24-hour bin")).toBe("housekeeping");
    // A fault that merely says how long it lasted is still a fault.
    expect(layerOf("link_down", "Interface xe-0/0/1 down for 15 min")).toBe("link");
    expect(layerOf("optical_loss_of_signal", "LOS on line input for 15 minutes")).toBe("optical");
  });

  it("keeps the low-power bins a cut span reports for hours out of the span's incident", () => {
    const correlator = new Correlator<number>(DEFAULT_CORRELATION_CONFIG, {
      siteOf: () => undefined,
      neighbours: () => undefined,
    });
    const los = alert("ila-07", 0, "critical", { alertType: "optical_loss_of_signal", message: "LOS on line input" });
    const lof = alert("ila-07", 0.1, "major", { alertType: "optical_loss_of_frame", message: "LOF on client port" });
    const bins = [15, 30, 45].map((minute) =>
      alert("ila-07", minute, "warning", { alertType: "T-OPR-LO-15-MIN", message: "Threshold crossed: OPR low" }),
    );
    for (const a of [los, lof, ...bins]) correlator.add(a);
    const [incident, ...rest] = correlator.incidents();
    expect(rest).toEqual([]);
    expect(incident?.members.map((m) => m.alertType)).toEqual(["optical_loss_of_signal", "optical_loss_of_frame"]);
  });
});

describe("machines seen through their exporters", () => {
  const none = { siteOf: () => undefined, neighbours: () => undefined };
  const at = (seconds: number) => T0 + seconds * 1_000;
  const instanceDown = (host: string, seconds: number, tags: Record<string, string>, group?: string) =>
    alert(host, 0, "critical", {
      timeMs: at(seconds),
      alertType: "instance_down",
      message: `Instance ${tags.instance} down`,
      tags,
      ...(group ? { group } : {}),
    });
  const probe = (target: string, seconds: number) =>
    alert(target, 0, "critical", {
      timeMs: at(seconds),
      alertType: "blackbox_probe_failed",
      message: `Probe failed: https://${target}/`,
    });
  const hostsOf = (alerts: Array<CorrelationInput<number>>) => {
    const correlator = new Correlator<number>(DEFAULT_CORRELATION_CONFIG, none);
    for (const a of alerts) correlator.add(a);
    return correlator.incidents().map((g) => g.members.map((m) => m.host).sort());
  };

  it("reads a node_exporter target down as the machine down, whose services' probes then follow it", () => {
    const nas = instanceDown("nas-02.example.net", 0, { instance: "nas-02.example.net:9100", job: "node" });
    expect(hostsOf([nas, probe("wiki.example.net", 70), probe("docs.example.net", 80)])).toEqual([
      ["docs.example.net", "nas-02.example.net", "wiki.example.net"],
    ]);
    // An application's own scrape target is a service, not the machine: its probes are not taken for its effect.
    const app = instanceDown("api-7.example.net", 0, { instance: "api-7.example.net:8080", job: "api" });
    expect(hostsOf([app, probe("wiki.example.net", 70)])).toEqual([["api-7.example.net"], ["wiki.example.net"]]);
  });

  it("keeps two machines down in one Alertmanager group minutes apart as two incidents", () => {
    const group = '{}:{alertname="InstanceDown", job="node"}';
    const a = instanceDown("nas-02.example.net", 0, { instance: "nas-02.example.net:9100", job: "node" }, group);
    const b = instanceDown(
      "ci-runner-3.example.net",
      90,
      { instance: "ci-runner-3.example.net:9100", job: "node" },
      group,
    );
    expect(hostsOf([a, b])).toEqual([["nas-02.example.net"], ["ci-runner-3.example.net"]]);
  });
});

describe("devices booting after power returns", () => {
  it("joins the cold starts of devices known only by address to the power failure whose restoration they follow", () => {
    const correlator = new Correlator<number>(DEFAULT_CORRELATION_CONFIG, {
      siteOf: () => undefined,
      neighbours: () => undefined,
    });
    const ups = "192.0.2.10";
    const onBattery = alert(ups, 0, "major", { alertType: "ups_on_battery", message: "UPS on battery power" });
    const low = alert(ups, 20, "critical", { alertType: "ups_low_battery", message: "UPS battery power too low" });
    const back = alert(ups, 160, "info", {
      alertType: "ups_on_battery",
      message: "Utility power has been restored",
      status: "resolved",
    });
    const boots = ["192.0.2.21", "192.0.2.22"].map((host, i) =>
      alert(host, 161.5 + i * 0.1, "warning", { alertType: "cold_start", message: "coldStart" }),
    );
    // A boot long after the restoration is not its doing.
    const later = alert("192.0.2.23", 200, "warning", { alertType: "cold_start", message: "coldStart" });
    for (const a of [onBattery, low, back, ...boots, later]) correlator.add(a);
    expect(correlator.incidents().map((g) => g.members.map((m) => m.host).sort())).toEqual([
      ["192.0.2.10", "192.0.2.10", "192.0.2.10", "192.0.2.21", "192.0.2.22"],
    ]);
  });

  it("joins a router's reload to the failure its neighbours reported when they lost it minutes earlier", () => {
    const correlator = new Correlator<number>(DEFAULT_CORRELATION_CONFIG, {
      siteOf: () => undefined,
      neighbours: () => undefined,
    });
    const lost = ["leaf-01", "leaf-02", "leaf-03"].map((leaf) =>
      alert(leaf, 0, "major", {
        alertType: "bgp_session_down",
        message: "BGP peer 10.0.0.3 (spine-3) changed state from Established to Idle",
      }),
    );
    const reload = alert("spine-3", 4.5, "warning", {
      alertType: "sys_system_restarted",
      message: "%SYS-5-SYSTEM_RESTARTED: System restarted",
    });
    for (const a of [...lost, reload]) correlator.add(a);
    const incidents = correlator.incidents().map((g) => g.members.map((m) => m.host).sort());
    expect(incidents).toEqual([["leaf-01", "leaf-02", "leaf-03", "spine-3"]]);
  });
});

describe("the two ends of a point-to-point link", () => {
  it("ties an alarm naming a gateway (…1) to one naming the address beside it on the same /30 (…2)", () => {
    expect(pointToPointLink("203.0.113.1")).toBe("203.0.113.0/30");
    expect(pointToPointLink("203.0.113.2")).toBe("203.0.113.0/30");
    expect(pointToPointLink("203.0.113.6")).toBe("203.0.113.4/30");
    // Network and broadcast addresses of a /30 are no link ends.
    expect(pointToPointLink("203.0.113.0")).toBeNull();
    expect(pointToPointLink("203.0.113.3")).toBeNull();
    const correlator = new Correlator<number>(DEFAULT_CORRELATION_CONFIG, {
      siteOf: () => undefined,
      neighbours: () => undefined,
    });
    const route = alert("edge-fw1", 0, "major", {
      alertType: "tracked_route_down",
      message: "Removing tracked route 0.0.0.0 0.0.0.0 198.51.100.9, distance 1",
    });
    const tunnels = ["br-rtr1", "br-rtr2"].map((host) =>
      alert(host, 0.2, "major", {
        alertType: "crypto_tunnel_down",
        message: "Crypto tunnel is DOWN. Peer 198.51.100.10:500",
      }),
    );
    for (const a of [route, ...tunnels]) correlator.add(a);
    expect(correlator.incidents().map((g) => g.members.map((m) => m.host).sort())).toEqual([
      ["br-rtr1", "br-rtr2", "edge-fw1"],
    ]);
    // An address of another /30 ties nothing.
    const apart = new Correlator<number>(DEFAULT_CORRELATION_CONFIG, {
      siteOf: () => undefined,
      neighbours: () => undefined,
    });
    const other = alert("br-rtr3", 0.2, "major", {
      alertType: "crypto_tunnel_down",
      message: "Crypto tunnel is DOWN. Peer 198.51.100.14:500",
    });
    expect(apart.add(route)).not.toBe(apart.add(other));
  });
});

describe("start times worked out from a rule's hold time", () => {
  const at = (seconds: number) => T0 + seconds * 1_000;

  it("reads the hold time from Alertmanager's description: a backup path's utilisation joins the cut that moved traffic onto it", () => {
    const cut = ["ber-cr1", "waw-cr1"].map((host, i) =>
      alert(host, 0, "critical", {
        timeMs: at(i),
        alertType: "snmp_interface_down",
        message: `${host} Hu0/0/0/2 down`,
        tags: { ifAlias: `CID:ZAYO-88123 | ${host === "ber-cr1" ? "waw-cr1" : "ber-cr1"} Hu0/0/0/2` },
      }),
    );
    const busy = (detail: string | null) =>
      alert("prg-cr1", 0, "warning", {
        timeMs: at(360),
        alertType: "interface_utilization_high",
        message: "prg-cr1 TenGigE0/0/0/3 above 90% utilisation",
        tags: { ifAlias: "CID:CETIN-20077 | waw-cr1 Te0/0/0/5" },
        detail,
      });
    // Fired six minutes after the cut, but above 90 % for the five minutes before: it began a minute after.
    expect(groupsOf([...cut, busy("rate(ifHCInOctets[5m])*8 / ifHighSpeed > 0.9 for 5m (95.5%).")])).toEqual([
      ["ber-cr1 snmp_interface_down", "prg-cr1 interface_utilization_high", "waw-cr1 snmp_interface_down"],
    ]);
    // Without it the warning is six minutes late for anything it names.
    expect(groupsOf([...cut, busy(null)])).toEqual([["ber-cr1 snmp_interface_down", "waw-cr1 snmp_interface_down"]]);
  });

  it("takes a node gone from its cluster for the cause of the pods there that went unready with it", () => {
    const cluster = { site: "prod-eu1" };
    const unreachable = alert("worker-7", 0, "warning", {
      timeMs: at(0),
      alertType: "kube_node_unreachable",
      message: "worker-7 is unreachable and some workloads may be rescheduled.",
      ...cluster,
    });
    const notReady = alert("worker-7", 0, "warning", {
      timeMs: at(840),
      alertType: "kube_node_not_ready",
      message: "Node is not ready.",
      detail: "worker-7 has been unready for more than 15 minutes.",
      ...cluster,
    });
    const pods = ["web/storefront-5f7b9c-zt4wn", "search/indexer-0", "payments/ledger-7d9c8b6f4-x2kqp"].map((pod, i) =>
      alert(pod, 0, "warning", {
        timeMs: at(792 + i * 15),
        alertType: "kube_pod_not_ready",
        message: "Pod has been in a non-ready state for more than 15 minutes.",
        ...cluster,
      }),
    );
    // The scrapes of the node's exporters failing make the node's own trouble an incident before its pods are tied.
    const targetsDown = ["node-exporter", "kubelet"].map((job) =>
      alert("unknown", 0, "warning", {
        timeMs: at(480),
        alertType: "target_down",
        message: `9.09% of the ${job}/${job} targets in monitoring namespace are down.`,
        tags: { job, namespace: "monitoring" },
        ...cluster,
      }),
    );
    expect(groupsOf([unreachable, ...targetsDown, notReady, ...pods])).toHaveLength(1);
    // A link alarm at the same site does not glue two failures together that way: only a machine hosts workloads.
    const links = [1, 2].map((n) =>
      alert(`prod-eu1-sw${n}`, 0, "major", {
        timeMs: at(839 + n),
        alertType: "link_down",
        message: `Interface Te1/${n} down`,
        tags: { ifName: `Te1/${n}` },
        ...cluster,
      }),
    );
    expect(groupsOf([...links, ...pods])).toHaveLength(2);
  });
});

describe("a failure's later alarms on its own devices", () => {
  const at = (seconds: number) => T0 + seconds * 1_000;

  it("keeps a machine's alarms minutes apart in one outage: unreachable first, not ready once the rule's hold passed", () => {
    const nodes = ["k8s-w103", "k8s-w107", "k8s-w108"];
    const unreachable = nodes.map((node, i) =>
      alert(node, 0, "critical", {
        timeMs: at(i),
        alertType: "kube_node_unreachable",
        message: `${node} is unreachable`,
      }),
    );
    const notReady = nodes.map((node, i) =>
      alert(node, 0, "warning", {
        timeMs: at(800 + i),
        alertType: "kube_node_not_ready",
        message: "Node is not ready.",
      }),
    );
    expect(groupsOf([...unreachable, ...notReady])).toHaveLength(1);
  });

  it("lets a clear go with the raise it ends, never tie a bystander's alarm on its host into that incident", () => {
    const cut = ["fra1-cr1", "fra1-br1"].map((host, i) =>
      alert(host, 0, "major", {
        timeMs: at(i),
        alertType: "link_down",
        message: "Interface Te0/1/0 changed state to down",
        tags: { ifName: "Te0/1/0" },
        site: "fra1",
      }),
    );
    const ospfDown = alert("fra1-cr1", 0, "major", {
      timeMs: at(2),
      alertType: "ospf_neighbor_down",
      message: "Nbr 10.0.0.2 on Te0/1/0 from FULL to DOWN, Neighbor Down: Interface down or detached",
      site: "fra1",
    });
    const up = alert("fra1-cr1", 0, "warning", {
      timeMs: at(240),
      alertType: "ospf_neighbor_up",
      message: "Nbr 10.0.0.2 on Te0/1/0 from LOADING to FULL, Loading Done",
      status: "resolved",
      site: "fra1",
    });
    const cpu = alert("fra1-cr1", 0, "critical", {
      timeMs: at(235),
      alertType: "sys_cpurisingthreshold",
      message: "Threshold: Total CPU Utilization(Total/Intr): 91%/2%",
      site: "fra1",
    });
    const groups = groupsOf([...cut, ospfDown, cpu, up]);
    expect(groups.find((g) => g.includes("fra1-cr1 ospf_neighbor_up"))).not.toContain(
      "fra1-cr1 sys_cpurisingthreshold",
    );
  });

  it("reads a stack member added back as the end of its removal", () => {
    const removed = alert("fra1-as07", 0, "critical", {
      timeMs: at(0),
      alertType: "stackmgr_switch_removed",
      message: "Switch 2 has been removed from the stack.",
    });
    const psu = alert("fra1-as07", 0, "critical", {
      timeMs: at(-3),
      alertType: "platform_fep_fru_ps_signal_faulty",
      message: "FRU Power Supply 1 signal is faulty",
    });
    const added = alert("fra1-as07", 0, "info", {
      timeMs: at(3240),
      alertType: "stackmgr_switch_added",
      message: "Switch 2 has been added to the stack.",
    });
    expect(groupsOf([psu, removed, added])).toEqual([
      [
        "fra1-as07 platform_fep_fru_ps_signal_faulty",
        "fra1-as07 stackmgr_switch_added",
        "fra1-as07 stackmgr_switch_removed",
      ],
    ]);
  });
});

/** Incidents of alerts correlated in event-time order with no topology, each as its members' "host type", sorted. */
function groupsOf(alerts: Array<CorrelationInput<number>>) {
  const correlator = new Correlator<number>(DEFAULT_CORRELATION_CONFIG, {
    siteOf: () => undefined,
    neighbours: () => undefined,
  });
  for (const a of [...alerts].sort((x, y) => x.timeMs - y.timeMs)) correlator.add(a);
  return correlator.incidents().map((g) => g.members.map((m) => `${m.host} ${m.alertType}`).sort());
}

describe("vendor wording of recoveries, redundant pairs and sessions", () => {
  const at = (seconds: number) => T0 + seconds * 1_000;
  const psuFault = alert("fra1-as07", 0, "critical", {
    timeMs: at(0),
    alertType: "platform_fep_fru_ps_signal_faulty",
    message: "Switch 2: power supply A signal is faulty",
  });
  const portDown = alert("fra1-as07", 0, "major", {
    timeMs: at(3),
    alertType: "link_down",
    message: "Interface GigabitEthernet2/0/21, changed state to down",
  });
  const portUp = (seconds: number) =>
    alert("fra1-as07", 0, "major", {
      timeMs: at(seconds),
      alertType: "link_up",
      message: "Interface GigabitEthernet2/0/21, changed state to up",
    });

  it("leaves out a port's up logged again hours after the port came back, but keeps a re-announced up", () => {
    const groups = groupsOf([psuFault, portDown, portUp(3_360), portUp(3_400), portUp(16_000)]);
    expect(groups).toEqual([
      ["fra1-as07 link_down", "fra1-as07 link_up", "fra1-as07 link_up", "fra1-as07 platform_fep_fru_ps_signal_faulty"],
    ]);
  });

  it("ends a host's trouble with a message that reports its recovery in other words, an hour later", () => {
    const inserted = alert("fra1-as07", 0, "info", {
      timeMs: at(3_000),
      alertType: "platform_fep_fru_ps_oir",
      message: "Switch 2: FRU power supply A inserted",
    });
    const otherHost = alert("fra1-as09", 0, "info", {
      timeMs: at(3_010),
      alertType: "platform_fep_fru_ps_oir",
      message: "Switch 1: FRU power supply B inserted",
    });
    expect(groupsOf([psuFault, portDown, inserted, otherHost])).toEqual([
      ["fra1-as07 link_down", "fra1-as07 platform_fep_fru_ps_oir", "fra1-as07 platform_fep_fru_ps_signal_faulty"],
    ]);
  });

  it("keeps a failover pair's two units in one incident over minutes, but not two machines lost at one site", () => {
    const mateLost = alert("lon-fw1a", 0, "critical", {
      timeMs: at(0),
      alertType: "failover_communication_lost",
      message: "(Primary) Lost Failover communications with mate on interface folink",
    });
    const standby = alert("lon-fw1b", 0, "critical", {
      timeMs: at(830),
      alertType: "failover_state_change",
      message: "(Secondary) Switching to STANDBY - Other unit wants me Standby.",
    });
    expect(groupsOf([mateLost, standby])).toEqual([
      ["lon-fw1a failover_communication_lost", "lon-fw1b failover_state_change"],
    ]);
    const nodeDown = (host: string, seconds: number) =>
      alert(host, 0, "critical", { timeMs: at(seconds), alertType: "node_down", message: `${host} is down` });
    expect(groupsOf([nodeDown("lon-esx1", 0), nodeDown("lon-esx2", 830)])).toEqual([
      ["lon-esx1 node_down"],
      ["lon-esx2 node_down"],
    ]);
  });

  it("makes a BGP session lost at minor severity an incident, but not a routing daemon's packet complaint", () => {
    const down = alert("mx960-a.ams.example.net", 0, "minor", {
      timeMs: at(0),
      alertType: "bgp_session_down",
      message: "BGP peer 203.0.113.71 (External AS 64511) changed state from Established to Idle (event HoldTime)",
    });
    const packetError = alert("agg-switch-5", 0, "minor", {
      timeMs: at(600),
      alertType: "ospf_packet_error",
      message: "Received invalid packet: mismatched area ID from backbone area",
    });
    expect(groupsOf([down, packetError])).toEqual([["mx960-a.ams.example.net bgp_session_down"]]);
  });
});

describe("two failures touching one host or one site", () => {
  const at = (seconds: number) => T0 + seconds * 1_000;
  const on = (host: string, seconds: number, severity: Severity, alertType: string, message: string, service = "") =>
    alert(host, 0, severity, { timeMs: at(seconds), alertType, message, service });

  it("keeps a router's own trouble apart from a failure elsewhere that it also reports", () => {
    const groups = groupsOf([
      on("sin1-core-01", 0, "major", "transit_latency_high", "Transit latency to AS64500 at 80 ms"),
      on("sin1-core-01", 5, "major", "packet_loss", "Packet loss 4% on transit"),
      on("fra1-core-01", 20, "critical", "link_down", "Interface et-0/0/1 down"),
      on("fra1-core-01", 21, "critical", "optical_los", "Loss of signal on et-0/0/1"),
      on("sin1-core-01", 30, "major", "isis_adjacency_down", "IS-IS adjacency to fra1-core-01 down"),
      on("sin1-core-01", 40, "major", "transit_latency_high", "Transit latency to AS64500 at 85 ms"),
    ]);
    expect(groups).toEqual([
      ["sin1-core-01 packet_loss", "sin1-core-01 transit_latency_high", "sin1-core-01 transit_latency_high"],
      ["fra1-core-01 link_down", "fra1-core-01 optical_los", "sin1-core-01 isis_adjacency_down"],
    ]);
  });

  it("does not make one device's power supply warning the cause of another device's failure at its site", () => {
    const groups = groupsOf([
      on("lon1-core-01", 0, "warning", "power_supply_failed", "PSU 0 reports input voltage out of range (185 V)"),
      on("lon1-cdn-02", 100, "major", "cache_hit_ratio_low", "Cache hit ratio fell to 46% (baseline 94%)"),
      on("lon1-cdn-02", 103, "major", "origin_request_surge", "Origin requests at 3721/s (baseline 900/s)"),
    ]);
    expect(groups).toEqual([["lon1-cdn-02 cache_hit_ratio_low", "lon1-cdn-02 origin_request_surge"]]);
  });

  it("does not take a BGP session lost on one router for the effect of another host's exhausted resources", () => {
    const groups = groupsOf([
      on("fra1-mon-01", 0, "major", "disk_usage_high", "Filesystem /var/log is 97.3% full"),
      on("fra1-mon-01", 20, "major", "memory_usage_high", "Memory usage at 96.1%"),
      on("fra1-peer-01", 25, "major", "bgp_session_down", "BGP peer 198.51.100.111 changed state to Idle"),
    ]);
    expect(groups).toEqual([
      ["fra1-mon-01 disk_usage_high", "fra1-mon-01 memory_usage_high"],
      ["fra1-peer-01 bgp_session_down"],
    ]);
  });

  it("does not tie resource thresholds on several hosts of a site by the service name they share", () => {
    const groups = groupsOf([
      on("nyc1-jump-01", 0, "warning", "memory_usage_high", "Memory usage at 91.6%", "os"),
      on("nyc1-app-01", 40, "minor", "disk_usage_high", "Filesystem /var/log is 93.3% full", "os"),
      on("nyc1-log-01", 80, "warning", "cpu_high", "CPU at 89.4%", "os"),
    ]);
    expect(groups).toEqual([]);
  });
});

describe("a condition held before its alert fired", () => {
  const at = (seconds: number) => T0 + seconds * 1_000;
  const pod = (name: string, seconds: number) =>
    alert(`shop/checkout-api-6c9f7d8b5-${name}`, 0, "warning", {
      timeMs: at(seconds),
      alertType: "kube_pod_crash_looping",
      message: "Pod is crash looping.",
    });
  const rollout = alert("shop/checkout-api", 0, "warning", {
    timeMs: at(60),
    alertType: "kube_deployment_rollout_stuck",
    message: "Deployment rollout is not progressing.",
    detail: "Rollout of deployment shop/checkout-api is not progressing for longer than 15 minutes.",
  });

  it("ties a stuck rollout, dated back by its rule's hold, to the crash-looping pods that name it", () => {
    expect(groupsOf([pod("4kq2v", 0), pod("tq5rx", 30), rollout, pod("9wz7h", 80)])).toEqual([
      [
        "shop/checkout-api kube_deployment_rollout_stuck",
        "shop/checkout-api-6c9f7d8b5-4kq2v kube_pod_crash_looping",
        "shop/checkout-api-6c9f7d8b5-9wz7h kube_pod_crash_looping",
        "shop/checkout-api-6c9f7d8b5-tq5rx kube_pod_crash_looping",
      ],
    ]);
  });
});

describe("storage running out", () => {
  it("makes a file system almost out of space an incident alone, unlike a CPU peak", () => {
    const warning = alert("vie1-mon1", -30, "warning", {
      alertType: "node_filesystem_almost_out_of_space",
      message: "Filesystem has less than 5% space left.",
    });
    expect(groupsOf([warning])).toEqual([["vie1-mon1 node_filesystem_almost_out_of_space"]]);
    const disk = alert("par1-db-07", 0, "critical", {
      alertType: "node_filesystem_almost_out_of_space",
      message: "Filesystem has less than 3% space left.",
    });
    const cpu = alert("fra1-cr1", 30, "critical", {
      alertType: "sys_cpurisingthreshold",
      message: "Threshold: Total CPU Utilization(Total/Intr): 97%/1%",
    });
    const filling = alert("fra1-log01", 60, "warning", {
      alertType: "node_filesystem_space_filling_up",
      message: "Filesystem is predicted to run out of space within the next 24 hours.",
    });
    expect(groupsOf([disk, cpu, filling])).toEqual([["par1-db-07 node_filesystem_almost_out_of_space"]]);
  });
});
