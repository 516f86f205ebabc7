/**
 * The failure taxonomy RCA reasons in: every category an engine may name, what it means in an operator's words,
 * and how categories nest (the label set may say `other` where an engine names `power_or_environment`). The
 * priors (the layer a failure starts in, the device roles it usually starts on) are data beside it, which a
 * tenant may adjust. The scenario generator stages the network categories of this taxonomy; nothing here knows
 * the generator.
 */
import { z } from "zod";
import { DEVICE_ROLES, type DeviceRole, type Layer, layerSchema } from "./topology.ts";

export const RCA_CATEGORIES = [
  "fiber_cut",
  "network_degradation",
  "router_freeze",
  "bgp_flap",
  "isp_peering_congestion",
  "ddos_edge",
  "mpls_vpn_leak",
  "dns_outage",
  "cdn_cache_stampede",
  "firewall_rule_misconfig",
  "database_latency_spike",
  "hardware_failure",
  "power_or_environment",
  "config_change",
  "capacity_exhaustion",
  "other",
] as const;
export type RcaCategory = (typeof RCA_CATEGORIES)[number];
export const rcaCategorySchema = z.enum(RCA_CATEGORIES);

export interface FailureCategory {
  title: string;
  description: string;
  /** The broader category this one refines, when a label may name the broader one instead. */
  parent?: RcaCategory;
}

export const FAILURE_TAXONOMY: Readonly<Record<RcaCategory, FailureCategory>> = {
  fiber_cut: {
    title: "Fiber cut",
    description:
      "A fiber is cut on the line side of a ROADM or transponder: loss of signal and frame on the optical gear, " +
      "then the router ports riding those wavelengths go down, IGP/LDP/BGP adjacencies drop and traffic is squeezed " +
      "onto the surviving paths.",
  },
  network_degradation: {
    title: "Link degradation",
    description:
      "A dirty optic or failing cable on one link: CRC and input errors climb, packet loss and latency follow, " +
      "the neighbour sees retransmissions and BFD flaps, and services behind the link slow down.",
  },
  router_freeze: {
    title: "Router control-plane freeze",
    description:
      "The routing engine of a router hangs: SNMP and telemetry stop answering, LACP and BFD time out on the " +
      "neighbours, IGP and BGP sessions towards it expire and traffic through it is black-holed until rerouted.",
  },
  bgp_flap: {
    title: "BGP session flap",
    description:
      "One external BGP session on a peering or edge router goes down and up repeatedly: route withdrawals, " +
      "prefix count swings, eventually flap damping, and traffic shifting back and forth across other exits.",
  },
  isp_peering_congestion: {
    title: "Peering congestion",
    description:
      "A private interconnect or IX port towards a peer runs at line rate: output queue drops, rising latency " +
      "and jitter on transit paths, and slower delivery for the caches and customers behind it.",
  },
  ddos_edge: {
    title: "DDoS on the internet edge",
    description:
      "A volumetric attack (UDP reflection, SYN flood) lands on the internet edge: flow telemetry flags the " +
      "attack, ingress ports saturate and drop, the firewall session table fills and applications behind it time out.",
  },
  mpls_vpn_leak: {
    title: "MPLS VPN route leak",
    description:
      "A wrong route-target or import policy on a PE leaks prefixes between customer VRFs: unexpected prefixes, " +
      "VRF prefix limits tripping, a VPNv4 surge on the route reflectors and traffic from the wrong zone at the firewall.",
  },
  dns_outage: {
    title: "DNS resolver outage",
    description:
      "A recursive resolver stops answering properly: SERVFAIL and timeouts on the resolver probes, then the " +
      "applications that use it fail to resolve their dependencies and start returning errors.",
  },
  cdn_cache_stampede: {
    title: "CDN cache stampede",
    description:
      "A cache loses its working set (mass purge, cache-key change, TTL cliff): the hit ratio collapses, every " +
      "miss goes to the origin, and the origin application and its database buckle under the request surge.",
  },
  firewall_rule_misconfig: {
    title: "Firewall rule misconfiguration",
    description:
      "A policy commit on the firewall shadows or removes an allow rule: denied flows spike right after the " +
      "commit and the applications behind it fail health checks and upstream connections.",
  },
  database_latency_spike: {
    title: "Database latency spike",
    description:
      "Lock contention or a runaway query on a database: lock waits and slow queries first, replication lag on " +
      "the replica, then the applications see slow responses, exhausted pools and HTTP 5xx.",
  },
  hardware_failure: {
    title: "Hardware failure",
    parent: "other",
    description:
      "A part of a device fails: a line card, ASIC, memory module (uncorrectable ECC/EDAC errors), disk or RAID " +
      "member. The device logs the fault itself; its links and sessions drop as symptoms, and replacing the part " +
      "or failing over to the redundant one is the fix.",
  },
  power_or_environment: {
    title: "Power or environment",
    parent: "other",
    description:
      "The site or chassis loses what keeps it running: a power feed, supply or UPS, or cooling (fans, HVAC, " +
      "temperature). Several devices in one room often alarm together before they shut down or throttle.",
  },
  config_change: {
    title: "Configuration change",
    parent: "other",
    description:
      "A change someone committed breaks something outside the firewall catalog entry: a wrong interface, routing " +
      "or service setting. The commit comes first in time; rolling it back is the fix.",
  },
  capacity_exhaustion: {
    title: "Capacity exhaustion",
    parent: "other",
    description:
      "A finite resource runs out on a machine or service: disk or volume space, memory, inodes, connection or " +
      "NAT tables, license or quota. Warnings rise for a while before the service fails.",
  },
  other: {
    title: "Other",
    description:
      "A cause outside the known failure modes (a software defect, an expired certificate, timing): the evidence " +
      "does not match any category above, and the answer is held loosely.",
  },
};

