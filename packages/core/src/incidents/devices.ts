/** Looks up the hosts an incident touches in the topology: role, site and layer, and which hosts it does not know. */
import type { Topology, TopologyDevices } from "@teleops/schema";

export function describeHosts(topology: Topology, hosts: readonly string[]): TopologyDevices {
  const byName = new Map(topology.devices.map((device) => [device.name, device]));
  const devices: TopologyDevices["devices"] = [];
  const unknown: string[] = [];
  for (const host of new Set(hosts)) {
    const device = byName.get(host);
    if (!device) {
      unknown.push(host);
      continue;
    }
    devices.push({
      host,
      role: device.role,
      site: device.site,
      region: device.region ?? null,
      layer: device.layer,
      vendor: device.vendor ?? null,
    });
  }
  return { devices, unknown };
}
