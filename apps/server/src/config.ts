/** Reads and validates the environment once; everything else receives the result. */
import { z } from "zod";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  DATABASE_URL: optionalString,
  TELEOPS_DATA_DIR: z.string().default("./.data"),
  TELEOPS_ENV: z.enum(["development", "production"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  TELEOPS_USERS_FILE: optionalString,
  TELEOPS_WEBHOOK_TOKEN: optionalString,
  /** When set, `/webhooks/jira` requires `X-Hub-Signature: sha256=<HMAC-SHA256 of the body>`. */
  JIRA_WEBHOOK_SECRET: optionalString,
  /** When set, `/webhooks/servicenow` requires it as a bearer token or basic-auth password. */
  SERVICENOW_WEBHOOK_TOKEN: optionalString,
  TELEOPS_TOPOLOGY_FILE: optionalString,
  TELEOPS_WEB_DIST: optionalString,
  TELEOPS_QUIET_PERIOD_MIN: z.coerce.number().positive().default(15),
  TELEOPS_MIN_INCIDENT_ALERTS: z.coerce.number().int().min(1).default(3),
  LLM_BASE_URL: optionalString.pipe(z.url().optional()),
  LLM_API_KEY: optionalString,
  LLM_MODEL: optionalString,
  LLM_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  /** Unset: the corpus shipped in fixtures/runbooks, found relative to the code rather than the cwd. */
  RAG_CORPUS_DIR: optionalString,
});

export type Config = z.output<typeof envSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}
