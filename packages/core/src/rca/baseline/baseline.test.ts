import { type Alert, type CanonicalAlert, type RcaCategory, SCENARIO_TYPES, type Severity } from "@teleops/schema";
import { describe, expect, it } from "vitest";
import { correlateAlerts, topologyView } from "../../correlation/index.ts";
import { generateScenario, loadTopology } from "../../generator/index.ts";
import { calibrate, shippedCalibration } from "../calibration.ts";
import { loadRunbookIndex } from "../retrieval.ts";
import { rankRootCauses } from "./index.ts";

const topology = loadTopology();
const runbooks = loadRunbookIndex();
const START = new Date("2026-03-01T10:00:00Z");
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** Stored alerts as an incident would hold them: numeric ids, and no tag but `site` (no ground truth). */
function stored(alerts: readonly CanonicalAlert[], firstId = 1): Alert[] {
  return alerts.map((alert, index): Alert => {
    const tags: Record<string, string> = alert.tags.site ? { site: alert.tags.site } : {};
    return { ...alert, id: firstId + index, tags, incident_id: "INC-000001" };
  });
}

function scenarioIncident(scenario: (typeof SCENARIO_TYPES)[number], seed: number, noisePerMinute = 2) {
  const generated = generateScenario(
    { scenario, seed, durationMinutes: 10, ratePerMinute: 25, noisePerMinute },
    topology,
    START,
  );
  const truth = generated.groundTruth[0];
  if (!truth) throw new Error("the generator returned no ground truth");
  const alerts = stored(generated.alerts).filter((_, index) => generated.membership[index] === 0);
  return { generated, truth, alerts };
}

/** Renames every device to a random-looking name, in hosts, messages and payloads alike. */
function renameHosts(alerts: readonly Alert[], seed: number): { alerts: Alert[]; names: Map<string, string> } {
  const hosts = [...new Set(alerts.map((a) => a.host))].sort((a, b) => b.length - a.length);
  const names = new Map<string, string>();
  let state = seed * 7919 + 17;
  for (const host of hosts) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    names.set(host, `n${state.toString(36)}`);
  }
  const rewrite = (text: string) => {
    let out = text;
    for (const [from, to] of names) out = out.split(from).join(to);
    return out;
  };
  return {
    names,
    alerts: alerts.map((a) => ({
      ...a,
      host: names.get(a.host) ?? a.host,
      message: rewrite(a.message),
      raw_payload: JSON.parse(rewrite(JSON.stringify(a.raw_payload))) as Record<string, unknown>,
    })),
  };
}

interface Handmade {
  host: string;
  type: string;
  message: string;
  severity: Severity;
  payload?: Record<string, unknown>;
  afterSeconds?: number;
}

function handmade(alerts: Handmade[]): Alert[] {
  const t0 = Date.parse("2025-09-24T12:00:00Z");
  return alerts.map((a, index) => ({
    id: 500 + index,
    fingerprint: `hand-${index}`,
    timestamp: new Date(t0 + (a.afterSeconds ?? 0) * 1000).toISOString(),
    source_system: "import",
    host: a.host,
    service: "",
    severity: a.severity,
    alert_type: a.type,
    message: a.message,
    tags: {},
    raw_payload: a.payload ?? {},
    tenant_id: null,
    status: "firing",
    incident_id: null,
  }));
}

