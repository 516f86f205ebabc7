/**
 * Network topology: devices with role, site and layer, and the links between them. Each tenant stores its own,
 * imported from today's TeleOps format or a NetBox export, so roles are free text (NetBox roles are whatever an
 * operator named them) and a device may have no site.
 */
import { z } from "zod";

export const LAYERS = ["optical", "link", "routing", "service", "application"] as const;
export type Layer = (typeof LAYERS)[number];
export const layerSchema = z.enum(LAYERS);

/** Roles the product has domain knowledge of (nouns, usual layers); a device may carry any other role. */
export const DEVICE_ROLES = [
  "core",
  "edge",
  "aggregation",
  "peering",
  "pe",
  "optical",
  "dns",
  "cdn",
  "firewall",
  "database",
  "app",
  "switch",
  "server",
] as const;
export type DeviceRole = (typeof DEVICE_ROLES)[number];

export function isDeviceRole(role: string | undefined): role is DeviceRole {
  return role !== undefined && (DEVICE_ROLES as readonly string[]).includes(role);
}

/** A device as a tenant's stored topology holds it: any role string, site and layer when known. */
export const networkDeviceSchema = z.object({
  name: z.string().trim().min(1).max(255),
  role: z.string().trim().min(1).max(200).optional(),
  site: z.string().trim().min(1).max(200).optional(),
  region: z.string().optional(),
  layer: layerSchema.optional(),
  vendor: z.string().optional(),
  services: z.array(z.string()).default([]),
});
export type NetworkDevice = z.infer<typeof networkDeviceSchema>;

/** A device of the demo topology the generator draws scenarios from: a known role, a site and a layer. */
export const deviceSchema = networkDeviceSchema.extend({
  role: z.enum(DEVICE_ROLES),
  site: z.string().min(1),
  layer: layerSchema,
});
export type Device = z.infer<typeof deviceSchema>;

export const linkSchema = z.object({
  a: z.string().trim().min(1).max(255),
  b: z.string().trim().min(1).max(255),
  kind: z.string().optional(),
  a_interface: z.string().optional(),
  b_interface: z.string().optional(),
  /** A circuit or cable id the link is known by (NetBox circuit `cid` or cable label). */
  circuit: z.string().optional(),
});
export type Link = z.infer<typeof linkSchema>;

/** Device names are unique and both ends of every link are devices of the topology. */
function checkNames(topology: { devices: Array<{ name: string }>; links: Link[] }, ctx: z.RefinementCtx): void {
  const names = new Set<string>();
  topology.devices.forEach((device, index) => {
    if (names.has(device.name)) {
      ctx.addIssue({ code: "custom", path: ["devices", index, "name"], message: `duplicate device "${device.name}"` });
    }
    names.add(device.name);
  });
  topology.links.forEach((link, index) => {
    for (const end of ["a", "b"] as const) {
      if (!names.has(link[end])) {
        ctx.addIssue({ code: "custom", path: ["links", index, end], message: `unknown device "${link[end]}"` });
      }
    }
  });
}

const siteSchema = z.object({ name: z.string(), region: z.string() });

function isSitePattern(pattern: string): boolean {
  try {
    new RegExp(pattern);
  } catch {
    return false;
  }
  return /\(\?<site\d*>/.test(pattern);
}

/** A tenant's topology: what `topology.import` stores and correlation, RCA and the incident page read. */
export const networkTopologySchema = z
  .object({
    sites: z.array(siteSchema).default([]),
    devices: z.array(networkDeviceSchema),
    links: z.array(linkSchema).default([]),
    /** The tenant's own site pattern for host names without a site tag (a regex with a named group `site`). */
    site_pattern: z
      .string()
      .max(1000)
      .refine(isSitePattern, "must be a regular expression with a named group (?<site>…)")
      .optional(),
  })
  .superRefine(checkNames);
export type NetworkTopology = z.infer<typeof networkTopologySchema>;

/** The demo topology (`fixtures/topology.json`): every device with a known role, a site and a layer. */
export const topologySchema = z
  .object({
    sites: z.array(siteSchema),
    devices: z.array(deviceSchema),
    links: z.array(linkSchema),
  })
  .superRefine(checkNames);
export type Topology = z.infer<typeof topologySchema>;

/** Formats `topology.import` reads; `auto` looks at the content. */
export const TOPOLOGY_FORMATS = ["teleops", "netbox", "netbox-csv"] as const;
export type TopologyFormat = (typeof TOPOLOGY_FORMATS)[number];

/** Text a topology import may carry: 5 MiB, as a file import. */
export const TOPOLOGY_CONTENT_MAX = 5 * 1024 * 1024;
const topologyText = z
  .string()
  .max(TOPOLOGY_CONTENT_MAX, `topology files over ${TOPOLOGY_CONTENT_MAX / 1024 / 1024} MiB are not accepted`);

/**
 * One document (`content`: a TeleOps topology, a NetBox JSON export or bundle, or one NetBox CSV), or NetBox's
 * two exports side by side (`devices` and `cables`, JSON or CSV).
 */
export const topologyImportInputSchema = z
  .object({
    format: z.enum([...TOPOLOGY_FORMATS, "auto"]).default("auto"),
    content: topologyText.optional(),
    devices: topologyText.optional(),
    cables: topologyText.optional(),
    /** What the operator calls the files (e.g. their names), kept as the topology's source. */
    name: z.string().trim().min(1).max(512).optional(),
  })
  .refine((input) => input.content !== undefined || input.devices !== undefined || input.cables !== undefined, {
    message: "send the topology as `content`, or NetBox's exports as `devices` and `cables`",
  });
export type TopologyImportInput = z.input<typeof topologyImportInputSchema>;

/** A tenant's stored topology as `topology.get` returns it. */
export const storedTopologySchema = z.object({
  tenant: z.string(),
  devices: z.array(networkDeviceSchema),
  links: z.array(linkSchema),
  device_count: z.number().int(),
  link_count: z.number().int(),
  source: z.string(),
  updated_by: z.string(),
  updated_at: z.string(),
});
export type StoredTopology = z.infer<typeof storedTopologySchema>;

/** What `topology.import` answers. */
export const topologyImportResultSchema = z.object({
  tenant: z.string(),
  format: z.enum(TOPOLOGY_FORMATS),
  source: z.string(),
  devices: z.number().int(),
  links: z.number().int(),
  /** Items not used (an unnamed device, a cable with no device at one end, a planned cable), with why; first 100. */
  skipped: z.array(z.object({ where: z.string(), reason: z.string() })),
  skipped_count: z.number().int(),
  updated_at: z.string(),
});
export type TopologyImportResult = z.infer<typeof topologyImportResultSchema>;
