/**
 * Syslog files from routers, switches and optical gear: RFC 5424 and RFC 3164 framing, PRI → severity, and
 * vendor mnemonics (Cisco IOS / IOS-XR `%FAC-N-MNEMONIC`, Junos `TAG_NAME:` / RFC 5424 MSGID) → alert types.
 *
 * The framing parser is hand-written: the npm syslog parsers are lenient heuristics (they invent the current
 * time for a missing timestamp and the current year for RFC 3164) where an importer must refuse or follow a
 * documented rule; see docs/data_dictionary.md.
 */
import type { AlertDraft, Severity } from "@teleops/schema";
import { toSnakeCase } from "@teleops/schema";
import { type ByteSource, readLines } from "./lines.ts";
import { acceptDraft, clip, type ImportRecord } from "./validate.ts";

export interface SyslogOptions {
  /** Year of the first RFC 3164 timestamp in the file; later lines roll over to the next year after December. */
  year?: number;
  /** When no year is given: the file's modification time. A timestamp is put in the latest year that does not
   * place it more than a day after this moment. Defaults to now. */
  referenceTime?: number;
  now?: number;
}

/** RFC 5424 severities 0–7, in order, onto TeleOps severities; order-preserving (never inverts two levels). */
export const SYSLOG_SEVERITY_MAP: readonly Severity[] = [
  "critical", // 0 emergency
  "critical", // 1 alert
  "critical", // 2 critical
  "major", // 3 error
  "minor", // 4 warning
  "warning", // 5 notice
  "info", // 6 informational
  "info", // 7 debug
];

const SYSLOG_SEVERITY_NAMES = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"] as const;
const FACILITY_NAMES = [
  "kern",
  "user",
  "mail",
  "daemon",
  "auth",
  "syslog",
  "lpr",
  "news",
  "uucp",
  "cron",
  "authpriv",
  "ftp",
  "ntp",
  "security",
  "console",
  "solaris-cron",
  "local0",
  "local1",
  "local2",
  "local3",
  "local4",
  "local5",
  "local6",
  "local7",
] as const;

interface MnemonicRule {
  alertType: string;
  /** When the message text matches, the event reports the condition clearing: status `resolved`. */
  clears?: RegExp;
}

const LINK_CLEARS = /changed state to up\b|\bifOperStatus up\b|operational-status="?up/i;

/**
 * Vendor mnemonics TeleOps knows, keyed `FACILITY-MNEMONIC` (the last facility part for IOS-XR's
 * `PKT_INFRA-LINK`), or the bare mnemonic / Junos tag. Anything else keeps its mnemonic in snake_case.
 */
