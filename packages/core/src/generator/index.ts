/** The NOC scenario generator and the topology helpers the correlator shares with it. */
// The catalog is the failure taxonomy in @teleops/schema; re-exported for the callers that knew it here.
export { SCENARIO_CATALOG, type ScenarioCatalogEntry } from "@teleops/schema";
export { type GeneratedScenario, generateScenario, SYNTHETIC_TAG } from "./generator.ts";
export { buildAdjacency, DEFAULT_TOPOLOGY_PATH, deviceIndex, loadTopology, regionOf } from "./topology.ts";
