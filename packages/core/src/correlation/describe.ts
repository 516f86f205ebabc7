/** Human-readable incident titles: what failed first and where. */
import type { AlertGroup } from "./correlator.ts";

/** Abbreviations operators write in capitals. */
const ACRONYMS = new Set([
  "bgp",
  "ddos",
  "dns",
  "cdn",
  "vrf",
  "vpn",
  "mpls",
  "ldp",
  "isis",
  "ospf",
  "bfd",
  "http",
  "db",
  "snmp",
  "cpu",
  "ntp",
  "lacp",
  "lag",
  "crc",
  "psu",
  "ssl",
  "tls",
  "api",
  "rt",
  "as",
  "los",
  "lof",
  "tcp",
  "udp",
  "ip",
]);

export function humanizeAlertType(alertType: string): string {
  const words = alertType
    .split("_")
    .filter(Boolean)
    .map((w) => (w === "ddos" ? "DDoS" : ACRONYMS.has(w) ? w.toUpperCase() : w));
  const text = words.join(" ");
  return text.length > 0 ? text.charAt(0).toUpperCase() + text.slice(1) : "Alert";
}

/** e.g. "Optical loss of signal on fra1-opt-01 and 5 more hosts · fra1" */
export function incidentTitle(
  firstType: string,
  firstHost: string,
  hostCount: number,
  sites: ReadonlySet<string> | readonly string[],
): string {
  const others = hostCount - 1;
  const where = others > 0 ? `${firstHost} and ${others} more host${others === 1 ? "" : "s"}` : firstHost;
  const siteList = [...sites].sort();
  const siteText = siteList.length > 0 ? ` · ${siteList.slice(0, 3).join(", ")}${siteList.length > 3 ? "…" : ""}` : "";
  return `${humanizeAlertType(firstType)} on ${where}${siteText}`;
}

/** Refreshes the host count and sites of a title this module wrote, when its incident grows. */
export function retitle(title: string, hostCount: number, sites: ReadonlySet<string> | readonly string[]): string {
  const match = /^(.*) on (\S+?)(?: and \d+ more hosts?)?(?: · .*)?$/.exec(title);
  if (!match?.[1] || !match[2]) return title;
  return incidentTitle("", match[2], hostCount, sites).replace(/^Alert/, match[1]);
}

export function groupTitle<Ref>(group: AlertGroup<Ref>): string {
  const first = group.firstSignal ?? group.members[0];
  return incidentTitle(
    first?.alertType ?? "alert",
    first?.host ?? [...group.hosts][0] ?? "unknown",
    group.hosts.size,
    group.sites,
  );
}
