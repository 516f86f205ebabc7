/**
 * The scenario catalog: the network categories of the failure taxonomy the generator can stage, with their
 * titles, descriptions and default priors, as the API and the SPA show them. Derived from the taxonomy.
 */
import { SCENARIO_TYPES, type ScenarioType } from "./scenario.ts";
import { DEFAULT_CATEGORY_PRIORS, FAILURE_TAXONOMY, RCA_CATEGORIES } from "./taxonomy.ts";
import type { DeviceRole, Layer } from "./topology.ts";

export interface ScenarioCatalogEntry {
  title: string;
  /** The layer the root cause lives in. */
  layer: Layer;
  /** Roles the failing device typically has, most typical first (the generator picks its root among them). */
  rootRoles: readonly DeviceRole[];
  description: string;
}

function entry(type: ScenarioType): ScenarioCatalogEntry {
  const { title, description } = FAILURE_TAXONOMY[type];
  const { layer, rootRoles } = DEFAULT_CATEGORY_PRIORS[type];
  if (layer === null) throw new Error(`scenario type ${type} has no layer prior`);
  return { title, layer, rootRoles, description };
}

const isScenarioType = (category: string): category is ScenarioType =>
  (SCENARIO_TYPES as readonly string[]).includes(category);

// In the taxonomy's order (transport up to applications), which is the order lists show.
export const SCENARIO_CATALOG: Readonly<Record<ScenarioType, ScenarioCatalogEntry>> = Object.fromEntries(
  RCA_CATEGORIES.filter(isScenarioType).map((type) => [type, entry(type)]),
) as Record<ScenarioType, ScenarioCatalogEntry>;
