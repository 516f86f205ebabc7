/**
 * The concrete details a hypothesis names (peer AS, interface, VRF, loss %, rx power…), read from alert payloads
 * under the many names sources give them, and from the message text when no payload carries them.
 */
import type { Alert } from "@teleops/schema";

const normalizedKeys = new Map<string, string>();

/** `ifName`, `if_name`, `if-name` → `ifname`; payload keys repeat endlessly, so the answer is remembered. */
function normalizeKey(key: string): string {
  let normalized = normalizedKeys.get(key);
  if (normalized === undefined) {
    normalized = key.toLowerCase().replace(/[^a-z0-9]/g, "");
    if (normalizedKeys.size >= 10_000) normalizedKeys.clear();
    normalizedKeys.set(key, normalized);
  }
  return normalized;
}

const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/;
const INTERFACE = new RegExp(
  [
    String.raw`\b(?:xe|ge|et|so|fe|gr|irb|mge)-\d+\/\d+\/\d+(?::\d+)?\b`,
    String.raw`\b(?:FourHundredGigE|HundredGigE|FortyGigE|Optics|TwentyFiveGigE|TenGigE|TenGigabitEthernet|GigabitEthernet|Ethernet|Bundle-Ether|Port-[Cc]hannel)\s?\d+(?:\/\d+)*(?:\.\d+)?\b`,
    String.raw`\b(?:ae|po|eth|te|gi|hu|fo|lag)-?\d+(?:\/\d+)*(?:\.\d+)?\b`,
    String.raw`\b\d+\/\d+\/c\d+\/\d+\b`,
    String.raw`\b\d+-\d+-L\d+\b`,
  ].join("|"),
  "i",
);

