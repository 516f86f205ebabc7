/** Loads the network topology the product ships and turns it into the lookups generator and correlator share. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Device, type Link, type Topology, topologySchema } from "@teleops/schema";
import { ValidationError } from "../errors.ts";

/** `fixtures/topology.json` at the repository root, found from this file so it works from any working directory. */
export const DEFAULT_TOPOLOGY_PATH = fileURLToPath(new URL("../../../../fixtures/topology.json", import.meta.url));

/** Reads and validates a topology document; a broken file is a `ValidationError` that names the bad fields. */
export function loadTopology(path: string = DEFAULT_TOPOLOGY_PATH): Topology {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ValidationError(
      `cannot read topology ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = topologySchema.safeParse(document);
  if (!parsed.success) {
    throw new ValidationError(
      `invalid topology ${path}`,
      parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    );
  }
  return parsed.data;
}

/** Device name → the names of every device it has a link to (links are undirected). */
export function buildAdjacency(topology: Topology): Map<string, Set<string>> {
  const adjacency = new Map<string, Set<string>>();
  for (const device of topology.devices) adjacency.set(device.name, new Set());
  for (const link of topology.links) {
    if (link.a === link.b) continue;
    neighbourSet(adjacency, link.a).add(link.b);
    neighbourSet(adjacency, link.b).add(link.a);
  }
  return adjacency;
}

function neighbourSet(adjacency: Map<string, Set<string>>, name: string): Set<string> {
  let set = adjacency.get(name);
  if (!set) {
    set = new Set();
    adjacency.set(name, set);
  }
  return set;
}

/** Device name → device. */
export function deviceIndex(topology: Topology): Map<string, Device> {
  return new Map(topology.devices.map((device) => [device.name, device]));
}

/** The region of a device: its own field, else its site's, else "unknown". */
export function regionOf(topology: Topology, device: Device): string {
  return device.region ?? topology.sites.find((site) => site.name === device.site)?.region ?? "unknown";
}

/**
 * Read-only view of a topology with the lookups scenario building needs: devices by site and role,
 * neighbours and the interface a device uses towards a neighbour.
 */
export class NetworkMap {
  readonly devices: ReadonlyMap<string, Device>;
  readonly adjacency: ReadonlyMap<string, ReadonlySet<string>>;
  private readonly regions = new Map<string, string>();
  private readonly interfaces = new Map<string, string>();
  private readonly linkKinds = new Map<string, string>();

  constructor(readonly topology: Topology) {
    this.devices = deviceIndex(topology);
    this.adjacency = buildAdjacency(topology);
    for (const device of topology.devices) this.regions.set(device.name, regionOf(topology, device));
    for (const link of topology.links) this.indexLink(link);
  }

  /** Site names in the order the topology lists them, including sites only devices mention. */
  sites(): string[] {
    const names = new Set(this.topology.sites.map((site) => site.name));
    for (const device of this.topology.devices) names.add(device.site);
    return [...names];
  }

  regionOf(device: Device): string {
    return this.regions.get(device.name) ?? "unknown";
  }

  /** Devices of a site with one of the roles, in topology order so choices stay reproducible. */
  atSite(site: string, roles: readonly Device["role"][]): Device[] {
    return this.topology.devices.filter((device) => device.site === site && roles.includes(device.role));
  }

  /** Neighbours at the same site, optionally only those with one of the roles, in topology order. */
  neighboursAtSite(device: Device, roles?: readonly Device["role"][]): Device[] {
    const names = this.adjacency.get(device.name);
    if (!names) return [];
    return this.topology.devices.filter(
      (other) =>
        names.has(other.name) && other.site === device.site && (roles === undefined || roles.includes(other.role)),
    );
  }

  linked(a: string, b: string): boolean {
    return this.adjacency.get(a)?.has(b) ?? false;
  }

  /** The interface `device` uses towards `neighbour`, when the link names it. */
  interfaceTowards(device: string, neighbour: string): string | undefined {
    return this.interfaces.get(`${device}\u0000${neighbour}`);
  }

  linkKind(a: string, b: string): string | undefined {
    return this.linkKinds.get(`${a}\u0000${b}`);
  }

  private indexLink(link: Link): void {
    if (link.a_interface) this.interfaces.set(`${link.a}\u0000${link.b}`, link.a_interface);
    if (link.b_interface) this.interfaces.set(`${link.b}\u0000${link.a}`, link.b_interface);
    if (link.kind) {
      this.linkKinds.set(`${link.a}\u0000${link.b}`, link.kind);
      this.linkKinds.set(`${link.b}\u0000${link.a}`, link.kind);
    }
  }
}
