/**
 * The failure taxonomy: what each scenario type is, in the words an operator would use. The generator stages
 * failures from it, the RCA engines reason with it (layer, typical root roles), the API and the SPA show it.
 */
import type { ScenarioType } from "./scenario.ts";
import type { DeviceRole, Layer } from "./topology.ts";

export interface ScenarioCatalogEntry {
  title: string;
  /** The layer the root cause lives in. */
  layer: Layer;
  /** Roles the failing device typically has, most typical first (the generator picks its root among them). */
  rootRoles: readonly DeviceRole[];
  description: string;
}

export const SCENARIO_CATALOG: Readonly<Record<ScenarioType, ScenarioCatalogEntry>> = {
  fiber_cut: {
    title: "Fiber cut",
    layer: "optical",
    rootRoles: ["optical"],
    description:
      "A fiber is cut on the line side of a ROADM or transponder: loss of signal and frame on the optical gear, " +
      "then the router ports riding those wavelengths go down, IGP/LDP/BGP adjacencies drop and traffic is squeezed " +
      "onto the surviving paths.",
  },
  network_degradation: {
    title: "Link degradation",
    layer: "link",
    rootRoles: ["aggregation", "core", "pe"],
    description:
      "A dirty optic or failing cable on one link: CRC and input errors climb, packet loss and latency follow, " +
      "the neighbour sees retransmissions and BFD flaps, and services behind the link slow down.",
  },
  router_freeze: {
    title: "Router control-plane freeze",
    layer: "routing",
    rootRoles: ["core", "pe"],
    description:
      "The routing engine of a router hangs: SNMP and telemetry stop answering, LACP and BFD time out on the " +
      "neighbours, IGP and BGP sessions towards it expire and traffic through it is black-holed until rerouted.",
  },
  bgp_flap: {
    title: "BGP session flap",
    layer: "routing",
    rootRoles: ["peering", "edge"],
    description:
      "One external BGP session on a peering or edge router goes down and up repeatedly: route withdrawals, " +
      "prefix count swings, eventually flap damping, and traffic shifting back and forth across other exits.",
  },
  isp_peering_congestion: {
    title: "Peering congestion",
    layer: "routing",
    rootRoles: ["peering", "edge"],
    description:
      "A private interconnect or IX port towards a peer runs at line rate: output queue drops, rising latency " +
      "and jitter on transit paths, and slower delivery for the caches and customers behind it.",
  },
  ddos_edge: {
    title: "DDoS on the internet edge",
    layer: "routing",
    rootRoles: ["edge"],
    description:
      "A volumetric attack (UDP reflection, SYN flood) lands on the internet edge: flow telemetry flags the " +
      "attack, ingress ports saturate and drop, the firewall session table fills and applications behind it time out.",
  },
  mpls_vpn_leak: {
    title: "MPLS VPN route leak",
    layer: "routing",
    rootRoles: ["pe"],
    description:
      "A wrong route-target or import policy on a PE leaks prefixes between customer VRFs: unexpected prefixes, " +
      "VRF prefix limits tripping, a VPNv4 surge on the route reflectors and traffic from the wrong zone at the firewall.",
  },
  dns_outage: {
    title: "DNS resolver outage",
    layer: "service",
    rootRoles: ["dns"],
    description:
      "A recursive resolver stops answering properly: SERVFAIL and timeouts on the resolver probes, then the " +
      "applications that use it fail to resolve their dependencies and start returning errors.",
  },
  cdn_cache_stampede: {
    title: "CDN cache stampede",
    layer: "service",
    rootRoles: ["cdn"],
    description:
      "A cache loses its working set (mass purge, cache-key change, TTL cliff): the hit ratio collapses, every " +
      "miss goes to the origin, and the origin application and its database buckle under the request surge.",
  },
  firewall_rule_misconfig: {
    title: "Firewall rule misconfiguration",
    layer: "service",
    rootRoles: ["firewall"],
    description:
      "A policy commit on the firewall shadows or removes an allow rule: denied flows spike right after the " +
      "commit and the applications behind it fail health checks and upstream connections.",
  },
  database_latency_spike: {
    title: "Database latency spike",
    layer: "application",
    rootRoles: ["database"],
    description:
      "Lock contention or a runaway query on a database: lock waits and slow queries first, replication lag on " +
      "the replica, then the applications see slow responses, exhausted pools and HTTP 5xx.",
  },
};
