/**
 * Firewall logs that carry their own fields instead of a mnemonic: FortiGate `key=value` lines and PAN-OS CSV
 * (TRAFFIC, THREAT, SYSTEM, CONFIG). Each becomes an alert type, a severity, the device name when the log names it,
 * and the fields themselves (kept in the payload, where the RCA engine reads interfaces and addresses).
 */
import { toSnakeCase } from "@teleops/schema";

export interface FirewallEvent {
  vendor: "fortigate" | "panos";
  alertType: string;
  clears: boolean;
  /** Syslog severity code (0–7) the log states, when it states one. */
  severity: number | undefined;
  /** The device name the log carries (FortiGate `devname`, PAN-OS Device Name). */
  host: string | undefined;
  /** RFC 3339 time with zone, when the log gives one (FortiGate `date`/`time`/`tz` or `eventtime`). */
  timestamp: string | undefined;
  fields: Record<string, string>;
  interface: string | undefined;
  neighbor: string | undefined;
}

const FORTIGATE_LEVELS: Readonly<Record<string, number>> = {
  emergency: 0,
  alert: 1,
  critical: 2,
  error: 3,
  warning: 4,
  notice: 5,
  information: 6,
  debug: 7,
};
const PANOS_SEVERITIES: Readonly<Record<string, number>> = {
  critical: 2,
  high: 3,
  medium: 4,
  low: 5,
  informational: 6,
};
const DENY_ACTIONS =
  /^(?:deny|denied|block|blocked|drop|dropped|reset-(?:client|server|both)|reject|server-rst|client-rst)$/i;

/** True when the text opens like a FortiGate log (`date=… time=…`, or `logver=`/`devname=` first). */
export function looksLikeFortigate(text: string): boolean {
  return /^(?:date=\d{4}-\d{2}-\d{2} time=|logver=|devname=|eventtime=)/.test(text);
}

const PANOS_HEAD =
  /^[^,]*,\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2},[^,]*,(TRAFFIC|THREAT|SYSTEM|CONFIG|GLOBALPROTECT|USERID|AUTH),/;

export function looksLikePanos(text: string): boolean {
  return PANOS_HEAD.test(text);
}

/** `key=value` and `key="quoted value"` pairs, in order; backslash escapes inside quotes. */
export function readKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const pair = /([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (const match of text.matchAll(pair)) {
    const [, key = "", raw = ""] = match;
    out[key] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : raw;
  }
  return out;
}

/** One CSV record (PAN-OS quotes fields that hold commas, doubling inner quotes). */
export function readCsvRecord(text: string): string[] {
  const fields: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        current += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      fields.push(current);
      current = "";
    } else current += ch;
  }
  fields.push(current);
  return fields;
}

export function parseFortigate(text: string): FirewallEvent {
  const f = readKeyValues(text);
  const type = (f.type ?? "").toLowerCase();
  const subtype = (f.subtype ?? "").toLowerCase();
  const action = f.action ?? "";
  const words = `${f.logdesc ?? ""} ${f.msg ?? ""} ${action} ${f.status ?? ""}`;
  let alertType: string;
  let clears = false;
  if (type === "traffic") {
    alertType = DENY_ACTIONS.test(action) ? "acl_deny" : "connection_log";
  } else if (subtype === "anomaly") {
    alertType = "dos_anomaly_detected";
  } else if (subtype === "ips") {
    alertType = "ips_signature_detected";
  } else if (subtype === "virus") {
    alertType = "malware_detected";
  } else if (subtype === "webfilter") {
    alertType = "web_filter_block";
  } else {
    ({ alertType, clears } = fortigateEvent(words, f));
  }
  return {
    vendor: "fortigate",
    alertType,
    clears,
    severity: FORTIGATE_LEVELS[(f.level ?? "").toLowerCase()],
    host: f.devname,
    timestamp: fortigateTime(f),
    fields: f,
    interface: f.interface ?? f.intf ?? f.srcintf,
    neighbor: f.remip ?? f.peerip,
  };
}

function fortigateEvent(words: string, f: Record<string, string>): { alertType: string; clears: boolean } {
  const down = /\b(?:down|dead|die|failed|fail|lost)\b/i.test(words);
  const up = /\b(?:up|alive|restored)\b/i.test(words);
  if (/login failed|login fail|failed to log ?in/i.test(words))
    return { alertType: "user_login_failed", clears: false };
  if (/login successful|logged in/i.test(words)) return { alertType: "user_login", clears: false };
  if (f.cfgpath || /\bconfigured\b|\bconfig(?:uration)? change/i.test(words)) {
    return { alertType: "config_change", clears: false };
  }
  if (/ipsec|tunnel|phase ?[12]/i.test(words) && (down || up)) {
    return down ? { alertType: "vpn_tunnel_down", clears: false } : { alertType: "vpn_tunnel_up", clears: true };
  }
  if (/link monitor/i.test(words) && (down || up)) {
    // A link monitor pings through the link: its verdict is about the path, reported as such.
    const dead = /\bto dead\b|\bdie\b/i.test(words) || !/\bto alive\b/i.test(words);
    return dead ? { alertType: "link_monitor_down", clears: false } : { alertType: "link_monitor_up", clears: true };
  }
  if (/interface|link status|port/i.test(words) && (down || up)) {
    return down ? { alertType: "link_down", clears: false } : { alertType: "link_up", clears: true };
  }
  if (/conserve mode/i.test(words)) return { alertType: "memory_conserve_mode", clears: false };
  if (/power supply/i.test(words)) return { alertType: "power_supply_failure", clears: false };
  if (/\bfan\b/i.test(words)) return { alertType: "fan_failure", clears: false };
  if (/\bHA\b|cluster|failover/.test(words)) return { alertType: "failover_state_change", clears: false };
  return { alertType: toSnakeCase(f.logdesc ?? "") || "fortigate_event", clears: false };
}