export const MNEMONIC_RULES: Readonly<Record<string, MnemonicRule>> = {
  "LINK-UPDOWN": { alertType: "link_down", clears: LINK_CLEARS },
  "LINEPROTO-UPDOWN": { alertType: "line_protocol_down", clears: LINK_CLEARS },
  SNMP_TRAP_LINK_DOWN: { alertType: "link_down" },
  SNMP_TRAP_LINK_UP: { alertType: "link_down", clears: /./ },
  "BGP-ADJCHANGE": { alertType: "bgp_session_down", clears: /\bUp\b/ },
  "BGP-NOTIFICATION": { alertType: "bgp_notification" },
  RPD_BGP_NEIGHBOR_STATE_CHANGED: { alertType: "bgp_session_down", clears: /\bto Established\b/i },
  BGP_PREFIX_THRESH_EXCEEDED: { alertType: "bgp_prefix_limit_exceeded" },
  "OSPF-ADJCHG": { alertType: "ospf_neighbor_down", clears: /\bto FULL\b/i },
  "OSPF-ERRRCV": { alertType: "ospf_packet_error" },
  "OSPF-BADLSATYPE": { alertType: "ospf_packet_error" },
  "OSPF-CONFLICTING_LSAID": { alertType: "ospf_lsa_conflict" },
  RPD_OSPF_NBRDOWN: { alertType: "ospf_neighbor_down" },
  RPD_OSPF_NBRUP: { alertType: "ospf_neighbor_down", clears: /./ },
  RPD_ISIS_ADJDOWN: { alertType: "isis_adjacency_down" },
  RPD_ISIS_ADJUP: { alertType: "isis_adjacency_down", clears: /./ },
  RPD_LDP_SESSIONDOWN: { alertType: "ldp_session_down" },
  RPD_LDP_SESSIONUP: { alertType: "ldp_session_down", clears: /./ },
  BFDD_STATE_UP_TO_DOWN: { alertType: "bfd_session_down" },
  "BFD-ADJCHANGE": { alertType: "bfd_session_down", clears: /\bUp\b/ },
  LACPD_TIMEOUT: { alertType: "lacp_partner_timeout" },
  PS_FAIL: { alertType: "power_supply_failure" },
  "PWR_MGMT-MODULE_FAILURE": { alertType: "power_supply_failure" },
  CHASSISD_PEM_INPUT_BAD: { alertType: "power_supply_failure" },
  FAN_FAIL: { alertType: "fan_failure" },
  CHASSISD_FAN_FAILED: { alertType: "fan_failure" },
  "ENVMON-TEMP_CRITICAL": { alertType: "temperature_critical" },
  "SYS-CONFIG_I": { alertType: "config_change" },
  UI_COMMIT: { alertType: "config_change" },
  // Nokia SR OS events (TMNX: lines), keyed by event name.
  linkDown: { alertType: "link_down" },
  linkUp: { alertType: "link_down", clears: /./ },
  linkup: { alertType: "link_down", clears: /./ },
  etherAlarmSet: { alertType: "ethernet_port_alarm" },
  etherAlarmClear: { alertType: "ethernet_port_alarm", clears: /./ },
  tmnxVRtrIfOperStateChange: {
    alertType: "interface_oper_state_down",
    clears: /\b(?:to|is) up\b|operational state.{0,20}\bup\b/i,
  },
  vRtrLdpNgSessionStateChange: {
    alertType: "ldp_session_down",
    clears: /\b(?:to|is) (?:up|operational|established)\b/i,
  },
  vRtrIsisAdjacencyChange: { alertType: "isis_adjacency_down", clears: /\b(?:to|is) up\b|\bstate up\b/i },
  tmnxOspfNbrStateChange: { alertType: "ospf_neighbor_down", clears: /\bto full\b/i },
  vRtrOspfNbrStateChange: { alertType: "ospf_neighbor_down", clears: /\bto full\b/i },
  tBgpPeerNgBackwardTransition: { alertType: "bgp_session_down" },
  tBgpPeerNgEstablished: { alertType: "bgp_session_down", clears: /./ },
  sdpBindStatusChanged: {
    alertType: "sdp_binding_down",
    clears: /\b(?:to|is) up\b|oper(?:ational)? (?:state|status)[^.]{0,20}\bup\b/i,
  },
  sapStatusChanged: {
    alertType: "service_access_point_down",
    clears: /\b(?:to|is) up\b|oper(?:ational)? (?:state|status)[^.]{0,20}\bup\b/i,
  },
  tmnxEqCardFailure: { alertType: "card_failure" },
  tmnxEqCardRemoved: { alertType: "card_removed" },
  tmnxEqCardInserted: { alertType: "card_removed", clears: /./ },
  tmnxEqPowerSupplyFailure: { alertType: "power_supply_failure" },
  tmnxEqFanFailure: { alertType: "fan_failure" },
  tmnxEqPortSFPDDMLowWarning: { alertType: "optical_power_low_warning" },
  tmnxNtpServerChange: { alertType: "ntp_server_change" },
  ssiSaveConfigSucceeded: { alertType: "config_saved" },
  cli_user_login: { alertType: "user_login" },
  cli_user_login_failed: { alertType: "user_login_failed" },
  // Cisco ASA / FTD, keyed by message number.
  "ASA-104001": { alertType: "failover_state_change" },
  "ASA-104002": { alertType: "failover_state_change" },
  "ASA-105005": { alertType: "failover_communication_lost" },
  "ASA-105008": { alertType: "failover_interface_test" },
  "ASA-105009": { alertType: "failover_interface_test" },
  "ASA-106001": { alertType: "acl_deny" },
  "ASA-106006": { alertType: "acl_deny" },
  "ASA-106015": { alertType: "acl_deny" },
  "ASA-106023": { alertType: "acl_deny" },
  "ASA-106100": { alertType: "acl_log" },
  "ASA-111008": { alertType: "config_command" },
  "ASA-111010": { alertType: "config_command" },
  "ASA-113019": { alertType: "vpn_session_disconnected" },
  "ASA-201008": { alertType: "connection_limit_reached" },
  "ASA-202010": { alertType: "nat_pool_exhausted" },
  "ASA-302013": { alertType: "connection_log" },
  "ASA-302014": { alertType: "connection_log" },
  "ASA-302015": { alertType: "connection_log" },
  "ASA-302016": { alertType: "connection_log" },
  "ASA-321001": { alertType: "resource_limit_exceeded" },
  "ASA-411001": { alertType: "line_protocol_down", clears: /./ },
  "ASA-411002": { alertType: "line_protocol_down" },
  "ASA-411003": { alertType: "interface_admin_down", clears: /./ },
  "ASA-411004": { alertType: "interface_admin_down" },
  "ASA-605004": { alertType: "user_login_failed" },
  "ASA-605005": { alertType: "user_login" },
  "ASA-611101": { alertType: "user_login" },
  "ASA-611102": { alertType: "user_login_failed" },
  "ASA-733100": { alertType: "threat_detection_rate_exceeded" },
  "ASA-733101": { alertType: "threat_detection_host_attacking" },
  LOS: { alertType: "optical_loss_of_signal" },
  LOS_CLEAR: { alertType: "optical_loss_of_signal", clears: /./ },
  LOF: { alertType: "optical_loss_of_frame" },
  OPR_LOW: { alertType: "optical_power_low" },
  AMP_INPUT_LOW: { alertType: "optical_amplifier_input_low" },
};

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const PRI = /^<(\d{1,3})>/;
const RFC5424_HEADER = /^(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) /;
const RFC3164_TIME = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?: (\d{4}))? /;
const ISO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) /;
const HOSTNAME = /^([A-Za-z0-9][A-Za-z0-9._:-]*)(?: |$)/;
const TAG = /^([A-Za-z0-9_./-]{1,48})(?:\[([^\]\s]{1,32})\])?: ?/;
const CISCO_MNEMONIC = /%([A-Z][A-Z0-9_]*(?:-[A-Z][A-Z0-9_]*)*)-([0-7])-([A-Z][A-Z0-9_]*)\b/;
const IOS_XR_PREFIX =
  /^(?:RP|LC)\/[\w/]+:(?:[A-Z][a-z]{2} +\d{1,2} (?:\d{4} )?\d{2}:\d{2}:\d{2}(?:\.\d+)?(?: [A-Z]{2,5})?: )?([\w-]+)\[(\d+)\]: ?/;
