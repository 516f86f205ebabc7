/** What every webhook route shares: its dependencies, the shape of a handled delivery, and schema errors. */
import type { IncomingMessage } from "node:http";
import type { BlockList } from "node:net";
import type { AppServices } from "@teleops/api";
import {
  createDeliveryWriter,
  type DeliveryToStore,
  type IntegrationEventDraft,
  type StoredDelivery,
} from "@teleops/core";
import type { Database } from "@teleops/db";
import type { IntegrationSource, WebhookTokenSource } from "@teleops/schema";
import type { Logger } from "pino";
import type { z } from "zod";
import { formatPath, HttpError } from "./body.ts";

/** The tenant of the env-configured webhook credentials when TELEOPS_WEBHOOK_TENANT does not name another. */
export const DEFAULT_TENANT = "default";

export interface WebhookDeps {
  db: Database;
  services: AppServices;
  logger: Logger;
  /** When set, `/webhooks/alerts` and `/webhooks/alertmanager` require it as a bearer token. */
  webhookToken: string | undefined;
  /** When set, `/webhooks/jira` requires a valid `X-Hub-Signature`. */
  jiraWebhookSecret?: string | undefined;
  /** When set, `/webhooks/servicenow` requires it as bearer token or basic-auth password. */
  servicenowWebhookToken?: string | undefined;
  /**
   * Set when a route whose credential is not configured is closed, with the reason (`TELEOPS_ENV=production`, or
   * a HOST other than loopback); unset, such routes take anyone's deliveries (development on loopback).
   */
  closedBecause: string | undefined;
  /** When set, only these client addresses may deliver (TELEOPS_WEBHOOK_ALLOWED_SOURCES). */
  allowedSources?: BlockList | undefined;
  /** The tenant the env credentials (and open development routes) store into; default `default`. */
  webhookTenant?: string | undefined;
  /** Webhook tokens of the users file, each bound to one tenant and some routes. */
  webhookCredentials?: {
    tenantFor(token: string, source: WebhookTokenSource): string | undefined;
    has(source: WebhookTokenSource): boolean;
  };
  onAccepted?: (route: string, accepted: number) => void;
  /** Every refused request, by whether the sender had passed the credential checks (for `/metrics`). */
  onRefused?: (route: string, status: number, authenticated: boolean) => void;
  /** A refusal that should have been recorded as an integration event but could not be (database down). */
  onRefusalUnrecorded?: (route: string) => void;
  /** When set, a delivery waits for a database that stops answering at most about this long, then gets 503. */
  databaseDeadline?: { timeoutMs: number; ready(): Promise<boolean> } | undefined;
}

export interface DeliveryInput {
  /** The tenant the delivery's credential belongs to; everything it stores goes there. */
  tenantId: string;
  req: IncomingMessage;
  raw: Buffer;
  body: unknown;
  /** The integration event of this delivery had it come to `result`; routes that store alerts write it with them. */
  eventFor(result: DeliveryResult): IntegrationEventDraft;
}

export interface DeliveryResult {
  tenantId: string;
  outcome: "accepted" | "duplicate";
  dedupKey: string | null;
  accepted: number;
  duplicates: number;
  /** Alerts newly stored, for the ingest metric. */
  alertsStored?: number;
  /** What came of the delivery, kept with the integration event. */
  summary: Record<string, unknown>;
  /** Keys the 202 answer carries besides `accepted`, `duplicates` and `event_id`. */
  answer?: Record<string, unknown>;
  /** True when the route already wrote the integration event in its own transaction. */
  recorded?: boolean;
}

export interface WebhookRoute {
  source: IntegrationSource;
  /** Checked before the body is read (bearer and basic credentials); returns the credential's tenant. */
  authorize(req: IncomingMessage, deps: WebhookDeps): string;
  /** Checked on the raw body before it is parsed (signatures). */
  verify?(req: IncomingMessage, raw: Buffer, deps: WebhookDeps): void;
  /** Validates and applies the delivery; throws `HttpError` 400 when it breaks the schema. */
  handle(input: DeliveryInput, deps: WebhookDeps): Promise<DeliveryResult>;
  /** The `WWW-Authenticate` challenge of a 401. */
  challenge: string;
}

/** A zod failure as the contract's 400: a message and every issue with its path into the posted document. */
export function schemaError(error: z.ZodError | { issues: readonly z.core.$ZodIssue[] }, what: string): HttpError {
  const issues = error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  const [first] = issues;
  const where = first
    ? ` (${first.path || "document"}: ${first.message}${issues.length > 1 ? `; ${issues.length - 1} more` : ""})`
    : "";
  // Issue messages may quote the sender's values (a malformed timestamp): the log gets the paths only.
  const fields = issues.slice(0, 10).map((issue) => issue.path || "document");
  return new HttpError(
    400,
    `${what} does not match the schema${where}; nothing was stored`,
    issues,
    `${what} does not match the schema at ${fields.join(", ")}${issues.length > 10 ? "…" : ""}`,
  );
}

/**
 * Stores a delivery's alerts already correlated, with its integration event, and tells live views. Through the
 * server's group commit when there is one, else in a transaction of its own.
 */
export async function storeDelivery(
  deps: WebhookDeps,
  tenantId: string,
  delivery: DeliveryToStore,
): Promise<StoredDelivery> {
  const { storeDelivery: shared, topologies, correlation } = deps.services;
  const topologyOf = (tenant: string) => topologies.view(deps.db, tenant);
  const stored = shared
    ? await shared(tenantId, delivery)
    : (await createDeliveryWriter(deps.db, { topologyOf, config: correlation })(tenantId, [delivery]))[0];
  if (!stored) throw new Error("the delivery writer answered nothing");
  if (stored.accepted > 0 || (stored.prior?.inserted ?? 0) + (stored.prior?.resolved ?? 0) > 0)
    deps.services.onChange?.({ tenantId, kind: "alerts" });
  return stored;
}

/** Headers worth keeping with an event; credentials are reduced to their scheme. */
const RECORDED_HEADERS = [
  "content-type",
  "content-length",
  "user-agent",
  "x-forwarded-for",
  "x-request-id",
  "x-atlassian-webhook-identifier",
  "x-atlassian-webhook-retry",
  "x-atlassian-webhook-flow",
  "x-hub-signature",
];

/** Longest header value kept; a sender may send up to 16 KiB of headers, and the event needs a few words of each. */
const RECORDED_HEADER_CHARS = 256;

export function recordedHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of RECORDED_HEADERS) {
    const value = req.headers[name];
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(", ") : value;
    headers[name] = text.length > RECORDED_HEADER_CHARS ? `${text.slice(0, RECORDED_HEADER_CHARS)}…` : text;
  }
  const scheme = req.headers.authorization?.trim().split(/\s+/)[0];
  if (scheme) headers.authorization = `${scheme} [redacted]`;
  return headers;
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