/** `date`/`time` with `tz` ("+0100", "-05:00"), else `eventtime` (seconds to nanoseconds since the epoch, UTC). */
function fortigateTime(f: Record<string, string>): string | undefined {
  const tz = /^([+-])(\d{2}):?(\d{2})$/.exec(f.tz ?? "");
  if (f.date && f.time && tz) {
    const iso = `${f.date}T${f.time}${tz[1]}${tz[2]}:${tz[3]}`;
    const ms = Date.parse(iso);
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  const epoch = f.eventtime;
  if (epoch && /^\d{10,19}$/.test(epoch)) {
    const ms = Number(epoch.slice(0, 13).padEnd(13, "0"));
    if (Number.isFinite(ms)) return new Date(ms).toISOString();
  }
  return undefined;
}

/** Field positions of the PAN-OS default syslog formats (see fixtures/vendor/README.md). */
const PANOS_TRAFFIC = {
  src: 7,
  dst: 8,
  rule: 11,
  app: 14,
  fromZone: 16,
  toZone: 17,
  inIf: 18,
  outIf: 19,
  sport: 24,
  dport: 25,
  proto: 29,
  action: 30,
};
const PANOS_THREAT = { ...PANOS_TRAFFIC, threat: 32, category: 33, severity: 34, direction: 35 };
const PANOS_SYSTEM = { vsys: 7, eventid: 8, object: 9, module: 12, severity: 13, description: 14 };
const PANOS_CONFIG = { client_host: 7, vsys: 8, command: 9, admin: 10, client: 11, result: 12, path: 13 };

function pick(values: string[], positions: Record<string, number>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, index] of Object.entries(positions)) {
    const value = values[index];
    if (value !== undefined && value !== "") out[name] = value;
  }
  return out;
}

export function parsePanos(text: string): FirewallEvent {
  const values = readCsvRecord(text);
  const type = values[3] ?? "";
  const subtype = (values[4] ?? "").toLowerCase();
  let fields: Record<string, string>;
  let alertType: string;
  let clears = false;
  let severity: number | undefined;
  let iface: string | undefined;
  let neighbor: string | undefined;
  if (type === "TRAFFIC") {
    fields = pick(values, PANOS_TRAFFIC);
    alertType = DENY_ACTIONS.test(fields.action ?? "") ? "acl_deny" : "connection_log";
    iface = fields.inIf;
  } else if (type === "THREAT") {
    fields = pick(values, PANOS_THREAT);
    alertType =
      subtype === "flood"
        ? "dos_flood_detected"
        : subtype === "scan"
          ? "port_scan_detected"
          : subtype === "url"
            ? "web_filter_block"
            : "threat_detected";
    severity = PANOS_SEVERITIES[(fields.severity ?? "").toLowerCase()];
    iface = fields.inIf;
  } else if (type === "SYSTEM") {
    fields = pick(values, PANOS_SYSTEM);
    severity = PANOS_SEVERITIES[(fields.severity ?? "").toLowerCase()];
    ({ alertType, clears } = panosSystemEvent(fields.eventid ?? "", fields.description ?? ""));
    iface = /^(?:ethernet|ae|tunnel|vlan|loopback)\d/i.test(fields.object ?? "") ? fields.object : undefined;
    neighbor = /\bpeer[^0-9]{0,20}(\d{1,3}(?:\.\d{1,3}){3})/i.exec(fields.description ?? "")?.[1];
  } else if (type === "CONFIG") {
    fields = pick(values, PANOS_CONFIG);
    alertType = "config_change";
  } else {
    fields = {};
    alertType = toSnakeCase(`panos_${type}_${subtype}`);
  }
  fields = { type, subtype, ...fields };
  return {
    vendor: "panos",
    alertType,
    clears,
    severity,
    // The device is the syslog header's host: the Device Name column moves between PAN-OS releases.
    host: undefined,
    timestamp: undefined,
    fields,
    interface: iface,
    neighbor,
  };
}

function panosSystemEvent(eventid: string, description: string): { alertType: string; clears: boolean } {
  const text = `${eventid} ${description}`;
  if (/link-change|\bPort \S+: (?:Up|Down)\b/i.test(text)) {
    return /: Down\b/.test(description)
      ? { alertType: "link_down", clears: false }
      : { alertType: "link_up", clears: true };
  }
  if (/\bbgp\b/i.test(text)) {
    if (/left established|\bdown\b|idle/i.test(description)) return { alertType: "bgp_session_down", clears: false };
    if (/established/i.test(description)) return { alertType: "bgp_session_up", clears: true };
  }
  if (/auth-fail|failed authentication/i.test(text)) return { alertType: "user_login_failed", clears: false };
  if (/auth-success|authenticated for user/i.test(text)) return { alertType: "user_login", clears: false };
  if (/\bha\b|state-change/i.test(eventid)) return { alertType: "failover_state_change", clears: false };
  if (/ike-nego-p[12]-fail|tunnel.*down/i.test(text)) return { alertType: "vpn_tunnel_down", clears: false };
  return { alertType: toSnakeCase(eventid) || "panos_system_event", clears: false };
}