const CISCO_PREFIX = /^(?:\d+: )?[*.]?[A-Z][a-z]{2} +\d{1,2} (?:\d{4} )?\d{2}:\d{2}:\d{2}(?:\.\d+)?(?: [A-Z]{2,5})?: /;
const ASA_MESSAGE = /%(ASA|FTD|PIX|FWSM)-([0-7])-(\d{6})\b/;
const SROS_EVENT =
  /\bTMNX:\s+\d+\s+\S+\s+([A-Z][A-Z0-9_]*)-(CRITICAL|MAJOR|MINOR|WARNING|INDETERMINATE|CLEARED|INFO)-([A-Za-z][\w]*)-\d+\b/;
/** SR OS event severities onto syslog severity codes, for lines without a PRI. */
const SROS_SEVERITY: Readonly<Record<string, number>> = {
  CRITICAL: 2,
  MAJOR: 3,
  MINOR: 4,
  WARNING: 5,
  CLEARED: 6,
  INDETERMINATE: 6,
  INFO: 6,
};
const JUNOS_MNEMONIC = /^([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+):/;

export async function* parseSyslog(source: ByteSource, options: SyslogOptions = {}): AsyncGenerator<ImportRecord> {
  const now = options.now ?? Date.now();
  const years = new YearResolver(options.year, options.referenceTime ?? now);
  for await (const item of readLines(source)) {
    if ("error" in item) {
      yield item;
      continue;
    }
    if (item.text.trim() === "") continue;
    const parsed = parseSyslogLine(item.text, years);
    // The parser builds every field itself, so the draft is checked directly (no schema pass: this is the hot
    // path of a large log); the server still validates each record with the canonical schema.
    yield typeof parsed === "string" ? { line: item.line, error: parsed } : acceptDraft(item.line, parsed, now);
  }
}

/** The canonical alert fields of one syslog line, or the reason it cannot be read. */
export function parseSyslogLine(text: string, years: YearResolver): AlertDraft | string {
  const pri = PRI.exec(text);
  let prival: number | undefined;
  let rest = text;
  if (pri) {
    prival = Number(pri[1]);
    if (prival > 191) return `PRI <${pri[1]}> is out of range (0–191)`;
    rest = text.slice(pri[0].length);
  }
  const header = pri && /^\d{1,2} /.test(rest) ? parse5424(rest) : parse3164(rest, years);
  if (typeof header === "string") return pri ? header : "no <PRI> at the start of the line: not a syslog line";
  const vendor = readVendor(header.message, header.msgid);
  const severityCode = prival !== undefined ? prival % 8 : vendor?.severity;
  if (severityCode === undefined) return "no <PRI> at the start of the line and no severity in the message";
  if (header.host.length > 255) return "HOSTNAME is longer than 255 characters";
  const timestamp = utcTimestamp(header.timestamp);
  if (!timestamp) return `timestamp: not an ISO-8601 timestamp with a zone: "${clip(header.timestamp, 60)}"`;
  const facility = prival !== undefined ? FACILITY_NAMES[prival >> 3] : undefined;
  const rule = vendor ? (MNEMONIC_RULES[vendor.key] ?? MNEMONIC_RULES[vendor.mnemonic]) : undefined;
  const text5424 = `${header.message} ${header.sdText}`;
  const tags: Record<string, string> = {};
  if (header.program) tags.program = header.program;
  const iface = interfaceOf(text5424);
  if (iface) tags.interface = iface;
  const neighbor = neighborOf(text5424);
  if (neighbor) tags.neighbor = neighbor;

  return {
    fingerprint: undefined,
    timestamp,
    source_system: "syslog",
    host: header.host,
    // Syslog names no service; a guessed one would tie unrelated devices together (site-less alerts group by
    // service), so alerts group by device and topology links instead.
    service: "",
    severity: SYSLOG_SEVERITY_MAP[severityCode] ?? "info",
    alert_type: rule?.alertType ?? (vendor ? toSnakeCase(vendor.fallbackType).slice(0, 128) : "syslog_message"),
    message: clip(header.message, 16_000),
    status: rule?.clears?.test(text5424) || vendor?.display.includes("-CLEARED-") ? "resolved" : "firing",
    tags,
    raw_payload: {
      framing: header.framing,
      ...(prival !== undefined
        ? { pri: prival, facility, syslog_severity: SYSLOG_SEVERITY_NAMES[prival % 8] }
        : { syslog_severity: SYSLOG_SEVERITY_NAMES[severityCode] }),
      ...(header.procid ? { procid: header.procid } : {}),
      ...(header.msgid ? { msgid: header.msgid } : {}),
      ...(header.structuredData ? { structured_data: header.structuredData } : {}),
      ...(vendor ? { mnemonic: vendor.display } : {}),
      original: clip(text, 4_000),
    },
    tenant_id: null,
  };
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** RFC 5424 and RFC 3339 times to UTC `…Z`; undefined for anything without a zone or not a real time. */
function utcTimestamp(value: string): string | undefined {
  if (!ISO_WITH_ZONE.test(value)) return undefined;
  const millis = Date.parse(value);
  return Number.isNaN(millis) ? undefined : new Date(millis).toISOString();
}

interface SyslogHeader {
  framing: "rfc5424" | "rfc3164";
  timestamp: string;
  host: string;
  program: string | undefined;
  procid: string | undefined;
  msgid: string | undefined;
  structuredData: Record<string, Record<string, string>> | undefined;
  /** Structured-data values as text, searched for interface and neighbour names. */
  sdText: string;
  message: string;
}

const nil = (value: string | undefined): string | undefined =>
  value === undefined || value === "-" ? undefined : value;

function parse5424(rest: string): SyslogHeader | string {
  const match = RFC5424_HEADER.exec(rest);
  if (!match) return "not an RFC 5424 header (VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA)";
  const [whole, version, timestamp, host, app, procid, msgid] = match;
  if (version !== "1") return `RFC 5424 version ${version} is not supported (only 1)`;
  if (timestamp === "-") return "the RFC 5424 timestamp is missing (NILVALUE)";
  if (host === undefined || host === "-") return "the RFC 5424 HOSTNAME is missing (NILVALUE)";
  const sd = readStructuredData(rest.slice(whole.length));
  if (typeof sd === "string") return sd;
  let message = sd.rest.startsWith(" ") ? sd.rest.slice(1) : sd.rest;
  if (message.startsWith("\uFEFF")) message = message.slice(1);
  return {
    framing: "rfc5424",
    timestamp: timestamp ?? "",
    host,
    program: nil(app),
    procid: nil(procid),
    msgid: nil(msgid),
    structuredData: sd.elements,
    sdText: sd.elements
      ? Object.values(sd.elements)
          .flatMap((params) => Object.entries(params).map(([k, v]) => `${k}="${v}"`))
          .join(" ")
      : "",
    message: message.trim(),
  };
}

/** STRUCTURED-DATA: `-` or one or more `[id key="value" …]`, with `\"`, `\\` and `\]` escapes in values. */
function readStructuredData(
  text: string,
): { elements: Record<string, Record<string, string>> | undefined; rest: string } | string {
  if (text.startsWith("-")) return { elements: undefined, rest: text.slice(1) };
  if (!text.startsWith("[")) return "RFC 5424 STRUCTURED-DATA must be '-' or start with '['";
  const elements: Record<string, Record<string, string>> = {};
  let i = 0;
  while (text[i] === "[") {
    const idMatch = /^\[([^\s\]=" ]{1,64})/.exec(text.slice(i, i + 70));
    if (!idMatch?.[1]) return "malformed RFC 5424 SD-ELEMENT: no SD-ID";
    const params: Record<string, string> = {};
    i += idMatch[0].length;
    while (text[i] === " ") {
      const nameMatch = /^ ([^\s\]="]{1,32})="/.exec(text.slice(i, i + 40));
      if (!nameMatch?.[1]) return "malformed RFC 5424 SD-PARAM";
      i += nameMatch[0].length;
      let value = "";
      for (;;) {
        const ch = text[i];
        if (ch === undefined) return "unterminated RFC 5424 SD-PARAM value";
        if (ch === "\\" && (text[i + 1] === '"' || text[i + 1] === "\\" || text[i + 1] === "]")) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (ch === '"') break;
        value += ch;
        i += 1;
      }
      i += 1;
      params[nameMatch[1]] = value;
    }
    if (text[i] !== "]") return "malformed RFC 5424 SD-ELEMENT: missing ']'";
    i += 1;
    elements[idMatch[1]] = params;
  }
  return { elements, rest: text.slice(i) };
}

function parse3164(rest: string, years: YearResolver): SyslogHeader | string {
  let timestamp: string;
  let afterTime: string;
  const iso = ISO_TIME.exec(rest);
  const bsd = iso ? null : RFC3164_TIME.exec(rest);
  if (iso?.[1]) {
    timestamp = iso[1];
    afterTime = rest.slice(iso[0].length);
  } else if (bsd) {
    const [whole, mon, day, hh, mm, ss, fraction, explicitYear] = bsd;
    const month = MONTHS.indexOf(mon ?? "");
    if (month < 0) return `"${mon}" is not a month name`;
    const dayN = Number(day);
    const year = explicitYear ? Number(explicitYear) : years.yearFor(month, dayN, Number(hh), Number(mm), Number(ss));
    const ms = Date.UTC(
      year,
      month,
      dayN,
      Number(hh),
      Number(mm),
      Number(ss),
      Number((fraction ?? "0").padEnd(3, "0").slice(0, 3)),
    );
    const check = new Date(ms);
    if (check.getUTCDate() !== dayN || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 60) {
      return `"${whole.trim()}" is not a valid date and time`;
    }
    timestamp = check.toISOString();
    afterTime = rest.slice(whole.length);
  } else {
    return `expected an RFC 5424 version or an RFC 3164 timestamp ("Mmm dd hh:mm:ss") but found "${clip(rest, 40)}"`;
  }
  const host = HOSTNAME.exec(afterTime);
  if (!host?.[1]) return "no HOSTNAME after the timestamp";
  let message = afterTime.slice(host[0].length);
  let program: string | undefined;
  let procid: string | undefined;
  const tag = TAG.exec(message);
  const xr = IOS_XR_PREFIX.exec(message);
  if (xr) {
    // IOS-XR: `RP/0/RSP0/CPU0:Mar  1 12:00:00.123 UTC: bgp[1052]: …`: the process is the program.
    program = xr[1];
    procid = xr[2];
    message = message.slice(xr[0].length);
  } else if (tag?.[1] && !/^[A-Z0-9_]+$/.test(tag[1])) {
    // `rpd[1521]: ` is a program tag; `SNMP_TRAP_LINK_DOWN:` (all capitals) is a Junos mnemonic, not a tag.
    program = tag[1];
    procid = tag[2];
    message = message.slice(tag[0].length);
  }
  // Cisco IOS repeats a sequence number and its own clock before the `%FAC-N-MNEMONIC`; the framing has both.
  message = message.replace(CISCO_PREFIX, "");
  return {
    framing: "rfc3164",
    timestamp,
    host: host[1],
    program,
    procid,
    msgid: undefined,
    structuredData: undefined,
    sdText: "",
    message: message.trim(),
  };
}

interface VendorMnemonic {
  /** Lookup key: `LINK-UPDOWN`, `SNMP_TRAP_LINK_DOWN`. */
  key: string;
  mnemonic: string;
  /** As written in the message: `%LINK-3-UPDOWN`. */
  display: string;
  /** Alert type when no rule knows it: facility and mnemonic, e.g. `SYS-RESTART`. */
  fallbackType: string;
  /** The severity digit Cisco embeds, used when the line has no PRI. */
  severity: number | undefined;
}

function readVendor(message: string, msgid: string | undefined): VendorMnemonic | undefined {
  // ASA and FTD number their messages: %ASA-4-106023.
  const asa = ASA_MESSAGE.exec(message);
  if (asa) {
    const [display, family = "ASA", severity, id = ""] = asa;
    return { key: `ASA-${id}`, mnemonic: id, display, fallbackType: `${family}_${id}`, severity: Number(severity) };
  }
  // SR OS: "TMNX: 42181 Base PORT-MINOR-etherAlarmSet-2017 [Port 1/1/3]: …"
  const sros = SROS_EVENT.exec(message);
  if (sros) {
    const [, application = "", level = "", event = ""] = sros;
    return {
      key: event,
      mnemonic: event,
      display: `${application}-${level}-${event}`,
      fallbackType: event,
      severity: SROS_SEVERITY[level],
    };
  }
  const cisco = CISCO_MNEMONIC.exec(message);
  if (cisco) {
    const [display, facility = "", severity, mnemonic = ""] = cisco;
    const lastFacility = facility.split("-").pop() ?? facility;
    return {
      key: `${lastFacility}-${mnemonic}`,
      mnemonic,
      display,
      fallbackType: `${lastFacility}_${mnemonic}`,
      severity: Number(severity),
    };
  }
  const junos = msgid && /^[A-Z][A-Z0-9_]+$/.test(msgid) ? msgid : JUNOS_MNEMONIC.exec(message)?.[1];
  if (junos) return { key: junos, mnemonic: junos, display: junos, fallbackType: junos, severity: undefined };
  return undefined;
}

const INTERFACE_PATTERNS = [
  /\bInterface ([A-Za-z][\w./:-]*\d)/,
  /\bifName ([A-Za-z][\w./:-]*\d)/,
  /\binterface-name="([^"]+)"/,
  /\bon (?:interface )?([A-Za-z][A-Za-z-]*\d+(?:[/.:]\d+)+)/,
  /\bport ([A-Za-z0-9-]+(?:[/.]\d+)+)/,
];
const NEIGHBOR_PATTERNS = [
  /\b(?:neighbor|neighbour|peer|Nbr)\s+(\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:]+)/,
  /\bpeer-address="([^"]+)"/,
];

