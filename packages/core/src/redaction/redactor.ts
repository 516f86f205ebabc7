/**
 * Redaction: replaces addresses, subscriber numbers, credentials and tenant ids with tokens before text
 * leaves the process (LLM prompts) or is stored where more people can read it (RCA evidence, traces, exports).
 */
import {
  BEARER_TOKEN,
  DATE_TIME,
  DIGIT_RUN,
  digitsOnly,
  EMAIL,
  IPV4,
  IPV6,
  isIdentifierRun,
  JWT,
  MAC,
  MIN_RUN_DIGITS,
  normalizeIpv4,
  normalizeIpv6,
  normalizeMac,
  PEM_PRIVATE_KEY,
  SECRET_ASSIGNMENT,
  SECRET_KEYWORD_VALUE,
  URL_CREDENTIALS,
} from "./patterns.ts";

export const REDACTION_KINDS = ["email", "ipv6", "mac", "ipv4", "tenant", "digits"] as const;
export type RedactionKind = (typeof REDACTION_KINDS)[number];

/** What a credential becomes: a value under a key like `password`, `snmp_community`, `api_key`, or after `password=` in text. */
export const SECRET_TOKEN = "<secret>";

/** A token at the start of a string: what `redactExcerpt` must not cut in two. */
const TOKEN_AT = new RegExp(`^(?:<(?:${REDACTION_KINDS.join("|")})-\\d+>|${SECRET_TOKEN})`);

/** A JSON value: what `redactValue` returns whatever it was given. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface RedactorOptions {
  /** Tenant ids to alias as `<tenant-1>`, `<tenant-2>`…; `redactValue` also learns them from `tenant_id` fields. */
  tenants?: readonly string[] | undefined;
}

export interface Redactor {
  /** The text with every sensitive value replaced by its token; idempotent. */
  redactText(text: string): string;
  /**
   * The text on one line (runs of whitespace become one space), redacted, then shortened to at most `maxChars`
   * with `…`: redaction runs on the whole text first, so a cut can never leave part of a value behind, and the
   * cut never splits a token.
   */
  redactExcerpt(text: string, maxChars: number): string;
  /**
   * A deep copy as JSON with every string (keys included) redacted, values under credential keys replaced by
   * `<secret>`, tenant fields aliased and integers of ten or more digits treated as digit runs.
   */
  redactValue(value: unknown): JsonValue;
  /** Registers tenant ids so they are aliased wherever they appear from now on. */
  addTenants(tenants: Iterable<string>): void;
  /** How many distinct values this redactor has replaced so far. */
  readonly size: number;
}

const SECRET_WORDS = new Set([
  "password",
  "passwd",
  "passphrase",
  "secret",
  "token",
  "apikey",
  "authorization",
  "snmpcommunity",
  "readcommunity",
  "writecommunity",
  "credential",
  "credentials",
  "cookie",
  "privatekey",
  "accesskey",
]);
const TENANT_KEYS = new Set(["tenant", "tenantid"]);
/** Tenant ids that are ordinary words are aliased in tenant fields only, never searched for in free text. */
const TEXT_SAFE_TENANTS = new Set(["default"]);
const MIN_TEXT_TENANT_LENGTH = 3;

/** `snmpCommunity`, `snmp_community`, `API-Key` → the words a key is made of, lower case. */
function keyWords(key: string): string[] {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
  const joined: string[] = [];
  for (let i = 0; i + 1 < words.length; i++) joined.push(`${words[i]}${words[i + 1]}`);
  return [...words, ...joined];
}

/** Whether a value under this key is a credential (`password`, `private_key`, `Set-Cookie`, `snmpCommunity`…). */
export function isCredentialKey(key: string): boolean {
  return keyWords(key).some((word) => SECRET_WORDS.has(word));
}

function isTenantKey(key: string): boolean {
  return TENANT_KEYS.has(key.replace(/[^A-Za-z]/g, "").toLowerCase());
}