const NIC = /^(?:eth|ens|enp|eno|em|bond|team|ib|wlan)[\w.-]*$/;
const CIRCUIT = /\b(?:CID|circuit(?:[ _-]?id)?|ckt)\b[\s:=#]*([A-Z0-9][A-Z0-9/._-]{2,40})/i;

/** How deep nested payload objects are read: Alertmanager `labels`, syslog `structured_data.<id>.<param>`. */
const MAX_DEPTH = 3;
/** Payload objects of sentences, not fields: read like messages, kept apart from fields of the same name. */
const PROSE_OBJECTS = new Set(["annotations", "commonannotations"]);

/**
 * Every fact an alert carries, by key: payload fields, nested objects (Alertmanager labels and annotations, syslog
 * structured data, parsed firewall fields), then tags. Keys compare without case or separators, so `ifName`,
 * `if_name` and `if-name` are one key.
 */
export class Facts {
  private readonly values = new Map<string, unknown[]>();
  private readonly messages: string[] = [];

  constructor(alerts: readonly Alert[]) {
    for (const alert of alerts) {
      this.messages.push(alert.message);
      this.collect(alert.raw_payload, 0, "");
      for (const [key, value] of Object.entries(alert.tags)) this.add(key, value);
    }
  }

  private collect(object: Record<string, unknown>, depth: number, prefix: string): void {
    for (const [key, value] of Object.entries(object)) {
      if (value === null || value === undefined) continue;
      if (typeof value === "object") {
        if (!Array.isArray(value) && depth < MAX_DEPTH) {
          const prose = PROSE_OBJECTS.has(normalizeKey(key));
          this.collect(value as Record<string, unknown>, depth + 1, prose ? "annotation" : prefix);
        }
        continue;
      }
      // Annotation sentences ("Interface … utilisation 97 %") are read for numbers and names like messages.
      if (prefix && typeof value === "string" && !this.messages.includes(value)) this.messages.push(value);
      this.add(`${prefix}${key}`, value);
    }
  }

  private add(key: string, value: unknown): void {
    const normalized = normalizeKey(key);
    let list = this.values.get(normalized);
    if (!list) {
      list = [];
      this.values.set(normalized, list);
    }
    list.push(value);
  }

  /** The first text value under any of the keys (payload names in any case or separator style). */
  text(...keys: string[]): string | undefined {
    for (const key of keys) {
      for (const value of this.values.get(normalizeKey(key)) ?? []) {
        const text = String(value).trim();
        if (text.length > 0) return text;
      }
    }
    return undefined;
  }

  private numbers(keys: readonly string[]): number[] {
    const out: number[] = [];
    for (const key of keys) {
      for (const value of this.values.get(normalizeKey(key)) ?? []) {
        const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
        if (Number.isFinite(n)) out.push(n);
      }
      if (out.length > 0) return out;
    }
    return out;
  }

  max(...keys: string[]): number | undefined {
    const list = this.numbers(keys);
    return list.length > 0 ? Math.max(...list) : undefined;
  }

  min(...keys: string[]): number | undefined {
    const list = this.numbers(keys);
    return list.length > 0 ? Math.min(...list) : undefined;
  }

  /** First capture of `pattern` over the messages. */
  fromMessages(pattern: RegExp): string | undefined {
    for (const message of this.messages) {
      const match = pattern.exec(message);
      if (match) return match[1] ?? match[0];
    }
    return undefined;
  }

  /** Smallest number captured by `pattern` over the messages. */
  minFromMessages(pattern: RegExp): number | undefined {
    let best: number | undefined;
    for (const message of this.messages) {
      const match = pattern.exec(message);
      const n = match?.[1] === undefined ? Number.NaN : Number(match[1]);
      if (Number.isFinite(n) && (best === undefined || n < best)) best = n;
    }
    return best;
  }

  // The details operators look for, under the names different sources use.

  // Interface names under the keys of syslog tags, SNMP/LibreNMS (`ifName`, `ifDescr`), Junos structured data
  // (`interface-name`), firewalls (`srcintf`, `inIf`) and node_exporter (`device` when it is a NIC).
  interface(): string | undefined {
    const named = this.text(
      "interface",
      "ifName",
      "if_name",
      "interface_name",
      "ifDescr",
      "if_descr",
      "ingress_interface",
      "egress_interface",
      "port_name",
      "srcintf",
      "inIf",
    );
    if (named) return named;
    const port = this.text("port");
    if (port && !/^\d+$/.test(port)) return port;
    const device = this.values.get("device")?.find((value) => typeof value === "string" && NIC.test(value));
    if (typeof device === "string") return device;
    return this.fromMessages(INTERFACE);
  }

  peerAs(): string | undefined {
    const as = this.text(
      "peer_as",
      "peerAs",
      "remote_as",
      "peer_asn",
      "neighbor_as",
      "destination_as",
      "bgpPeerRemoteAs",
      "asn",
    );
    if (as) return as.replace(/^AS/i, "");
    return this.fromMessages(/\bAS:?\s?(\d{1,10})\b/);
  }

  peerIp(): string | undefined {
    const named = this.text(
      "peer_ip",
      "peer_address",
      "neighbor_ip",
      "neighbor_address",
      "remote_address",
      "bgpPeerRemoteAddr",
      "bgp_peer",
      "peer_addr",
      "peer_name",
      "peer",
      "neighbor",
      "remip",
    );
    if (named && (IPV4.test(named) || named.includes(":"))) return named;
    return (
      this.fromMessages(new RegExp(`(?:peer|neighbor|neighbour|nbr)(?:\\s+\\d+:)?\\s+(${IPV4.source})`, "i")) ?? named
    );
  }

  /** A carrier circuit or span id: a named field, else "CID …" / "circuit …" in an interface description or text. */
  circuit(): string | undefined {
    const named = this.text("circuit", "circuit_id", "cid", "span", "span_id");
    if (named) return named;
    const described = this.text("ifAlias", "if_alias", "description");
    const found = described ? CIRCUIT.exec(described)?.[1] : undefined;
    return found ?? this.fromMessages(CIRCUIT);
  }

  /** The largest duration in milliseconds: a named field, else "duration: N ms" / "after N ms" in the text. */
  durationMs(...keys: string[]): number | undefined {
    const named = this.max(...keys);
    if (named !== undefined) return named;
    let best: number | undefined;
    for (const message of this.messages) {
      for (const match of message.matchAll(/\b(?:duration:?|after|took)\s+(\d+(?:\.\d+)?)\s?ms\b/gi)) {
        const n = Number(match[1]);
        if (Number.isFinite(n) && (best === undefined || n > best)) best = n;
      }
    }
    return best;
  }

  /** A percentage from the payload, else the largest "N%" in the messages that also match `near`. */
  percent(keys: string[], near?: RegExp): number | undefined {
    const fromPayload = this.max(...keys);
    if (fromPayload !== undefined) return fromPayload;
    if (!near) return undefined;
    let best: number | undefined;
    for (const message of this.messages) {
      if (!near.test(message)) continue;
      const match = /(\d+(?:\.\d+)?)\s?%/.exec(message);
      const n = match?.[1] === undefined ? Number.NaN : Number(match[1]);
      if (Number.isFinite(n) && (best === undefined || n > best)) best = n;
    }
    return best;
  }
}

/** A number as an operator would read it: thousands separated, at most one decimal. */
export function formatNumber(value: number): string {
  const rounded = Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
  return rounded.toLocaleString("en-US");
}

/** A duration as "45 s", "6 min", "2 h". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.round(minutes / 60)} h`;
}
