/** Resolves the actor of a request from its bearer token and the users file; tokens are kept only as SHA-256. */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import type { Actor } from "@teleops/api";
import {
  type AuthMode,
  type UserSummary,
  type UsersFile,
  usersFileSchema,
  type WebhookTokenSource,
} from "@teleops/schema";

export interface Authenticator {
  /** "users": tokens checked against the users file; "local-admin": development without users. */
  mode: AuthMode;
  actorFor(authorization: string | undefined): Actor | null;
  /** The tenant a webhook token of the users file opens `source` for; undefined when it is not such a token. */
  webhookTenantFor?(token: string, source: WebhookTokenSource): string | undefined;
  /** Whether the users file holds any webhook token for `source` (the route then needs a credential). */
  hasWebhookTokens?(source: WebhookTokenSource): boolean;
  /** The users of the file, without tokens (empty in local-admin mode). */
  users?(): UserSummary[];
}

export const LOCAL_ADMIN: Actor = { name: "local-admin", role: "admin", tenantId: "default" };

export const localAdminAuthenticator: Authenticator = {
  mode: "local-admin",
  actorFor: () => LOCAL_ADMIN,
  users: () => [],
};

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? "");
  return match?.[1]?.trim();
}

/** Reads and validates a users file; the message names the file and every problem with its path. */
export function readUsersFile(path: string): UsersFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`users file ${path} cannot be read: ${detail}`);
  }
  const parsed = usersFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`users file ${path} is invalid: ${problems}`);
  }
  return parsed.data;
}

/** Looks a hash up in a map, then confirms it with a constant-time compare so no timing difference remains. */
function lookup<T extends { token_sha256: string }>(byHash: Map<string, T>, token: string): T | undefined {
  const hash = sha256Hex(token);
  const entry = byHash.get(hash);
  if (!entry || !timingSafeEqual(Buffer.from(entry.token_sha256), Buffer.from(hash))) return undefined;
  return entry;
}

export function authenticatorFromUsers(file: UsersFile): Authenticator {
  const users = new Map(file.users.map((u) => [u.token_sha256, u]));
  const webhookTokens = new Map(file.webhook_tokens.map((w) => [w.token_sha256, w]));
  return {
    mode: "users",
    actorFor(authorization) {
      const token = bearerToken(authorization);
      if (!token) return null;
      const user = lookup(users, token);
      return user ? { name: user.name, role: user.role, tenantId: user.tenant } : null;
    },
    webhookTenantFor(token, source) {
      const entry = lookup(webhookTokens, token);
      return entry?.sources.includes(source) ? entry.tenant : undefined;
    },
    hasWebhookTokens: (source) => file.webhook_tokens.some((entry) => entry.sources.includes(source)),
    users: () => file.users.map((u) => ({ name: u.name, role: u.role, tenant: u.tenant })),
  };
}

/** How often the users file's modification time is checked, so added or revoked users apply without a restart. */
const RELOAD_CHECK_MS = 2_000;

/** While the users file is missing nobody is anyone: every token, user or webhook, is refused. */
const refuseEveryone: Authenticator = {
  mode: "users",
  actorFor: () => null,
  webhookTenantFor: () => undefined,
  // Routes the file could open stay closed to everyone but the env credentials.
  hasWebhookTokens: () => true,
  users: () => [],
};

export interface UsersFileEvents {
  /** The file changed but is invalid: the previous users stay in force. */
  onReloadError?: (error: Error) => void;
  /** The file is gone: every token of it is refused until it is back. */
  onMissing?: () => void;
  /** The file is back (after `onMissing`) and valid again. */
  onRestored?: () => void;
}

/**
 * The users file's authenticator. The file is re-read when it changes (checked at most every 2 s on use). A change
 * that breaks the file keeps the last valid users and is reported through `onReloadError`; a file that is removed
 * fails closed (every token refused) until it is back, so deleting it can never leave revoked tokens valid.
 */
export function loadAuthenticator(usersFile: string | undefined, events: UsersFileEvents = {}): Authenticator {
  if (!usersFile) return localAdminAuthenticator;
  let current = authenticatorFromUsers(readUsersFile(usersFile));
  let loadedMtime = mtimeOf(usersFile);
  let checkedAt = Date.now();
  const fresh = (): Authenticator => {
    const now = Date.now();
    if (now - checkedAt < RELOAD_CHECK_MS) return current;
    checkedAt = now;
    const mtime = mtimeOf(usersFile);
    if (mtime === loadedMtime) return current;
    loadedMtime = mtime;
    if (mtime === MISSING) {
      current = refuseEveryone;
      events.onMissing?.();
      return current;
    }
    try {
      const restored = current === refuseEveryone;
      current = authenticatorFromUsers(readUsersFile(usersFile));
      if (restored) events.onRestored?.();
    } catch (error) {
      // A broken edit keeps the users in force; a file that comes back broken after being removed keeps refusing.
      events.onReloadError?.(error instanceof Error ? error : new Error(String(error)));
    }
    return current;
  };
  return {
    mode: "users",
    actorFor: (authorization) => fresh().actorFor(authorization),
    webhookTenantFor: (token, source) => fresh().webhookTenantFor?.(token, source),
    hasWebhookTokens: (source) => fresh().hasWebhookTokens?.(source) ?? false,
    users: () => fresh().users?.() ?? [],
  };
}

const MISSING = -1;
/** An unreadable file (permissions) is treated as a broken edit; only a file that is gone fails closed. */
const UNREADABLE = -2;

function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? MISSING : UNREADABLE;
  }
}
