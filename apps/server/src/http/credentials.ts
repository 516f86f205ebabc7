/** Webhook credentials: bearer tokens, basic-auth passwords and Jira's HMAC signature, compared in constant time. */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";
import type { WebhookTokenSource } from "@teleops/schema";
import { bearerToken } from "../auth.ts";
import { HttpError } from "./body.ts";
import { DEFAULT_TENANT, type WebhookDeps } from "./delivery.ts";

/** Compares digests, so neither the content nor the length of the secret leaks through timing. */
export function constantTimeEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * In production, or on an address other than loopback, a route whose credential is not configured is closed to
 * everyone; `closedBecause` says which of the two applies.
 */
export function requireConfigured(expected: string | undefined, closedBecause: string | undefined, name: string): void {
  if (!expected && closedBecause) {
    throw new HttpError(401, `this webhook is closed: ${name} is not configured (${closedBecause})`);
  }
}

/** The password of `Authorization: Basic base64(user:password)`; the user name is not checked. */
export function basicPassword(authorization: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

/** Where the token-checked routes find their credential: the env token, and tokens of the users file. */
const ENV_TOKEN: Record<WebhookTokenSource, { name: string; value: (deps: WebhookDeps) => string | undefined }> = {
  alerts: { name: "TELEOPS_WEBHOOK_TOKEN", value: (deps) => deps.webhookToken },
  alertmanager: { name: "TELEOPS_WEBHOOK_TOKEN", value: (deps) => deps.webhookToken },
  servicenow: { name: "SERVICENOW_WEBHOOK_TOKEN", value: (deps) => deps.servicenowWebhookToken },
};

/**
 * Checks a webhook request's credential and returns the tenant its deliveries belong to: a users-file webhook
 * token names its tenant; the env token (and an open development route) maps to the webhook tenant. ServiceNow
 * may send the token as a basic-auth password.
 */
export function webhookTenant(req: IncomingMessage, deps: WebhookDeps, source: WebhookTokenSource): string {
  const authorization = req.headers.authorization;
  const given = bearerToken(authorization) ?? (source === "servicenow" ? basicPassword(authorization) : undefined);
  const fromFile = given ? deps.webhookCredentials?.tenantFor(given, source) : undefined;
  if (fromFile) return fromFile;
  const env = ENV_TOKEN[source];
  const expected = env.value(deps);
  const fileTokens = deps.webhookCredentials?.has(source) ?? false;
  if (!expected && !fileTokens) {
    requireConfigured(expected, deps.closedBecause, env.name);
    return deps.webhookTenant ?? DEFAULT_TENANT;
  }
  if (!given) {
    throw new HttpError(
      401,
      source === "servicenow"
        ? "missing credentials: send the token as a bearer token or basic-auth password"
        : "missing bearer token",
    );
  }
  if (!expected || !constantTimeEqual(given, expected)) {
    throw new HttpError(401, source === "servicenow" ? "invalid credentials" : "invalid bearer token");
  }
  return deps.webhookTenant ?? DEFAULT_TENANT;
}

export interface WebhookRouteAccess {
  route: string;
  /** `credential`: needs one; `open`: takes anyone's deliveries; `closed`: refuses everything. */
  access: "credential" | "open" | "closed";
  why: string;
}

/** Which webhook routes are open and why, for the start-up log. */
export function describeWebhookAccess(deps: WebhookDeps): WebhookRouteAccess[] {
  const unconfigured = (route: string, name: string): WebhookRouteAccess =>
    deps.closedBecause
      ? { route, access: "closed", why: `${name} is not configured (${deps.closedBecause})` }
      : { route, access: "open", why: `${name} is not configured: anyone who reaches the server can deliver` };
  const tokenRoute = (route: string, source: WebhookTokenSource): WebhookRouteAccess => {
    const env = ENV_TOKEN[source];
    const fromFile = deps.webhookCredentials?.has(source) ?? false;
    const names = [env.value(deps) ? env.name : undefined, fromFile ? "webhook tokens of the users file" : undefined];
    const configured = names.filter(Boolean).join(" and ");
    return configured ? { route, access: "credential", why: configured } : unconfigured(route, env.name);
  };
  return [
    tokenRoute("/webhooks/alerts", "alerts"),
    tokenRoute("/webhooks/alertmanager", "alertmanager"),
    deps.jiraWebhookSecret
      ? { route: "/webhooks/jira", access: "credential", why: "JIRA_WEBHOOK_SECRET" }
      : unconfigured("/webhooks/jira", "JIRA_WEBHOOK_SECRET"),
    tokenRoute("/webhooks/servicenow", "servicenow"),
  ];
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

/**
 * Parses `TELEOPS_WEBHOOK_ALLOWED_SOURCES`: comma-separated addresses and CIDR ranges, IPv4 or IPv6
 * (IPv4-mapped IPv6 peers match their IPv4 entries). Throws with the entry that is not an address.
 */
export function parseSourceList(text: string): BlockList {
  const list = new BlockList();
  for (const entry of text
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [address = "", prefix] = entry.split("/");
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : Number(prefix);
    const maxBits = family === 6 ? 128 : 32;
    if (family === 0 || (bits !== undefined && (!Number.isInteger(bits) || bits < 0 || bits > maxBits))) {
      throw new Error(`"${entry}" is not an IP address or CIDR range`);
    }
    const type = family === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
  }
  return list;
}

/** With an allow-list configured, a delivery from any other address is refused (403) before its credential. */
export function checkSource(req: IncomingMessage, allowed: BlockList | undefined): void {
  if (!allowed) return;
  const address = req.socket.remoteAddress ?? "";
  const family = isIP(address) === 6 ? "ipv6" : "ipv4";
  if (!address || !allowed.check(address, family)) {
    throw new HttpError(
      403,
      `deliveries from ${address || "an unknown address"} are not allowed (TELEOPS_WEBHOOK_ALLOWED_SOURCES)`,
    );
  }
}
