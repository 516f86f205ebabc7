/**
 * The baseline RCA engine: deterministic and explainable. It ranks the failure categories from the evidence in an
 * incident's alerts (what the signals mean, how early they fired, which layer alarmed first, what the payloads
 * say), blames the device that carries the earliest and strongest root signals, and cites the alerts, details and
 * runbook sections it relied on.
 */
import {
  type Alert,
  type CategoryPriors,
  DEFAULT_CATEGORY_PRIORS,
  type DeviceRole,
  FAILURE_TAXONOMY,
  type Hypothesis,
  isDeviceRole,
  isOutsideNetworkCatalog,
  type Layer,
  type NetworkDevice,
  type NetworkTopology,
  type RcaCategory,
  type RunbookChunkRef,
  type Severity,
} from "@teleops/schema";
import { type CalibrationCurve, calibrateHypotheses, shippedCalibration } from "../calibration.ts";
import { incidentQuery, type RunbookIndex } from "../retrieval.ts";
import { splitWords, terms } from "../text.ts";
import { Facts } from "./facts.ts";
import {
  type EvidenceFeature,
  layerIndex,
  matchFeatures,
  ROOT_GRADE,
  readSignals,
  UNRECOGNIZED_VOTE,
  wordSet,
} from "./features.ts";
import { KNOWLEDGE, ROLE_NOUNS, type Story } from "./knowledge.ts";
import { readDeviceSequences } from "./sequences.ts";

export interface RcaInput {
  incidentId: string | null;
  /** Incident title or a label's incident_summary; ranked from when there are no alerts. */
  summary: string | null;
  /** Stored alerts, in any order; may be empty. */
  alerts: Alert[];
}

export interface RcaResult {
  hypotheses: Hypothesis[];
  retrieval: RunbookChunkRef[];
  /**
   * True when no alert matched a feature that votes for a failure (only alert types nothing recognizes, or
   * recoveries and logins): the ranking rests on nothing recognized and is not calibrated (see `calibrateRanking`).
   */
  nothingRecognized?: boolean;
}

export interface RcaDeps {
  runbooks: RunbookIndex;
  topology?: NetworkTopology;
  /** Layer and device-role priors per category (a tenant's adjustments); the taxonomy's defaults otherwise. */
  priors?: CategoryPriors;
  /**
   * The confidence calibration: omitted = the shipped curve (`rca/calibration.json`), `null` = raw scores (what
   * the calibration is fitted on).
   */
  calibration?: CalibrationCurve | null;
}

const MAX_HYPOTHESES = 3;
/** Conditions whose strongest vote is below this are background chatter, not the incident's first alarm. */
const BACKGROUND_BELOW = 0.7;
/** Later alarms in a higher layer than the earliest root signal are read as its symptoms and count this much. */
const EXPLAINED_AWAY = 0.5;
/** Share of a category's score that stays "unknown": a single weak signal must not look certain. */
const CONFIDENCE_PRIOR = 2.5;
/** Causes outside the network catalog (`other` and what refines it) are never a confident answer: the engine
 * sees them through a few generic words, and they name no network failure mode to act on. */
const OTHER_CONFIDENCE_CAP = 0.3;
const MAX_CITED = 60;
const MAX_RUNBOOK_STEPS = 4;

const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = {
  critical: 1.15,
  major: 1.1,
  minor: 1,
  warning: 0.85,
  info: 0.6,
};

/** Payload keys whose value names another device the alert points at (the neighbour that vanished, the upstream). */
const REFERENCE_KEYS = new Set(
  [
    "neighbor",
    "neighbour",
    "partner",
    "upstream",
    "originator",
    "database_host",
    "db_host",
    "via",
    "upstream_via",
    "old_next_hop_router",
    "primary",
    "top_client",
    "remote_host",
  ].map((key) => key.replace(/_/g, "")),
);

/**
 * Words NOCs commonly put in device names (`edge-fw-02`, `dns-resolver-a`), most specific first. A weak hint only:
 * the topology and the alert types come first, and a device named at random loses nothing but the hint.
 */
const ROLE_NAME_HINTS: ReadonlyArray<[DeviceRole, ReadonlySet<string>]> = [
  ["optical", new Set(["roadm", "xpdr", "otn", "dwdm", "opt", "optical", "mux", "ila", "olt", "transponder"])],
  ["firewall", new Set(["fw", "firewall", "asa", "srx"])],
  ["dns", new Set(["dns", "resolver", "ns", "recursor", "unbound"])],
  ["cdn", new Set(["cdn", "cache", "varnish"])],
  ["database", new Set(["db", "pg", "sql", "mysql", "postgres", "database", "oracle", "mongo"])],
  ["peering", new Set(["peer", "peering", "ix", "pni"])],
  ["edge", new Set(["edge", "border", "br", "transit"])],
  ["pe", new Set(["pe"])],
  ["core", new Set(["core", "cr", "backbone"])],
  ["aggregation", new Set(["agg", "aggregation"])],
  ["switch", new Set(["sw", "switch", "tor", "leaf", "spine", "access"])],
  ["app", new Set(["app", "api", "web", "frontend"])],
  ["server", new Set(["srv", "server", "host", "vm", "hv", "hypervisor", "esx", "esxi", "kvm"])],
];
const GENERIC_ROUTER_WORDS = new Set(["rtr", "router", "gw", "bng", "mx", "asr", "ncs", "ptx"]);
const ROLE_LAYER: Readonly<Record<DeviceRole, Layer>> = {
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
};
/** How much a device's role backs the failures that start on devices of that role. */
const ROLE_SUPPORT = { topology: 1.25, "device name": 1.1 } as const;
/** Roles of machines that are not routers: a control-plane freeze is a router's failure, not a server's. */
const HOST_ROLES: ReadonlySet<DeviceRole> = new Set(["server", "app", "database", "dns", "cdn"]);
/** What is left of a router-freeze vote from a device known to be a server. */
const NOT_A_ROUTER = 0.25;

