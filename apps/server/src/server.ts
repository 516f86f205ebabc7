/** The HTTP server: tRPC on /trpc, webhooks on /webhooks/*, health and metrics, and the SPA on /. */
import { existsSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { BlockList } from "node:net";
import { type AppServices, appRouter, createContextInner } from "@teleops/api";
import { DEFAULT_PUBLIC_URL } from "@teleops/core";
import { type DbHandle, within } from "@teleops/db";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import type { Logger } from "pino";
import client from "prom-client";
import sirv from "sirv";
import type { Authenticator } from "./auth.ts";
import { startAutoResolver } from "./autoResolve.ts";
import type { MetricsSource } from "./clusterMetrics.ts";
import { sendJson } from "./http/body.ts";
import { describeWebhookAccess, type WebhookRouteAccess } from "./http/credentials.ts";
import {
  answerClientError,
  createRequestGuard,
  DEFAULT_RATE_LIMITS,
  MAX_TRPC_BATCH,
  type RateLimitOptions,
} from "./http/guard.ts";
import { createWebhookHandler, type WebhookDeps } from "./http/webhooks.ts";
import { type NotifierDeps, startNotifier } from "./notifier.ts";
import { createReadRouting } from "./readRouting.ts";
import { type RetentionSchedule, startRetention } from "./retention.ts";

/** `TELEOPS_AUTO_RESOLVE_AFTER`'s default: five minutes. */
export const DEFAULT_AUTO_RESOLVE_AFTER_MS = 5 * 60_000;

/** What /readyz waits for the database at most, so a probe with a 1 s timeout always gets an answer. */
const READY_PROBE_MS = 800;

export interface ServerDeps {
  database: DbHandle;
  services: AppServices;
  auth: Authenticator;
  logger: Logger;
  webhookToken: string | undefined;
  jiraWebhookSecret?: string | undefined;
  servicenowWebhookToken?: string | undefined;
  production: boolean;
  /**
   * Why webhook routes without a configured credential are closed; default `TELEOPS_ENV=production` in
   * production, open otherwise. `main` also closes them when HOST is not loopback.
   */
  webhooksClosedBecause?: string | undefined;
  /** Directory of the built SPA; when missing the server says how to build it. */
  webDist: string;
  /**
   * `TELEOPS_RETENTION_DAYS` / `TELEOPS_EVENTS_RETENTION_DAYS`, applied at start and hourly (`main` always sets it).
   * Unset: nothing runs on a timer; `retention.run` applies the default policy.
   */
  retention?: RetentionSchedule;
  /** `TELEOPS_AUTO_RESOLVE_AFTER` in ms: how long an incident stays cleared before it resolves; default 5 min. */
  autoResolveAfterMs?: number;
  /** The notifier's timing (tests shorten retries); where it links to and how it mails come from `services`. */
  notifier?: Pick<NotifierDeps, "intervalMs" | "retry">;
  /** Under several HTTP workers: this worker's cluster id, sent as `X-TeleOps-Worker` on every answer. */
  worker?: number;
  /** Where the metrics live and what `/metrics` answers; default this process's own registry. */
  metrics?: MetricsSource;
  /** Rate limits, request timeout and the webhook tenant; unset parts take the documented defaults. */
  security?: {
    rateLimits?: RateLimitOptions;
    /** Time to receive a whole request (headers and body); default 60 s. */
    requestTimeoutMs?: number;
    /** The tenant of the env webhook credentials; default `default`. */
    webhookTenant?: string;
    /** When set, only these addresses may deliver webhooks. */
    webhookAllowedSources?: BlockList;
    /**
     * How long a webhook waits for a PostgreSQL that stops answering before it gets 503 (default 2 s); slow
     * but answering is not down (see `whileDatabaseAnswers`).
     */
    databaseTimeoutMs?: number;
  };
}

export interface RunningServer {
  server: Server;
  /** Which webhook routes take deliveries from whom, as configured at start (for the start-up log). */
  webhookAccess: WebhookRouteAccess[];
  /** Stops accepting and lets in-flight requests finish; the database stays open for its owner to close. */
  close(): Promise<void>;
}

export function createTeleopsServer(deps: ServerDeps): RunningServer {
  const registry = deps.metrics?.registry ?? new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "teleops_" });
  const requests = new client.Counter({
    name: "teleops_http_requests_total",
    help: "HTTP requests by route family and status code",
    labelNames: ["route", "status"] as const,
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: "teleops_http_request_duration_seconds",
    help: "HTTP request latency by route family",
    labelNames: ["route"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const ingested = new client.Counter({
    name: "teleops_alerts_ingested_total",
    help: "Alerts accepted and stored, by webhook route",
    labelNames: ["route"] as const,
    registers: [registry],
  });

  const refused = new client.Counter({
    name: "teleops_webhook_refusals_total",
    help: "Refused webhook requests by route, status and whether the sender had passed the credential checks",
    labelNames: ["route", "status", "authenticated"] as const,
    registers: [registry],
  });
  const unrecorded = new client.Counter({
    name: "teleops_webhook_refusals_unrecorded_total",
    help: "Refusals of authenticated deliveries that could not be recorded as integration events (database down)",
    labelNames: ["route"] as const,
    registers: [registry],
  });

  const reads = createReadRouting(deps.database);
  const replica = deps.database.replica;
  if (replica) {
    new client.Gauge({
      name: "teleops_read_replica_serving",
      help: "1 while the read replica (DATABASE_READ_URL) serves the queue, search, detail and dashboard reads",
      registers: [registry],
      // Summed over HTTP workers this would count workers; 0 when any worker reads from the primary.
      aggregator: "min",
      collect() {
        this.set(replica.state().serving ? 1 : 0);
      },
    });
    new client.Gauge({
      name: "teleops_read_replica_lag_seconds",
      help: "How far the read replica's replay is behind (0 when it has replayed all it received)",
      registers: [registry],
      aggregator: "max",
      collect() {
        const lag = replica.state().lag_ms;
        if (lag !== null) this.set(lag / 1000);
      },
    });
  }
  // Procedures read who is configured (session.whoami, users.list) from the same authenticator requests use.
  const withIdentity: AppServices = deps.services.identity
    ? deps.services
    : { ...deps.services, identity: { mode: deps.auth.mode, users: () => deps.auth.users?.() ?? [] } };
  const services: AppServices = reads.readsCaughtUp
    ? { ...withIdentity, readsCaughtUp: reads.readsCaughtUp }
    : withIdentity;
  const retention = startRetention({
    database: deps.database,
    logger: deps.logger,
    registry,
    schedule: deps.retention,
  });
  const procedureServices: AppServices = { ...services, retention };
  const autoResolver = startAutoResolver({
    db: deps.database.db,
    holdMs: deps.autoResolveAfterMs ?? DEFAULT_AUTO_RESOLVE_AFTER_MS,
    logger: deps.logger,
    changes: deps.services.changes,
    onResolved: (tenantId) => deps.services.onChange?.({ tenantId, kind: "incidents" }),
  });
  const notifier = startNotifier({
    db: deps.database.db,
    logger: deps.logger,
    publicUrl: deps.services.publicUrl ?? DEFAULT_PUBLIC_URL,
    smtp: deps.services.notifications?.smtp,
    changes: deps.services.changes,
    ...deps.notifier,
  });
  const guard = createRequestGuard({
    rateLimits: deps.security?.rateLimits ?? DEFAULT_RATE_LIMITS,
    localAdmin: deps.auth.mode === "local-admin",
  });
  const trpc = createHTTPHandler({
    router: appRouter,
    // The guard has read and checked the body already (1 MiB, more for imports); this is a second wall.
    maxBodySize: 16 * 1024 * 1024,
    maxBatchSize: MAX_TRPC_BATCH,
    basePath: "/trpc/",
    createContext: ({ req }) =>
      createContextInner({
        db: deps.database.db,
        readDb: reads.readDbFor(req),
        services: procedureServices,
        actor: deps.auth.actorFor(req.headers.authorization),
      }),
    // After a write, this browser's next reads go to the primary for a moment (read your own writes).
    responseMeta: ({ type }) => {
      const cookie = type === "mutation" ? reads.afterWrite() : undefined;
      return cookie ? { headers: { "set-cookie": cookie } } : {};
    },
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR")
        deps.logger.error({ err: error.cause ?? error, path }, "procedure failed");
      // Perhaps a read on a replica that just went down: check it now, not at the next tick, so the next
      // request already reads from the primary.
      if (error.code === "SERVICE_UNAVAILABLE") void replica?.check();
    },
  });
  const webhookDeps: WebhookDeps = {
    db: deps.database.db,
    services: deps.services,
    logger: deps.logger,
    webhookToken: deps.webhookToken,
    jiraWebhookSecret: deps.jiraWebhookSecret,
    servicenowWebhookToken: deps.servicenowWebhookToken,
    closedBecause: deps.webhooksClosedBecause ?? (deps.production ? "TELEOPS_ENV=production" : undefined),
    webhookTenant: deps.security?.webhookTenant,
    allowedSources: deps.security?.webhookAllowedSources,
    webhookCredentials: deps.auth.webhookTenantFor
      ? {
          tenantFor: (token, source) => deps.auth.webhookTenantFor?.(token, source),
          has: (source) => deps.auth.hasWebhookTokens?.(source) ?? false,
        }
      : undefined,
    onAccepted: (route, n) => ingested.inc({ route }, n),
    onRefused: (route, status, authenticated) =>
      refused.inc({ route, status: String(status), authenticated: String(authenticated) }),
    onRefusalUnrecorded: (route) => unrecorded.inc({ route }),
    // The embedded database runs in this process: it cannot hang on a network, and a probe would only queue
    // behind the write it is meant to judge.
    databaseDeadline:
      deps.database.kind === "postgres"
        ? { timeoutMs: deps.security?.databaseTimeoutMs ?? 2_000, ready: () => deps.database.ready() }
        : undefined,
  };
  const webhooks = createWebhookHandler(webhookDeps);
  const spa = existsSync(deps.webDist) ? sirv(deps.webDist, { single: true, etag: true, gzip: true }) : null;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<string> {
    const url = URL.canParse(req.url ?? "/", "http://localhost") ? new URL(req.url ?? "/", "http://localhost") : null;
    if (!url) {
      sendJson(res, 400, { error: "malformed request target" });
      return "refused";
    }
    const path = url.pathname;
    if (!(await guard(req, res, url))) return "refused";
    if (path.startsWith("/trpc/")) {
      await trpc(req, res);
      return "trpc";
    }
    if (path.startsWith("/webhooks/")) {
      await webhooks(req, res, path);
      return "webhooks";
    }
    if (path === "/healthz") {
      sendJson(res, 200, { status: "ok" });
      return "health";
    }
    if (path === "/readyz") {
      // A probe that hangs is a failed probe: readiness answers within a second whatever the database does.
      const ready = (await within(deps.database.ready(), READY_PROBE_MS)) ?? false;
      // The replica is reported, never required: while it is not serving, its reads go to the primary.
      sendJson(res, ready ? 200 : 503, {
        status: ready ? "ready" : "not ready",
        database: deps.database.kind,
        ...(replica ? { read_replica: replica.state() } : {}),
      });
      return "health";
    }
    if (path === "/metrics") {
      const text = await (deps.metrics ? deps.metrics.text() : registry.metrics());
      res.writeHead(200, { "content-type": registry.contentType });
      res.end(text);
      return "metrics";
    }
    if (spa && (req.method === "GET" || req.method === "HEAD")) {
      spa(req, res, () => sendJson(res, 404, { error: `not found: ${path}` }));
      return "spa";
    }
    if (!spa && path === "/") {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      res.end("TeleOps API is running. The web UI is not built: run `pnpm build` (pnpm start does it for you).\n");
      return "spa";
    }
    sendJson(res, 404, { error: `not found: ${path}` });
    return "other";
  }

  const requestTimeoutMs = deps.security?.requestTimeoutMs ?? 60_000;
  // Node enforces the two timeouts below only when it sweeps its connections (every 30 s by default), so a
  // slow sender could hold a socket for timeout + 30 s; sweeping at a quarter of the timeout bounds that.
  const connectionsCheckingInterval = Math.max(100, Math.min(30_000, Math.floor(requestTimeoutMs / 4)));
  // Live-update streams (server-sent events) never finish on their own; closing the server ends them.
  const streams = new Set<ServerResponse>();
  const server = createServer({ connectionsCheckingInterval }, (req, res) => {
    const end = duration.startTimer();
    if (deps.worker !== undefined) res.setHeader("x-teleops-worker", String(deps.worker));
    if (req.headers.accept?.includes("text/event-stream")) {
      streams.add(res);
      res.on("close", () => streams.delete(res));
    }
    route(req, res)
      .then((family) => {
        end({ route: family });
        requests.inc({ route: family, status: String(res.statusCode) });
      })
      .catch((error: unknown) => {
        // The path only: a query string can carry a tRPC input, which is data.
        deps.logger.error({ err: error, path: (req.url ?? "").split("?")[0] }, "request failed");
        if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
        else res.end();
      });
  });
  server.on("clientError", answerClientError);
  server.keepAliveTimeout = 5_000;
  // A client gets this long to send a whole request; slow senders cannot hold connections open for ever.
  server.requestTimeout = requestTimeoutMs;
  server.headersTimeout = Math.min(server.requestTimeout, 20_000);

  return {
    server,
    webhookAccess: describeWebhookAccess(webhookDeps),
    async close() {
      await retention.stop();
      await autoResolver.stop();
      await notifier.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // A browser's EventSource reconnects to another replica, or to this server once it is back.
        for (const stream of streams) stream.destroy();
      });
    },
  };
}
