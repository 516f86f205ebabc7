/**
 * Looks up the hosts an incident touches in the tenant's topology: role, site and layer, and which hosts it does
 * not know (all of them when the tenant has stored no topology).
 */
import type { NetworkTopology, TopologyDevices } from "@teleops/schema";

export function describeHosts(topology: NetworkTopology | undefined, hosts: readonly string[]): TopologyDevices {
  const byName = new Map((topology?.devices ?? []).map((device) => [device.name, device]));
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
      role: device.role ?? null,
      site: device.site ?? null,
      region: device.region ?? null,
      layer: device.layer ?? null,
      vendor: device.vendor ?? null,
    });
  }
  return { devices, unknown };
}
