import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRedactor, redact, SECRET_TOKEN } from "./index.ts";

const RUNS = { numRuns: 300 };

const hex = (n: number) => n.toString(16).padStart(2, "0");

const ipv4 = fc.ipV4();
const ipv6 = fc.ipV6().filter((address) => address !== "::");
const ipv4WithSuffix = fc.tuple(ipv4, fc.constantFrom("", ":53", ":8443", "/24", "/32")).map(([a, s]) => [a, a + s]);
const ipv6WithSuffix = fc
  .tuple(ipv6, fc.constantFrom("plain", "port", "cidr"))
  .map(([a, form]) => [a, form === "port" ? `[${a}]:443` : form === "cidr" ? `${a}/64` : a]);
const email = fc
  .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,15}$/), fc.domain())
  .map(([local, domain]) => `${local}@${domain}`);
const mac = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }), fc.constantFrom(":", "-", "."))
  .chain(([bytes, style]) =>
    fc.boolean().map((upper) => {
      const pairs = bytes.map(hex);
      const text = style === "." ? [0, 2, 4].map((i) => `${pairs[i]}${pairs[i + 1]}`).join(".") : pairs.join(style);
      return upper ? text.toUpperCase() : text;
    }),
  );
const digits = (n: number) => fc.stringMatching(new RegExp(`^[1-9]\\d{${n - 1}}$`));
const subscriberNumber = fc.oneof(
  digits(15),
  digits(10),
  fc.tuple(digits(2), digits(6), digits(6), digits(1)).map((parts) => parts.join("-")),
  fc.tuple(digits(2), digits(3), digits(3), digits(4)).map(([cc, a, b, c]) => `+${cc} ${a} ${b} ${c}`),
  fc.tuple(digits(3), digits(3), digits(4)).map(([a, b, c]) => `(${a}) ${b}-${c}`),
  fc.tuple(digits(3), digits(3), digits(4)).map(([a, b, c]) => `${a}.${b}.${c}`),
);

const isoTimestamp = fc
  .date({ min: new Date("1990-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true })
  .chain((date) =>
    fc.constantFrom(
      date.toISOString(),
      date.toISOString().replace(/\.\d{3}Z$/, "Z"),
      date.toISOString().replace("T", " ").slice(0, 19),
      date.toISOString().replace(/\.\d{3}Z$/, "+02:00"),
      date.toISOString().slice(11, 19),
    ),
  );
const interfaceName = fc
  .tuple(
    fc.constantFrom("xe-", "ge-", "et-", "Gi", "TenGigE", "HundredGigE", "Ethernet"),
    fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 2, maxLength: 4 }),
    fc.option(fc.integer({ min: 1, max: 4094 }), { nil: undefined }),
  )
  .map(([prefix, path, unit]) => `${prefix}${path.join("/")}${unit === undefined ? "" : `.${unit}`}`);
const asNumber = fc
  .tuple(fc.integer({ min: 1, max: 4_294_967_295 }), fc.constantFrom("AS", "AS ", "AS-"))
  .map(([n, prefix]) => `${prefix}${n}`);
const percentage = fc
  .tuple(fc.integer({ min: 0, max: 100 }), fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }))
  .map(([whole, fraction]) => `${whole}${fraction === undefined ? "" : `.${fraction}`}%`);
const word = fc.constantFrom("BGP", "peer", "down", "LOS", "on", "span", "fra1-core-01", "link", "flap", "INC-000042");
const safeToken = fc.oneof(isoTimestamp, interfaceName, asNumber, percentage, word);
const separator = fc.constantFrom(", ", "; ", " | ", "\n", " (", ") ", " = ", ": ");

/** Random text: safe tokens with the given sensitive values spliced in between, joined by punctuation. */
function textAround(sensitive: fc.Arbitrary<string[]>) {
  return fc
    .tuple(fc.array(safeToken, { maxLength: 8 }), sensitive, fc.array(separator, { minLength: 20, maxLength: 20 }))
    .chain(([safe, secrets, seps]) =>
      fc.shuffledSubarray([...safe, ...secrets], { minLength: safe.length + secrets.length }).map((parts) => ({
        text: parts.map((part, i) => `${part}${seps[i % seps.length]}`).join(""),
        safe,
        secrets,
      })),
    );
}

