/** Starts a real TeleOps server on a random loopback port for HTTP tests. */
import { type AddressInfo, createServer } from "node:net";
import { fileURLToPath } from "node:url";
import {
  CorrelationScheduler,
  correlatePending,
  createLlmEngine,
  DEFAULT_CORRELATION_CONFIG,
  loadRunbookIndex,
  loadTopology,
  type RunbookIndex,
  TenantTopologies,
  type TicketSystemClients,
} from "@teleops/core";
import { createLocalChangeFeed, type DbHandle } from "@teleops/db";
import pino, { type Logger } from "pino";
import { type Authenticator, LOCAL_ADMIN } from "./auth.ts";
import { createTeleopsServer, type ServerDeps } from "./server.ts";

let runbooks: RunbookIndex | undefined;

/** The shipped runbook corpus, indexed once per test process. */
function testRunbooks(): RunbookIndex {
  if (!runbooks) runbooks = loadRunbookIndex();
  return runbooks;
}

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

export async function startTestServer(
  database: DbHandle,
  options: {
    webhookToken?: string;
    jiraWebhookSecret?: string;
    servicenowWebhookToken?: string;
    production?: boolean;
    auth?: Authenticator;
    security?: ServerDeps["security"];
    /** The built SPA to serve; default `apps/web/dist`. */
    webDist?: string;
    /** Where the server logs; default silent. */
    logger?: Logger;
    /** `TELEOPS_AUTO_RESOLVE_AFTER` in ms; default 5 min. */
    autoResolveAfterMs?: number;
    /** Retention on a timer, as `main` sets it; default none (a test's old fixture alerts stay). */
    retention?: ServerDeps["retention"];
    /** Real ticket systems (fakes on a local port in tests); default none, so tickets are mocks. */
    ticketSystems?: TicketSystemClients;
    /** `TELEOPS_PUBLIC_URL`. */
    publicUrl?: string;
    /** Whether the server runs the Lab (`TELEOPS_LAB`); default on, as in development. */
    lab?: boolean;
  } = {},
): Promise<TestServer> {
  const topology = loadTopology();
  const changes = createLocalChangeFeed();
  const topologies = new TenantTopologies();
  const scheduler = new CorrelationScheduler(async (tenantId: string) =>
    correlatePending(database.db, {
      tenantId,
      topology: await topologies.view(database.db, tenantId),
      config: DEFAULT_CORRELATION_CONFIG,
    }),
  );
  const running = createTeleopsServer({
    database,
    services: {
      topology,
      topologies,
      correlation: DEFAULT_CORRELATION_CONFIG,
      correlate: (tenantId) => scheduler.request(tenantId),
      // The LLM engine stays unconfigured so tests never leave the machine.
      runbooks: testRunbooks(),
      llm: createLlmEngine({}),
      changes,
      onChange: (event) => changes.publish(event),
      ...(options.ticketSystems ? { ticketSystems: options.ticketSystems } : {}),
      ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
      ...(options.lab !== undefined ? { lab: options.lab } : {}),
    },
    auth: options.auth ?? { mode: "local-admin", actorFor: () => LOCAL_ADMIN },
    logger: options.logger ?? pino({ level: "silent" }),
    webhookToken: options.webhookToken,
    jiraWebhookSecret: options.jiraWebhookSecret,
    servicenowWebhookToken: options.servicenowWebhookToken,
    production: options.production ?? false,
    webDist: options.webDist ?? fileURLToPath(new URL("../../web/dist", import.meta.url)),
    security: options.security,
    ...(options.autoResolveAfterMs !== undefined ? { autoResolveAfterMs: options.autoResolveAfterMs } : {}),
    ...(options.retention ? { retention: options.retention } : {}),
  });
  await new Promise<void>((resolve) => running.server.listen(0, "127.0.0.1", resolve));
  const { port } = running.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => running.close() };
}

/** Opens the SSE subscription and resolves with the first data message. */
export async function firstChange(url: string, signal: AbortSignal): Promise<string> {
  const response = await fetch(`${url}/trpc/events.changes`, { headers: { accept: "text/event-stream" }, signal });
  const reader = response.body?.getReader();
  if (!reader) throw new Error("no event stream");
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error("stream ended");
    text += decoder.decode(value, { stream: true });
    const match = /^data: (\{.*"kinds".*\})$/m.exec(text);
    if (match?.[1]) return match[1];
  }
}

/** A loopback port nobody listens on right now, for servers a test starts as child processes. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
