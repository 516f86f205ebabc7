/**
 * `teleops users …`: edits a users file (TELEOPS_USERS_FILE) locally; no server is involved. A new token is
 * printed once and only its SHA-256 is written, so the file never holds a usable credential.
 */
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  tenantIdSchema,
  USER_ROLES,
  type UserRole,
  type UsersFile,
  userRoleSchema,
  usersFileSchema,
  WEBHOOK_TOKEN_SOURCES,
  type WebhookTokenSource,
} from "@teleops/schema";
import type { Command } from "commander";
import { CliError, type GlobalOptions } from "../client.ts";
import { note, printJson, printTable } from "../output.ts";

interface FileOptions extends GlobalOptions {
  file?: string;
}

export function addUsersCommand(program: Command, withGlobals: (command: Command) => Command): void {
  const users = program
    .command("users")
    .description("manage the users file (TELEOPS_USERS_FILE): users, roles, tenants and webhook tokens");

  withGlobals(
    users
      .command("add")
      .description("add a user and print their new token once (only its SHA-256 is stored)")
      .requiredOption("--name <name>", "user name, shown in audit trails and reviews")
      .requiredOption("--role <role>", USER_ROLES.join("|"))
      .requiredOption("--tenant <tenant>", "the tenant the user works in")
      .option("--file <path>", "users file (default $TELEOPS_USERS_FILE); created if missing"),
  ).action((opts: FileOptions & { name: string; role: string; tenant: string }) => {
    const file = usersFilePath(opts);
    const role = parseRole(opts.role);
    const tenant = parseTenant(opts.tenant);
    const name = opts.name.trim();
    if (name === "") throw new CliError("--name must not be empty", 2);
    const { raw, parsed } = readOrCreate(file);
    if (parsed.users.some((user) => user.name === name)) {
      throw new CliError(`a user named "${name}" already exists in ${file}; pick another name or remove it first`, 2);
    }
    const token = newToken();
    writeUsersFile(file, {
      ...raw,
      users: [...rawList(raw, "users"), { name, role, tenant, token_sha256: sha256Hex(token) }],
    });
    if (opts.json) return printJson({ name, role, tenant, token, file });
    process.stdout.write(`added ${name} (${role} in tenant ${tenant}) to ${file}\n`);
    process.stdout.write(`token: ${token}\n`);
    note("the token is shown this once; a running server picks the new user up within a few seconds");
  });

  withGlobals(
    users
      .command("webhook-token")
      .description("add a webhook token of one tenant and print it once (only its SHA-256 is stored)")
      .requiredOption("--tenant <tenant>", "the tenant its deliveries are stored in")
      .option(
        "--sources <list>",
        `comma-separated: ${WEBHOOK_TOKEN_SOURCES.join(", ")}`,
        WEBHOOK_TOKEN_SOURCES.join(","),
      )
      .option("--name <label>", "a label for the token (e.g. the sending system)")
      .option("--file <path>", "users file (default $TELEOPS_USERS_FILE); created if missing"),
  ).action((opts: FileOptions & { tenant: string; sources: string; name?: string }) => {
    const file = usersFilePath(opts);
    const tenant = parseTenant(opts.tenant);
    const sources = parseSources(opts.sources);
    const { raw } = readOrCreate(file);
    const token = newToken();
    const entry = { ...(opts.name ? { name: opts.name.trim() } : {}), tenant, sources, token_sha256: sha256Hex(token) };
    writeUsersFile(file, { ...raw, webhook_tokens: [...rawList(raw, "webhook_tokens"), entry] });
    if (opts.json) return printJson({ name: opts.name ?? null, tenant, sources, token, file });
    process.stdout.write(`added a webhook token for tenant ${tenant} (${sources.join(", ")}) to ${file}\n`);
    process.stdout.write(`token: ${token}\n`);
    note("send it as `Authorization: Bearer <token>` (ServiceNow may send it as the basic-auth password)");
  });

  withGlobals(
    users
      .command("remove")
      .description("remove a user: their token stops working within a few seconds, without a restart")
      .requiredOption("--name <name>", "the user to remove")
      .option("--file <path>", "users file (default $TELEOPS_USERS_FILE)"),
  ).action((opts: FileOptions & { name: string }) => {
    const file = usersFilePath(opts);
    if (!existsSync(file)) throw new CliError(`no users file at ${file}`, 2);
    const { raw, parsed } = readOrCreate(file);
    const name = opts.name.trim();
    if (!parsed.users.some((user) => user.name === name)) throw new CliError(`no user named "${name}" in ${file}`, 2);
    const kept = rawList(raw, "users").filter((user) => !(isObject(user) && user.name === name));
    writeUsersFile(file, { ...raw, users: kept });
    if (opts.json) return printJson({ removed: name, file });
    process.stdout.write(`removed ${name} from ${file}\n`);
  });

  withGlobals(
    users
      .command("list")
      .description("list the users (names, roles, tenants) and webhook tokens of a users file; never tokens")
      .option("--file <path>", "users file (default $TELEOPS_USERS_FILE)"),
  ).action((opts: FileOptions) => {
    const file = usersFilePath(opts);
    if (!existsSync(file)) throw new CliError(`no users file at ${file}`, 2);
    const { parsed } = readOrCreate(file);
    const list = parsed.users.map((user) => ({ name: user.name, role: user.role, tenant: user.tenant }));
    const hooks = parsed.webhook_tokens.map((w) => ({ name: w.name ?? null, tenant: w.tenant, sources: w.sources }));
    if (opts.json) return printJson({ file, users: list, webhook_tokens: hooks });
    if (list.length === 0) note(`no users in ${file}`);
    printTable(list, ["name", "role", "tenant"]);
    if (hooks.length > 0) {
      process.stdout.write("\nwebhook tokens:\n");
      printTable(
        hooks.map((w) => ({ name: w.name ?? "-", tenant: w.tenant, sources: w.sources.join(",") })),
        ["name", "tenant", "sources"],
      );
    }
  });
}

