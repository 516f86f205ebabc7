/** Turns a topology document into the lookups the correlator needs. */
import type { NetworkTopology } from "@teleops/schema";
import type { TopologyView } from "./correlator.ts";

export function topologyView(topology: NetworkTopology): TopologyView {
  const site = new Map<string, string>();
  const neighbours = new Map<string, Set<string>>();
  for (const device of topology.devices) if (device.site) site.set(device.name, device.site);
  for (const link of topology.links) {
    for (const [from, to] of [
      [link.a, link.b],
      [link.b, link.a],
    ] as const) {
      let set = neighbours.get(from);
      if (!set) {
        set = new Set();
        neighbours.set(from, set);
      }
      set.add(to);
    }
  }
  return {
    siteOf: (host) => site.get(host),
    neighbours: (host) => neighbours.get(host),
    ...("site_pattern" in topology && topology.site_pattern ? { sitePattern: topology.site_pattern } : {}),
  };
}
