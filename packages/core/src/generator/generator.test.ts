import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type CanonicalAlert,
  DEVICE_ROLES,
  type GenerateParams,
  type GroundTruth,
  LAYERS,
  SCENARIO_TYPES,
  type ScenarioType,
  severityRank,
} from "@teleops/schema";
import { describe, expect, it } from "vitest";
import { deriveFingerprint } from "../alerts/fingerprint.ts";
import { ValidationError } from "../errors.ts";
import {
  buildAdjacency,
  deviceIndex,
  type GeneratedScenario,
  generateScenario,
  loadTopology,
  SCENARIO_CATALOG,
  SYNTHETIC_TAG,
} from "./index.ts";

const topology = loadTopology();
const adjacency = buildAdjacency(topology);
const devices = deviceIndex(topology);
const START = new Date("2025-03-14T08:00:00.000Z");
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

function run(overrides: Partial<GenerateParams>): GeneratedScenario {
  const params: GenerateParams = {
    scenario: "fiber_cut",
    seed: 1,
    durationMinutes: 10,
    ratePerMinute: 25,
    noisePerMinute: 2,
    ...overrides,
  };
  return generateScenario(params, topology, START);
}

function alertsOf(result: GeneratedScenario, member: number): CanonicalAlert[] {
  return result.alerts.filter((_, index) => result.membership[index] === member);
}

function truthOf(result: GeneratedScenario, member = 0): GroundTruth {
  const truth = result.groundTruth[member];
  if (!truth) throw new Error(`no ground truth #${member}`);
  return truth;
}

function layerIndex(host: string): number {
  const device = devices.get(host);
  if (!device) throw new Error(`unknown host ${host}`);
  return LAYERS.indexOf(device.layer);
}

/** What each scenario must look like: root alert types (first one first), symptoms elsewhere, root payload keys. */
const SIGNATURES: Record<ScenarioType, { root: string[]; symptoms: string[]; payload: string[] }> = {
  fiber_cut: {
    root: ["optical_loss_of_signal", "optical_loss_of_frame"],
    symptoms: ["link_down"],
    payload: ["port", "span", "rx_power_dbm"],
  },
  network_degradation: {
    root: ["interface_crc_errors", "packet_loss", "latency_high"],
    symptoms: ["bfd_session_flap", "lag_member_flap"],
    payload: ["interface", "neighbor", "crc_errors_per_min", "rx_power_dbm"],
  },
  router_freeze: {
    root: ["control_plane_scheduler_slip", "snmp_timeout", "telemetry_stale", "control_plane_unresponsive"],
    symptoms: ["bfd_session_down", "lacp_partner_timeout"],
    payload: ["process", "slip_s"],
  },
  bgp_flap: {
    root: ["bgp_session_down", "bgp_session_up", "bgp_routes_withdrawn", "bgp_prefix_count_change"],
    symptoms: ["bgp_best_path_change", "traffic_shift"],
    payload: ["peer_as", "peer_ip", "interface", "flap_count"],
  },
  isp_peering_congestion: {
    root: ["interface_utilization_high", "interface_output_drops", "latency_high"],
    symptoms: ["transit_latency_high", "packet_loss"],
    payload: ["interface", "peer_as", "peer_ip", "utilization_pct"],
  },
  ddos_edge: {
    root: ["ddos_attack_detected", "interface_saturation", "interface_input_drops"],
    symptoms: ["latency_high", "firewall_session_table_high"],
    payload: ["target_ip", "attack_vector", "bps", "pps", "ingress_interface"],
  },
  mpls_vpn_leak: {
    root: ["vrf_route_leak", "route_target_mismatch", "vrf_prefix_limit_exceeded"],
    symptoms: ["bgp_vpn_prefix_surge", "unexpected_vrf_prefixes"],
    payload: ["vrf", "leaked_from_vrf", "route_target", "leaked_prefixes"],
  },
  dns_outage: {
    root: ["dns_servfail_rate_high", "dns_query_timeout", "dns_recursion_queue_full"],
    symptoms: ["dns_resolution_failure", "http_5xx_rate_high"],
    payload: ["resolver_ip", "port", "servfail_pct", "qps"],
  },
  cdn_cache_stampede: {
    root: ["cache_hit_ratio_low", "origin_request_surge"],
    symptoms: ["connection_pool_exhausted", "http_latency_high"],
    payload: ["hit_ratio", "baseline_hit_ratio", "misses_per_s"],
  },
  firewall_rule_misconfig: {
    root: ["firewall_policy_commit", "policy_deny_rate_high", "firewall_rule_shadowed"],
    symptoms: ["health_check_failed", "upstream_connect_timeout"],
    payload: ["config_version", "change_ticket", "moved_rule"],
  },
  database_latency_spike: {
    root: ["db_lock_wait_high", "db_slow_queries"],
    symptoms: ["db_connection_pool_exhausted", "http_latency_high"],
    payload: ["relation", "blocking_pid", "waiting_sessions"],
  },
};