/** One condition: an alert type on one host, with every firing of it. */
interface Condition {
  host: string;
  type: string;
  alerts: Alert[];
  firstMs: number;
  lastMs: number;
  severity: number;
  features: EvidenceFeature[];
  votes: Map<RcaCategory, number>;
  layer: Layer | undefined;
  /** How much the condition counts: repeats, earliness and severity. */
  weight: number;
}

interface HostInfo {
  name: string;
  firstMs: number;
  device: NetworkDevice | undefined;
  layer: Layer | undefined;
  layerSource: "topology" | "alert types" | "device name" | null;
  role: DeviceRole | undefined;
  roleSource: "topology" | "device name" | null;
  conditions: Condition[];
  bgpDown: number;
  bgpUp: number;
}

interface Analysis {
  conditions: Condition[];
  hosts: Map<string, HostInfo>;
  first: Condition | undefined;
  anchor: { condition: Condition; category: RcaCategory } | undefined;
  scores: Map<RcaCategory, number>;
  explained: Map<RcaCategory, Condition[]>;
  topology: TopologyLookup | undefined;
  priors: CategoryPriors;
}

interface TopologyLookup {
  devices: Map<string, NetworkDevice>;
  neighbours: Map<string, Set<string>>;
}

const topologyCache = new WeakMap<NetworkTopology, TopologyLookup>();

function lookupFor(topology: NetworkTopology | undefined): TopologyLookup | undefined {
  if (!topology) return undefined;
  let lookup = topologyCache.get(topology);
  if (!lookup) {
    const neighbours = new Map<string, Set<string>>();
    for (const link of topology.links) {
      if (link.kind === "dependency") continue;
      for (const [a, b] of [
        [link.a, link.b],
        [link.b, link.a],
      ] as const) {
        let set = neighbours.get(a);
        if (!set) {
          set = new Set();
          neighbours.set(a, set);
        }
        set.add(b);
      }
    }
    lookup = { devices: new Map(topology.devices.map((d) => [d.name, d])), neighbours };
    topologyCache.set(topology, lookup);
  }
  return lookup;
}

/**
 * Ranks up to three root-cause hypotheses for an incident, with evidence, remediation and runbook references; their
 * confidence is calibrated (see rca/calibration.ts) unless `deps.calibration` is null or there are no alerts.
 */
export function rankRootCauses(input: RcaInput, deps: RcaDeps): RcaResult {
  const raw = rankRaw(input, deps);
  const curve = deps.calibration === undefined ? shippedCalibration()?.engines.baseline : deps.calibration;
  return calibrateRanking(raw, input.alerts.length > 0, curve);
}

/**
 * A raw ranking with calibrated confidence. The curve was fitted on labelled incidents whose alerts the engine
 * recognized, so two kinds of ranking keep their raw, low confidence, there being no labelled case like them: a
 * ranking from the summary's words alone (no alerts, raw ≤ 0.45), and one that rests on nothing recognized (alert
 * types no feature knows, raw 0.1 for one such alert and at most 0.3, the cap of `other`).
 */
export function calibrateRanking(
  raw: RcaResult,
  hasAlerts: boolean,
  curve: CalibrationCurve | null | undefined,
): RcaResult {
  if (!hasAlerts || raw.nothingRecognized || !curve) return raw;
  return { ...raw, hypotheses: calibrateHypotheses(raw.hypotheses, curve) };
}

function rankRaw(input: RcaInput, deps: RcaDeps): RcaResult {
  const retrieval = deps.runbooks.search(incidentQuery(input, deps.topology), 5);
  if (input.alerts.length === 0) return rankFromSummary(input, deps, retrieval);

  const analysis = analyze(input.alerts, lookupFor(deps.topology), deps.priors ?? DEFAULT_CATEGORY_PRIORS);
  const ranked = [...analysis.scores.entries()].filter(([, score]) => score > 0).sort((a, b) => b[1] - a[1]);
  const total = ranked.reduce((sum, [, score]) => sum + score, 0);
  const top = ranked[0]?.[1] ?? 0;
  const strength = 1 - Math.exp(-top / 8);
  const notes = incidentNotes(analysis, Boolean(deps.topology));
  const nothingRecognized = !analysis.conditions.some((c) => c.features.some((f) => Object.keys(f.votes).length > 0));

  const hypotheses = ranked.slice(0, MAX_HYPOTHESES).map(([category, score], index): Hypothesis => {
    let confidence = (score / (total + CONFIDENCE_PRIOR)) * (0.55 + 0.45 * strength);
    if (isOutsideNetworkCatalog(category)) confidence = Math.min(confidence, OTHER_CONFIDENCE_CAP);
    return buildHypothesis(analysis, category, index + 1, round(confidence), notes, deps, retrieval);
  });
  return { hypotheses, retrieval, nothingRecognized };
}

