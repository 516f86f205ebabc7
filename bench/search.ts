/**
 * Search with the stored-data benchmark's alerts in place (issue 17, item 5): the queue's free-text search timed
 * for words taken from the stream itself (an IP address and an interface name from messages, a host, an alert
 * type that thousands of alerts share) and for text with filters. Target: p99 ≤ 100 ms with 1M alerts stored.
 */
import { readFileSync } from "node:fs";
import type { CanonicalAlert } from "@teleops/schema";

export const SEARCH_TARGET_MS = 100;

const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/;
const INTERFACE = /\b(?:(?:xe|ge|et|ae)-\d+\/\d+\/\d+|(?:GigabitEthernet|TenGigE|HundredGigE|Ethernet)\d+(?:\/\d+)+)\b/;

export interface SearchCase {
  name: string;
  input: Record<string, unknown>;
}

/** Words an operator would search for, found in the stream from its middle on (so older and newer data surround them). */
export function searchCases(alerts: readonly CanonicalAlert[]): SearchCase[] {
  const middle = Math.floor(alerts.length / 2);
  const ordered = [...alerts.slice(middle), ...alerts.slice(0, middle)];
  const first = (pattern: RegExp) => {
    for (const alert of ordered) {
      const found = pattern.exec(alert.message)?.[0];
      if (found) return found;
    }
    return undefined;
  };
  const pivot = alerts[middle];
  const cases: SearchCase[] = [];
  const ip = first(IPV4);
  if (ip) cases.push({ name: `IP address in messages (${ip})`, input: { text: ip } });
  const iface = first(INTERFACE);
  if (iface) cases.push({ name: `interface name (${iface})`, input: { text: iface } });
  if (pivot) {
    cases.push({ name: `host (${pivot.host})`, input: { text: pivot.host } });
    cases.push({ name: `alert type, thousands of alerts (${pivot.alert_type})`, input: { text: pivot.alert_type } });
    cases.push({
      name: "host + last-alert range (one day)",
      input: {
        text: pivot.host,
        lastAlertFrom: new Date(Date.parse(pivot.timestamp) - 12 * 3_600_000).toISOString(),
        lastAlertTo: new Date(Date.parse(pivot.timestamp) + 12 * 3_600_000).toISOString(),
      },
    });
  }
  cases.push({ name: "no match (198.51.100.254)", input: { text: "198.51.100.254" } });
  return cases.map((c) => ({ ...c, input: { limit: 25, ...c.input } }));
}

/** CPU seconds a process has used (user + system), from /proc: unlike wall time, it barely moves with other load. */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