/** Scenario kinds whose failure crosses an inter-site link, so the far end (another site) alarms too. */
const CROSS_SITE = new Set<ScenarioType>(["fiber_cut", "router_freeze", "network_degradation"]);
/** A `mixed` seed that puts two unrelated failures at one site (30-minute run). */
const SHARED_SITE_SEED = 2;

const DOCUMENTATION_IP = /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}$|^2001:db8:/;

describe("topology fixture", () => {
  it("has five sites that can each host every scenario", () => {
    expect(topology.sites).toHaveLength(5);
    for (const site of topology.sites) {
      for (const type of SCENARIO_TYPES) {
        const roots = topology.devices.filter(
          (d) => d.site === site.name && SCENARIO_CATALOG[type].rootRoles.includes(d.role),
        );
        expect(roots.length, `${type} at ${site.name}`).toBeGreaterThan(0);
      }
    }
  });

  it("names devices <site>-<role>-<nn> and gives every role a layer that fits it", () => {
    const expectedLayer = {
      optical: "optical",
      aggregation: "link",
      switch: "link",
      core: "routing",
      edge: "routing",
      peering: "routing",
      pe: "routing",
      dns: "service",
      cdn: "service",
      firewall: "service",
      database: "application",
      app: "application",
      server: "application",
    } as const;
    for (const device of topology.devices) {
      expect(device.name).toMatch(new RegExp(`^${device.site}-[a-z]+-\\d{2}$`));
      expect(device.layer).toBe(expectedLayer[device.role]);
    }
    expect(new Set(topology.devices.map((d) => d.role))).toEqual(new Set(DEVICE_ROLES));
  });

  it("joins sites only through core routers and long-haul optical spans", () => {
    for (const link of topology.links) {
      const a = devices.get(link.a);
      const b = devices.get(link.b);
      if (!a || !b || a.site === b.site) continue;
      expect([a.role, b.role].sort(), `${link.a}–${link.b}`).toSatisfy(
        (roles: string[]) => roles.every((r) => r === "core") || roles.every((r) => r === "optical"),
      );
    }
  });

  it("keeps the infrastructure servers off every device a scenario can affect except their own switch", () => {
    for (const device of topology.devices.filter((d) => d.role === "server")) {
      const roles = [...(adjacency.get(device.name) ?? [])].map((name) => devices.get(name)?.role);
      expect(roles).toEqual(["switch"]);
    }
  });

  it("refuses a topology file with a link to an unknown device, naming the field", () => {
    const dir = mkdtempSync(join(tmpdir(), "teleops-topology-"));
    const path = join(dir, "topology.json");
    writeFileSync(path, JSON.stringify({ sites: [], devices: [], links: [{ a: "x", b: "y" }] }));
    expect(() => loadTopology(path)).toThrow(ValidationError);
    try {
      loadTopology(path);
    } catch (error) {
      expect(error instanceof ValidationError && error.issues.map((i) => i.path)).toEqual(["links.0.a", "links.0.b"]);
    }
  });
});

