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
import { type FirewallEvent, looksLikeFortigate, looksLikePanos, parseFortigate, parsePanos } from "./firewallLogs.ts";
import { type ByteSource, readLines } from "./lines.ts";
import { alarmTypeFromKey, applyRule, classifyProgramMessage, clearTypeOf, MNEMONIC_RULES } from "./syslogRules.ts";
import { acceptDraft, clip, type ImportRecord } from "./validate.ts";

export { MNEMONIC_RULES } from "./syslogRules.ts";

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
// NX-OS puts the year first (`2024 Mar  5 10:15:22 UTC:`), after a `: ` when a relay wrote its own header.
const CISCO_PREFIX =
  /^(?::\s*)?(?:\d+: )?[*.]?(?:\d{4} )?[A-Z][a-z]{2} +\d{1,2} (?:\d{4} )?\d{2}:\d{2}:\d{2}(?:\.\d+)?(?: [A-Z]{2,5})?: /;
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
  const header =
    pri && /^\d{1,2} /.test(rest)
      ? parse5424(rest)
      : looksLikeFortigate(rest)
        ? parseKeyValueFraming(rest)
        : parse3164(rest, years);
  if (typeof header === "string") return pri ? header : "no <PRI> at the start of the line: not a syslog line";
  const firewall = looksLikeFortigate(header.message)
    ? parseFortigate(header.message)
    : looksLikePanos(header.message)
      ? parsePanos(header.message)
      : undefined;
  const vendor = firewall ? undefined : readVendor(header.message, header.msgid);
  const severityCode = prival !== undefined ? prival % 8 : (vendor?.severity ?? firewall?.severity);
  if (severityCode === undefined) return "no <PRI> at the start of the line and no severity in the message";
  const host = header.host || firewall?.host;
  if (!host) return "no HOSTNAME before the message and no device name in it";
  if (host.length > 255) return "HOSTNAME is longer than 255 characters";
  const timestamp = utcTimestamp(header.timestamp || firewall?.timestamp || "");
  if (!timestamp) return `timestamp: not an ISO-8601 timestamp with a zone: "${clip(header.timestamp, 60)}"`;
  const facility = prival !== undefined ? FACILITY_NAMES[prival >> 3] : undefined;
  const text5424 = `${header.message} ${header.sdText}`;
  const meaning = firewall ?? classify(vendor, header, text5424);
  const tags: Record<string, string> = {};
  if (header.program) tags.program = header.program;
  const iface = firewall ? firewall.interface : interfaceOf(text5424);
  if (iface) tags.interface = iface;
  const neighbor = firewall ? firewall.neighbor : neighborOf(text5424);
  if (neighbor) tags.neighbor = neighbor;

  return {
    fingerprint: undefined,
    timestamp,
    source_system: "syslog",
    host,
    // Syslog names no service; a guessed one would tie unrelated devices together (site-less alerts group by
    // service), so alerts group by device and topology links instead.
    service: "",
    severity: SYSLOG_SEVERITY_MAP[severityCode] ?? "info",
    alert_type: meaning.alertType.slice(0, 128),
    message: clip(header.message, 16_000),
    // An up/clear event is its own alert type (`link_up`, `bgp_session_up`) and reports the condition over.
    status: meaning.clears ? "resolved" : "firing",
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
      ...(firewall ? { vendor: firewall.vendor, fields: firewall.fields } : {}),
      original: clip(text, 4_000),
    },
    tenant_id: null,
  };
}

/** What a line reports: its vendor mnemonic's rule, an alarm named in the text, or a daemon's known sentence. */
function classify(
  vendor: VendorMnemonic | undefined,
  header: SyslogHeader,
  text: string,
): Pick<FirewallEvent, "alertType" | "clears"> {
  if (vendor) {
    const rule = MNEMONIC_RULES[vendor.key] ?? MNEMONIC_RULES[vendor.mnemonic];
    const srosCleared = vendor.display.includes("-CLEARED-");
    if (rule) {
      const applied = applyRule(rule, text);
      return srosCleared && !applied.clears ? { alertType: clearTypeOf(rule.alertType), clears: true } : applied;
    }
    const alarm = alarmTypeFromKey(vendor.key, text);
    if (alarm) return alarm;
    const fallback = toSnakeCase(vendor.fallbackType);
    return srosCleared ? { alertType: clearTypeOf(fallback), clears: true } : { alertType: fallback, clears: false };
  }
  return classifyProgramMessage(header.program, header.message) ?? { alertType: "syslog_message", clears: false };
}

/** FortiGate sends `<PRI>date=… time=… devname=…` with no syslog header: the fields carry time and device. */
function parseKeyValueFraming(rest: string): SyslogHeader {
  return {
    framing: "key_value",
    timestamp: "",
    host: "",
    program: undefined,
    procid: undefined,
    msgid: undefined,
    structuredData: undefined,
    sdText: "",
    message: rest.trim(),
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
  framing: "rfc5424" | "rfc3164" | "key_value";
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
  /(?<![\w-])(?:interface-name|if-name|interface|port)="([^"]+)"/,
  /\bon (?:interface )?([A-Za-z][A-Za-z-]*\d+(?:[/.:]\d+)+)/,
  /\bport ([A-Za-z0-9-]+(?:[/.]\d+)+)/i,
  // Any vendor's interface name in the text: IOS/XR/NX-OS/EOS long and short names, Junos, optics controllers.
  /\b((?:FourHundredGigE|HundredGigE|FortyGigE|TwentyFiveGigE|TenGigE|TenGigabitEthernet|GigabitEthernet|FastEthernet|Ethernet|Optics)\d+(?:\/\d+)*(?:\.\d+)?|(?:Te|Gi|Hu|Eth)\d+(?:\/\d+)+(?:\.\d+)?)\b/,
  /\b((?:xe|ge|et|ae)-\d+(?:\/\d+)*(?::\d+)?(?:\.\d+)?)(?=[\s,:)]|$)/,
  /\b(port-channel\d+|Bundle-Ether\d+(?:\.\d+)?|ae\d+(?:\.\d+)?)\b/i,
];
const IP = String.raw`(\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:]+)`;
const NEIGHBOR_PATTERNS = [
  new RegExp(String.raw`\b(?:neighbor|neighbour|peer|nbr)(?:\s+\d+:)?\s+${IP}`, "i"),
  new RegExp(String.raw`\bpeer[ -]addr(?:ess)?[:=]?\s*"?${IP}`, "i"),
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
