/**
 * The concrete details a hypothesis names (peer AS, interface, VRF, loss %, rx power…), read from alert payloads
 * under the many names sources give them, and from the message text when no payload carries them.
 */
import type { Alert } from "@teleops/schema";

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, "");
}

const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/;
const INTERFACE = new RegExp(
  [
    String.raw`\b(?:xe|ge|et|so|fe|gr|irb|mge)-\d+\/\d+\/\d+(?::\d+)?\b`,
    String.raw`\b(?:FourHundredGigE|HundredGigE|FortyGigE|TwentyFiveGigE|TenGigE|TenGigabitEthernet|GigabitEthernet|Ethernet|Bundle-Ether|Port-[Cc]hannel)\s?\d+(?:\/\d+)*(?:\.\d+)?\b`,
    String.raw`\b(?:ae|po|eth|te|gi|hu|fo|lag)-?\d+(?:\/\d+)*(?:\.\d+)?\b`,
    String.raw`\b\d+\/\d+\/c\d+\/\d+\b`,
    String.raw`\b\d+-\d+-L\d+\b`,
  ].join("|"),
  "i",
);

export class Facts {
  private readonly values = new Map<string, unknown[]>();
  private readonly messages: string[] = [];

  constructor(alerts: readonly Alert[]) {
    for (const alert of alerts) {
      this.messages.push(alert.message);
      for (const [key, value] of Object.entries(alert.raw_payload)) {
        if (value === null || value === undefined || typeof value === "object") continue;
        const normalized = normalizeKey(key);
        let list = this.values.get(normalized);
        if (!list) {
          list = [];
          this.values.set(normalized, list);
        }
        list.push(value);
      }
    }
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

  interface(): string | undefined {
    const named = this.text("interface", "ifName", "if_name", "ingress_interface", "egress_interface", "port_name");
    if (named) return named;
    const port = this.text("port");
    if (port && !/^\d+$/.test(port)) return port;
    return this.fromMessages(INTERFACE);
  }

  peerAs(): string | undefined {
    const as = this.text("peer_as", "peerAs", "remote_as", "peer_asn", "neighbor_as", "destination_as", "asn");
    if (as) return as.replace(/^AS/i, "");
    return this.fromMessages(/\bAS\s?(\d{1,10})\b/);
  }

  peerIp(): string | undefined {
    return (
      this.text("peer_ip", "peer_address", "neighbor_ip", "neighbor_address", "remote_address", "peer") ??
      this.fromMessages(new RegExp(`(?:peer|neighbor|neighbour)\\s+(${IPV4.source})`, "i"))
    );
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
