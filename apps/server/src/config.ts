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
  TELEOPS_TOPOLOGY_FILE: optionalString,
  TELEOPS_WEB_DIST: optionalString,
  TELEOPS_QUIET_PERIOD_MIN: z.coerce.number().positive().default(15),
  TELEOPS_MIN_INCIDENT_ALERTS: z.coerce.number().int().min(1).default(3),
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
