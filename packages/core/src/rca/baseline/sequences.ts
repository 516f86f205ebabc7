/**
 * What the order of one device's alarms says, as an engineer reads a device log top to bottom: a session torn down
 * by a prefix limit is the limit's doing, not a flap; a limit hit inside a VRF means routes leaked into it; failures
 * that start right after a configuration commit on the same device, with nothing else to explain them, are the
 * commit's.
 */
import type { Alert, RcaCategory } from "@teleops/schema";
import { type EvidenceFeature, matchAlertType, ROOT_GRADE } from "./features.ts";

/** The part of a condition (one alert type on one host) these readings look at and adjust. */
export interface SequencedCondition {
  host: string;
  type: string;
  alerts: Alert[];
  firstMs: number;
  /** Severity weight; a commit that breaks things takes the severity of what it broke. */
  severity: number;
  features: EvidenceFeature[];
  votes: Map<RcaCategory, number>;
}

/** A session the prefix limit tears down goes within seconds of the limit (IOS, Junos and EOS all act at once). */
const PREFIX_TEARDOWN_MS = 60_000;
/** Failures this soon after a commit on the same device are read as the commit's. */
const CHANGE_WINDOW_MS = 120_000;
/** The vote a commit gets once failures with no other explanation follow it: a root signal. */
const CHANGE_VOTE = 2.4;
/** The vote a prefix limit hit inside a VRF gets: routes leaking into the VRF are the failure itself. */
const VRF_LIMIT_VOTE = 2.4;
/** What a reading leaves of a vote it explains away. */
const EXPLAINED = 0.5;

const hasFeature = (c: SequencedCondition, id: string) => c.features.some((f) => f.id === id);
const isSessionDown = (c: SequencedCondition) => hasFeature(c, "bgp_session_down");
const isPrefixLimit = (c: SequencedCondition) => hasFeature(c, "max_prefix") || hasFeature(c, "vpn_prefix_surge");
/**
 * A configuration commit: its type says so, or its type says nothing (`syslog`) and its message does. A line that
 * only mentions configuration ("Configured maximum prefix-limit threshold exceeded") is not a commit.
 */
function isCommit(c: SequencedCondition): boolean {
  if (!hasFeature(c, "config_commit")) return false;
  const byType = matchAlertType(c.type).features;
  return byType.length === 0 || byType.some((f) => f.id === "config_commit");
}

/** Words that follow "VRF" without being a VRF's name ("VRF lookup failed", "VRF table full", "VRF id 3"). */
const NOT_A_VRF_NAME =
  "default|master|global|lookup|lookups|table|tables|id|name|names|context|instance|aware|lite|member|members|mode|is|not|none|on|of|for|in|to|from|config|configuration|forwarding|select|selection|route|routes|routing|leak|leaking|import|export|label|labels|count|limit|info|information|state|interface|interfaces|unicast";
/**
 * A VRF named in the text: `vrf CUST-A` / `(VRF: red …)` / XR `VRF 'red'` (IOS, XR, EOS), Junos
 * `(instance CUST-A)` and its tables `CUST-A.inet.0`, Nokia SR OS `vprn100`, NX-OS `bgp-65000 [4711] (CUST-A)`.
 * `default`, `master`, `global` and `Base` are the global table.
 */
const VRF_NAMED = new RegExp(
  [
    `\\bvrf:?\\s+['"]?(?!(?:${NOT_A_VRF_NAME})\\b)[\\w-]+`,
    String.raw`\(instance (?!master\)|default\))[^)\s]+\)`,
    String.raw`\b(?!inet)[\w-]+\.inet6?\.0\b`,
    String.raw`\bvprn[\s-]?\d+\b`,
    String.raw`\bbgp-\d+\s+\[\d+\]\s+\((?!default\))[^)\s]+\)`,
  ].join("|"),
  "i",
);
/**
 * VPN address families (`inet-vpn`, VPNv4/v6): carried on VRF sessions, but also on every global PE-to-route-reflector
 * session, so they only weakly say the session is in a VRF.
 */
const VPN_FAMILY = /\binet6?-vpn\b|\bvpnv[46]\b/i;
const VRF_KEYS = ["vrf", "vrf_name", "routing_instance", "vpn_instance"] as const;

/** How sure the alert is that its session is in a VRF: 2 a VRF is named, 1 only a VPN address family, 0 neither. */
function vrfEvidence(alert: Alert): 0 | 1 | 2 {
  for (const key of VRF_KEYS) {
    const value = alert.tags[key] ?? alert.raw_payload[key];
    if (typeof value === "string" && value !== "" && !/^(master|default|global|base)$/i.test(value)) return 2;
  }
  if (VRF_NAMED.test(alert.message)) return 2;
  return VPN_FAMILY.test(alert.message) ? 1 : 0;
}

const PEER_KEYS = ["neighbor", "bgpPeerRemoteAddr", "peer", "peer_ip", "peer_address", "neighbor_ip"] as const;
/** An IPv4 or IPv6 address, without a Junos `+179` port or an LDP `:0` label space. */
const ADDRESS = /\b(?:\d{1,3}\.){3}\d{1,3}\b|\b[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}\b/i;

/** The BGP neighbour an alert is about: its peer tag, else the first address in its message; "" when neither. */
function neighborOf(alert: Alert): string {
  for (const key of PEER_KEYS) {
    const value = alert.tags[key] ?? alert.raw_payload[key];
    if (typeof value === "string" && value !== "") return normalizePeer(value);
  }
  const found = ADDRESS.exec(alert.message);
  return found ? normalizePeer(found[0]) : "";
}

function normalizePeer(peer: string): string {
  return peer
    .trim()
    .replace(/\+\d+$/, "")
    .replace(/^((?:\d{1,3}\.){3}\d{1,3}):\d+$/, "$1")
    .toLowerCase();
}