describe("generateScenario: determinism", () => {
  it("replays byte-identical output for the same parameters and start time", () => {
    const first = run({ scenario: "mixed", seed: 42 });
    const second = run({ scenario: "mixed", seed: 42 });
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it("tells a different story with another seed", () => {
    const first = run({ scenario: "bgp_flap", seed: 42 });
    const second = run({ scenario: "bgp_flap", seed: 43 });
    expect(JSON.stringify(second.alerts)).not.toBe(JSON.stringify(first.alerts));
  });

  it("picks the failing device by seed among devices of the right role", () => {
    for (const type of SCENARIO_TYPES) {
      const roots = new Set(SEEDS.map((seed) => truthOf(run({ scenario: type, seed })).root_component));
      expect(roots.size, type).toBeGreaterThan(1);
      for (const root of roots) {
        expect(SCENARIO_CATALOG[type].rootRoles).toContain(devices.get(root)?.role);
      }
    }
  });
});

describe.each(SCENARIO_TYPES)("generateScenario: %s", (type) => {
  const signature = SIGNATURES[type];
  const results = SEEDS.map((seed) => run({ scenario: type, seed }));

  it("alarms first on the root device with the root signal", () => {
    for (const result of results) {
      const truth = truthOf(result);
      const [first] = alertsOf(result, 0);
      expect(first?.host).toBe(truth.root_component);
      expect(first?.alert_type).toBe(signature.root[0]);
      expect(first?.timestamp).toBe(truth.start_time);
    }
  });

  it("raises the root alert types on the root and the typical symptoms on other devices", () => {
    for (const result of results) {
      const truth = truthOf(result);
      const alerts = alertsOf(result, 0);
      const rootTypes = new Set(alerts.filter((a) => a.host === truth.root_component).map((a) => a.alert_type));
      for (const expected of signature.root)
        expect(rootTypes, `${expected} on ${truth.root_component}`).toContain(expected);
      const symptomTypes = new Set(alerts.filter((a) => a.host !== truth.root_component).map((a) => a.alert_type));
      expect(
        signature.symptoms.some((s) => symptomTypes.has(s)),
        [...symptomTypes].join(","),
      ).toBe(true);
    }
  });

  it("shows the other devices' first alarms after the root, in layer order", () => {
    for (const result of results) {
      const truth = truthOf(result);
      const firstSeen: string[] = [];
      for (const alert of alertsOf(result, 0)) if (!firstSeen.includes(alert.host)) firstSeen.push(alert.host);
      expect(firstSeen[0]).toBe(truth.root_component);
      expect(firstSeen.length).toBeGreaterThan(2);
      const layers = firstSeen.slice(1).map(layerIndex);
      expect(layers).toEqual([...layers].sort((a, b) => a - b));
    }
  });

  it("never lowers a condition's severity and escalates at least one as it persists", () => {
    for (const result of results) {
      const series = new Map<string, number[]>();
      for (const alert of alertsOf(result, 0)) {
        const key = `${alert.host}/${alert.alert_type}`;
        series.set(key, [...(series.get(key) ?? []), severityRank(alert.severity)]);
      }
      let escalated = false;
      for (const [key, ranks] of series) {
        expect(ranks, key).toEqual([...ranks].sort((a, b) => b - a));
        if ((ranks.at(-1) ?? 0) < (ranks[0] ?? 0)) escalated = true;
      }
      expect(escalated).toBe(true);
    }
  });

  it("re-fires ongoing root conditions periodically until the end of the run", () => {
    for (const result of results) {
      const truth = truthOf(result);
      const times = alertsOf(result, 0)
        .filter((a) => a.host === truth.root_component && a.alert_type === signature.root[1])
        .map((a) => Date.parse(a.timestamp));
      expect(times.length).toBeGreaterThanOrEqual(5);
      expect((times.at(-1) ?? 0) - START.getTime()).toBeGreaterThan(8 * 60_000);
      const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
      expect(Math.max(...gaps)).toBeLessThan(3 * 60_000);
    }
  });

  it("keeps the affected devices one linked group, leaving the scenario's site only across inter-site links", () => {
    for (const result of results) {
      const truth = truthOf(result);
      const hosts = new Set(alertsOf(result, 0).map((a) => a.host));
      const offSite = [...hosts].filter((host) => devices.get(host)?.site !== truth.site);
      if (!CROSS_SITE.has(type)) expect(offSite, type).toEqual([]);
      const reached = new Set([truth.root_component]);
      const queue = [truth.root_component];
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        for (const neighbour of adjacency.get(next) ?? []) {
          if (hosts.has(neighbour) && !reached.has(neighbour)) {
            reached.add(neighbour);
            queue.push(neighbour);
          }
        }
      }
      expect([...reached].sort()).toEqual([...hosts].sort());
    }
  });

  it("carries concrete details, the site and region a real feed has, and the synthetic marker, but no ground truth", () => {
    for (const result of results) {
      const truth = truthOf(result);
      const alerts = alertsOf(result, 0);
      const [first] = alerts;
      for (const key of signature.payload) expect(first?.raw_payload, key).toHaveProperty(key);
      for (const alert of alerts) {
        const device = devices.get(alert.host);
        expect(alert.tags).toEqual({ site: device?.site, region: device?.region, [SYNTHETIC_TAG]: "true" });
        expect(alert.alert_type).toMatch(/^[a-z0-9]+(_[a-z0-9]+)*$/);
        expect(Object.keys(alert.raw_payload).length).toBeGreaterThan(0);
        expect(alert.message.length).toBeGreaterThan(20);
        expect(alert.status).toBe("firing");
        expect(alert.tenant_id).toBeNull();
        expect(alert.fingerprint).toBe(deriveFingerprint(alert));
        expect(JSON.stringify(alert)).not.toContain(type);
      }
      for (const value of [first?.raw_payload.peer_ip, first?.raw_payload.resolver_ip, first?.raw_payload.target_ip]) {
        if (value !== undefined) expect(value).toMatch(DOCUMENTATION_IP);
      }
      expect(truth.root_cause).toContain(truth.root_component);
      expect(truth.remediation_steps.length).toBeGreaterThanOrEqual(3);
      expect(truth.remediation_steps.length).toBeLessThanOrEqual(6);
    }
  });

  it("makes noise that carries the same tags as the outage's alerts, so only the truth array tells them apart", () => {
    for (const result of results) {
      const noise = alertsOf(result, -1);
      expect(noise.length).toBe(20);
      for (const alert of noise) {
        const device = devices.get(alert.host);
        expect(alert.tags).toEqual({ site: device?.site, region: device?.region, [SYNTHETIC_TAG]: "true" });
      }
    }
  });
});

describe("generateScenario: both ends of an inter-site span alarm", () => {
  /** Alert types seen per site, for one scenario's own alerts. */
  function typesBySite(result: GeneratedScenario): Map<string, Set<string>> {
    const bySite = new Map<string, Set<string>>();
    for (const alert of alertsOf(result, 0)) {
      const site = devices.get(alert.host)?.site ?? "?";
      bySite.set(site, (bySite.get(site) ?? new Set()).add(alert.alert_type));
    }
    return bySite;
  }

  it("raises optical, link and routing alarms at both sites of a cut fibre", () => {
    const OPTICAL = ["optical_loss_of_signal", "optical_loss_of_frame", "optical_channel_power_low"];
    const ROUTING = ["isis_adjacency_down", "ldp_session_down", "bgp_neighbor_down"];
    for (const seed of SEEDS) {
      const result = run({ scenario: "fiber_cut", seed });
      const truth = truthOf(result);
      const bySite = typesBySite(result);
      expect(bySite.size, `seed ${seed}`).toBe(2);
      expect(bySite.has(truth.site)).toBe(true);
      for (const [site, types] of bySite) {
        expect(
          OPTICAL.some((t) => types.has(t)),
          `${site} optical, seed ${seed}`,
        ).toBe(true);
        expect(types.has("link_down"), `${site} link, seed ${seed}`).toBe(true);
        expect(
          ROUTING.some((t) => types.has(t)),
          `${site} routing, seed ${seed}`,
        ).toBe(true);
      }
      const farSite = [...bySite.keys()].find((site) => site !== truth.site);
      expect(truth.root_cause).toContain(farSite);
    }
  });

  it("makes a frozen core router's long-haul neighbours at the other sites lose it too", () => {
    let crossed = 0;
    for (const seed of [...SEEDS, 9, 10, 11, 12]) {
      const result = run({ scenario: "router_freeze", seed });
      const truth = truthOf(result);
      const root = devices.get(truth.root_component);
      if (root?.role !== "core") continue;
      const remote = [...(adjacency.get(root.name) ?? [])].filter((name) => devices.get(name)?.site !== root.site);
      const alarmed = new Set(alertsOf(result, 0).map((a) => `${a.host}/${a.alert_type}`));
      for (const name of remote) {
        expect(alarmed, `${name} seed ${seed}`).toContain(`${name}/bfd_session_down`);
        expect(alarmed, `${name} seed ${seed}`).toContain(`${name}/isis_adjacency_down`);
      }
      crossed += 1;
    }
    expect(crossed).toBeGreaterThan(0);
  });

  it("sometimes degrades a long-haul link, whose far end flaps at the other site", () => {
    const crossing = Array.from({ length: 40 }, (_, seed) => run({ scenario: "network_degradation", seed })).filter(
      (result) => typesBySite(result).size > 1,
    );
    expect(crossing.length).toBeGreaterThan(0);
    for (const result of crossing) {
      const truth = truthOf(result);
      const far = alertsOf(result, 0).filter((a) => devices.get(a.host)?.site !== truth.site);
      expect(far.map((a) => a.alert_type)).toContain("bfd_session_flap");
    }
  });
});

describe("generateScenario: noise", () => {
  const results = SEEDS.flatMap((seed) =>
    (["fiber_cut", "dns_outage", "router_freeze"] as const).map((scenario) =>
      run({ scenario, seed, noisePerMinute: 20 }),
    ),
  );

  it("puts some minor and major noise on the affected devices and their neighbours, most on quiet devices", () => {
    let near = 0;
    let loudNear = 0;
    let total = 0;
    let loud = 0;
    for (const result of results) {
      const affected = new Set(alertsOf(result, 0).map((a) => a.host));
      for (const alert of alertsOf(result, -1)) {
        total += 1;
        const isLoud = alert.severity === "minor" || alert.severity === "major";
        if (isLoud) loud += 1;
        const touched = affected.has(alert.host) || [...(adjacency.get(alert.host) ?? [])].some((n) => affected.has(n));
        if (touched) near += 1;
        if (touched && isLoud) loudNear += 1;
        expect(alert.severity).not.toBe("critical");
      }
    }
    expect(near / total).toBeGreaterThan(0.1);
    expect(near / total).toBeLessThan(0.3);
    expect(loud / total).toBeGreaterThan(0.1);
    expect(loud / total).toBeLessThan(0.3);
    expect(loudNear).toBeGreaterThan(0);
  });

  it("lands noise on the very devices an outage affects, not only on their neighbours", () => {
    const onAffected = results.some((result) => {
      const affected = new Set(alertsOf(result, 0).map((a) => a.host));
      return alertsOf(result, -1).some((alert) => affected.has(alert.host));
    });
    expect(onAffected).toBe(true);
  });
});

describe("generateScenario: mixed", () => {
  const results = Array.from({ length: 20 }, (_, seed) => run({ scenario: "mixed", seed, durationMinutes: 30 }));

  it("overlaps 3 to 5 scenarios of different types, at most two of them at one site", () => {
    const sizes = new Set<number>();
    for (const result of results) {
      const truths = result.groundTruth;
      sizes.add(truths.length);
      expect(truths.length).toBeGreaterThanOrEqual(3);
      expect(truths.length).toBeLessThanOrEqual(5);
      expect(new Set(truths.map((t) => t.site)).size).toBeGreaterThanOrEqual(truths.length - 1);
      expect(new Set(truths.map((t) => t.scenario)).size).toBe(truths.length);
    }
    expect(sizes.size).toBeGreaterThan(1);
  });

  it("places two unrelated failures at one site minutes apart in some runs", () => {
    const shared = results.filter(
      (result) => new Set(result.groundTruth.map((t) => t.site)).size < result.groundTruth.length,
    );
    expect(shared.length).toBeGreaterThan(3);
    expect(shared.length).toBeLessThan(results.length);
    for (const result of shared) {
      const [first, second] =
        result.groundTruth
          .map((truth) => result.groundTruth.filter((other) => other.site === truth.site))
          .find((truths) => truths.length === 2) ?? [];
      if (!first || !second) throw new Error("no site with two failures");
      expect(SCENARIO_CATALOG[first.scenario].layer).not.toBe(SCENARIO_CATALOG[second.scenario].layer);
      expect(first.root_component).not.toBe(second.root_component);
      const apartMs = Math.abs(Date.parse(first.start_time) - Date.parse(second.start_time));
      expect(apartMs).toBeGreaterThanOrEqual(60_000);
      expect(apartMs).toBeLessThanOrEqual(6 * 60_000);
    }
  });

  it("puts a router freeze and a cache stampede in lon1 three minutes apart with seed 2", () => {
    const truths = run({ scenario: "mixed", seed: SHARED_SITE_SEED, durationMinutes: 30 }).groundTruth;
    const inLon1 = truths.filter((t) => t.site === "lon1");
    expect(inLon1.map((t) => t.scenario).sort()).toEqual(["cdn_cache_stampede", "router_freeze"]);
    const [first, second] = inLon1.map((t) => Date.parse(t.start_time));
    expect(Math.abs((second ?? 0) - (first ?? 0))).toBeGreaterThan(2 * 60_000);
    expect(Math.abs((second ?? 0) - (first ?? 0))).toBeLessThan(4 * 60_000);
  });

  it("staggers the starts within the first half of the run", () => {
    const halfway = START.getTime() + 15 * 60_000;
    for (const result of results) {
      const starts = result.groundTruth.map((t) => Date.parse(t.start_time));
      for (const start of starts) {
        expect(start).toBeGreaterThanOrEqual(START.getTime());
        expect(start).toBeLessThan(halfway);
      }
      expect(new Set(starts).size).toBe(starts.length);
    }
  });

  it("keeps each scenario's alerts at its own site, or across the inter-site links of the cross-site kinds", () => {
    for (const result of results) {
      result.groundTruth.forEach((truth, member) => {
        for (const alert of alertsOf(result, member)) {
          if (!CROSS_SITE.has(truth.scenario)) expect(alert.tags.site).toBe(truth.site);
          expect(alert.tags).not.toHaveProperty("scenario");
        }
      });
    }
  });

  it("counts each scenario's alerts in its ground truth, at the rate over its active minutes", () => {
    for (const result of results) {
      result.groundTruth.forEach((truth, member) => {
        const count = result.membership.filter((m) => m === member).length;
        expect(truth.alert_count).toBe(count);
        const activeMinutes = (START.getTime() + 30 * 60_000 - Date.parse(truth.start_time)) / 60_000;
        expect(Math.abs(count - 25 * activeMinutes)).toBeLessThanOrEqual(1);
      });
    }
  });
});

describe("generateScenario: volume and order", () => {
  it("emits ratePerMinute × durationMinutes scenario alerts plus the requested noise", () => {
    const result = run({ scenario: "ddos_edge", ratePerMinute: 40, durationMinutes: 15, noisePerMinute: 3 });
    expect(alertsOf(result, 0)).toHaveLength(600);
    expect(truthOf(result).alert_count).toBe(600);
    expect(alertsOf(result, -1)).toHaveLength(45);
    expect(result.membership).toHaveLength(result.alerts.length);
  });

  it("spreads noise over the whole run", () => {
    const result = run({ scenario: "dns_outage", noisePerMinute: 30 });
    const times = alertsOf(result, -1).map((a) => Date.parse(a.timestamp) - START.getTime());
    expect(Math.min(...times)).toBeLessThan(60_000);
    expect(Math.max(...times)).toBeGreaterThan(9 * 60_000);
    expect(Math.max(...times)).toBeLessThan(10 * 60_000);
  });

  it("emits no noise when noisePerMinute is 0", () => {
    expect(run({ scenario: "router_freeze", noisePerMinute: 0 }).membership).not.toContain(-1);
  });

  it("sorts alerts by timestamp and never repeats a fingerprint at the same instant", () => {
    const result = run({ scenario: "mixed", seed: 9, ratePerMinute: 2_000, noisePerMinute: 500 });
    const times = result.alerts.map((a) => Date.parse(a.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const identities = new Set(result.alerts.map((a) => `${a.fingerprint}@${a.timestamp}`));
    expect(identities.size).toBe(result.alerts.length);
  });

  it("still alarms on the root first when the budget allows a single alert", () => {
    const result = run({ scenario: "fiber_cut", ratePerMinute: 1, durationMinutes: 1, noisePerMinute: 0 });
    expect(result.alerts).toHaveLength(1);
    expect(result.alerts[0]?.host).toBe(truthOf(result).root_component);
  });

  // How fast is `pnpm bench` (bench/generate.ts), not a wall-clock bound here that a busy CI machine breaks.
  it("generates a 100k-alert mixed day in one call, every alert valid", () => {
    const result = run({ scenario: "mixed", seed: 3, ratePerMinute: 2_400, durationMinutes: 10, noisePerMinute: 500 });
    expect(result.alerts.length).toBeGreaterThan(80_000);
    expect(result.alerts.every((alert) => alert.host !== "" && !Number.isNaN(Date.parse(alert.timestamp)))).toBe(true);
  });

  it("refuses a start time that is not a date", () => {
    expect(() =>
      generateScenario(
        { scenario: "bgp_flap", seed: 1, durationMinutes: 5, ratePerMinute: 10, noisePerMinute: 1 },
        topology,
        new Date("nope"),
      ),
    ).toThrow(ValidationError);
  });
});
