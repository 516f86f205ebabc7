import { describe, expect, it } from "vitest";
import { SCENARIO_CATALOG } from "./failureCatalog.ts";
import { SCENARIO_TYPES } from "./scenario.ts";
import {
  categoryMatches,
  categoryPriors,
  categoryPriorsSchema,
  DEFAULT_CATEGORY_PRIORS,
  FAILURE_TAXONOMY,
  isOutsideNetworkCatalog,
  RCA_CATEGORIES,
} from "./taxonomy.ts";

describe("failure taxonomy", () => {
  it("holds the 11 network categories, the four outside it and other, each described and with a prior", () => {
    expect(RCA_CATEGORIES).toHaveLength(16);
    for (const category of RCA_CATEGORIES) {
      expect(FAILURE_TAXONOMY[category].title.length, category).toBeGreaterThan(3);
      expect(FAILURE_TAXONOMY[category].description.length, category).toBeGreaterThan(40);
      expect(DEFAULT_CATEGORY_PRIORS[category], category).toBeDefined();
    }
    for (const type of SCENARIO_TYPES) expect(RCA_CATEGORIES).toContain(type);
  });

  it("gives the generator's catalog its titles and priors, so the catalog cannot drift from it", () => {
    for (const type of SCENARIO_TYPES) {
      expect(SCENARIO_CATALOG[type]).toEqual({
        title: FAILURE_TAXONOMY[type].title,
        description: FAILURE_TAXONOMY[type].description,
        layer: DEFAULT_CATEGORY_PRIORS[type].layer,
        rootRoles: DEFAULT_CATEGORY_PRIORS[type].rootRoles,
      });
    }
  });

  it("lets a refinement answer its parent, never the other way round or across", () => {
    expect(categoryMatches("other", "power_or_environment")).toBe(true);
    expect(categoryMatches("other", "hardware_failure")).toBe(true);
    expect(categoryMatches("power_or_environment", "other")).toBe(false);
    expect(categoryMatches("fiber_cut", "network_degradation")).toBe(false);
    expect(categoryMatches("bgp_flap", "bgp_flap")).toBe(true);
    expect(isOutsideNetworkCatalog("capacity_exhaustion")).toBe(true);
    expect(isOutsideNetworkCatalog("dns_outage")).toBe(false);
  });

  it("applies a tenant's adjusted priors over the defaults and refuses unknown roles", () => {
    const adjusted = categoryPriorsSchema.parse({ bgp_flap: { layer: "routing", rootRoles: ["core"] } });
    const priors = categoryPriors(adjusted);
    expect(priors.bgp_flap.rootRoles).toEqual(["core"]);
    expect(priors.fiber_cut).toEqual(DEFAULT_CATEGORY_PRIORS.fiber_cut);
    expect(categoryPriorsSchema.safeParse({ bgp_flap: { layer: "routing", rootRoles: ["toaster"] } }).success).toBe(
      false,
    );
  });
});
