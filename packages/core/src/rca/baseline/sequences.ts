/**
 * What the order of one device's alarms says, as an engineer reads a device log top to bottom: a session torn down
 * by a prefix limit is the limit's doing, not a flap; a limit hit inside a VRF means routes leaked into it; failures
 * that start right after a configuration commit on the same device, with nothing else to explain them, are the
 * commit's.
 */
import type { Alert, RcaCategory } from "@teleops/schema";
import { type EvidenceFeature, ROOT_GRADE } from "./features.ts";

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
 * A VRF named in the text: `vrf CUST-A` / `(VRF: red …)` (IOS, XR, EOS), Junos `(instance CUST-A)`, its tables
 * `CUST-A.inet.0` and the `inet-vpn` family, VPNv4/v6. `default`, `master` and `global` are the global table.
 */
const VRF_IN_TEXT =
  /\bvrf:?\s+(?!default\b|master\b|global\b)[\w-]+|\(instance (?!master\)|default\))[^)\s]+\)|\b(?!inet)[\w-]+\.inet6?\.0\b|\binet6?-vpn\b|\bvpnv[46]\b/i;
const VRF_KEYS = ["vrf", "vrf_name", "routing_instance", "vpn_instance"] as const;

function inVrf(alert: Alert): boolean {
  for (const key of VRF_KEYS) {
    const value = alert.tags[key] ?? alert.raw_payload[key];
    if (typeof value === "string" && value !== "" && !/^(master|default|global)$/i.test(value)) return true;
  }
  return VRF_IN_TEXT.test(alert.message);
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
 * A maximum-prefix limit tears the session down itself: the session-down that follows is the limit acting, so its
 * flap vote halves. When the device's BGP alarms place the session in a VRF, the surge of prefixes is routes leaking
 * into that VRF (a wrong route-target import on the PE), and the limit is read as the leak's root signal.
 */
function readPrefixLimits(list: readonly SequencedCondition[]): void {
  const limits = list.filter(isPrefixLimit);
  const first = limits[0];
  if (!first) return;
  const bgpAlarms = list.filter((c) => isPrefixLimit(c) || isSessionDown(c));
  const vrf = bgpAlarms.some((c) => c.alerts.some(inVrf));
  if (vrf) {
    for (const c of limits) {
      c.votes.set("mpls_vpn_leak", Math.max(c.votes.get("mpls_vpn_leak") ?? 0, VRF_LIMIT_VOTE));
      const flap = c.votes.get("bgp_flap");
      if (flap !== undefined) c.votes.set("bgp_flap", flap * EXPLAINED);
    }
  }
  for (const c of list) {
    if (!isSessionDown(c) || c.firstMs < first.firstMs || c.firstMs - first.firstMs > PREFIX_TEARDOWN_MS) continue;
    const flap = c.votes.get("bgp_flap");
    if (flap !== undefined) c.votes.set("bgp_flap", flap * EXPLAINED);
    if (vrf) c.votes.set("mpls_vpn_leak", Math.max(c.votes.get("mpls_vpn_leak") ?? 0, flap ?? 0));
  }
}

/**
 * "What changed?": a commit on a device followed within two minutes by failures on that device, none of which names
 * a failure of its own (no root signal: only sessions dropping, links going down), is the likeliest cause. The
 * commit becomes a root signal of `config_change` and the failures after it count half for anything else. A commit
 * after the failures began, or one followed by a failure that explains itself (a VRF leak, a policy deny, a fiber
 * loss), changes nothing.
 */
function readChange(list: readonly SequencedCondition[]): void {
  const commit = list.find((c) => hasFeature(c, "config_commit"));
  if (!commit) return;
  const earlier = list.some((c) => c !== commit && c.firstMs < commit.firstMs && failing(c));
  if (earlier) return;
  const after = list.filter(
    (c) => c !== commit && c.firstMs >= commit.firstMs && c.firstMs - commit.firstMs <= CHANGE_WINDOW_MS,
  );
  const failures = after.filter(failing);
  if (failures.length === 0 || failures.some((c) => strongest(c) >= ROOT_GRADE)) return;
  commit.votes.set("config_change", Math.max(commit.votes.get("config_change") ?? 0, CHANGE_VOTE));
  // Commits are logged at notice or info whatever they break; what they broke says how much they matter.
  commit.severity = Math.max(commit.severity, ...failures.map((c) => c.severity));
  for (const c of after) {
    for (const [category, vote] of c.votes) if (category !== "config_change") c.votes.set(category, vote * EXPLAINED);
  }
}

/** A condition that reports something wrong (recoveries and administrative events vote nothing). */
function failing(c: SequencedCondition): boolean {
  return strongest(c) >= 0.7 && !hasFeature(c, "config_commit");
}

function strongest(c: SequencedCondition): number {
  let max = 0;
  for (const vote of c.votes.values()) max = Math.max(max, vote);
  return max;
}
