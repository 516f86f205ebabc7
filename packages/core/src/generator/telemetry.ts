/**
 * The concrete details alerts carry: addresses from the documentation ranges, external peers, VRFs and the
 * log lines each vendor actually prints, so generated alerts read like a real NOC's feed.
 */
import type { Device, DeviceRole } from "@teleops/schema";
import type { SeededRandom } from "./random.ts";

/** Our own AS in the generated world (documentation range, RFC 5398). */
export const LOCAL_AS = 64511;

const ROLE_SERVICES: Readonly<Record<DeviceRole, string>> = {
  core: "backbone",
  edge: "internet-edge",
  aggregation: "dc-fabric",
  peering: "peering",
  pe: "mpls-vpn",
  optical: "transport",
  dns: "dns",
  cdn: "cdn",
  firewall: "firewall",
  database: "postgres",
  app: "web",
  switch: "infra-fabric",
  server: "infra",
};

/** The service a device's alerts are filed under: its first listed service, else its role's usual one. */
export function serviceOf(device: Device): string {
  return device.services[0] ?? ROLE_SERVICES[device.role];
}

/** A stable small hash of a name, so each device keeps the same addresses whatever the seed. */
function nameHash(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The device's loopback in 192.0.2.0/24 (TEST-NET-1); collisions are harmless in synthetic data. */
export function loopback(device: Device): string {
  return `192.0.2.${(nameHash(device.name) % 253) + 1}`;
}

/** A service VIP in 203.0.113.0/24 (TEST-NET-3) for the device. */
export function serviceAddress(device: Device): string {
  return `203.0.113.${(nameHash(`${device.name}/vip`) % 253) + 1}`;
}

export interface ExternalPeer {
  asn: number;
  name: string;
  ipv4: string;
  ipv6: string;
  kind: "transit" | "private-peering" | "ix-route-server";
}

const PEERS: readonly Omit<ExternalPeer, "ipv4" | "ipv6">[] = [
  { asn: 64496, name: "TRANSIT-ALPHA", kind: "transit" },
  { asn: 64497, name: "TRANSIT-BRAVO", kind: "transit" },
  { asn: 64500, name: "IX-ROUTE-SERVER", kind: "ix-route-server" },
  { asn: 64502, name: "EYEBALL-NET", kind: "private-peering" },
  { asn: 64505, name: "CLOUD-ONE", kind: "private-peering" },
  { asn: 65537, name: "CONTENT-PEER", kind: "private-peering" },
  { asn: 65540, name: "REGIONAL-ISP", kind: "private-peering" },
];

/** One external peer of `device`, with its session addresses in 198.51.100.0/24 and 2001:db8::/32. */
export function pickPeer(rng: SeededRandom, device: Device): ExternalPeer {
  const peer = rng.pick(PEERS);
  const host = (nameHash(`${device.name}/${peer.asn}`) % 126) * 2 + 1;
  return {
    ...peer,
    ipv4: `198.51.100.${host}`,
    ipv6: `2001:db8:${peer.asn.toString(16)}::${host.toString(16)}`,
  };
}

/** A port facing the outside world (transit, PNI, IX), which the site topology does not model. */
export function externalPort(device: Device): string {
  switch (device.vendor) {
    case "juniper":
      return "et-0/1/0";
    case "cisco":
      return "HundredGigE0/0/1/0";
    case "nokia":
      return "2/1/c1/1";
    default:
      return "Ethernet1/1";
  }
}

export const CUSTOMER_VRFS = ["CUST-ACME", "CUST-GLOBEX", "CUST-INITECH", "CUST-UMBRELLA", "CUST-HOOLI"] as const;

/** The route target a VRF imports, numbered after its position so the pairing stays stable. */
export function routeTarget(vrf: string): string {
  const index = (CUSTOMER_VRFS as readonly string[]).indexOf(vrf);
  return `target:${LOCAL_AS}:${1001 + Math.max(index, 0)}`;
}

export interface AttackVector {
  name: string;
  protocol: "udp" | "tcp";
  sourcePort: number | null;
  destinationPort: number | null;
}

export const ATTACK_VECTORS: readonly AttackVector[] = [
  { name: "DNS reflection", protocol: "udp", sourcePort: 53, destinationPort: null },
  { name: "NTP monlist amplification", protocol: "udp", sourcePort: 123, destinationPort: null },
  { name: "memcached amplification", protocol: "udp", sourcePort: 11211, destinationPort: null },
  { name: "CLDAP reflection", protocol: "udp", sourcePort: 389, destinationPort: null },
  { name: "SYN flood", protocol: "tcp", sourcePort: null, destinationPort: 443 },
];

/** A rising value: `from` at the start of the scenario, `to` once it has fully developed, with some jitter. */
export function ramp(rng: SeededRandom, progress: number, from: number, to: number, digits = 1): number {
  const developed = Math.min(1, progress * 1.5);
  const base = from + (to - from) * developed;
  const factor = 10 ** digits;
  return Math.round(base * rng.between(0.93, 1.07) * factor) / factor;
}

/** The syslog line a router prints when a BGP session leaves Established. */
export function bgpDownLine(device: Device, peerIp: string, peerAs: number, reason: string): string {
  switch (device.vendor) {
    case "cisco":
      return `%ROUTING-BGP-5-ADJCHANGE : neighbor ${peerIp} Down - ${reason} (VRF: default) (AS: ${peerAs})`;
    case "nokia":
      return `BGP-MINOR-bgpBackwardTransition: Peer ${peerIp} (AS ${peerAs}) moved from established to idle: ${reason}`;
    default:
      return `BGP_NEIGHBOR_STATE_CHANGED: BGP peer ${peerIp} (External AS ${peerAs}) changed state from Established to Idle (event ${reason})`;
  }
}

/** The syslog line a router prints when a BGP session comes back. */
export function bgpUpLine(device: Device, peerIp: string, peerAs: number): string {
  switch (device.vendor) {
    case "cisco":
      return `%ROUTING-BGP-5-ADJCHANGE : neighbor ${peerIp} Up (VRF: default) (AS: ${peerAs})`;
    case "nokia":
      return `BGP-MINOR-bgpEstablished: Peer ${peerIp} (AS ${peerAs}) moved into established state`;
    default:
      return `BGP_NEIGHBOR_STATE_CHANGED: BGP peer ${peerIp} (External AS ${peerAs}) changed state from OpenConfirm to Established`;
  }
}

/** The text of a linkDown trap as the poller shows it. */
export function linkDownLine(device: Device, port: string): string {
  switch (device.vendor) {
    case "cisco":
      return `%PKT_INFRA-LINK-3-UPDOWN : Interface ${port}, changed state to Down`;
    case "nokia":
      return `SNMP-WARNING-linkDown: Interface ${port} is not operational`;
    case "arista":
      return `%LINEPROTO-5-UPDOWN: Line protocol on Interface ${port}, changed state to down`;
    default:
      return `SNMP_TRAP_LINK_DOWN: ifIndex ${500 + (nameHash(`${device.name}/${port}`) % 300)}, ifAdminStatus up(1), ifOperStatus down(2), ifName ${port}`;
  }
}