function round(value: number): number {
  return Math.round(Math.max(0, Math.min(1, value)) * 100) / 100;
}

function analyze(alerts: readonly Alert[], topology: TopologyLookup | undefined, priors: CategoryPriors): Analysis {
  const conditions = groupConditions(alerts);
  const hosts = describeHosts(conditions, topology);
  markBgpFlaps(hosts);
  readDeviceSequences(conditions);

  const foreground = conditions.filter((c) => maxVote(c) >= BACKGROUND_BELOW);
  const first = foreground[0] ?? conditions[0];
  const startMs = first?.firstMs ?? 0;
  const endMs = conditions.reduce((max, c) => Math.max(max, c.lastMs), startMs);
  // Earliness decays over a few percent of the incident: the first alarms are the likeliest causes.
  const tau = Math.min(120_000, Math.max(3_000, (endMs - startMs) * 0.04));
  for (const c of conditions) {
    const repeats = 1 + 0.35 * Math.log2(c.alerts.length);
    const earliness = 1 + 0.6 * Math.exp(-Math.max(0, c.firstMs - startMs) / tau);
    c.weight = repeats * earliness * c.severity;
  }

  const anchorCondition = conditions.find((c) => maxVote(c) >= ROOT_GRADE && c.severity > SEVERITY_WEIGHT.info);
  const anchor = anchorCondition ? { condition: anchorCondition, category: topVote(anchorCondition) } : undefined;
  const anchorLayer = anchor ? layerIndex(hosts.get(anchor.condition.host)?.layer) : -1;

  const scores = new Map<RcaCategory, number>();
  const explained = new Map<RcaCategory, Condition[]>();
  for (const c of conditions) {
    const host = hosts.get(c.host);
    const layer = layerIndex(host?.layer);
    const aboveAnchor =
      anchor !== undefined &&
      anchorLayer >= 0 &&
      c.host !== anchor.condition.host &&
      layer > anchorLayer &&
      c.firstMs >= anchor.condition.firstMs;
    const afterAnchorOnItsDevice = anchor !== undefined && followsOnSameDevice(c, anchor.condition);
    for (const [category, vote] of c.votes) {
      const discounted = (aboveAnchor || afterAnchorOnItsDevice) && category !== anchor?.category;
      if (discounted && anchor && vote >= ROOT_GRADE) {
        const list = explained.get(anchor.category) ?? [];
        list.push(c);
        explained.set(anchor.category, list);
      }
      const contribution = vote * c.weight * roleSupport(host, category, priors) * (discounted ? EXPLAINED_AWAY : 1);
      scores.set(category, (scores.get(category) ?? 0) + contribution);
    }
  }
  // The layer of the first-alarming device favours the failures that start in that layer.
  const firstLayer = first ? hosts.get(first.host)?.layer : undefined;
  if (firstLayer) {
    for (const [category, score] of scores) {
      if (priors[category].layer === firstLayer) scores.set(category, score * 1.15);
    }
  }
  return { conditions, hosts, first, anchor, scores, explained, topology, priors };
}

/**
 * Later alarms on the device of the incident's first root signal, no stronger than it, are read as what it led to:
 * a host that reported uncorrectable memory errors and then went down, a database whose disk filled and then
 * crashed. A stronger signal after it (an attack after a full port) is read on its own.
 */
function followsOnSameDevice(c: Condition, anchor: Condition): boolean {
  return c !== anchor && c.host === anchor.host && c.firstMs >= anchor.firstMs && maxVote(c) <= maxVote(anchor);
}

/** Failures usually start on devices of certain roles (BGP flaps on peering and edge routers, leaks on PEs). */
function roleSupport(host: HostInfo | undefined, category: RcaCategory, priors: CategoryPriors): number {
  if (!host?.role || !host.roleSource) return 1;
  if (category === "router_freeze" && HOST_ROLES.has(host.role)) return NOT_A_ROUTER;
  return priors[category].rootRoles.includes(host.role) ? ROLE_SUPPORT[host.roleSource] : 1;
}

function groupConditions(alerts: readonly Alert[]): Condition[] {
  // Grouping first and ordering each small group after avoids sorting the whole incident; stored alerts
  // usually arrive in time order already, so most groups need no sort at all.
  const byHost = new Map<string, Map<string, { alerts: Alert[]; times: number[] }>>();
  for (const alert of alerts) {
    let byType = byHost.get(alert.host);
    if (!byType) {
      byType = new Map();
      byHost.set(alert.host, byType);
    }
    let group = byType.get(alert.alert_type);
    if (!group) {
      group = { alerts: [], times: [] };
      byType.set(alert.alert_type, group);
    }
    group.alerts.push(alert);
    group.times.push(Date.parse(alert.timestamp));
  }
  const conditions: Condition[] = [];
  for (const [host, byType] of byHost) {
    for (const [type, group] of byType) {
      const ordered = inTimeOrder(group.alerts, group.times);
      let severity = 0;
      for (const alert of ordered.alerts) severity = Math.max(severity, SEVERITY_WEIGHT[alert.severity] ?? 1);
      const condition: Condition = {
        host,
        type,
        alerts: ordered.alerts,
        firstMs: ordered.times[0] ?? 0,
        lastMs: ordered.times[ordered.times.length - 1] ?? 0,
        severity,
        features: [],
        votes: new Map(),
        layer: undefined,
        weight: 1,
      };
      scoreCondition(condition);
      conditions.push(condition);
    }
  }
  return conditions.sort((a, b) => a.firstMs - b.firstMs || (a.alerts[0]?.id ?? 0) - (b.alerts[0]?.id ?? 0));
}

