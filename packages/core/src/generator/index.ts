/** The NOC scenario generator and the topology helpers the correlator shares with it. */
export { SCENARIO_CATALOG, type ScenarioCatalogEntry } from "./catalog.ts";
export { type GeneratedScenario, generateScenario, SYNTHETIC_TAG } from "./generator.ts";
export { buildAdjacency, DEFAULT_TOPOLOGY_PATH, deviceIndex, loadTopology, regionOf } from "./topology.ts";