/** Replaces the value of a `key=value` match with `<secret>`, keeping the key and the quotes around the value. */
function hideValue(_: string, prefix: string, value: string): string {
  const quote = value.startsWith('"') || value.startsWith("'") ? value.charAt(0) : "";
  return `${prefix}${quote}${SECRET_TOKEN}${quote}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function createRedactor(options: RedactorOptions = {}): Redactor {
  const tokens = new Map<string, string>();
  const counters = new Map<RedactionKind, number>();
  const tenants = new Set<string>();
  let tenantPattern: RegExp | null = null;

  function token(kind: RedactionKind, key: string): string {
    const mapKey = `${kind}\u0000${key}`;
    const known = tokens.get(mapKey);
    if (known) return known;
    const next = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, next);
    const fresh = `<${kind}-${next}>`;
    tokens.set(mapKey, fresh);
    return fresh;
  }

  function addTenants(ids: Iterable<string>): void {
    let changed = false;
    for (const id of ids) {
      if (id.length === 0 || tenants.has(id)) continue;
      tenants.add(id);
      changed = true;
    }
    if (!changed) return;
    const searchable = [...tenants]
      .filter((id) => id.length >= MIN_TEXT_TENANT_LENGTH && !TEXT_SAFE_TENANTS.has(id))
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp);
    tenantPattern =
      searchable.length > 0 ? new RegExp(`(?<![A-Za-z0-9_-])(?:${searchable.join("|")})(?![A-Za-z0-9_-])`, "g") : null;
  }

  function redactDigitRuns(segment: string): string {
    return segment.replace(DIGIT_RUN, (run) => {
      if (isIdentifierRun(run)) return token("digits", digitsOnly(run));
      if (/^\d+\.\d+$/.test(run)) return run;
      // A list of small numbers can still carry one long identifier inside it.
      return run.replace(new RegExp(`\\d{${MIN_RUN_DIGITS},}`, "g"), (digits) => token("digits", digits));
    });
  }

  function redactText(text: string): string {
    let out = text.replace(PEM_PRIVATE_KEY, SECRET_TOKEN);
    out = out.replace(SECRET_ASSIGNMENT, hideValue);
    out = out.replace(SECRET_KEYWORD_VALUE, hideValue);
    out = out.replace(BEARER_TOKEN, `$1${SECRET_TOKEN}`);
    out = out.replace(JWT, SECRET_TOKEN);
    out = out.replace(URL_CREDENTIALS, "$1");
    out = out.replace(EMAIL, (email) => token("email", email.toLowerCase()));
    // IPv6 before MAC: a compressed IPv6 address can contain six colon-separated pairs.
    out = out.replace(IPV6, (address) => token("ipv6", normalizeIpv6(address)));
    out = out.replace(MAC, (mac) => token("mac", normalizeMac(mac)));
    out = out.replace(IPV4, (address) => token("ipv4", normalizeIpv4(address)));
    if (tenantPattern) out = out.replace(tenantPattern, (id) => token("tenant", id));
    // split() with a capturing group alternates free text (even) and dates/times (odd), which stay as they are.
    return out
      .split(DATE_TIME)
      .map((segment, index) => (index % 2 === 0 ? redactDigitRuns(segment) : segment))
      .join("");
  }

  function redactExcerpt(text: string, maxChars: number): string {
    const flat = redactText(text.replace(/\s+/g, " ").trim());
    if (flat.length <= maxChars) return flat;
    let cut = Math.max(0, maxChars - 1);
    // A token the cut would split is dropped whole: `<ipv4-` alone says nothing and looks like a leak.
    const open = flat.lastIndexOf("<", cut - 1);
    if (open >= 0) {
      const token = TOKEN_AT.exec(flat.slice(open));
      if (token && open + token[0].length > cut) cut = open;
    }
    return `${flat.slice(0, cut).trimEnd()}…`;
  }

  function collectTenants(value: unknown, found: Set<string>, seen: WeakSet<object>): void {
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    for (const [key, child] of Object.entries(value)) {
      if (typeof child === "string" && isTenantKey(key)) found.add(child);
      else collectTenants(child, found, seen);
    }
  }

  function redactNumber(value: number): JsonValue {
    if (!Number.isFinite(value)) return null;
    if (Number.isInteger(value) && Math.abs(value).toFixed(0).length >= MIN_RUN_DIGITS) {
      return token("digits", Math.abs(value).toFixed(0));
    }
    return value;
  }

  function redactAny(value: unknown, key: string | null, seen: WeakSet<object>): JsonValue | undefined {
    if (value === null) return null;
    if (key !== null && isCredentialKey(key)) return SECRET_TOKEN;
    switch (typeof value) {
      case "string":
        return key !== null && isTenantKey(key) ? token("tenant", value) : redactText(value);
      case "number":
        return redactNumber(value);
      case "bigint":
        return redactText(value.toString());
      case "boolean":
        return value;
      case "object":
        break;
      default:
        return undefined;
    }
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (seen.has(value)) return "<circular>";
    seen.add(value);
    try {
      if (Array.isArray(value)) return value.map((item) => redactAny(item, null, seen) ?? null);
      const entries: Array<[string, JsonValue]> = [];
      for (const [childKey, child] of Object.entries(value)) {
        const redacted = redactAny(child, childKey, seen);
        if (redacted !== undefined) entries.push([redactText(childKey), redacted]);
      }
      // fromEntries defines own properties, so a `__proto__` key stays data and never becomes a prototype.
      return Object.fromEntries(entries);
    } finally {
      seen.delete(value);
    }
  }

  function redactValue(value: unknown): JsonValue {
    const found = new Set<string>();
    collectTenants(value, found, new WeakSet());
    addTenants(found);
    return redactAny(value, null, new WeakSet()) ?? null;
  }

  addTenants(options.tenants ?? []);
  return {
    redactText,
    redactExcerpt,
    redactValue,
    addTenants,
    get size() {
      return tokens.size;
    },
  };
}

/** Redacts one text with a fresh context: tokens are stable within this text only. */
export function redact(text: string, options: RedactorOptions = {}): string {
  return createRedactor(options).redactText(text);
}