function inTimeOrder(alerts: Alert[], times: number[]): { alerts: Alert[]; times: number[] } {
  let sorted = true;
  for (let i = 1; i < times.length && sorted; i++) {
    const previous = times[i - 1] ?? 0;
    const current = times[i] ?? 0;
    if (current < previous || (current === previous && (alerts[i]?.id ?? 0) < (alerts[i - 1]?.id ?? 0))) sorted = false;
  }
  if (sorted) return { alerts, times };
  const order = alerts
    .map((_, i) => i)
    .sort((a, b) => (times[a] ?? 0) - (times[b] ?? 0) || (alerts[a]?.id ?? 0) - (alerts[b]?.id ?? 0));
  return {
    alerts: order.flatMap((i) => {
      const alert = alerts[i];
      return alert ? [alert] : [];
    }),
    times: order.map((i) => times[i] ?? 0),
  };
}

/** Votes of one condition: its alert type first, its message as a weaker fallback, then payload refinements. */
function scoreCondition(condition: Condition): void {
  const first = condition.alerts[0];
  const signals = readSignals(condition.type, first?.message ?? "");
  const votes = signals.votes;
  condition.features = signals.features;
  condition.layer = signals.layer;
  condition.votes = votes;

  // Which way a full port faces separates a DDoS (inbound) from congestion towards a peer (outbound).
  if (condition.features.some((f) => f.id === "port_utilization" || f.id === "port_saturation") && first) {
    const direction = `${String(first.raw_payload.direction ?? "")} ${first.message}`;
    if (/\b(inbound|ingress|input|rx)\b/i.test(direction)) {
      votes.set("ddos_edge", Math.max(votes.get("ddos_edge") ?? 0, 2.4));
      votes.set("isp_peering_congestion", (votes.get("isp_peering_congestion") ?? 0) * 0.6);
    } else if (/\b(outbound|egress|output|tx)\b/i.test(direction)) {
      votes.set("ddos_edge", (votes.get("ddos_edge") ?? 0) * 0.4);
    }
  }
}

function maxVote(condition: Condition): number {
  let max = 0;
  for (const vote of condition.votes.values()) max = Math.max(max, vote);
  return max;
}

function topVote(condition: Condition): RcaCategory {
  let best: RcaCategory = "other";
  let max = -1;
  for (const [category, vote] of condition.votes) {
    if (vote > max) {
      max = vote;
      best = category;
    }
  }
  return best;
}

function describeHosts(conditions: readonly Condition[], topology: TopologyLookup | undefined): Map<string, HostInfo> {
  const hosts = new Map<string, HostInfo>();
  for (const condition of conditions) {
    let info = hosts.get(condition.host);
    if (!info) {
      const device = topology?.devices.get(condition.host);
      // Imported topologies carry any role string and may lack layers; only known roles and given layers count.
      const givenRole = device?.role;
      const role = isDeviceRole(givenRole) ? givenRole : undefined;
      info = {
        name: condition.host,
        firstMs: condition.firstMs,
        device,
        layer: device?.layer,
        layerSource: device?.layer ? "topology" : null,
        role,
        roleSource: role ? "topology" : null,
        conditions: [],
        bgpDown: 0,
        bgpUp: 0,
      };
      hosts.set(condition.host, info);
    }
    info.conditions.push(condition);
    info.firstMs = Math.min(info.firstMs, condition.firstMs);
  }
  for (const info of hosts.values()) {
    if (info.role && info.layer) continue;
    const words = new Set(splitWords(info.name));
    const hint = info.role
      ? undefined
      : ROLE_NAME_HINTS.find(([, names]) => [...names].some((name) => words.has(name)));
    if (hint) {
      info.role = hint[0];
      info.roleSource = "device name";
    }
    if (info.layer) continue;
    for (const condition of info.conditions) {
      if (condition.layer && layerIndex(condition.layer) > layerIndex(info.layer)) info.layer = condition.layer;
    }
    if (info.layer) {
      info.layerSource = "alert types";
    } else if (info.role || [...words].some((word) => GENERIC_ROUTER_WORDS.has(word))) {
      info.layer = info.role ? ROLE_LAYER[info.role] : "routing";
      info.layerSource = "device name";
    }
  }
  return hosts;
}

const SESSION_FEATURES = new Set(["bgp_session_down", "bgp_session_up"]);
const UP_WORDS = /\b(up|established|estab)\b/i;
const DOWN_TO = /\b(to|into)\s+(idle|active|connect)\b|\bdown\b|backward|idle/i;

/**
 * A session that keeps going down and coming back on one router is a flap, a root signal; a session that only
 * went down is more often a symptom of something beneath it.
 */
