/** Human-readable incident titles: what failed first and where. */
import type { AlertGroup } from "./correlator.ts";

export function humanizeAlertType(alertType: string): string {
  const words = alertType.replace(/_/g, " ").trim();
  return words.length > 0 ? words.charAt(0).toUpperCase() + words.slice(1) : "Alert";
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

export function groupTitle<Ref>(group: AlertGroup<Ref>): string {
  const first = group.firstSignal ?? group.members[0];
  return incidentTitle(
    first?.alertType ?? "alert",
    first?.host ?? [...group.hosts][0] ?? "unknown",
    group.hosts.size,
    group.sites,
  );
}
