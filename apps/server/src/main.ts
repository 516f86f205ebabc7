/**
 * Entry point: load configuration, open and migrate the database, serve, and shut down cleanly; with
 * `TELEOPS_WORKERS` > 1 (PostgreSQL only) a primary process forks that many HTTP workers that each do so.
 */
import cluster from "node:cluster";
import type { Server } from "node:http";
import { type BlockList, createServer as createNetServer, type Server as NetServer } from "node:net";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import {
  type CorrelationConfig,
  CorrelationScheduler,
  correlatePending,
  createDeliveryWriter,
  createLlmEngine,
  DEFAULT_CORRELATION_CONFIG,
  IngestBatcher,
  loadRunbookIndex,
  loadTopology,
  TenantTopologies,
} from "@teleops/core";
import { createDb, createLocalChangeFeed, createPostgresChangeFeed, isDatabaseUnavailable } from "@teleops/db";
import { setEventTimeWindow } from "@teleops/schema";
import type { Logger } from "pino";
import { loadAuthenticator } from "./auth.ts";
import { shareWorkerMetrics } from "./clusterMetrics.ts";
import { type Config, ConfigError, httpWorkers, labEnabled, loadConfig } from "./config.ts";
import { parseSourceList } from "./http/credentials.ts";
import { createLogger } from "./logErrors.ts";
import { createTeleopsServer } from "./server.ts";
import { describeTicketSystems, ticketSystemsFrom } from "./ticketSystems.ts";
import { runPrimary, WorkerStartFailed } from "./workers.ts";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  if (cluster.isWorker) {
    const worker = cluster.worker?.id ?? 0;
    const workerLogger = logger.child({ worker, pid: process.pid });
    // The first worker says what the server is configured with; the others (and replacements) only that they listen.
    const announce = worker === 1 ? workerLogger : workerLogger.child({}, { level: "error" });
    return serve(config, workerLogger, announce, worker);
  }
  const { workers, note } = httpWorkers(config, availableParallelism());
  if (note) logger.warn({ workers }, note);
  if (workers === 1) return serve(config, logger, logger, undefined);
  // Checked here, before any worker is forked, so a bad setting is one line and not one per worker.
  startupChecks(config);
  await probePort(config.HOST, config.PORT);
  await runPrimary({ workers, url: `http://${config.HOST}:${config.PORT}`, logger });
}

