/** Starts a real TeleOps server on a random loopback port for HTTP tests. */
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { DEFAULT_CORRELATION_CONFIG, loadTopology, topologyView } from "@teleops/core";
import type { DbHandle } from "@teleops/db";
import pino from "pino";
import { type Authenticator, LOCAL_ADMIN } from "./auth.ts";
import { createTeleopsServer } from "./server.ts";

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

export async function startTestServer(
  database: DbHandle,
  options: { webhookToken?: string; production?: boolean; auth?: Authenticator } = {},
): Promise<TestServer> {
  const topology = loadTopology();
  const running = createTeleopsServer({
    database,
    services: { topology, topologyView: topologyView(topology), correlation: DEFAULT_CORRELATION_CONFIG },
    auth: options.auth ?? { mode: "local-admin", actorFor: () => LOCAL_ADMIN },
    logger: pino({ level: "silent" }),
    webhookToken: options.webhookToken,
    production: options.production ?? false,
    webDist: fileURLToPath(new URL("../../web/dist", import.meta.url)),
  });
  await new Promise<void>((resolve) => running.server.listen(0, "127.0.0.1", resolve));
  const { port } = running.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => running.close() };
}