/** True when `predicted` is `expected` or refines it (`power_or_environment` answers an `other` label). */
export function categoryMatches(expected: RcaCategory, predicted: RcaCategory): boolean {
  return predicted === expected || FAILURE_TAXONOMY[predicted].parent === expected;
}

/** True for `other` and the categories that refine it: causes outside the network failure modes. */
export function isOutsideNetworkCatalog(category: RcaCategory): boolean {
  return category === "other" || FAILURE_TAXONOMY[category].parent === "other";
}

export interface CategoryPrior {
  /** The layer the root cause lives in; null when it can be any (hardware, power, capacity). */
  layer: Layer | null;
  /** Roles the failing device typically has, most typical first. */
  rootRoles: readonly DeviceRole[];
}

export const categoryPriorSchema = z.object({
  layer: layerSchema.nullable(),
  rootRoles: z.array(z.enum(DEVICE_ROLES)),
});
/** A tenant's adjustments: any category's prior replaced whole. */
export const categoryPriorsSchema = z.partialRecord(rcaCategorySchema, categoryPriorSchema);
export type CategoryPriors = Readonly<Record<RcaCategory, CategoryPrior>>;

export const DEFAULT_CATEGORY_PRIORS: CategoryPriors = {
  fiber_cut: { layer: "optical", rootRoles: ["optical"] },
  network_degradation: { layer: "link", rootRoles: ["aggregation", "core", "pe"] },
  router_freeze: { layer: "routing", rootRoles: ["core", "pe"] },
  bgp_flap: { layer: "routing", rootRoles: ["peering", "edge"] },
  isp_peering_congestion: { layer: "routing", rootRoles: ["peering", "edge"] },
  ddos_edge: { layer: "routing", rootRoles: ["edge"] },
  mpls_vpn_leak: { layer: "routing", rootRoles: ["pe"] },
  dns_outage: { layer: "service", rootRoles: ["dns"] },
  cdn_cache_stampede: { layer: "service", rootRoles: ["cdn"] },
  firewall_rule_misconfig: { layer: "service", rootRoles: ["firewall"] },
  database_latency_spike: { layer: "application", rootRoles: ["database"] },
  hardware_failure: { layer: null, rootRoles: [] },
  power_or_environment: { layer: null, rootRoles: [] },
  config_change: { layer: null, rootRoles: [] },
  capacity_exhaustion: { layer: null, rootRoles: [] },
  other: { layer: null, rootRoles: [] },
};

/** The default priors with a tenant's adjustments applied. */
export function categoryPriors(adjustments?: z.infer<typeof categoryPriorsSchema>): CategoryPriors {
  return adjustments ? { ...DEFAULT_CATEGORY_PRIORS, ...adjustments } : DEFAULT_CATEGORY_PRIORS;
}
