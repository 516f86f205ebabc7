/** Collects devices and links from an export into a topology, noting what it could not use and why. */
import { type Link, type NetworkDevice, type NetworkTopology, networkTopologySchema } from "@teleops/schema";
import { schemaFailure } from "./errors.ts";

export interface SkippedItem {
  /** Where in the input: `cables[4]`, `line 12`. */
  where: string;
  reason: string;
}

/** Skipped items listed one by one; past this, only counted. */
const MAX_SKIPPED_LISTED = 100;

export interface ParsedTopology {
  topology: NetworkTopology;
  skipped: SkippedItem[];
  skippedCount: number;
}

export class TopologyBuilder {
  private readonly devices = new Map<string, NetworkDevice>();
  private readonly implied = new Map<string, NetworkDevice>();
  private readonly links: Link[] = [];
  private readonly linkKeys = new Set<string>();
  private readonly skipped: SkippedItem[] = [];
  private skippedCount = 0;

  addDevice(device: NetworkDevice, where: string): void {
    const existing = this.devices.get(device.name);
    if (existing) {
      const site = existing.site ? ` (site ${existing.site})` : "";
      this.skip(where, `another device is named "${device.name}"${site}; the first is kept`);
      return;
    }
    this.devices.set(device.name, device);
  }

  /** A link between two devices; an end not listed as a device becomes one, with the site the cable gives. */
  addLink(link: Link, where: string, sites: { a?: string | undefined; b?: string | undefined } = {}): void {
    if (link.a === link.b) {
      this.skip(where, `both ends are on "${link.a}"`);
      return;
    }
    const key = [`${link.a}\u0000${link.a_interface ?? ""}`, `${link.b}\u0000${link.b_interface ?? ""}`]
      .sort()
      .join("\u0001");
    if (this.linkKeys.has(key)) {
      this.skip(where, `repeats the link ${link.a} – ${link.b}`);
      return;
    }
    this.linkKeys.add(key);
    this.links.push(link);
    this.imply(link.a, sites.a);
    this.imply(link.b, sites.b);
  }

  skip(where: string, reason: string): void {
    this.skippedCount += 1;
    if (this.skipped.length < MAX_SKIPPED_LISTED) this.skipped.push({ where, reason });
  }

  build(what: string): ParsedTopology {
    const devices = [...this.devices.values()];
    for (const [name, device] of this.implied) if (!this.devices.has(name)) devices.push(device);
    // Exports name sites on each device; the document's own site list (with regions) stays empty.
    const parsed = networkTopologySchema.safeParse({ sites: [], devices, links: this.links });
    if (!parsed.success) throw schemaFailure(what, parsed.error);
    return { topology: parsed.data, skipped: this.skipped, skippedCount: this.skippedCount };
  }

  private imply(name: string, site: string | undefined): void {
    if (this.devices.has(name)) return;
    const known = this.implied.get(name);
    if (known) {
      if (!known.site && site) known.site = site;
      return;
    }
    this.implied.set(name, { name, ...(site ? { site } : {}), services: [] });
  }
}
