/** Builds callers for router tests: a real database, the demo topology for the generator and a chosen actor. */
import {
  createLlmEngine,
  DEFAULT_CORRELATION_CONFIG,
  loadRunbookIndex,
  loadTopology,
  TenantTopologies,
} from "@teleops/core";
import type { Database } from "@teleops/db";
import type { Actor, AppServices } from "./context.ts";
import { createCaller } from "./root.ts";

let services: AppServices | undefined;

export function testServices(): AppServices {
  if (!services) {
    const topology = loadTopology();
    services = {
      topology,
      topologies: new TenantTopologies(),
      correlation: DEFAULT_CORRELATION_CONFIG,
      // Built once for every test; the LLM engine is unconfigured, so nothing leaves the process.
      runbooks: loadRunbookIndex(),
      llm: createLlmEngine({}),
    };
  }
  return services;
}

export function callerFor(db: Database, actor: Actor | null) {
  return createCaller({ db, services: testServices(), actor });
}