/** Settings that are valid one by one but not together; thrown before anything is opened. */
function startupChecks(config: Config): { allowedSources: BlockList | undefined } {
  const production = config.TELEOPS_ENV === "production";
  if (production && !config.TELEOPS_USERS_FILE) {
    throw new ConfigError("TELEOPS_ENV=production needs TELEOPS_USERS_FILE: refusing to start without authentication");
  }
  if (!config.TELEOPS_USERS_FILE && !LOOPBACK.has(config.HOST)) {
    throw new ConfigError(
      `refusing to listen on ${config.HOST} without TELEOPS_USERS_FILE: anyone could reach an admin session`,
    );
  }
  try {
    return {
      allowedSources: config.TELEOPS_WEBHOOK_ALLOWED_SOURCES
        ? parseSourceList(config.TELEOPS_WEBHOOK_ALLOWED_SOURCES)
        : undefined,
    };
  } catch (error) {
    throw new ConfigError(`TELEOPS_WEBHOOK_ALLOWED_SOURCES: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * One serving process: the whole server when it runs alone, or one HTTP worker of several (`worker` is its cluster
 * id), in which case the primary has checked the port and `announce` is quiet on all but the first worker.
 */
async function serve(config: Config, logger: Logger, announce: Logger, worker: number | undefined): Promise<void> {
  const production = config.TELEOPS_ENV === "production";
  const lab = labEnabled(config);
  const loopback = LOOPBACK.has(config.HOST);
  setEventTimeWindow({ maxFutureMs: config.TELEOPS_TIMESTAMP_MAX_FUTURE_MIN * 60_000 });
  const { allowedSources } = startupChecks(config);
  const auth = loadAuthenticator(config.TELEOPS_USERS_FILE, {
    onReloadError: (err) => logger.error({ err }, "users file changed but is invalid: keeping the users in force"),
    onMissing: () =>
      logger.error({ file: config.TELEOPS_USERS_FILE }, "users file is missing: refusing every token until it is back"),
    onRestored: () => logger.warn({ file: config.TELEOPS_USERS_FILE }, "users file is back: tokens are accepted again"),
  });
  if (auth.mode === "local-admin") {
    announce.warn("no TELEOPS_USERS_FILE: every request runs as the local admin; development only");
  }

  // A busy port is known before the database is opened and migrated, so the operator hears of it at once. A worker
  // must not probe: its probe would join the cluster's shared socket and could be handed a connection.
  if (worker === undefined) await probePort(config.HOST, config.PORT);
  const database = await createDb({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.TELEOPS_DATA_DIR,
    connectTimeoutMs: config.TELEOPS_DB_TIMEOUT_MS,
    readUrl: config.DATABASE_READ_URL,
    // A replica that stops serving is a warning, not a failure: its reads go to the primary meanwhile.
    onReplicaState: (state) =>
      state.serving
        ? logger.info({ replica: state }, "read replica serving the queue, search, detail and dashboard reads")
        : logger.warn({ replica: state }, `read replica ${state.status}: those reads go to the primary`),
  });
  await database.migrate();
  announce.info(
    { database: database.kind, dataDir: database.kind === "pglite" ? config.TELEOPS_DATA_DIR : undefined },
    "database ready",
  );

  const changes = config.DATABASE_URL
    ? await createPostgresChangeFeed(config.DATABASE_URL, (err) => logger.warn({ err }, "change feed error"))
    : createLocalChangeFeed();
  // The demo topology: what `scenarios.generate` draws devices from and stores for a tenant that has none.
  const topology = loadTopology(config.TELEOPS_TOPOLOGY_FILE);
  // Each tenant's own topology, read from the database and cached per tenant (see TenantTopologies).
  const topologies = new TenantTopologies();
  const topologyOf = (tenantId: string) => topologies.view(database.db, tenantId);
  const correlation: CorrelationConfig = {
    ...DEFAULT_CORRELATION_CONFIG,
    sameHostWindowMs: config.TELEOPS_QUIET_PERIOD_MIN * 60_000,
    minSignalsAnySeverity: config.TELEOPS_MIN_INCIDENT_ALERTS,
    ...(config.TELEOPS_SITE_PATTERN ? { sitePattern: config.TELEOPS_SITE_PATTERN } : {}),
  };
  const scheduler = new CorrelationScheduler(async (tenantId: string) =>
    correlatePending(database.db, { tenantId, topology: await topologyOf(tenantId), config: correlation }),
  );
  const writeDeliveries = createDeliveryWriter(database.db, { topologyOf, config: correlation });
  const batcher = new IngestBatcher(writeDeliveries, (delivery) => delivery.alerts.length, isDatabaseUnavailable, {
    maxQueued: config.TELEOPS_INGEST_MAX_QUEUED,
  });
  // Built once: the runbook index serves every RCA run; an LLM engine without LLM_BASE_URL/LLM_MODEL says so.
  const runbooks = loadRunbookIndex(config.RAG_CORPUS_DIR);
  const llm = createLlmEngine({
    baseUrl: config.LLM_BASE_URL,
    apiKey: config.LLM_API_KEY,
    model: config.LLM_MODEL,
    timeoutMs: config.LLM_TIMEOUT_MS,
  });
  const llmDescription = llm.describe();
  announce.info(
    {
      runbookSections: runbooks.chunks.length,
      llm: llmDescription.configured ? { model: llmDescription.model, host: llmDescription.baseUrl } : "not configured",
    },
    "RCA engines ready",
  );
  const ticketSystems = ticketSystemsFrom(config);
  announce.info({ ticketSystems: describeTicketSystems(ticketSystems) }, "ticket systems");
  if ((ticketSystems.servicenow || ticketSystems.jira) && !config.TELEOPS_PUBLIC_URL) {
    announce.warn("TELEOPS_PUBLIC_URL is not set: tickets created in ServiceNow or Jira carry no link back to TeleOps");
  }
  const running = createTeleopsServer({
    database,
    // Several workers: each keeps its own counters, and /metrics answers with the primary's sum over all of them.
    ...(worker === undefined ? {} : { worker, metrics: shareWorkerMetrics() }),
    services: {
      topology,
      topologies,
      correlation,
      correlate: (tenantId) => scheduler.request(tenantId),
      storeDelivery: (tenantId, delivery) => batcher.submit(tenantId, delivery),
      runbooks,
      correlationCorpusDir: config.TELEOPS_CORRELATION_CORPUS_DIR,
      llm,
      changes,
      onChange: (event) => changes.publish(event),
      lab,
      log: (fields, message) => logger.info(fields, message),
      publicUrl: config.TELEOPS_PUBLIC_URL,
      ticketSystems,
      notifications: {
        smtp: config.TELEOPS_SMTP_URL ? { url: config.TELEOPS_SMTP_URL, from: config.TELEOPS_SMTP_FROM } : undefined,
      },
    },
    auth,
    logger,
    webhookToken: config.TELEOPS_WEBHOOK_TOKEN,
    jiraWebhookSecret: config.JIRA_WEBHOOK_SECRET,
    servicenowWebhookToken: config.SERVICENOW_WEBHOOK_TOKEN,
    production,
    // Reachable from other machines, a route without a credential would take anyone's forged alerts.
    webhooksClosedBecause: production
      ? "TELEOPS_ENV=production"
      : loopback
        ? undefined
        : `HOST=${config.HOST} is not loopback`,
    webDist: config.TELEOPS_WEB_DIST ?? fileURLToPath(new URL("../../web/dist", import.meta.url)),
    autoResolveAfterMs: config.TELEOPS_AUTO_RESOLVE_AFTER,
    retention: {
      alertsDays: config.TELEOPS_RETENTION_DAYS,
      eventsDays: config.TELEOPS_EVENTS_RETENTION_DAYS,
      exportDir: config.TELEOPS_RETENTION_EXPORT_DIR,
    },
    security: {
      rateLimits: {
        perAddressPerMin: config.TELEOPS_RATE_LIMIT_PER_MIN,
        perTokenPerMin: config.TELEOPS_TOKEN_RATE_LIMIT_PER_MIN,
      },
      requestTimeoutMs: config.TELEOPS_REQUEST_TIMEOUT_MS,
      webhookTenant: config.TELEOPS_WEBHOOK_TENANT,
      webhookAllowedSources: allowedSources,
      databaseTimeoutMs: config.TELEOPS_DB_TIMEOUT_MS,
    },
  });
  try {
    await listen(running.server, config.PORT, config.HOST);
  } catch (error) {
    await running.close();
    await changes.close();
    await database.close();
    throw new ConfigError(listenProblem(error, config.HOST, config.PORT));
  }
  if (worker === undefined) {
    logger.info({ url: `http://${config.HOST}:${config.PORT}`, lab, workers: 1 }, "TeleOps is listening");
  } else {
    logger.info({ lab }, "HTTP worker listening");
  }
  const open = running.webhookAccess.filter((route) => route.access === "open");
  announce[open.length > 0 ? "warn" : "info"](
    { webhooks: Object.fromEntries(running.webhookAccess.map((r) => [r.route, `${r.access}: ${r.why}`])) },
    open.length > 0
      ? `webhook routes open to anyone: ${open.map((r) => r.route).join(", ")}`
      : "webhook routes need their credentials",
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing in-flight requests");
    running
      .close()
      .then(() => changes.close())
      .then(() => database.close())
      .then(() => {
        logger.info("stopped");
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

async function probePort(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createNetServer();
  try {
    await listen(probe, port, host);
  } catch (error) {
    throw new ConfigError(listenProblem(error, host, port));
  }
  await new Promise((resolve) => probe.close(resolve));
}

function listen(server: Server | NetServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** One line for the operator instead of Node's EADDRINUSE stack. */
function listenProblem(error: unknown, host: string, port: number): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") {
    return `port ${port} on ${host} is already in use (another TeleOps, or another program): stop it, or start this one on another port, e.g. PORT=${port + 1}`;
  }
  if (code === "EACCES") return `not allowed to listen on ${host}:${port}: choose a PORT above 1023`;
  if (code === "EADDRNOTAVAIL") return `HOST=${host} is not an address of this machine`;
  return `cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`;
}

main().catch((error: unknown) => {
  // A worker that failed to start has printed its own line; the primary adds one only when nothing could (a signal).
  if (error instanceof WorkerStartFailed) {
    if (error.signal) process.stderr.write(`teleops: ${error.message}\n`);
    process.exit(error.exitCode || 1);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`teleops: ${message}\n`);
  process.exit(1);
});
