/** Webhook credentials: bearer tokens, basic-auth passwords and Jira's HMAC signature, compared in constant time. */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { bearerToken } from "../auth.ts";
import { HttpError } from "./body.ts";

/** Compares digests, so neither the content nor the length of the secret leaks through timing. */
export function constantTimeEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** With TELEOPS_ENV=production a route whose credential is not configured is closed to everyone. */
export function requireConfigured(expected: string | undefined, production: boolean, name: string): void {
  if (!expected && production) throw new HttpError(401, `this webhook is closed: ${name} is not configured`);
}

/** `Authorization: Bearer <token>` when a token is configured. */
export function checkBearer(req: IncomingMessage, expected: string | undefined, production: boolean): void {
  requireConfigured(expected, production, "TELEOPS_WEBHOOK_TOKEN");
  if (!expected) return;
  const given = bearerToken(req.headers.authorization);
  if (!given) throw new HttpError(401, "missing bearer token");
  if (!constantTimeEqual(given, expected)) throw new HttpError(401, "invalid bearer token");
}

/** The password of `Authorization: Basic base64(user:password)`; the user name is not checked. */
export function basicPassword(authorization: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

/** ServiceNow's REST messages send basic auth or a bearer token; either carries the configured token. */
export function checkBearerOrBasic(req: IncomingMessage, expected: string | undefined, production: boolean): void {
  requireConfigured(expected, production, "SERVICENOW_WEBHOOK_TOKEN");
  if (!expected) return;
  const given = bearerToken(req.headers.authorization) ?? basicPassword(req.headers.authorization);
  if (!given) throw new HttpError(401, "missing credentials: send the token as a bearer token or basic-auth password");
  if (!constantTimeEqual(given, expected)) throw new HttpError(401, "invalid credentials");
}

/** Jira's `X-Hub-Signature: sha256=<hex>`: HMAC-SHA256 of the raw body with the webhook's secret. */
export function checkHubSignature(header: string | string[] | undefined, raw: Buffer, secret: string): void {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) throw new HttpError(401, "missing X-Hub-Signature header");
  const match = /^sha256=([0-9a-f]{64})$/i.exec(value.trim());
  if (!match?.[1]) throw new HttpError(401, "X-Hub-Signature must be sha256=<64 hex digits>");
  const given = Buffer.from(match[1].toLowerCase(), "hex");
  const expected = createHmac("sha256", secret).update(raw).digest();
  if (!timingSafeEqual(given, expected)) throw new HttpError(401, "X-Hub-Signature does not match the body");
}
