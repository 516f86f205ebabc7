/**
 * Routes: whether a channel takes an incident. A minimum severity, then Alertmanager-style matchers over the
 * incident's severity, tenant and its sets of sites, services and hosts (a set matches `=` when any member equals,
 * `!=` when none does; likewise for the regex forms).
 */
import { anchoredRegex, type Matcher, type Severity, severityRank } from "@teleops/schema";

export interface RoutedIncident {
  tenantId: string;
  severity: Severity;
  sites: readonly string[];
  services: readonly string[];
  hosts: readonly string[];
}

export interface Route {
  minSeverity: Severity | null;
  matchers: readonly Matcher[];
}

function valuesOf(incident: RoutedIncident, name: string): readonly string[] {
  switch (name) {
    case "severity":
      return [incident.severity];
    case "tenant":
      return [incident.tenantId];
    case "site":
      return incident.sites;
    case "service":
      return incident.services;
    case "host":
      return incident.hosts;
    default:
      return [];
  }
}

function holds(matcher: Matcher, incident: RoutedIncident): boolean {
  // An incident without any site reads as one empty site, as a missing label does in Alertmanager.
  const found = valuesOf(incident, matcher.name);
  const values = found.length > 0 ? found : [""];
  switch (matcher.op) {
    case "=":
      return values.includes(matcher.value);
    case "!=":
      return !values.includes(matcher.value);
    case "=~": {
      const regex = anchoredRegex(matcher.value);
      return values.some((value) => regex.test(value));
    }
    case "!~": {
      const regex = anchoredRegex(matcher.value);
      return !values.some((value) => regex.test(value));
    }
  }
}

export function routeTakes(route: Route, incident: RoutedIncident): boolean {
  if (route.minSeverity && severityRank(incident.severity) > severityRank(route.minSeverity)) return false;
  return route.matchers.every((matcher) => holds(matcher, incident));
}
