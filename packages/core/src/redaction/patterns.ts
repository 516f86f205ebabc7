/** The patterns the redactor looks for, and how each match is normalized so equal values share one token. */

const OCTET = "(?:25[0-5]|2[0-4]\\d|[01]?\\d?\\d)";
const IPV4_CORE = `(?:${OCTET}\\.){3}${OCTET}`;
const HEX = "[0-9A-Fa-f]{1,4}";

/** An IPv4 address not glued to other dotted digits (so SNMP OIDs and version strings with 5+ parts survive). */
export const IPV4 = new RegExp(`(?<![\\d.])${IPV4_CORE}(?!\\.?\\d)`, "g");

/**
 * An IPv6 address in full, compressed or IPv4-embedded form. The bare unspecified address `::` is left alone:
 * it identifies nothing and would hit `Foo::bar` style text. Port, prefix length and zone stay outside the match.
 */
export const IPV6 = new RegExp(
  `(?<![0-9A-Za-z_.]|(?<![0-9A-Za-z_])${HEX}:|::)(?:${[
    `(?:${HEX}:){6}${IPV4_CORE}`,
    `(?:${HEX}(?::${HEX}){0,4})?::(?:${HEX}:){0,5}${IPV4_CORE}`,
    `(?:${HEX}:){7}${HEX}`,
    `(?:${HEX}:){1,7}:`,
    `(?:${HEX}:){1,6}:${HEX}`,
    `(?:${HEX}:){1,5}(?::${HEX}){1,2}`,
    `(?:${HEX}:){1,4}(?::${HEX}){1,3}`,
    `(?:${HEX}:){1,3}(?::${HEX}){1,4}`,
    `(?:${HEX}:){1,2}(?::${HEX}){1,5}`,
    `${HEX}:(?::${HEX}){1,6}`,
    `:(?::${HEX}){1,7}`,
  ].join("|")})(?![0-9A-Za-z_]|:[0-9A-Za-z_:]|\\.\\d)`,
  "g",
);

/** MAC addresses: `00:1a:2b:3c:4d:5e`, `00-1A-2B-3C-4D-5E` and Cisco's `001a.2b3c.4d5e`. */
export const MAC = new RegExp(
  [
    "(?<![0-9A-Za-z_]|(?<![0-9A-Za-z_])[0-9A-Fa-f]{2}:|::)(?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}(?![0-9A-Za-z_]|:[0-9A-Fa-f:]|\\.\\d)",
    "(?<![0-9A-Za-z_-])(?:[0-9A-Fa-f]{2}-){5}[0-9A-Fa-f]{2}(?![0-9A-Za-z_-])",
    "(?<![0-9A-Za-z_.])[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4}(?![0-9A-Za-z_]|\\.[0-9A-Za-z])",
  ].join("|"),
  "g",
);

/** An e-mail address whose domain ends in a name (`user@10.0.0.1` leaves the address to the IPv4 rule). */
export const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9_%+-](?:[A-Za-z0-9._%+-]{0,63})@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?![A-Za-z0-9-]|\.[A-Za-z0-9])/g;

/**
 * The credential key words of the policy, as they are spelled in text: `password`, `secret_key`, `SECRET_KEY`,
 * `privateKey`, `X-Api-Key`, `credentials`, `Set-Cookie`…
 */
const SECRET_WORDS_TEXT = [
  "password",
  "passwd",
  "passphrase",
  "(?:secret|private|access)[_-]?key",
  "secret",
  "token",
  "api[_-]?key",
  "(?:snmp|read|write)[_-]?community",
  "authorization",
  "credentials?",
  "cookie",
].join("|");

/**
 * `password=…`, `SECRET_KEY=…`, `authToken: …`, `Authorization: Bearer …`, `"private_key":"…"`,
 * `Cookie: a=1; b=2` in free text: the value goes (with the `; name=value` pairs that follow it). The key may
 * carry a prefix of up to 40 word characters (`db_password`, `x-auth-token`, `authToken`); bounded, so a long
 * dashed run cannot make the scan quadratic. A bare `community` is left alone, since in routing it names a BGP
 * community, not a credential; `prompt_tokens` is not `token`.
 */
export const SECRET_ASSIGNMENT = new RegExp(
  `\\b([A-Za-z0-9_-]{0,40}?(?:${SECRET_WORDS_TEXT})["']?\\s*[=:]\\s*(?:(?:Bearer|Basic|Token)\\s+)?)("[^"]*"|'[^']*'|[^\\s"',;]+(?:;\\s*[^\\s"',;=]+=[^\\s"',;]*)*)`,
  "gi",
);

