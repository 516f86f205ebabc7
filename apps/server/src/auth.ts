/** Resolves the actor of a request from its bearer token and the users file. */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { type Actor, ROLES } from "@teleops/api";
import { z } from "zod";

const usersFileSchema = z.object({
  users: z.array(
    z.object({
      name: z.string().min(1),
      role: z.enum(ROLES),
      tenant: z.string().min(1),
      token_sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be a hex SHA-256"),
    }),
  ),
});

export interface Authenticator {
  /** "users": tokens checked against the users file; "local-admin": development without users. */
  mode: "users" | "local-admin";
  actorFor(authorization: string | undefined): Actor | null;
}

export const LOCAL_ADMIN: Actor = { name: "local-admin", role: "admin", tenantId: "default" };

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? "");
  return match?.[1]?.trim();
}

export function loadAuthenticator(usersFile: string | undefined): Authenticator {
  if (!usersFile) return { mode: "local-admin", actorFor: () => LOCAL_ADMIN };
  const parsed = usersFileSchema.safeParse(JSON.parse(readFileSync(usersFile, "utf8")));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`users file ${usersFile} is invalid: ${problems}`);
  }
  const byHash = new Map(parsed.data.users.map((u) => [u.token_sha256, u]));
  return {
    mode: "users",
    actorFor(authorization) {
      const token = bearerToken(authorization);
      if (!token) return null;
      const hash = sha256Hex(token);
      const user = byHash.get(hash);
      // The map lookup already matched; the constant-time compare keeps the check honest if that changes.
      if (!user || !timingSafeEqual(Buffer.from(user.token_sha256), Buffer.from(hash))) return null;
      return { name: user.name, role: user.role, tenantId: user.tenant };
    },
  };
}
