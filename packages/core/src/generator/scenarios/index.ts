/** Picks the failing device for a scenario and lets that scenario's builder walk the topology from it. */
import { SCENARIO_CATALOG, type ScenarioType } from "@teleops/schema";
import { ValidationError } from "../../errors.ts";
import { type Diagnosis, ScenarioDraft, type ScenarioPlan } from "../plan.ts";
import type { SeededRandom } from "../random.ts";
import type { NetworkMap } from "../topology.ts";
import { buildBgpFlap, buildDdosEdge, buildIspPeeringCongestion, buildMplsVpnLeak } from "./routing.ts";
import {
  buildCdnCacheStampede,
  buildDatabaseLatencySpike,
  buildDnsOutage,
  buildFirewallRuleMisconfig,
} from "./services.ts";
import { buildFiberCut, buildNetworkDegradation, buildRouterFreeze } from "./transport.ts";

const BUILDERS: Readonly<Record<ScenarioType, (draft: ScenarioDraft) => Diagnosis>> = {
  fiber_cut: buildFiberCut,
  network_degradation: buildNetworkDegradation,
  router_freeze: buildRouterFreeze,
  bgp_flap: buildBgpFlap,
  isp_peering_congestion: buildIspPeeringCongestion,
  ddos_edge: buildDdosEdge,
  mpls_vpn_leak: buildMplsVpnLeak,
  dns_outage: buildDnsOutage,
  cdn_cache_stampede: buildCdnCacheStampede,
  firewall_rule_misconfig: buildFirewallRuleMisconfig,
  database_latency_spike: buildDatabaseLatencySpike,
};

/** Sites that have at least one device the scenario can start from. */
export function sitesFor(type: ScenarioType, net: NetworkMap): string[] {
  const roles = SCENARIO_CATALOG[type].rootRoles;
  return net.sites().filter((site) => net.atSite(site, roles).length > 0);
}

export function planScenario(type: ScenarioType, site: string, net: NetworkMap, rng: SeededRandom): ScenarioPlan {
  const candidates = net.atSite(site, SCENARIO_CATALOG[type].rootRoles);
  if (candidates.length === 0) {
    throw new ValidationError(
      `site ${site} has no ${SCENARIO_CATALOG[type].rootRoles.join("/")} device for scenario ${type}`,
    );
  }
  const draft = new ScenarioDraft(net, rng, rng.pick(candidates));
  const diagnosis = BUILDERS[type](draft);
  return {
    type,
    site,
    root: draft.root,
    rootCause: diagnosis.rootCause,
    remediation: diagnosis.remediation,
    affected: draft.affected,
    hops: draft.hops,
    signals: draft.signals,
  };
}