function markBgpFlaps(hosts: Map<string, HostInfo>): void {
  for (const info of hosts.values()) {
    const sessionConditions = info.conditions.filter((c) => c.features.some((f) => SESSION_FEATURES.has(f.id)));
    const declared = info.conditions.some((c) => c.features.some((f) => f.id === "bgp_flapping"));
    if (sessionConditions.length === 0) continue;
    let flapCount = 0;
    const events: SessionEvent[] = [];
    for (const condition of sessionConditions) {
      const type = condition.type.replace(/_/g, " ");
      const typeSaysUp = UP_WORDS.test(type);
      const typeSaysDown = DOWN_TO.test(type);
      const typeIsBgp = /bgp/i.test(type);
      for (const alert of condition.alerts) {
        // A generic type (`syslog`) lumps many lines together; only its BGP lines are session events.
        if (!typeIsBgp && !/bgp/i.test(alert.message)) continue;
        const flaps = Number(alert.raw_payload.flap_count ?? alert.raw_payload.flaps ?? 0);
        if (Number.isFinite(flaps)) flapCount = Math.max(flapCount, flaps);
        const ms = Date.parse(alert.timestamp);
        const peer = sessionPeer(alert);
        // A resolved alert with an end time is a whole episode (Alertmanager: down, then back); a resolved event
        // without one reports the session back, whatever its type says (older syslog imports).
        const resolved = alert.status === "resolved";
        const endsAt = alert.raw_payload.endsAt;
        if (resolved && typeof endsAt === "string" && !endsAt.startsWith("0001-")) {
          events.push({ ms, peer, up: false }, { ms: Date.parse(endsAt), peer, up: true });
          continue;
        }
        const up =
          resolved || typeSaysUp || (!typeSaysDown && UP_WORDS.test(alert.message) && !DOWN_TO.test(alert.message));
        events.push({ ms, peer, up });
      }
    }
    const peerFlapping = countSessionEvents(info, events);
    const flapping = peerFlapping || flapCount >= 2 || declared;
    for (const condition of sessionConditions) {
      const first = condition.alerts[0];
      const internal =
        String(first?.raw_payload.session ?? "").toLowerCase() === "ibgp" || /\bibgp\b/i.test(first?.message ?? "");
      let vote = condition.votes.get("bgp_flap") ?? 0;
      if (flapping) vote = Math.max(vote, UP_WORDS.test(condition.type.replace(/_/g, " ")) ? 2.4 : 3.4);
      if (internal) vote *= 0.5;
      condition.votes.set("bgp_flap", vote);
    }
  }
}

const PEER_KEYS = ["neighbor", "bgpPeerRemoteAddr", "peer", "peer_ip", "peer_address", "neighbor_ip"] as const;