function interfaceOf(text: string): string | undefined {
  for (const pattern of INTERFACE_PATTERNS) {
    const found = pattern.exec(text)?.[1];
    if (found) return found.replace(/[,.:]+$/, "");
  }
  return undefined;
}

function neighborOf(text: string): string | undefined {
  for (const pattern of NEIGHBOR_PATTERNS) {
    const found = pattern.exec(text)?.[1];
    if (found) return found;
  }
  return undefined;
}

/**
 * RFC 3164 timestamps carry no year. With `--year`, the first timestamp is in that year and the year advances
 * when the month wraps from November/December to January/February. Without it, each timestamp takes the latest
 * year that does not put it more than a day after the reference time (the file's modification time).
 */
export class YearResolver {
  private current: number | undefined;
  private lastMonth: number | undefined;

  constructor(
    private readonly year: number | undefined,
    private readonly referenceTime: number,
  ) {
    this.current = year;
  }

  yearFor(month: number, day: number, hour: number, minute: number, second: number): number {
    if (this.year !== undefined && this.current !== undefined) {
      if (this.lastMonth !== undefined && this.lastMonth >= 10 && month <= 1) this.current += 1;
      this.lastMonth = month;
      return this.current;
    }
    const referenceYear = new Date(this.referenceTime).getUTCFullYear();
    const candidate = Date.UTC(referenceYear, month, day, hour, minute, second);
    return candidate > this.referenceTime + 24 * 60 * 60_000 ? referenceYear - 1 : referenceYear;
  }
}