describe("redaction properties", () => {
  it("removes every generated IPv4 and IPv6 address, with or without port and prefix length", () => {
    const addresses = fc.array(fc.oneof(ipv4WithSuffix, ipv6WithSuffix), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(addresses, fc.array(separator, { minLength: 4, maxLength: 4 }), (pairs, seps) => {
        const text = pairs.map(([, shown], i) => `peer ${shown}${seps[i]}`).join("at 2025-03-14T08:00:00Z ");
        const out = redact(text);
        for (const [address] of pairs) expect(out).not.toContain(address);
        expect(out).not.toMatch(/\d+\.\d+\.\d+\.\d+/);
        expect(out).not.toContain("::");
      }),
      RUNS,
    );
  });

  it("removes every generated e-mail, MAC address and subscriber number", () => {
    const values = fc.array(fc.oneof(email, mac, subscriberNumber), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(textAround(values), ({ text, secrets }) => {
        const out = redact(text);
        for (const secret of secrets) expect(out).not.toContain(secret);
        expect(out).not.toMatch(/@[a-z0-9]/);
      }),
      RUNS,
    );
  });

  it("keeps timestamps, interface names, AS numbers and percentages next to redacted values", () => {
    const values = fc.array(fc.oneof(ipv4, ipv6, email, mac, subscriberNumber), { maxLength: 4 });
    fc.assert(
      fc.property(textAround(values), ({ text, safe }) => {
        const out = redact(text);
        for (const token of safe) expect(out).toContain(token);
      }),
      RUNS,
    );
  });

  it("changes nothing in text without sensitive values", () => {
    fc.assert(
      fc.property(textAround(fc.constant([])), ({ text }) => {
        expect(redact(text)).toBe(text);
      }),
      RUNS,
    );
  });

  it("is idempotent, in the same context and in a fresh one", () => {
    const values = fc.array(fc.oneof(ipv4, ipv6, email, mac, subscriberNumber), { maxLength: 4 });
    const text = fc.oneof(
      textAround(values).map((t) => t.text),
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.string({ unit: fc.constantFrom(..."0123456789 .-:+()/abcdefAS@x%=\"'"), maxLength: 80 }),
      fc
        .tuple(
          fc.constantFrom("password", "api_key", "Authorization"),
          fc.constantFrom("=", ": Bearer ", '":"'),
          fc.string(),
        )
        .map((parts) => parts.join("")),
    );
    fc.assert(
      fc.property(text, (input) => {
        const redactor = createRedactor();
        const once = redactor.redactText(input);
        expect(redactor.redactText(once)).toBe(once);
        expect(redact(once)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  it("gives two mentions of one address the same token and two addresses different tokens", () => {
    fc.assert(
      fc.property(ipv4, ipv4, (a, b) => {
        const out = redact(`from ${a} to ${b}, again ${a}`);
        const tokens = out.match(/<ipv4-\d+>/g) ?? [];
        expect(tokens).toHaveLength(3);
        expect(tokens[2]).toBe(tokens[0]);
        expect(tokens[1] === tokens[0]).toBe(a === b);
      }),
      RUNS,
    );
  });
});

/** A sensitive value as it appears in text (`shown`) and the part of it that must never come out (`secret`). */
interface Sensitive {
  shown: string;
  secret: string;
}

const plain = (arbitrary: fc.Arbitrary<string>) =>
  arbitrary.map((value): Sensitive => ({ shown: value, secret: value }));

/** The credential key words of the policy in the spellings text uses, with and without a prefix. */
const credentialKey = fc
  .tuple(
    fc.constantFrom("", "db_", "x-", "auth", "bgp-", "AWS_"),
    fc.constantFrom(
      "password",
      "Passwd",
      "passphrase",
      "secret",
      "token",
      "api_key",
      "apiKey",
      "API-KEY",
      "secret_key",
      "SECRET_KEY",
      "secretKey",
      "private_key",
      "privateKey",
      "PRIVATE-KEY",
      "access_key",
      "credentials",
      "credential",
      "cookie",
      "Set-Cookie",
      "authorization",
      "snmp_community",
      "read_community",
    ),
  )
  .map(([prefix, key]) => `${prefix}${key}`);
const secretValue = fc.stringMatching(/^[A-Za-z0-9!#$%&*+./@^_~-]{8,24}$/);
const keyValueSecret = fc.tuple(credentialKey, fc.constantFrom("=", ": ", " = ", ":", "json"), secretValue).map(
  ([key, op, value]): Sensitive => ({
    shown: op === "json" ? `"${key}":"${value}"` : `${key}${op}${value}`,
    secret: value,
  }),
);
const bearerToken = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z0-9._~+/-]{15,60}$/),
    fc.integer({ min: 0, max: 9 }),
    fc.constantFrom("", "=", "=="),
  )
  .map(([token, digit, pad]): Sensitive => {
    const value = `${token}${digit}${pad}`;
    return { shown: `Bearer ${value}`, secret: value };
  });
const pemKey = fc
  .tuple(fc.constantFrom("", "RSA ", "EC ", "OPENSSH ", "ENCRYPTED "), fc.stringMatching(/^[A-Za-z0-9+/]{40,120}$/))
  .map(
    ([kind, body]): Sensitive => ({
      shown: `-----BEGIN ${kind}PRIVATE KEY-----\n${body.replace(/(.{32})/g, "$1\n")}\n-----END ${kind}PRIVATE KEY-----`,
      secret: body.slice(0, 32),
    }),
  );
const anySensitive = fc.oneof(
  plain(email),
  plain(ipv4),
  plain(ipv6),
  plain(mac),
  plain(subscriberNumber),
  keyValueSecret,
  bearerToken,
  pemKey,
);

/** Random text of safe tokens with the sensitive values spliced in between, and the text with them left out. */
function textWith(sensitive: fc.Arbitrary<Sensitive[]>) {
  return fc
    .tuple(fc.array(safeToken, { maxLength: 8 }), sensitive, fc.array(separator, { minLength: 20, maxLength: 20 }))
    .chain(([safe, values, seps]) =>
      fc
        .shuffledSubarray(
          [...safe.map((text) => ({ text, value: null })), ...values.map((v) => ({ text: v.shown, value: v }))],
          {
            minLength: safe.length + values.length,
          },
        )
        .map((parts) => ({
          text: parts.map((part, i) => `${part.text}${seps[i % seps.length]}`).join(""),
          rest: parts.map((part, i) => `${part.value ? "" : part.text}${seps[i % seps.length]}`).join(""),
          values,
        })),
    );
}

/** Every prefix of `secret` of at least five characters that the rest of the text does not contain by chance. */
function fragments(secret: string, rest: string): string[] {
  const out: string[] = [];
  for (let length = Math.min(5, secret.length); length <= secret.length; length++) {
    const prefix = secret.slice(0, length);
    if (!rest.includes(prefix)) out.push(prefix);
  }
  return out;
}

const WHOLE_TOKEN = /<(?:[a-z0-9]+-\d+|secret)>/g;

describe("redaction properties: credentials and cuts", () => {
  it("removes the value of every credential the policy names, in any spelling, from random text", () => {
    fc.assert(
      fc.property(
        textWith(fc.array(fc.oneof(keyValueSecret, bearerToken, pemKey), { minLength: 1, maxLength: 4 })),
        ({ text, rest, values }) => {
          const out = redact(text);
          for (const { secret } of values) if (!rest.includes(secret)) expect(out).not.toContain(secret);
        },
      ),
      RUNS,
    );
  });

  it("never leaves a fragment of an address, e-mail, number or credential when an excerpt is cut anywhere", () => {
    const input = textWith(fc.array(anySensitive, { minLength: 1, maxLength: 4 })).chain((sample) =>
      fc.integer({ min: 1, max: sample.text.length + 4 }).map((maxChars) => ({ ...sample, maxChars })),
    );
    fc.assert(
      fc.property(input, ({ text, rest, values, maxChars }) => {
        const redactor = createRedactor();
        const excerpt = redactor.redactExcerpt(text, maxChars);
        expect(excerpt.length).toBeLessThanOrEqual(maxChars);
        // Whatever is kept is the start of the fully redacted text, and no token is cut in two.
        const full = redactor.redactExcerpt(text, Number.POSITIVE_INFINITY);
        expect(full.startsWith(excerpt.replace(/…$/, ""))).toBe(true);
        expect(excerpt).not.toMatch(/<[a-z0-9-]*…$/);
        const shown = excerpt.replace(WHOLE_TOKEN, "\u0000");
        for (const { secret } of values) {
          for (const fragment of fragments(secret, rest)) expect(shown).not.toContain(fragment);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("redaction rules", () => {
  it.each([
    ["BGP peer 198.51.100.19 (AS 64502) down", "BGP peer <ipv4-1> (AS 64502) down"],
    ["resolver 203.0.113.154:53, prefix 10.0.0.0/8", "resolver <ipv4-1>:53, prefix <ipv4-2>/8"],
    ["2001:db8::13 is 2001:0DB8:0:0:0:0:0:13", "<ipv6-1> is <ipv6-1>"],
    ["[2001:db8::1]:443 fe80::1%eth0 ::ffff:192.0.2.1", "[<ipv6-1>]:443 <ipv6-2>%eth0 <ipv6-3>"],
    ["00:1a:2b:3c:4d:5e = 00-1A-2B-3C-4D-5E = 001a.2b3c.4d5e", "<mac-1> = <mac-1> = <mac-1>"],
    ["page noc@acme.example.com", "page <email-1>"],
    ["https://admin:s3cr@t@db.example.net:5432/x", "https://db.example.net:5432/x"],
    ["imsi=310150123456789 imei 35-209900-176148-1", "imsi=<digits-1> imei <digits-2>"],
    ["call +1 (555) 123-4567 or 0049 170 1234567", "call <digits-1> or <digits-2>"],
    ["addr:2001:db8::1, mac:00:1a:2b:3c:4d:5e, tel:+4915112345678", "addr:<ipv6-1>, mac:<mac-1>, tel:<digits-1>"],
    [
      'login password=hunter2, Authorization: Bearer eyJhbGciOi.x "snmp_community":"n0cR3ad"',
      'login password=<secret>, Authorization: Bearer <secret> "snmp_community":"<secret>"',
    ],
    ["neighbor 2001:db8::1: down, 00:1a:2b:3c:4d:5e: learned", "neighbor <ipv6-1>: down, <mac-1>: learned"],
    [
      "SECRET_KEY=abc123 secret_key: hunter2 private_key=xyz",
      "SECRET_KEY=<secret> secret_key: <secret> private_key=<secret>",
    ],
    ["credentials: admin/s3cr3t, authToken=abc", "credentials: <secret>, authToken=<secret>"],
    [
      "secret_key sk_live_51Hc, api-key 'k 1', password expired",
      "secret_key <secret>, api-key '<secret>', password expired",
    ],
    ["Cookie: sid=abc123; theme=dark | Set-Cookie: x=1", "Cookie: <secret> | Set-Cookie: <secret>"],
    ["curl -H 'Bearer eyJhbGciOi.eyJzdWIi.c2ln9' done", "curl -H 'Bearer <secret>' done"],
    ["jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc", "jwt <secret>"],
    ["key -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIB\n-----END RSA PRIVATE KEY----- ok", "key <secret> ok"],
    ["private_key=-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN", "private_key=<secret>"],
  ])("redacts %j", (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it.each([
    "2025-03-14T08:00:00.000Z and 2025-03-14 08:00:00 and 14.03.2025 08:00",
    "xe-0/0/1 ge-0/0/0.100 HundredGigE0/0/1/0 1-5-L1",
    "AS64512 AS4200000001 peer AS 4200000001",
    "26.5% SERVFAIL, loss 99.99999999%",
    "ifOperStatus .1.3.6.1.2.1.2.2.1.8 and pi 3.14159265358979",
    "RT target:64511:1005 RD 64511:603 std::vector",
    "uuid 123e4567-e89b-12d3-a456-426614174000 fp 109b22cd6c019a3092365816cb362969",
    "ports 1 2 3 4 5 6 7 8 9 10",
    "community: 64511:100, prompt_tokens: 1200",
    "default bearer 5 released, dedicated bearer ebi-6 up",
  ])("keeps %j", (input) => {
    expect(redact(input)).toBe(input);
  });

  it("aliases tenant ids in text but never ordinary words like the default tenant", () => {
    const redactor = createRedactor({ tenants: ["acme-telecom", "globex", "default"] });
    expect(redactor.redactText("globex and acme-telecom; default route via acme-telecom.example.net")).toBe(
      "<tenant-1> and <tenant-2>; default route via <tenant-2>.example.net",
    );
    expect(redactor.size).toBe(2);
  });
});

describe("redactValue", () => {
  it("redacts deeply, keeps keys, hides credentials and aliases tenant fields", () => {
    const redactor = createRedactor();
    const value = JSON.parse(
      `{"tenant_id":"acme","message":"acme core down, peer 10.1.1.1","raw_payload":{"peer_ip":"10.1.1.1",
        "snmp_community":"public","authToken":"abc","community":"64511:100","prompt_tokens":12,"bps":74200000000,"imsi":310150123456789,
        "list":[{"mac":"00:1a:2b:3c:4d:5e"}],"missing":null,"__proto__":{"polluted":true}}}`,
    );
    expect(redactor.redactValue(value)).toEqual({
      tenant_id: "<tenant-1>",
      message: "<tenant-1> core down, peer <ipv4-1>",
      raw_payload: {
        peer_ip: "<ipv4-1>",
        snmp_community: SECRET_TOKEN,
        authToken: SECRET_TOKEN,
        community: "64511:100",
        prompt_tokens: 12,
        bps: "<digits-1>",
        imsi: "<digits-2>",
        list: [{ mac: "<mac-1>" }],
        missing: null,
        ["__proto__"]: { polluted: true },
      },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("turns non-JSON values into JSON and stops at cycles", () => {
    const cyclic: Record<string, unknown> = { at: new Date("2025-03-14T08:00:00Z"), skip: undefined, n: Number.NaN };
    cyclic.self = cyclic;
    expect(createRedactor().redactValue(cyclic)).toEqual({
      at: "2025-03-14T08:00:00.000Z",
      n: null,
      self: "<circular>",
    });
  });
});

describe("redactExcerpt", () => {
  const text = "login from victim.person@trusted.example.com via 10.11.12.13 with SECRET_KEY=abc123 done";

  it("never shows part of an e-mail, an address or a secret, wherever the cut falls", () => {
    for (let maxChars = 1; maxChars <= text.length + 1; maxChars++) {
      const excerpt = createRedactor().redactExcerpt(text, maxChars);
      expect(excerpt.length).toBeLessThanOrEqual(maxChars);
      for (const fragment of ["victim", "@tru", "10.11", "abc1"]) expect(excerpt).not.toContain(fragment);
    }
  });

  it("drops a token the cut would split instead of showing half of it", () => {
    const redactor = createRedactor();
    expect(redactor.redactExcerpt("peer 10.11.12.13 down", 13)).toBe("peer…");
    expect(redactor.redactExcerpt("peer 10.11.12.13 down", 14)).toBe("peer <ipv4-1>…");
    expect(redactor.redactExcerpt("peer\n  10.11.12.13   down", 40)).toBe("peer <ipv4-1> down");
  });
});

describe("redaction cost", () => {
  it("stays linear on a long dashed run (a credential-key prefix scan took 309 s on this before it was bounded)", () => {
    const started = performance.now();
    expect(redact("a-".repeat(200_000))).toHaveLength(400_000);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
