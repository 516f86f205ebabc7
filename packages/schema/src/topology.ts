/** Network topology: devices with role, site and layer, and the links between them. */
import { z } from "zod";

export const LAYERS = ["optical", "link", "routing", "service", "application"] as const;
export type Layer = (typeof LAYERS)[number];
export const layerSchema = z.enum(LAYERS);

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

export const deviceSchema = z.object({
  name: z.string().min(1),
  role: z.enum(DEVICE_ROLES),
  site: z.string().min(1),
  region: z.string().optional(),
  layer: layerSchema,
  vendor: z.string().optional(),
  services: z.array(z.string()).default([]),
});
export type Device = z.infer<typeof deviceSchema>;

export const linkSchema = z.object({
  a: z.string().min(1),
  b: z.string().min(1),
  kind: z.string().optional(),
  a_interface: z.string().optional(),
  b_interface: z.string().optional(),
});
export type Link = z.infer<typeof linkSchema>;

export const topologySchema = z
  .object({
    sites: z.array(z.object({ name: z.string(), region: z.string() })),
    devices: z.array(deviceSchema),
    links: z.array(linkSchema),
  })
  .superRefine((topology, ctx) => {
    const names = new Set(topology.devices.map((d) => d.name));
    topology.links.forEach((link, index) => {
      for (const end of ["a", "b"] as const) {
        if (!names.has(link[end])) {
          ctx.addIssue({ code: "custom", path: ["links", index, end], message: `unknown device "${link[end]}"` });
        }
      }
    });
  });
export type Topology = z.infer<typeof topologySchema>;
