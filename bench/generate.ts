/** `scenarios.generate` through the API in process: synthesize, store and correlate a 10-minute scenario. */
import { appRouter } from "@teleops/api";
import { DEFAULT_CORRELATION_CONFIG, loadTopology, TenantTopologies } from "@teleops/core";
import { createDb } from "@teleops/db";
import { percentile } from "./machine.ts";
import { freshDatabase } from "./process.ts";

export interface GenerateRun {
  runs: number;
  p50_ms: number;
  max_ms: number;
}

export async function benchGenerate(kind: "pglite" | "postgres", adminUrl: string | undefined): Promise<GenerateRun> {
  const database = await freshDatabase(kind, adminUrl, "generate");
  const handle = await createDb({ databaseUrl: database.url, dataDir: database.env.TELEOPS_DATA_DIR });
  try {
    await handle.migrate();
    const topology = loadTopology();
    const caller = appRouter.createCaller({
      db: handle.db,
      services: { topology, topologies: new TenantTopologies(), correlation: DEFAULT_CORRELATION_CONFIG },
      actor: { name: "bench", role: "admin", tenantId: "bench" },
    });
    const timings: number[] = [];
    const scenarios = ["fiber_cut", "bgp_flap", "dns_outage", "ddos_edge", "database_latency_spike"] as const;
    for (let i = 0; i < 20; i++) {
      const scenario = scenarios[i % scenarios.length] ?? "fiber_cut";
      const startTime = new Date(Date.parse("2026-02-01T00:00:00Z") + i * 3 * 60 * 60_000).toISOString();
      const t0 = performance.now();
      await caller.scenarios.generate({ scenario, seed: i + 1, durationMinutes: 10, ratePerMinute: 25, startTime });
      timings.push(performance.now() - t0);
    }
    const sorted = timings.slice(2).sort((a, b) => a - b); // the first runs warm the JIT and the database
    return {
      runs: sorted.length,
      p50_ms: Math.round(percentile(sorted, 50)),
      max_ms: Math.round(sorted[sorted.length - 1] ?? 0),
    };
  } finally {
    await handle.close();
    await database.drop();
  }
}