function usersFilePath(opts: FileOptions): string {
  const file = opts.file ?? process.env.TELEOPS_USERS_FILE;
  if (!file || file.trim() === "") throw new CliError("--file is required (or set TELEOPS_USERS_FILE)", 2);
  return file.trim();
}

function parseRole(value: string): UserRole {
  const parsed = userRoleSchema.safeParse(value.trim().toLowerCase());
  if (!parsed.success) throw new CliError(`--role must be one of ${USER_ROLES.join(", ")}; got "${value}"`, 2);
  return parsed.data;
}

function parseTenant(value: string): string {
  const parsed = tenantIdSchema.safeParse(value.trim());
  if (!parsed.success) throw new CliError(`--tenant "${value}": ${parsed.error.issues[0]?.message ?? "invalid"}`, 2);
  return parsed.data;
}

function parseSources(value: string): WebhookTokenSource[] {
  const items = value
    .split(",")
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
  const sources = WEBHOOK_TOKEN_SOURCES.filter((source) => items.includes(source));
  const unknown = items.filter((item) => !(WEBHOOK_TOKEN_SOURCES as readonly string[]).includes(item));
  if (unknown.length > 0 || sources.length === 0) {
    throw new CliError(`--sources must name some of ${WEBHOOK_TOKEN_SOURCES.join(", ")}; got "${value}"`, 2);
  }
  return sources;
}

/** 32 random bytes: as strong as the SHA-256 that stores it, and safe in headers and shells. */
function newToken(): string {
  return randomBytes(32).toString("base64url");
}

function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function rawList(raw: Record<string, unknown>, key: string): unknown[] {
  const list = raw[key];
  return Array.isArray(list) ? list : [];
}

/** The file as written (fields this version does not know are kept) and as validated. */
function readOrCreate(file: string): { raw: Record<string, unknown>; parsed: UsersFile } {
  if (!existsSync(file)) return { raw: { users: [] }, parsed: { users: [], webhook_tokens: [] } };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new CliError(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, 2);
  }
  const parsed = usersFileSchema.safeParse(raw);
  if (!parsed.success || !isObject(raw)) {
    const problems = parsed.success
      ? "not an object"
      : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new CliError(`${file} is not a valid users file: ${[problems].flat().join("; ")}`, 2);
  }
  return { raw, parsed: parsed.data };
}

/** Writes beside the file and renames, so a reader (the server) never sees half a file; owner-only access. */
function writeUsersFile(file: string, content: Record<string, unknown>): void {
  const temporary = join(dirname(file), `.${process.pid}.${randomBytes(4).toString("hex")}.users.tmp`);
  writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}