describe("baseline RCA on generated scenarios", () => {
  it("names the right failure for at least 95% and the right device for at least 90% of 110 generated incidents", () => {
    let category = 0;
    let component = 0;
    let total = 0;
    for (const scenario of SCENARIO_TYPES) {
      for (const seed of SEEDS) {
        const { truth, alerts } = scenarioIncident(scenario, seed);
        const [top] = rankRootCauses(
          { incidentId: "INC-000001", summary: null, alerts },
          { runbooks, topology },
        ).hypotheses;
        total++;
        if (top?.category === scenario) category++;
        if (top?.root_component === truth.root_component) component++;
      }
    }
    expect(total).toBe(110);
    expect(category / total).toBeGreaterThanOrEqual(0.95);
    expect(component / total).toBeGreaterThanOrEqual(0.9);
  });

  it("reaches the same verdicts on incidents the correlator cut out of a noisy stream", () => {
    const view = topologyView(topology);
    let right = 0;
    let total = 0;
    for (const scenario of SCENARIO_TYPES) {
      for (const seed of [31, 32, 33]) {
        const generated = generateScenario(
          { scenario, seed, durationMinutes: 15, ratePerMinute: 20, noisePerMinute: 5 },
          topology,
          START,
        );
        const alerts = stored(generated.alerts);
        const { incidents, assignment } = correlateAlerts(generated.alerts, { topology: view });
        const biggest = incidents.reduce(
          (best, g, i) => (g.members.length > (incidents[best]?.members.length ?? 0) ? i : best),
          0,
        );
        const incident = alerts.filter((_, index) => assignment[index] === biggest);
        const [top] = rankRootCauses(
          { incidentId: null, summary: null, alerts: incident },
          { runbooks, topology },
        ).hypotheses;
        total++;
        if (top?.category === scenario && top.root_component === generated.groundTruth[0]?.root_component) right++;
      }
    }
    expect(right / total).toBeGreaterThanOrEqual(0.95);
  });

  it("blames the optical node, not the routers, when routing flaps ride on top of a fiber cut", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { truth, alerts } = scenarioIncident("fiber_cut", seed);
      // Every router that lost a port now also flaps its BGP sessions, loudly, after the optical alarms.
      const routers = [...new Set(alerts.filter((a) => a.alert_type === "link_down").map((a) => a.host))];
      const t0 = Date.parse(alerts[0]?.timestamp ?? START.toISOString());
      const flaps: Alert[] = routers.flatMap((host, r) =>
        Array.from({ length: 40 }, (_, i): Alert => {
          const down = i % 2 === 0;
          return {
            ...(alerts[0] as Alert),
            id: 10_000 + r * 100 + i,
            fingerprint: `flap-${host}-${i % 2}`,
            timestamp: new Date(t0 + 20_000 + i * 12_000).toISOString(),
            host,
            source_system: "syslog",
            service: "backbone",
            severity: down ? "major" : "info",
            alert_type: down ? "bgp_session_down" : "bgp_session_up",
            message: `BGP peer 198.51.100.${r + 10} (External AS 6450${r}) changed state from ${down ? "Established to Idle" : "OpenConfirm to Established"}`,
            raw_payload: { peer_as: 64500 + r, peer_ip: `198.51.100.${r + 10}`, flap_count: Math.floor(i / 2) + 1 },
          };
        }),
      );
      expect(flaps.length).toBeGreaterThan(0);
      for (const deps of [{ runbooks, topology }, { runbooks }]) {
        const { hypotheses } = rankRootCauses({ incidentId: null, summary: null, alerts: [...alerts, ...flaps] }, deps);
        const [top] = hypotheses;
        expect(top?.category).toBe("fiber_cut");
        expect(top?.root_component).toBe(truth.root_component);
        expect(top?.evidence.notes.some((note) => note.startsWith("Layer order:"))).toBe(true);
      }
    }
  });

  it("still names the failure and the device when every host is renamed and there is no topology", () => {
    let category = 0;
    let component = 0;
    let total = 0;
    for (const scenario of SCENARIO_TYPES) {
      for (const seed of [41, 42, 43]) {
        const { truth, alerts } = scenarioIncident(scenario, seed);
        const renamed = renameHosts(alerts, seed);
        const [top] = rankRootCauses(
          { incidentId: null, summary: null, alerts: renamed.alerts },
          { runbooks },
        ).hypotheses;
        total++;
        if (top?.category === scenario) category++;
        if (top?.root_component === renamed.names.get(truth.root_component)) component++;
      }
    }
    expect(category / total).toBeGreaterThanOrEqual(0.95);
    expect(component / total).toBeGreaterThanOrEqual(0.9);
  });

  it("keeps a single early alarm at a moderate raw score and grows it as evidence accumulates", () => {
    const { alerts } = scenarioIncident("bgp_flap", 5);
    const confidence = (n: number, calibration?: null) =>
      rankRootCauses(
        { incidentId: null, summary: null, alerts: alerts.slice(0, n) },
        calibration === null ? { runbooks, calibration } : { runbooks },
      ).hypotheses[0]?.confidence ?? 0;
    expect(confidence(1, null)).toBeLessThan(0.6);
    expect(confidence(alerts.length, null)).toBeGreaterThan(confidence(1, null));
    // The calibrated confidence is a monotone map of the raw score: more evidence never lowers it.
    expect(confidence(alerts.length)).toBeGreaterThanOrEqual(confidence(1));
  });

  it("maps raw scores through the shipped calibration curve, and leaves them raw when told to", () => {
    const { alerts } = scenarioIncident("fiber_cut", 2);
    const input = { incidentId: null, summary: null, alerts };
    const raw = rankRootCauses(input, { runbooks, calibration: null }).hypotheses;
    const shipped = rankRootCauses(input, { runbooks }).hypotheses;
    const curve = shippedCalibration()?.engines.baseline ?? null;
    expect(curve).not.toBeNull();
    expect(shipped.map((h) => h.category)).toEqual(raw.map((h) => h.category));
    expect(shipped[0]?.confidence).toBeCloseTo(calibrate(curve, raw[0]?.confidence ?? 0), 2);
    const steep = { method: "isotonic" as const, x: [0, 1], y: [0.1, 0.2] };
    const custom = rankRootCauses(input, { runbooks, calibration: steep }).hypotheses;
    for (const h of custom) expect(h.confidence).toBeLessThanOrEqual(0.2);
  });

  it("gives the same answer every time for the same incident", () => {
    const { alerts } = scenarioIncident("mpls_vpn_leak", 3);
    const once = rankRootCauses({ incidentId: null, summary: null, alerts }, { runbooks, topology });
    const again = rankRootCauses(
      { incidentId: null, summary: null, alerts: [...alerts].reverse() },
      { runbooks, topology },
    );
    expect(again).toEqual(once);
  });
});