/** The peer a session event is about, from tags or payload; "" when the alert does not say. */
function sessionPeer(alert: Alert): string {
  for (const key of PEER_KEYS) {
    const value = alert.tags[key] ?? alert.raw_payload[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return "";
}

interface SessionEvent {
  ms: number;
  peer: string;
  up: boolean;
}

/** One session going down is often logged several times at once (IOS: NOTIFICATION, ADJCHANGE, BGP_SESSION). */
const SAME_TRANSITION_MS = 5_000;

/**
 * Counts downs and ups; downs of one peer within a few seconds, with no up between, are one transition. True when
 * one session went down at least twice and came back at least once: a flap. Several sessions that each dropped
 * once went down together for one reason beneath them (a reset, a commit, a lost link), which is not a flap.
 */
function countSessionEvents(info: HostInfo, events: SessionEvent[]): boolean {
  events.sort((a, b) => a.ms - b.ms);
  const lastDown = new Map<string, number>();
  const lastUp = new Map<string, number>();
  const downs = new Map<string, number>();
  const ups = new Map<string, number>();
  for (const event of events) {
    if (event.up) {
      info.bgpUp++;
      lastUp.set(event.peer, event.ms);
      ups.set(event.peer, (ups.get(event.peer) ?? 0) + 1);
      continue;
    }
    const previous = lastDown.get(event.peer);
    const repeated =
      previous !== undefined &&
      event.ms - previous <= SAME_TRANSITION_MS &&
      (lastUp.get(event.peer) ?? Number.NEGATIVE_INFINITY) < previous;
    if (!repeated) {
      info.bgpDown++;
      downs.set(event.peer, (downs.get(event.peer) ?? 0) + 1);
    }
    lastDown.set(event.peer, event.ms);
  }
  for (const [peer, count] of downs) if (count >= 2 && (ups.get(peer) ?? 0) >= 1) return true;
  return false;
}

/** Picks the device to blame for a category: strongest supporting evidence, earliest first, topology when known. */
function chooseComponent(analysis: Analysis, category: RcaCategory): HostInfo | undefined {
  const scores = new Map<string, number>();
  const hostNames = analysis.hosts;
  for (const c of analysis.conditions) {
    const vote = c.votes.get(category) ?? 0;
    if (vote <= 0) continue;
    scores.set(c.host, (scores.get(c.host) ?? 0) + vote * c.weight);
    // Alerts that name another alarming device (the neighbour that vanished, the upstream) accuse it a little.
    const payload = c.alerts[0]?.raw_payload ?? {};
    for (const [key, value] of Object.entries(payload)) {
      if (typeof value !== "string" || value === c.host || !REFERENCE_KEYS.has(key.toLowerCase().replace(/_/g, ""))) {
        continue;
      }
      if (hostNames.has(value)) scores.set(value, (scores.get(value) ?? 0) + 0.3 * vote * c.weight);
    }
  }
  let best: HostInfo | undefined;
  let bestScore = 0;
  for (const [name, raw] of scores) {
    const info = analysis.hosts.get(name);
    if (!info) continue;
    let score = raw * roleSupport(info, category, analysis.priors);
    const neighbours = analysis.topology?.neighbours.get(name);
    if (neighbours) {
      let alarming = 0;
      for (const neighbour of neighbours) if (analysis.hosts.has(neighbour)) alarming++;
      score *= 1 + 0.05 * Math.min(alarming, 6);
    }
    if (score > bestScore || (score === bestScore && best && info.firstMs < best.firstMs)) {
      best = info;
      bestScore = score;
    }
  }
  return best;
}

function incidentNotes(analysis: Analysis, hasTopology: boolean): string[] {
  const notes: string[] = [];
  const first = analysis.first;
  if (first) {
    const info = analysis.hosts.get(first.host);
    const layer = info?.layer ? `${info.layer} layer, from ${info.layerSource}` : "layer unknown";
    notes.push(`First alarm: ${first.type} on ${first.host} (${layer}) at ${new Date(first.firstMs).toISOString()}`);
  }
  const unknown = [...analysis.hosts.values()].filter((h) => !h.device).length;
  if (unknown > 0) {
    notes.push(
      hasTopology
        ? `${unknown} of ${analysis.hosts.size} devices are not in the topology; their layers are inferred from alert types`
        : "No topology given; device layers are inferred from alert types",
    );
  }
  return notes;
}

function sample(alerts: readonly Alert[]): Alert[] {
  return alerts.length <= 6 ? [...alerts] : [...alerts.slice(0, 3), ...alerts.slice(-3)];
}

function buildHypothesis(
  analysis: Analysis,
  category: RcaCategory,
  rank: number,
  confidence: number,
  incidentNoteList: readonly string[],
  deps: RcaDeps,
  retrieval: RunbookChunkRef[],
): Hypothesis {
  const knowledge = KNOWLEDGE[category];
  const component = chooseComponent(analysis, category);
  const support = analysis.conditions.filter((c) => (c.votes.get(category) ?? 0) > 0);
  const onRoot = support.filter((c) => c.host === component?.name);
  const rootSignals = onRoot.filter((c) => (c.votes.get(category) ?? 0) >= ROOT_GRADE);

  const story: Story = {
    host: component?.name ?? null,
    noun: component?.role ? ROLE_NOUNS[component.role] : knowledge.noun,
    root: new Facts(onRoot.flatMap((c) => sample(c.alerts))),
    all: new Facts(support.flatMap((c) => sample(c.alerts))),
    otherDevices: new Set(support.map((c) => c.host).filter((h) => h !== component?.name)).size,
    rootSpanMs:
      onRoot.length > 0 ? Math.max(...onRoot.map((c) => c.lastMs)) - Math.min(...onRoot.map((c) => c.firstMs)) : 0,
    downEvents: category === "bgp_flap" ? (component?.bgpDown ?? 0) : 0,
    rootTypes: [...onRoot].sort((a, b) => b.alerts.length - a.alerts.length).map((c) => c.type),
    meanings: meaningsFor(onRoot.length > 0 ? onRoot : support, category),
  };
  // Without a root signal of its own the category is only a reading of shared symptoms; say so, claim nothing more.
  const failure =
    rootSignals.length > 0 || category === "other"
      ? knowledge.failure(story)
      : `possible ${FAILURE_TAXONOMY[category].title.toLowerCase()}, but only shared symptoms were seen (${story.rootTypes.slice(0, 3).join(", ") || "none on this device"})`;
  const text = `${story.host ? `${story.noun} ${story.host}: ` : ""}${failure}`;

  const cited = new Set<number>();
  const primary = rootSignals.length > 0 ? rootSignals : onRoot;
  for (const c of primary) {
    for (const alert of c.alerts) {
      if (cited.size >= MAX_CITED / 2) break;
      cited.add(alert.id);
    }
  }
  for (const c of support) {
    const firstAlert = c.alerts[0];
    if (firstAlert && cited.size < MAX_CITED) cited.add(firstAlert.id);
  }
  const countsByType: Record<string, number> = {};
  const firstSeen: Record<string, string> = {};
  // Conditions are in order of their first alarm, so the first one seen for a type holds its first-seen time.
  for (const c of support) {
    countsByType[c.type] = (countsByType[c.type] ?? 0) + c.alerts.length;
    const firstAlert = c.alerts[0];
    if (firstSeen[c.type] === undefined && firstAlert) firstSeen[c.type] = firstAlert.timestamp;
  }

  const notes = [...incidentNoteList, ...categoryNotes(analysis, category, component, onRoot, support)];
  const { refs, steps } = runbookSupport(deps.runbooks, category, story, retrieval);
  const firstStep = knowledge.firstStep(story);
  return {
    rank,
    category,
    root_component: story.host,
    hypothesis: text,
    confidence,
    evidence: {
      alert_ids: [...cited].sort((a, b) => a - b),
      counts_by_type: countsByType,
      first_seen: firstSeen,
      notes,
    },
    remediation_steps: [firstStep, ...withoutRepeats(firstStep, steps)],
    runbook_refs: refs,
  };
}

/** Runbook steps that do not repeat what the concrete first step already says. */
function withoutRepeats(first: string, steps: readonly string[]): string[] {
  const said = new Set(terms(first));
  return steps
    .filter((step) => {
      const words = new Set(terms(step));
      let shared = 0;
      for (const word of words) if (said.has(word)) shared++;
      return shared / Math.max(1, Math.min(words.size, said.size)) < 0.4;
    })
    .slice(0, MAX_RUNBOOK_STEPS);
}

function meaningsFor(conditions: readonly Condition[], category: RcaCategory): string[] {
  const weighted = new Map<string, number>();
  for (const c of conditions) {
    for (const f of c.features) {
      const vote = f.votes[category] ?? 0;
      if (vote > 0) weighted.set(f.meaning, Math.max(weighted.get(f.meaning) ?? 0, vote));
    }
  }
  return [...weighted.entries()].sort((a, b) => b[1] - a[1]).map(([meaning]) => meaning);
}

function categoryNotes(
  analysis: Analysis,
  category: RcaCategory,
  component: HostInfo | undefined,
  onRoot: readonly Condition[],
  support: readonly Condition[],
): string[] {
  const notes: string[] = [];
  if (component) {
    const signals = [...onRoot]
      .sort((a, b) => a.firstMs - b.firstMs)
      .slice(0, 4)
      .map((c) => `${c.type} ×${c.alerts.length} from ${new Date(c.firstMs).toISOString()}`);
    const layer = component.layer ? ` (${component.layer} layer)` : "";
    if (signals.length > 0) notes.push(`Signals on ${component.name}${layer}: ${signals.join("; ")}`);
    const labels = labelsOf(onRoot);
    if (labels) notes.push(`Labels on ${component.name}: ${labels}`);
  }
  const others = [...new Set(support.map((c) => c.host))].filter((h) => h !== component?.name);
  if (others.length > 0) {
    const listed = others.slice(0, 4).join(", ");
    notes.push(
      `${others.length} other device${others.length === 1 ? "" : "s"} alarmed consistently with it: ${listed}${others.length > 4 ? ", …" : ""}`,
    );
  }
  const explained = analysis.explained.get(category) ?? [];
  const anchor = analysis.anchor;
  if (anchor && anchor.category === category && explained.length > 0) {
    const hosts = [...new Set(explained.map((c) => c.host))];
    const types = [...new Set(explained.map((c) => c.type))].slice(0, 3).join(", ");
    const firstLater = Math.min(...explained.map((c) => c.firstMs));
    const seconds = Math.round((firstLater - anchor.condition.firstMs) / 1000);
    const anchorLayer = analysis.hosts.get(anchor.condition.host)?.layer ?? "lower";
    notes.push(
      `Layer order: ${types} on ${hosts.length} device${hosts.length === 1 ? "" : "s"} started ${seconds} s after ${anchor.condition.type} on ${anchor.condition.host} (${anchorLayer} layer) and are read as its symptoms`,
    );
  }
  if (category === "bgp_flap" && component && component.bgpDown > 0) {
    notes.push(`${component.bgpDown} session-down and ${component.bgpUp} session-up events on ${component.name}`);
  }
  return notes;
}

/** Labels that name the alert or its pipeline rather than what failed. */
const PIPELINE_LABELS = new Set(["alertname", "severity", "prometheus", "program", "receiver", "monitor"]);

/** The labels (tags) of the first root alert that carries any, as `name=value`, quoted as the source gave them. */
function labelsOf(conditions: readonly Condition[]): string | undefined {
  for (const c of conditions) {
    const tags = c.alerts[0]?.tags ?? {};
    const pairs = Object.entries(tags)
      .filter(([name]) => !PIPELINE_LABELS.has(name))
      .slice(0, 8)
      .map(([name, value]) => `${name}=${value}`);
    if (pairs.length > 0) return pairs.join(", ");
  }
  return undefined;
}

interface RunbookSupport {
  refs: string[];
  steps: string[];
}

/** Category runbook lookups repeat with the same words; cached per index, bounded. */
const runbookCache = new WeakMap<RunbookIndex, Map<string, { refs: RunbookChunkRef[]; steps: string[] }>>();
const RUNBOOK_CACHE_LIMIT = 2_000;

/** The category's runbook sections, found by search so any corpus written the same way works. */
function runbookSupport(
  runbooks: RunbookIndex,
  category: RcaCategory,
  story: Story,
  retrieval: RunbookChunkRef[],
): RunbookSupport {
  const knowledge = KNOWLEDGE[category];
  const typeWords = story.rootTypes
    .slice(0, 3)
    .map((type) => type.replace(/_/g, " "))
    .join(" ");
  const query = `${knowledge.concept} ${knowledge.concept} ${typeWords}`;
  let cache = runbookCache.get(runbooks);
  if (!cache) {
    cache = new Map();
    runbookCache.set(runbooks, cache);
  }
  let found = cache.get(query);
  if (!found) {
    found = categoryRunbook(runbooks, query);
    if (cache.size >= RUNBOOK_CACHE_LIMIT) cache.clear();
    cache.set(query, found);
  }
  for (const ref of found.refs) {
    if (!retrieval.some((known) => known.id === ref.id)) retrieval.push({ ...ref });
  }
  return { refs: found.refs.map((ref) => ref.id), steps: found.steps };
}

/** The best runbook for a category query: its top sections (Remediation always among them) and remediation steps. */
function categoryRunbook(runbooks: RunbookIndex, query: string): { refs: RunbookChunkRef[]; steps: string[] } {
  const hits = runbooks.search(query, 8);
  const file = hits[0]?.file;
  if (!file) return { refs: [], steps: [] };
  const refs = hits.filter((hit) => hit.file === file).slice(0, 3);
  const remediation = runbooks.chunks.find((chunk) => chunk.file === file && chunk.section === "remediation");
  if (remediation && !refs.some((hit) => hit.id === remediation.id)) {
    refs.splice(Math.min(refs.length, 2), 1, {
      id: remediation.id,
      file: remediation.file,
      heading: remediation.heading,
      score: 0,
      excerpt: remediation.text.replace(/\s+/g, " ").slice(0, 240),
    });
  }
  return { refs, steps: remediation ? listItems(remediation.text) : [] };
}

/** The list items of a Remediation section, one step each; indented lines continue the item above. */
function listItems(text: string): string[] {
  const items: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const item = /^(?:\d+[.)]|[-*])\s+(.*)$/.exec(line);
    if (item?.[1] !== undefined) items.push(item[1].trim());
    else if (/^\s+\S/.test(line) && items.length > 0) items[items.length - 1] += ` ${line.trim()}`;
  }
  return items.map((step) => step.replace(/\s+/g, " "));
}