/**
 * `secret_key sk_live…`, `api-key k123`: the compound key words are unambiguous enough to take the next word as
 * their value even without `=` or `:` (configuration syntax). Plain `password` or `token` followed by a space is
 * prose ("password expired", "token bucket") and stays.
 */
export const SECRET_KEYWORD_VALUE =
  /\b([A-Za-z0-9_-]{0,40}?(?:secret|private|access|api)[_-]key["']?\s+)(?![=:])("[^"]*"|'[^']*'|[^\s"',;]+)/gi;

/** A PEM private key block, or its beginning when the text was cut inside it: all of it goes. */
export const PEM_PRIVATE_KEY = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY)-----[\s\S]*?(?:-----END \1-----|$)/g;

/**
 * A bearer token without an `Authorization:` in front of it (`curl -H "Bearer eyJ…"`, a pasted header). In
 * telecom "bearer" is also a data channel ("default bearer 5"), so the token must look like one: 16 or more
 * token characters with a digit among them.
 */
export const BEARER_TOKEN = /\b(Bearer\s+)(?=[A-Za-z0-9._~+/-]*\d)[A-Za-z0-9._~+/-]{16,}=*/gi;

/** A JSON Web Token anywhere in text: three base64url parts, the first two starting with `eyJ` (`{"`). */
export const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/** `scheme://user:password@` — the user info is dropped, scheme and host stay (up to the last `@` of the authority). */
export const URL_CREDENTIALS = /\b([A-Za-z][A-Za-z0-9+.-]{1,15}:\/\/)[^\s/?#]+@/g;

/**
 * A phone number, IMSI, IMEI or similar run of digits with optional `+`, spaces, dashes, dots and parentheses.
 * Not glued to a word, a dotted or dashed token or a path (so `xe-0/0/1`, `AS4200000001`, UUIDs and hex
 * fingerprints survive); "AS 4200000001" is an AS number, not a phone number.
 */
export const DIGIT_RUN =
  /(?<![A-Za-z0-9_.\-/]|\bASN? ?)\+?(?:\(\d{1,5}\)[ .-]?)?\d(?:(?:[ .-]|[ .-]?\(\d{1,5}\)[ .-]?)?\d)*(?![A-Za-z0-9_])/g;
export const MIN_RUN_DIGITS = 10;

/**
 * Dates and times that are kept verbatim: the digit rule only runs between them, so "2025-03-14 08:00:00" is
 * never read as a ten-digit number.
 */
export const DATE_TIME =
  /(\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?|\d{8}T\d{4,6}(?:Z|[+-]\d{2}(?::?\d{2})?)?|\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,9})?|\d{1,2}[./]\d{1,2}[./]\d{4}(?: \d{1,2}:\d{2}(?::\d{2})?)?)/;

/**
 * Whether a digit run looks like an identifier rather than a list of small numbers or a decimal: at least
 * ten digits, at most two one-digit groups (country code, IMEI check digit), and dots only in a dotted phone
 * number of three or more groups.
 */
export function isIdentifierRun(run: string): boolean {
  const groups = run.split(/[^\d]+/).filter((group) => group.length > 0);
  const digits = groups.reduce((sum, group) => sum + group.length, 0);
  if (digits < MIN_RUN_DIGITS) return false;
  if (groups.filter((group) => group.length === 1).length > 2) return false;
  return !(run.includes(".") && groups.length < 3);
}

export function normalizeIpv4(address: string): string {
  return address
    .split(".")
    .map((octet) => String(Number.parseInt(octet, 10)))
    .join(".");
}

/** Expands an IPv6 address to eight lower-case groups without leading zeros, so every spelling is one key. */
export function normalizeIpv6(address: string): string {
  let text = address.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map((octet) => Number.parseInt(octet, 10));
    const high = (((a ?? 0) << 8) | (b ?? 0)).toString(16);
    const low = (((c ?? 0) << 8) | (d ?? 0)).toString(16);
    text = `${text.slice(0, v4.index)}${high}:${low}`;
  }
  const [head = "", tail] = text.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const fill = tail === undefined ? [] : Array(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill("0");
  return [...headGroups, ...fill, ...tailGroups].map((group) => Number.parseInt(group, 16).toString(16)).join(":");
}

export function normalizeMac(address: string): string {
  return address.replace(/[^0-9A-Fa-f]/g, "").toLowerCase();
}

export function digitsOnly(run: string): string {
  return run.replace(/\D/g, "");
}
