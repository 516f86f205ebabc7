/**
 * The rubric's adjacency table: pairs of categories whose evidence genuinely overlaps and whose first response
 * is similar, so naming one when the other is true earns the 0.4 band. Symmetric, and written out explicitly
 * rather than derived from layers, so a reviewer can argue with each pair.
 */
import type { RcaCategory, ScenarioType } from "@teleops/schema";

/** Each pair once; `isAdjacent` reads it both ways. */
export const ADJACENT_CATEGORY_PAIRS: ReadonlyArray<readonly [ScenarioType, ScenarioType, string]> = [
  ["fiber_cut", "network_degradation", "transport: light gone versus light marginal on the same kind of span"],
  [
    "router_freeze",
    "bgp_flap",
    "routing: a hung control plane drops sessions that look like flaps from the peer's side",
  ],
  ["bgp_flap", "isp_peering_congestion", "routing, peering edge: a saturated interconnect expires hold timers"],
  ["bgp_flap", "mpls_vpn_leak", "routing, BGP: both are BGP routing events on one router's sessions or tables"],
  ["isp_peering_congestion", "ddos_edge", "routing, internet edge: both saturate edge ports with inbound traffic"],
  [
    "dns_outage",
    "firewall_rule_misconfig",
    "service: a deny on udp/53 looks like a dead resolver from the client side",
  ],
];

const ADJACENT = new Map<string, Set<string>>();
for (const [a, b] of ADJACENT_CATEGORY_PAIRS) {
  if (!ADJACENT.has(a)) ADJACENT.set(a, new Set());
  if (!ADJACENT.has(b)) ADJACENT.set(b, new Set());
  ADJACENT.get(a)?.add(b);
  ADJACENT.get(b)?.add(a);
}

/** True when the two categories are a listed pair; `other` is adjacent to nothing. */
export function isAdjacent(expected: RcaCategory, predicted: RcaCategory): boolean {
  return ADJACENT.get(expected)?.has(predicted) ?? false;
}
