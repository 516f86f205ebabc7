/** Reads and validates the environment once; everything else receives the result. */
import { accessSync, constants, statSync } from "node:fs";
import { sitePatternProblem } from "@teleops/core";
import { z } from "zod";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/** An http(s) address of a ticket system, with no credentials in it: they belong in their own variables. */
function ticketSystemUrl(credentialVariables: string) {
  return z
    .url({ protocol: /^https?$/ })
    .refine(
      // zod checks this even after the URL check failed; such a value has no credentials to find.
      (url) => !URL.canParse(url) || (new URL(url).username === "" && new URL(url).password === ""),
      `no user or password in the address; set ${credentialVariables}`,
    )
    .optional();
}

/** More HTTP workers than this is a typo, not a machine. */
const MAX_WORKERS = 256;

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  DATABASE_URL: optionalString,
  /** HTTP worker processes sharing the port; unset = one per core on PostgreSQL, one on the embedded database. */
  TELEOPS_WORKERS: optionalString.transform((value, ctx) => {
    if (value === undefined) return undefined;
    if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > MAX_WORKERS) {
      ctx.addIssue({
        code: "custom",
        message: `"${value}" is no worker count: use a whole number from 1 to ${MAX_WORKERS}`,
      });
      return z.NEVER;
    }
    return Number(value);
  }),
  TELEOPS_DATA_DIR: z.string().default("./.data"),
  TELEOPS_ENV: z.enum(["development", "production"]).default("development"),
  /** The lab (scenario generation and reset): unset = on in development, off in production. */
  TELEOPS_LAB: z.enum(["1", "0", "true", "false", "on", "off"]).optional(),
  NODE_ENV: optionalString,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  TELEOPS_USERS_FILE: optionalString,
  TELEOPS_WEBHOOK_TOKEN: optionalString,
  /** When set, `/webhooks/jira` requires `X-Hub-Signature: sha256=<HMAC-SHA256 of the body>`. */
  JIRA_WEBHOOK_SECRET: optionalString,
  /** When set, `/webhooks/servicenow` requires it as a bearer token or basic-auth password. */
  SERVICENOW_WEBHOOK_TOKEN: optionalString,
  /** The tenant that TELEOPS_WEBHOOK_TOKEN, JIRA_WEBHOOK_SECRET and SERVICENOW_WEBHOOK_TOKEN deliveries go to. */
  TELEOPS_WEBHOOK_TENANT: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "letters, digits, '.', '_' and '-'")
    .default("default"),
  /** Comma-separated addresses and CIDR ranges that may deliver webhooks; unset = any address. */
  TELEOPS_WEBHOOK_ALLOWED_SOURCES: optionalString,
  /** Requests per minute from one client address (0 = no limit); answered 429 with Retry-After beyond it. */
  TELEOPS_RATE_LIMIT_PER_MIN: z.coerce.number().int().min(0).default(6_000),
  /** Requests per minute with one credential, from any address (0 = no limit). */
  TELEOPS_TOKEN_RATE_LIMIT_PER_MIN: z.coerce.number().int().min(0).default(6_000),
  /** Time a client has to send a whole request. */
  TELEOPS_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** Alerts a tenant's deliveries may have waiting for the database before new ones get 503 + Retry-After. */
  TELEOPS_INGEST_MAX_QUEUED: z.coerce.number().int().min(1_000).default(100_000),
  /** How far past now an alert or ticket time may lie (minutes); later times, and times before 1970, are a 400. */
  TELEOPS_TIMESTAMP_MAX_FUTURE_MIN: z.coerce
    .number()
    .int()
    .min(0)
    .max(366 * 24 * 60)
    .default(24 * 60),
  /**
   * PostgreSQL: time to connect, and how long a webhook waits for a database that stops answering before 503.
   * Slow but answering is not down: a pending write is given up only when a probe fails too.
   */
  TELEOPS_DB_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  /** A streaming replica of DATABASE_URL for the queue, search, incident detail and dashboards. */
  DATABASE_READ_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "a postgres:// URL of a streaming replica of DATABASE_URL")
      .optional(),
  ),
  TELEOPS_TOPOLOGY_FILE: optionalString,
  TELEOPS_WEB_DIST: optionalString,
  /** How long two related alarms on one host may be apart and still be one failure (the correlator's host window). */
  TELEOPS_QUIET_PERIOD_MIN: z.coerce.number().positive().default(5),
  /**
   * How long an incident whose alarms all cleared waits before it resolves by itself: `0` (at once), or a
   * number with a unit, `90s`, `5m`, `1h`; read as milliseconds.
   */
  TELEOPS_AUTO_RESOLVE_AFTER: z
    .string()
    .default("5m")
    .transform((value, ctx) => {
      const ms = parseHold(value);
      if (ms === null) {
        ctx.addIssue({ code: "custom", message: `"${value}" is no duration: use 0, or a number with s, m or h (5m)` });
        return z.NEVER;
      }
      return ms;
    }),
  /** Days of alerts kept (by event time; whole weeks are dropped once all older), `0` keeps them all. */
  TELEOPS_RETENTION_DAYS: z.coerce.number().int().min(0).default(90),
  /** Days of integration events kept (by arrival), `0` keeps them all. */
  TELEOPS_EVENTS_RETENTION_DAYS: z.coerce.number().int().min(0).default(30),
  /**
   * Where retention writes each partition (`<partition>.jsonl.gz`) before dropping it; unset = no export. Must be
   * an existing directory this process can write to.
   */
  TELEOPS_RETENTION_EXPORT_DIR: optionalString.superRefine((dir, ctx) => {
    const problem = dir === undefined ? null : exportDirProblem(dir);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  /** Distinct signals that make a group of alarms an incident whatever their severity. */
  TELEOPS_MIN_INCIDENT_ALERTS: z.coerce.number().int().min(1).default(3),
  /** Regex with a named group `site`, read from host names without a site tag; unset = the built-in default. */
  TELEOPS_SITE_PATTERN: z
    .string()
    .optional()
    .superRefine((pattern, ctx) => {
      const problem = pattern === undefined ? null : sitePatternProblem(pattern);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  /** The SMTP relay email notification channels send through: `smtp://user:pass@host:587` or `smtps://…:465`. */
  TELEOPS_SMTP_URL: optionalString.pipe(
    z
      .string()
      .regex(/^smtps?:\/\/[^\s]+$/, "an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.net:587")
      .optional(),
  ),
  /** The sender of notification email. */
  TELEOPS_SMTP_FROM: z.string().trim().default("TeleOps <teleops@localhost>"),
  /** The address users reach the SPA at: links in notifications (and tickets) point there. */
  TELEOPS_PUBLIC_URL: optionalString.pipe(z.url().optional()),
  /** A real ServiceNow for tickets made from incidents (all three, or none for the built-in mock). */
  SERVICENOW_INSTANCE_URL: optionalString.pipe(ticketSystemUrl("SERVICENOW_USER and SERVICENOW_PASSWORD")),
  SERVICENOW_USER: optionalString,
  SERVICENOW_PASSWORD: optionalString,
  /** A real Jira Cloud site for tickets made from incidents (all three, or none for the built-in mock). */
  JIRA_BASE_URL: optionalString.pipe(ticketSystemUrl("JIRA_EMAIL and JIRA_API_TOKEN")),
  JIRA_EMAIL: optionalString,
  JIRA_API_TOKEN: optionalString,
  /** The Jira project issues are created in, and their issue type. */
  JIRA_PROJECT_KEY: z
    .string()
    .trim()
    .regex(/^[A-Z][A-Z0-9_]{0,254}$/, "a Jira project key: capital letters, digits and '_', starting with a letter")
    .default("NETOPS"),
  JIRA_ISSUE_TYPE: z.string().trim().min(1).default("Task"),
  /** How long a call to ServiceNow or Jira may take before the user is told it did not answer. */
  TELEOPS_TICKET_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(120_000).default(10_000),
  LLM_BASE_URL: optionalString.pipe(z.url().optional()),
  LLM_API_KEY: optionalString,
  LLM_MODEL: optionalString,
  LLM_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  /** Unset: the corpus shipped in fixtures/runbooks, found relative to the code rather than the cwd. */
  RAG_CORPUS_DIR: optionalString,
  /** Unset: the labelled streams shipped in fixtures/correlation, scored by `correlation.evaluate`. */
  TELEOPS_CORRELATION_CORPUS_DIR: optionalString,
});

export type Config = z.output<typeof envSchema>;

/** Why `dir` cannot take retention exports (missing, not a directory, not writable), or null when it can. */
export function exportDirProblem(dir: string): string | null {
  try {
    if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
  } catch {
    return `${dir} does not exist: create it, or unset the variable to drop partitions without a copy`;
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    return `${dir} is not writable by this process`;
  }
  return null;
}

const HOLD_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `0`, or a whole number with a unit (`ms`, `s`, `m`, `h`, `d`), as milliseconds; null for anything else. */
export function parseHold(value: string): number | null {
  const match = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match?.[1]) return null;
  const amount = Number(match[1]);
  if (match[2] === undefined) return amount === 0 ? 0 : null;
  return amount * (HOLD_UNITS[match[2]] ?? 0);
}

/**
 * Whether the lab (scenario generation and reset of a tenant's data) is on: `TELEOPS_LAB` when set, else on unless
 * the server runs in production (`TELEOPS_ENV=production` or `NODE_ENV=production`), where demo data and a
 * delete-everything button have no place.
 */
export function labEnabled(config: Pick<Config, "TELEOPS_LAB" | "TELEOPS_ENV" | "NODE_ENV">): boolean {
  if (config.TELEOPS_LAB !== undefined) return ["1", "true", "on"].includes(config.TELEOPS_LAB);
  return config.TELEOPS_ENV !== "production" && config.NODE_ENV !== "production";
}

/**
 * How many HTTP worker processes to run: `TELEOPS_WORKERS`, else one per core. The embedded database lives in one
 * process (its data directory is locked), so without `DATABASE_URL` it is always one, with a note when more were
 * asked for.
 */
export function httpWorkers(
  config: Pick<Config, "TELEOPS_WORKERS" | "DATABASE_URL">,
  cores: number,
): { workers: number; note?: string } {
  if (!config.DATABASE_URL) {
    const asked = config.TELEOPS_WORKERS ?? 1;
    return asked > 1
      ? {
          workers: 1,
          note: `TELEOPS_WORKERS=${asked} ignored: the embedded database serves one process; set DATABASE_URL to a PostgreSQL for several workers`,
        }
      : { workers: 1 };
  }
  return { workers: config.TELEOPS_WORKERS ?? Math.max(1, cores) };
}

export class ConfigError extends Error {}

const TICKET_SYSTEM_VARIABLES = [
  ["ServiceNow", ["SERVICENOW_INSTANCE_URL", "SERVICENOW_USER", "SERVICENOW_PASSWORD"]],
  ["Jira", ["JIRA_BASE_URL", "JIRA_EMAIL", "JIRA_API_TOKEN"]],
] as const;

/**
 * A ticket system is real with all three of its variables and the mock with none; some of them is a mistake that
 * would otherwise quietly give mock tickets, so start-up names what is missing (never the values).
 */
function partialTicketSystems(config: Config): string[] {
  return TICKET_SYSTEM_VARIABLES.flatMap(([name, variables]) => {
    const missing = variables.filter((variable) => config[variable] === undefined);
    if (missing.length === 0 || missing.length === variables.length) return [];
    return [
      `${name} tickets need ${variables.join(", ")}; ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set`,
    ];
  });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const partial = partialTicketSystems(parsed.data);
  if (partial.length > 0) throw new ConfigError(`invalid configuration: ${partial.join("; ")}`);
  if (parsed.data.DATABASE_READ_URL && !parsed.data.DATABASE_URL) {
    throw new ConfigError(
      "invalid configuration: DATABASE_READ_URL needs DATABASE_URL: a read replica follows a PostgreSQL primary, and the embedded database has none; set DATABASE_URL=postgres://… or unset DATABASE_READ_URL",
    );
  }
  return parsed.data;
}