describe("baseline RCA hypotheses", () => {
  it("names the router, the peer AS and how often the session flapped, citing the session alerts", () => {
    const { truth, alerts } = scenarioIncident("bgp_flap", 2);
    const { hypotheses, retrieval } = rankRootCauses(
      { incidentId: "INC-000001", summary: null, alerts },
      { runbooks, topology },
    );
    const [top] = hypotheses;
    const sessionAlert = alerts.find((a) => a.alert_type === "bgp_session_down");
    const peerAs = String(sessionAlert?.raw_payload.peer_as);
    expect(top?.hypothesis).toContain(truth.root_component);
    expect(top?.hypothesis).toContain(`AS${peerAs}`);
    expect(top?.hypothesis).toMatch(/flapping \d+ times in \d+ (s|min)/);
    expect(top?.confidence).toBeGreaterThanOrEqual(0.6);
    expect(top?.evidence.alert_ids).toContain(sessionAlert?.id);
    const cited = alerts.filter((a) => top?.evidence.alert_ids.includes(a.id));
    expect(cited.every((a) => a.host === truth.root_component || a.alert_type !== "bgp_session_down")).toBe(true);
    expect(top?.evidence.counts_by_type.bgp_session_down).toBe(
      alerts.filter((a) => a.alert_type === "bgp_session_down").length,
    );
    expect(top?.evidence.first_seen.bgp_session_down).toBe(sessionAlert?.timestamp);
    expect(top?.evidence.notes[0]).toMatch(/^First alarm: .* on .* \(routing layer, from topology\)/);
    expect(top?.runbook_refs).toContain("bgp_flap#remediation");
    expect(top?.remediation_steps.length).toBeGreaterThanOrEqual(3);
    expect(top?.remediation_steps[0]).toContain(truth.root_component);
    for (const ref of top?.runbook_refs ?? []) expect(retrieval.map((r) => r.id)).toContain(ref);
  });

  it("returns at most three hypotheses, ranked, with the runner-up less confident than the winner", () => {
    const { alerts } = scenarioIncident("network_degradation", 4);
    const { hypotheses } = rankRootCauses({ incidentId: null, summary: null, alerts }, { runbooks, topology });
    expect(hypotheses.length).toBeGreaterThan(1);
    expect(hypotheses.length).toBeLessThanOrEqual(3);
    expect(hypotheses.map((h) => h.rank)).toEqual(hypotheses.map((_, i) => i + 1));
    for (let i = 1; i < hypotheses.length; i++) {
      expect(hypotheses[i]?.confidence ?? 1).toBeLessThanOrEqual(hypotheses[i - 1]?.confidence ?? 0);
    }
    expect(new Set(hypotheses.map((h) => h.category)).size).toBe(hypotheses.length);
  });

  it.each<[string, RcaCategory, string, Handmade[]]>([
    [
      "packet loss on a router named by another scheme",
      "network_degradation",
      "core-router-1",
      [
        {
          host: "core-router-1",
          type: "packet_loss",
          message: "Packet loss 18% on xe-0/0/1",
          severity: "critical",
          payload: { loss_pct: 18, interface: "xe-0/0/1" },
        },
      ],
    ],
    [
      "an OTN node losing signal before the router behind it",
      "fiber_cut",
      "otn-node-7",
      [
        { host: "otn-node-7", type: "dwdm_los", message: "Loss of signal on line port 1/2/1", severity: "critical" },
        { host: "core-router-1", type: "interface_down", message: "xe-0/0/4 down", severity: "major", afterSeconds: 3 },
        {
          host: "core-router-1",
          type: "ospf_neighbor_down",
          message: "OSPF neighbor 10.0.0.2 down on xe-0/0/4",
          severity: "major",
          afterSeconds: 8,
        },
      ],
    ],
    [
      "a BGP peer going down and up on an edge router",
      "bgp_flap",
      "edge-rtr-02",
      [
        {
          host: "edge-rtr-02",
          type: "bgp_peer_down",
          message: "BGP peer 203.0.113.9 (AS65010) down: hold timer expired",
          severity: "major",
          payload: { peer_as: 65010 },
        },
        { host: "edge-rtr-02", type: "bgp_peer_up", message: "peer established", severity: "info", afterSeconds: 40 },
        { host: "edge-rtr-02", type: "bgp_peer_down", message: "peer down", severity: "major", afterSeconds: 90 },
      ],
    ],
    [
      "a router whose management went silent while its neighbour lost BFD",
      "router_freeze",
      "core-router-3",
      [
        {
          host: "core-router-3",
          type: "snmp_agent_unreachable",
          message: "SNMP agent not responding",
          severity: "major",
        },
        {
          host: "agg-sw-1",
          type: "bfd_session_down",
          message: "BFD to core-router-3 down",
          severity: "major",
          afterSeconds: 20,
        },
      ],
    ],
    [
      "an IX port running hot outbound",
      "isp_peering_congestion",
      "ix-router-1",
      [
        {
          host: "ix-router-1",
          type: "link_utilization_high",
          message: "Egress utilization 97% on ae1 towards AS15169",
          severity: "major",
          payload: { utilization_pct: 97, direction: "egress" },
        },
        {
          host: "ix-router-1",
          type: "egress_discards_high",
          message: "Tail drops on ae1",
          severity: "major",
          afterSeconds: 30,
        },
      ],
    ],
    [
      "a flood detected at the edge with the firewall filling up",
      "ddos_edge",
      "edge-router-1",
      [
        {
          host: "edge-router-1",
          type: "ddos_detected",
          message: "UDP flood towards 198.51.100.20",
          severity: "critical",
        },
        {
          host: "edge-fw-02",
          type: "session_table_full",
          message: "Session table 99% full",
          severity: "critical",
          afterSeconds: 20,
        },
      ],
    ],
    [
      "a VRF over its prefix limit after an import change",
      "mpls_vpn_leak",
      "pe-router-4",
      [
        {
          host: "pe-router-4",
          type: "vrf_route_limit_exceeded",
          message: "VRF BLUE max-prefix exceeded after RT import change",
          severity: "major",
        },
      ],
    ],
    [
      "a resolver answering SERVFAIL with apps failing behind it",
      "dns_outage",
      "dns-resolver-a",
      [
        { host: "dns-resolver-a", type: "dns_servfail_high", message: "SERVFAIL rate 64%", severity: "critical" },
        {
          host: "web-app-1",
          type: "http_5xx_rate_high",
          message: "getaddrinfo EAI_AGAIN",
          severity: "major",
          afterSeconds: 30,
        },
      ],
    ],
    [
      "a cache missing everything after a purge",
      "cdn_cache_stampede",
      "cache-edge-9",
      [
        {
          host: "cache-edge-9",
          type: "cache_miss_rate_high",
          message: "Miss rate 85% after purge",
          severity: "critical",
        },
      ],
    ],
    [
      "a firewall denying traffic right after a policy commit",
      "firewall_rule_misconfig",
      "edge-fw-02",
      [
        {
          host: "edge-fw-02",
          type: "policy_change_detected",
          message: "Security policy committed",
          severity: "warning",
        },
        {
          host: "edge-fw-02",
          type: "firewall_deny_spike",
          message: "Denies on rule 90 up 300x",
          severity: "major",
          afterSeconds: 10,
        },
      ],
    ],
    [
      "a database with sessions waiting on locks",
      "database_latency_spike",
      "db-primary-1",
      [
        { host: "db-primary-1", type: "pg_lock_waits", message: "45 sessions waiting on lock", severity: "critical" },
        {
          host: "api-2",
          type: "db_connection_pool_exhausted",
          message: "pool exhausted",
          severity: "major",
          afterSeconds: 30,
        },
      ],
    ],
    [
      "a raw syslog line reporting a BGP adjacency going down and up",
      "bgp_flap",
      "rtr-a",
      [
        {
          host: "rtr-a",
          type: "syslog",
          message: "%BGP-5-ADJCHANGE: neighbor 192.0.2.1 Down BGP Notification sent",
          severity: "major",
        },
        {
          host: "rtr-a",
          type: "syslog",
          message: "%BGP-5-ADJCHANGE: neighbor 192.0.2.1 Up",
          severity: "info",
          afterSeconds: 30,
        },
        {
          host: "rtr-a",
          type: "syslog",
          message: "%BGP-5-ADJCHANGE: neighbor 192.0.2.1 Down Hold timer expired",
          severity: "major",
          afterSeconds: 60,
        },
      ],
    ],
  ])("recognizes %s on imported data without a topology", (_, category, component, alerts) => {
    const [top] = rankRootCauses(
      { incidentId: null, summary: null, alerts: handmade(alerts) },
      { runbooks },
    ).hypotheses;
    expect(top?.category).toBe(category);
    expect(top?.root_component).toBe(component);
    expect(top?.hypothesis).toContain(component);
  });

  it.each<[string, string, RcaCategory]>([
    ["psu_failure", "Power supply 2 failed", "power_or_environment"],
    ["temperature_high", "Inlet temperature 58C", "power_or_environment"],
    ["process_crash", "Process dhcpd crashed, core dump written", "other"],
    ["fan_tray_failure", "Fan tray 1 failed", "power_or_environment"],
    ["linecard_failure", "Line card in slot 3 failed", "hardware_failure"],
  ])(
    "answers %s outside the network catalog (%s) with the calibrated confidence of its raw score",
    (type, message, category) => {
      const alerts = handmade([{ host: "core-router-1", type, message, severity: "major" }]);
      const input = { incidentId: null, summary: null, alerts };
      const [raw] = rankRootCauses(input, { runbooks, calibration: null }).hypotheses;
      const [top] = rankRootCauses(input, { runbooks }).hypotheses;
      expect(top?.category).toBe(category);
      expect(top?.root_component).toBe("core-router-1");
      // Raw scores outside the catalog stay capped at 0.3 (the ranking), but the calibrated confidence is the curve's
      // value there, not held at 0.5: all 12 such answers in the labelled sets were right (docs/rca.md#calibration).
      expect(raw?.confidence).toBeLessThanOrEqual(0.3);
      expect(top?.confidence).toBeCloseTo(calibrate(shippedCalibration()?.engines.baseline, raw?.confidence ?? 0), 2);
      expect(top?.confidence).toBeGreaterThan(0.5);
    },
  );

  it("answers alert types it has never seen with `other` at very low confidence", () => {
    const alerts = handmade([
      { host: "box-1", type: "widget_frobnicated", message: "the widget was frobnicated", severity: "major" },
    ]);
    const [top] = rankRootCauses({ incidentId: null, summary: null, alerts }, { runbooks }).hypotheses;
    expect(top?.category).toBe("other");
    expect(top?.confidence).toBeLessThanOrEqual(0.15);
    expect(top?.hypothesis).toContain("no known failure signature matched");
  });

  it("never calibrates a ranking that rests on nothing recognized, however many such alerts there are", () => {
    const alerts = handmade(
      ["widget_frobnicated", "gizmo_wobbled", "sprocket_misaligned", "flux_inverted", "doohickey_jammed"].map(
        (type, i) => ({
          host: `box-${i}`,
          type,
          message: `the ${type} happened`,
          severity: "critical",
          afterSeconds: i * 10,
        }),
      ),
    );
    const input = { incidentId: null, summary: null, alerts };
    const raw = rankRootCauses(input, { runbooks, calibration: null });
    const shipped = rankRootCauses(input, { runbooks });
    expect(raw.nothingRecognized).toBe(true);
    expect(shipped.hypotheses[0]?.category).toBe("other");
    // Five unknown alert types raise the raw vote share of `other`; through the curve it would read 0.7 or more.
    expect(calibrate(shippedCalibration()?.engines.baseline, raw.hypotheses[0]?.confidence ?? 0)).toBeGreaterThan(0.5);
    expect(shipped.hypotheses[0]?.confidence).toBe(raw.hypotheses[0]?.confidence);
    expect(shipped.hypotheses[0]?.confidence).toBeLessThanOrEqual(0.3);
    // One recognized failure signal among them and the ranking is calibrated again.
    const withSignal = handmade([
      { host: "core-router-1", type: "psu_failure", message: "Power supply 2 failed", severity: "major" },
    ]);
    expect(
      rankRootCauses({ ...input, alerts: [...alerts, ...withSignal] }, { runbooks, calibration: null })
        .nothingRecognized,
    ).toBe(false);
  });

  it("gives a lone weak signal a low calibrated confidence (the curve falls towards 0 below the labelled scores)", () => {
    const alerts = handmade([
      { host: "web-1", type: "http_5xx_rate_high", message: "5xx rate 7%", severity: "warning" },
    ]);
    const input = { incidentId: null, summary: null, alerts };
    const [raw] = rankRootCauses(input, { runbooks, calibration: null }).hypotheses;
    const [top] = rankRootCauses(input, { runbooks }).hypotheses;
    expect(raw?.confidence).toBeLessThan(0.15);
    expect(top?.confidence).toBeLessThanOrEqual(0.15);
  });

  it("ranks from the summary alone when an incident has no alerts, with low confidence", () => {
    const { hypotheses, retrieval } = rankRootCauses(
      { incidentId: null, summary: "BGP session with AS65001 flapping on edge-router-2", alerts: [] },
      { runbooks },
    );
    const [top] = hypotheses;
    expect(top?.category).toBe("bgp_flap");
    expect(top?.root_component).toBe("edge-router-2");
    expect(top?.hypothesis).toContain("AS65001");
    expect(top?.confidence).toBeLessThanOrEqual(0.45);
    expect(top?.evidence.alert_ids).toEqual([]);
    expect(retrieval[0]?.file).toBe("bgp_flap.md");

    const packetLoss = rankRootCauses(
      { incidentId: null, summary: "Packet loss on core-router-1 during peak hours", alerts: [] },
      { runbooks },
    ).hypotheses[0];
    expect(packetLoss?.category).toBe("network_degradation");
    expect(packetLoss?.root_component).toBe("core-router-1");
  });

  it("says `other` with no component when there is neither an alert nor a summary", () => {
    const { hypotheses } = rankRootCauses({ incidentId: null, summary: null, alerts: [] }, { runbooks });
    expect(hypotheses).toHaveLength(1);
    expect(hypotheses[0]?.category).toBe("other");
    expect(hypotheses[0]?.root_component).toBeNull();
  });
});
