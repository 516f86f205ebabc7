/** Reads the scenario catalog defensively: the SPA needs only a title and a description per scenario type. */
import { SCENARIO_TYPES, type ScenarioType } from "@teleops/schema";
import { humanize } from "./format.ts";

export interface ScenarioInfo {
  type: ScenarioType | "mixed";
  title: string;
  description: string;
  layer: string;
}

function text(entry: object, key: string): string {
  const value: unknown = (entry as Record<string, unknown>)[key];
  return typeof value === "string" ? value : "";
}

export const MIXED: ScenarioInfo = {
  type: "mixed",
  title: "Mixed",
  description: "Several scenarios at once across sites, overlapping in time, plus background noise.",
  layer: "",
};

/** Every known scenario type in catalog order, described by the server's catalog when it has an entry. */
export function scenarioOptions(catalog: unknown): ScenarioInfo[] {
  // The catalog is keyed by scenario type; a list of entries that name their `type` is read the same way.
  const entries: Array<[string, unknown]> = Array.isArray(catalog)
    ? catalog.map((entry: unknown) => [typeof entry === "object" && entry !== null ? text(entry, "type") : "", entry])
    : typeof catalog === "object" && catalog !== null
      ? Object.entries(catalog)
      : [];
  const byType = new Map<string, object>();
  for (const [type, entry] of entries) {
    if (typeof entry === "object" && entry !== null) byType.set(type, entry);
  }
  const options = SCENARIO_TYPES.map((type): ScenarioInfo => {
    const entry = byType.get(type);
    return {
      type,
      title: (entry && text(entry, "title")) || humanize(type),
      description: entry ? text(entry, "description") : "",
      layer: entry ? text(entry, "layer") : "",
    };
  });
  return [MIXED, ...options];
}
