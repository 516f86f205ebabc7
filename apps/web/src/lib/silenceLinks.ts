/**
 * Links to the Silences page's form with matchers filled in, in Alertmanager's syntax: any page can offer
 * "Silence alerts like this" with `silenceFormHref(["host=core-rtr-01", "alert_type=link_down"])`, which gives
 * `/silences/new?match=host%3Dcore-rtr-01&match=alert_type%3Dlink_down`.
 */

export function silenceFormHref(matchers: readonly string[]): string {
  const params = new URLSearchParams();
  for (const matcher of matchers) params.append("match", matcher);
  const query = params.toString();
  return query ? `/silences/new?${query}` : "/silences/new";
}

/** A regex that matches exactly these values (each escaped), for `name=~…`. */
function anyOf(values: readonly string[]): string {
  return values.map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
}

/** An incident's devices (and its site, when it has one): what "silence alerts like this" means there. */
export function incidentSilenceMatchers(incident: { hosts: readonly string[]; sites?: readonly string[] }): string[] {
  const matchers: string[] = [];
  const hosts = incident.hosts.slice(0, 30);
  if (hosts.length === 1) matchers.push(`host=${hosts[0]}`);
  else if (hosts.length > 1) matchers.push(`host=~${anyOf(hosts)}`);
  const sites = incident.sites ?? [];
  if (sites.length === 1) matchers.push(`site=${sites[0]}`);
  return matchers;
}