const HOST_WORDS =
  /^(?:router|rtr|fw|firewall|dns|resolver|core|edge|pe|db|sw|switch|cdn|cache|roadm|olt|bng|lb|app|srv|server|node|host|peer|peering|agg|tor|spine|leaf|gw|mx|asr|ncs|ptx|dwdm|otn|xpdr|opt|pg|sql|web|api|proxy)$/i;

/** A device name in free text: a topology device, or a hyphenated token with a digit or a device word. */
function hostInSummary(summary: string, topology: TopologyLookup | undefined): string | null {
  const tokens = summary.split(/[\s,;:()"'`]+/).map((t) => t.replace(/[.]+$/, ""));
  if (topology) {
    const known = tokens.find((token) => topology.devices.has(token));
    if (known) return known;
  }
  for (const token of tokens) {
    if (!/^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)+$/i.test(token) || token.includes("/")) continue;
    const parts = token.split(/[-_.]/);
    if (parts.some((part) => /\d/.test(part)) || parts.some((part) => HOST_WORDS.test(part))) return token;
  }
  return null;
}

/** Without alerts, only the summary's words are evidence: rank from them, with low confidence. */
function rankFromSummary(input: RcaInput, deps: RcaDeps, retrieval: RunbookChunkRef[]): RcaResult {
  const summary = input.summary?.trim() ?? "";
  const match = matchFeatures(wordSet(summary));
  const votes = [...match.votes.entries()].filter(([, vote]) => vote > 0).sort((a, b) => b[1] - a[1]);
  const ranked: Array<[RcaCategory, number]> = votes.length > 0 ? votes : [["other", UNRECOGNIZED_VOTE]];
  const total = ranked.reduce((sum, [, vote]) => sum + vote, 0);
  const topology = lookupFor(deps.topology);
  const host = summary ? hostInSummary(summary, topology) : null;
  const device = host ? topology?.devices.get(host) : undefined;
  const deviceRole = device?.role;
  const pseudo: Alert = {
    id: 0,
    fingerprint: "",
    timestamp: new Date(0).toISOString(),
    source_system: "summary",
    host: host ?? "",
    service: "",
    severity: "info",
    alert_type: "summary",
    message: summary,
    tags: {},
    raw_payload: {},
    tenant_id: null,
    status: "firing",
    incident_id: input.incidentId,
  };
  const facts = new Facts([pseudo]);
  const hypotheses = ranked.slice(0, MAX_HYPOTHESES).map(([category, vote], index): Hypothesis => {
    const knowledge = KNOWLEDGE[category];
    const meanings = match.features
      .filter((f) => (f.votes[category] ?? 0) > 0)
      .sort((a, b) => (b.votes[category] ?? 0) - (a.votes[category] ?? 0))
      .map((f) => f.meaning);
    const story: Story = {
      host,
      noun: isDeviceRole(deviceRole) ? ROLE_NOUNS[deviceRole] : knowledge.noun,
      root: facts,
      all: facts,
      otherDevices: 0,
      rootSpanMs: 0,
      downEvents: 0,
      rootTypes: [],
      meanings,
    };
    const share = vote / (total + CONFIDENCE_PRIOR);
    const confidence = round(Math.min(isOutsideNetworkCatalog(category) ? 0.2 : 0.45, share * 0.6));
    const { refs, steps } = runbookSupport(deps.runbooks, category, story, retrieval);
    return {
      rank: index + 1,
      category,
      root_component: host,
      hypothesis: `${host ? `${story.noun} ${host}: ` : ""}${knowledge.failure(story)}`,
      confidence,
      evidence: {
        alert_ids: [],
        counts_by_type: {},
        first_seen: {},
        notes: [
          "No alerts: ranked from the summary text alone, so confidence is kept low",
          ...(meanings.length > 0 ? [`Summary mentions: ${meanings.slice(0, 3).join("; ")}`] : []),
        ],
      },
      remediation_steps: [knowledge.firstStep(story), ...withoutRepeats(knowledge.firstStep(story), steps)],
      runbook_refs: refs,
    };
  });
  return { hypotheses, retrieval };
}
