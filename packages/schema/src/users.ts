/** Identity: the users file (`TELEOPS_USERS_FILE`) with roles, tenants and SHA-256 hashes of bearer tokens. */
import { z } from "zod";

/** Each role includes everything the roles before it may do. */
export const USER_ROLES = ["viewer", "operator", "admin"] as const;
export type UserRole = (typeof USER_ROLES)[number];
export const userRoleSchema = z.enum(USER_ROLES);

/** A tenant id: letters, digits, `.`, `_`, `-`; it appears in logs and aliases, so no spaces or symbols. */
export const tenantIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, '.', '_' and '-' only, starting with a letter or digit");

const tokenSha256Schema = z.string().regex(/^[0-9a-f]{64}$/, "must be a hex SHA-256 (64 lowercase hex digits)");

export const userEntrySchema = z.object({
  name: z
    .string()
    .min(1)
    .max(128)
    .refine((name) => name === name.trim() && !/\p{Cc}/u.test(name), "no control characters or edge spaces"),
  role: userRoleSchema,
  tenant: tenantIdSchema,
  token_sha256: tokenSha256Schema,
});
export type UserEntry = z.infer<typeof userEntrySchema>;

/** Webhook routes whose bearer (or basic-auth) token a users file may map to a tenant. */
export const WEBHOOK_TOKEN_SOURCES = ["alerts", "alertmanager", "servicenow"] as const;
export type WebhookTokenSource = (typeof WEBHOOK_TOKEN_SOURCES)[number];

/** A webhook credential of one tenant: deliveries made with it are stored in that tenant and nowhere else. */
export const webhookTokenEntrySchema = z.object({
  /** A label for logs and the admin's listing; the token itself is never stored. */
  name: z.string().min(1).max(128).optional(),
  token_sha256: tokenSha256Schema,
  tenant: tenantIdSchema,
  /** The routes the token opens; omitted means all three. */
  sources: z
    .array(z.enum(WEBHOOK_TOKEN_SOURCES))
    .min(1)
    .default([...WEBHOOK_TOKEN_SOURCES]),
});
export type WebhookTokenEntry = z.infer<typeof webhookTokenEntrySchema>;

export const usersFileSchema = z
  .object({
    users: z.array(userEntrySchema).default([]),
    webhook_tokens: z.array(webhookTokenEntrySchema).default([]),
  })
  .superRefine((file, ctx) => {
    const names = new Set<string>();
    const hashes = new Set<string>();
    for (const [index, user] of file.users.entries()) {
      if (names.has(user.name)) {
        ctx.addIssue({ code: "custom", path: ["users", index, "name"], message: `duplicate user name "${user.name}"` });
      }
      names.add(user.name);
      if (hashes.has(user.token_sha256)) {
        ctx.addIssue({ code: "custom", path: ["users", index, "token_sha256"], message: "token used twice" });
      }
      hashes.add(user.token_sha256);
    }
    for (const [index, entry] of file.webhook_tokens.entries()) {
      // One token, one meaning: a user's token must not also open a webhook, or the tenant would be ambiguous.
      if (hashes.has(entry.token_sha256)) {
        ctx.addIssue({ code: "custom", path: ["webhook_tokens", index, "token_sha256"], message: "token used twice" });
      }
      hashes.add(entry.token_sha256);
    }
  });
export type UsersFile = z.infer<typeof usersFileSchema>;

/** What `users.list` and `session.whoami` show: never a token or its hash. */
export const userSummarySchema = z.object({ name: z.string(), role: userRoleSchema, tenant: z.string() });
export type UserSummary = z.infer<typeof userSummarySchema>;

export const AUTH_MODES = ["users", "local-admin"] as const;
export type AuthMode = (typeof AUTH_MODES)[number];