/** Applies the readings to every device's conditions (they must be in time order); votes are changed in place. */
export function readDeviceSequences(conditions: readonly SequencedCondition[]): void {
  const byHost = new Map<string, SequencedCondition[]>();
  for (const c of conditions) {
    const list = byHost.get(c.host) ?? [];
    list.push(c);
    byHost.set(c.host, list);
  }
  for (const list of byHost.values()) {
    readPrefixLimits(list);
    readChange(list);
  }
}

/**
 * A maximum-prefix limit tears its own session down: a session-down of the same neighbour within a minute after the
 * limit is the limit acting, so its flap vote halves. When that neighbour's session is placed in a VRF by name (the
 * limit's line or its own session's), the surge of prefixes is routes leaking into that VRF (a wrong route-target
 * import on the PE), and the limit is read as the leak's root signal. A VPN address family alone (VPNv4,
 * `inet-vpn`) is no such placement: PE-to-route-reflector sessions carry it in the global table. Other neighbours'
 * sessions on the device are read on their own; a session-down condition that also holds other neighbours' downs
 * keeps its flap vote.
 */
function readPrefixLimits(list: readonly SequencedCondition[]): void {
  const limitConditions = list.filter(isPrefixLimit);
  if (limitConditions.length === 0) return;
  const limits = limitConditions.flatMap((c) => c.alerts);
  const sessions = list.filter(isSessionDown);
  const tornBy = (down: Alert) => limits.filter((limit) => tearsDown(limit, down));
  const leaking = new Set(
    limits.filter(
      (limit) =>
        vrfEvidence(limit) === 2 ||
        sessions.some((c) => c.alerts.some((down) => tearsDown(limit, down) && vrfEvidence(down) === 2)),
    ),
  );
  for (const c of limitConditions) {
    if (!c.alerts.some((limit) => leaking.has(limit))) continue;
    c.votes.set("mpls_vpn_leak", Math.max(c.votes.get("mpls_vpn_leak") ?? 0, VRF_LIMIT_VOTE));
    const flap = c.votes.get("bgp_flap");
    if (flap !== undefined) c.votes.set("bgp_flap", flap * EXPLAINED);
  }
  for (const c of sessions) {
    const torn = c.alerts.filter((down) => tornBy(down).length > 0);
    const flap = c.votes.get("bgp_flap");
    if (torn.length === 0 || flap === undefined) continue;
    if (torn.some((down) => tornBy(down).some((limit) => leaking.has(limit)))) {
      c.votes.set("mpls_vpn_leak", Math.max(c.votes.get("mpls_vpn_leak") ?? 0, flap));
    }
    // Only when every down in the condition is a limit's doing: another neighbour's downs are read on their own.
    if (torn.length === c.alerts.length) c.votes.set("bgp_flap", flap * EXPLAINED);
  }
}

/** A limit and a session-down of the same neighbour, the session going within PREFIX_TEARDOWN_MS after the limit. */
function tearsDown(limit: Alert, down: Alert): boolean {
  const gap = Date.parse(down.timestamp) - Date.parse(limit.timestamp);
  if (!(gap >= 0 && gap <= PREFIX_TEARDOWN_MS)) return false;
  const peer = neighborOf(limit);
  // A limit line that names no neighbour can only be matched by time.
  return peer === "" || neighborOf(down) === peer;
}

/**
 * "What changed?": a commit on a device followed within two minutes by failures on that device, none of which names
 * a failure of its own (no root signal: only sessions dropping, links going down), is the likeliest cause. The
 * commit becomes a root signal of `config_change` and the failures after it count half for anything else. A commit
 * after the failures began, or one followed by a failure that explains itself (a VRF leak, a policy deny, a fiber
 * loss), changes nothing.
 */
function readChange(list: readonly SequencedCondition[]): void {
  const explained = new Set<SequencedCondition>();
  for (const commit of list) {
    if (!isCommit(commit)) continue;
    // Each commit on its own time: a harmless commit earlier does not hide a breaking one later.
    for (const alert of commit.alerts) {
      if (blameCommit(list, commit, Date.parse(alert.timestamp), explained)) break;
    }
  }
}

/** Blames the commit made at `commitMs` when it is followed by unexplained failures (see readChange). */
function blameCommit(
  list: readonly SequencedCondition[],
  commit: SequencedCondition,
  commitMs: number,
  explained: Set<SequencedCondition>,
): boolean {
  const earlier = list.some((c) => c !== commit && c.firstMs < commitMs && failing(c));
  if (earlier) return false;
  const after = list.filter((c) => c !== commit && c.firstMs >= commitMs && c.firstMs - commitMs <= CHANGE_WINDOW_MS);
  const failures = after.filter(failing);
  if (failures.length === 0 || failures.some((c) => strongest(c) >= ROOT_GRADE)) return false;
  commit.votes.set("config_change", Math.max(commit.votes.get("config_change") ?? 0, CHANGE_VOTE));
  // Commits are logged at notice or info whatever they break; what they broke says how much they matter.
  commit.severity = Math.max(commit.severity, ...failures.map((c) => c.severity));
  for (const c of after) {
    if (explained.has(c)) continue;
    explained.add(c);
    for (const [category, vote] of c.votes) if (category !== "config_change") c.votes.set(category, vote * EXPLAINED);
  }
  return true;
}

/** A condition that reports something wrong (recoveries and administrative events vote nothing). */
function failing(c: SequencedCondition): boolean {
  return strongest(c) >= 0.7 && !isCommit(c);
}

function strongest(c: SequencedCondition): number {
  let max = 0;
  for (const vote of c.votes.values()) max = Math.max(max, vote);
  return max;
}
