/**
 * `pnpm bench`: the foundation's speed targets, measured on this machine. Prints one JSON document and
 * rewrites docs/performance.md. PostgreSQL rows need TEST_DATABASE_URL (or BENCH_DATABASE_URL).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { appRouter } from "@teleops/api";
import {
  correlateAlerts,
  DEFAULT_CORRELATION_CONFIG,
  generateScenario,
  loadTopology,
  pairwiseScores,
  topologyView,
} from "@teleops/core";
import { createDb, type DbHandle } from "@teleops/db";
import type { CanonicalAlert } from "@teleops/schema";
import { startTestServer } from "@teleops/server/testing";
import postgres from "postgres";
import { benchImport, renderImportMarkdown } from "./import.ts";
import { gitRevision, machineInfo, percentile } from "./machine.ts";
import { benchRca } from "./rca.ts";

const topology = loadTopology();
const view = topologyView(topology);
const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

/** Back-to-back mixed windows until `target` alerts: a day of a busy NOC compressed. */
function mixedStream(target: number) {
  const alerts: CanonicalAlert[] = [];
  const truth: number[] = [];
  let scenarioOffset = 0;
  for (let window = 0; alerts.length < target; window++) {
    const start = new Date(Date.parse("2026-01-01T00:00:00Z") + window * 60 * 60_000);
    const out = generateScenario(
      { scenario: "mixed", seed: window + 1, durationMinutes: 20, ratePerMinute: 60, noisePerMinute: 10 },
      topology,
      start,
    );
    out.alerts.forEach((a, i) => {
      alerts.push(a);
      const m = out.membership[i] ?? -1;
      truth.push(m < 0 ? -1 : scenarioOffset + m);
    });
    scenarioOffset += out.groundTruth.length;
  }
  return { alerts: alerts.slice(0, target), truth: truth.slice(0, target), scenarios: scenarioOffset };
}

function benchCorrelation(size: number) {
  const { alerts, truth } = mixedStream(size);
  correlateAlerts(alerts.slice(0, 5_000), { topology: view }); // warm-up
  const runs: number[] = [];
  let result = correlateAlerts(alerts, { topology: view });
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    result = correlateAlerts(alerts, { topology: view });
    runs.push(performance.now() - t0);
  }
  const scores = pairwiseScores(result.assignment, truth);
  return {
    alerts: alerts.length,
    incidents: result.incidents.length,
    best_ms: Math.round(Math.min(...runs)),
    median_ms: Math.round([...runs].sort((a, b) => a - b)[1] ?? 0),
    alerts_per_s: Math.round(alerts.length / (Math.min(...runs) / 1000)),
    pairwise_precision: Number(scores.precision.toFixed(4)),
    pairwise_recall: Number(scores.recall.toFixed(4)),
  };
}

async function benchGenerate(handle: DbHandle) {
  const caller = appRouter.createCaller({
    db: handle.db,
    services: { topology, topologyView: view, correlation: DEFAULT_CORRELATION_CONFIG },
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
}

async function benchWebhookIngest(handle: DbHandle, total: number, concurrency: number) {
  const server = await startTestServer(handle);
  const { alerts } = mixedStream(total);
  const batches: CanonicalAlert[][] = [];
  for (let i = 0; i < alerts.length; i += 500) {
    batches.push(alerts.slice(i, i + 500).map((a) => ({ ...a, tenant_id: `ingest-${concurrency}` })));
  }
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < batches.length; index = next++) {
        const started = performance.now();
        const response = await fetch(`${server.url}/webhooks/alerts`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(batches[index]),
        });
        if (response.status !== 202) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
        latencies.push(performance.now() - started);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await server.close();
  latencies.sort((a, b) => a - b);
  return {
    alerts: alerts.length,
    batch: 500,
    concurrency,
    alerts_per_s: Math.round(alerts.length / seconds),
    p50_ms: Math.round(percentile(latencies, 50)),
    p99_ms: Math.round(percentile(latencies, 99)),
  };
}

async function openBackend(kind: "pglite" | "postgres", url: string | undefined) {
  if (kind === "pglite") {
    const dir = mkdtempSync(join(tmpdir(), "teleops-bench-"));
    const handle = await createDb({ dataDir: dir });
    await handle.migrate();
    return { handle, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `teleops_bench_${process.pid}`;
  const admin = postgres(url ?? "", { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  const target = new URL(url ?? "");
  target.pathname = `/${name}`;
  const handle = await createDb({ databaseUrl: target.toString() });
  await handle.migrate();
  return {
    handle,
    cleanup: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

async function main() {
  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  let pgVersion: string | null = null;
  if (pgUrl) {
    const probe = postgres(pgUrl, { max: 1 });
    pgVersion = String((await probe`show server_version`)[0]?.server_version ?? "");
    await probe.end();
  }

  progress("correlation in memory (10k, 100k)");
  const correlation = [benchCorrelation(10_000), benchCorrelation(100_000)];

  const backends: Array<"pglite" | "postgres"> = pgUrl ? ["pglite", "postgres"] : ["pglite"];
  const generate: Record<string, unknown> = {};
  const ingest: Array<Record<string, unknown>> = [];
  for (const kind of backends) {
    progress(`generate → store → correlate through the API on ${kind}`);
    const gen = await openBackend(kind, pgUrl);
    generate[kind] = await benchGenerate(gen.handle);
    await gen.handle.close();
    await gen.cleanup();
    for (const concurrency of [1, 4]) {
      progress(`webhook ingest on ${kind}, batches of 500, ${concurrency} client(s)`);
      const db = await openBackend(kind, pgUrl);
      ingest.push({ database: kind, ...(await benchWebhookIngest(db.handle, 20_000, concurrency)) });
      await db.cleanup();
    }
  }

  progress("rca: baseline on a 1,000-alert incident, runbook retrieval");
  const rca = await benchRca();

  const imports = await benchImport({ pgUrl });

  const report = {
    machine: machineInfo(pgVersion),
    revision: gitRevision(),
    correlation,
    generate,
    ingest,
    rca,
    imports,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(fileURLToPath(new URL("../docs/performance.md", import.meta.url)), renderMarkdown(report));
  progress("wrote docs/performance.md");
}

function renderMarkdown(report: {
  machine: ReturnType<typeof machineInfo>;
  revision: string;
  correlation: Array<ReturnType<typeof benchCorrelation>>;
  generate: Record<string, unknown>;
  ingest: Array<Record<string, unknown>>;
  rca: Awaited<ReturnType<typeof benchRca>>;
  imports: Awaited<ReturnType<typeof benchImport>>;
}): string {
  const m = report.machine;
  const lines = [
    "# Performance",
    "",
    "Written by `pnpm bench` (bench/run.ts); rerun it to refresh this page. Every number below comes from that",
    "run on the machine it names. Targets come from the foundation issue.",
    "",
    `Machine: ${m.cpus} cores (${m.cpu_model}), ${m.memory_gib} GiB, Node ${m.node}, ${m.platform}, PostgreSQL ${m.postgres ?? "not measured"}; revision ${report.revision}, ${m.date}.`,
    "",
    "## Correlation in process (target: 100,000 mixed alerts in at most 2 s)",
    "",
    "| alerts | incidents | best ms | median ms | alerts/s | pairwise precision | pairwise recall |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...report.correlation.map(
      (c) =>
        `| ${c.alerts} | ${c.incidents} | ${c.best_ms} | ${c.median_ms} | ${c.alerts_per_s} | ${c.pairwise_precision} | ${c.pairwise_recall} |`,
    ),
    "",
    "The stream is back-to-back `mixed` windows (3–5 overlapping scenarios at different sites plus noise), so",
    "precision and recall are measured against the generator's ground truth on the same run.",
    "",
    "## Generate, store and correlate a 10-minute scenario at 25 alerts/min through the API (target: at most 1 s on PGlite)",
    "",
    "| database | runs | p50 ms | max ms |",
    "| --- | ---: | ---: | ---: |",
    ...Object.entries(report.generate).map(([db, g]) => {
      const r = g as { runs: number; p50_ms: number; max_ms: number };
      return `| ${db} | ${r.runs} | ${r.p50_ms} | ${r.max_ms} |`;
    }),
    "",
    "## Webhook ingest: `POST /webhooks/alerts`, batches of 500, each answer after commit and correlation",
    "",
    "| database | alerts | clients | alerts/s | p50 ms | p99 ms |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...report.ingest.map(
      (r) => `| ${r.database} | ${r.alerts} | ${r.concurrency} | ${r.alerts_per_s} | ${r.p50_ms} | ${r.p99_ms} |`,
    ),
    "",
    "## RCA: baseline engine and runbook retrieval (targets: baseline p50 at most 5 ms on 1,000 alerts, retrieval p50 at most 2 ms)",
    "",
    "| measure | alerts | p50 ms | p99 ms |",
    "| --- | ---: | ---: | ---: |",
    `| baseline \`rankRootCauses\` (with its runbook searches) | ${report.rca.alerts} | ${report.rca.baseline_p50_ms} | ${report.rca.baseline_p99_ms} |`,
    `| retrieval \`RunbookIndex.search\` (one incident query) | | ${report.rca.retrieval_p50_ms} | ${report.rca.retrieval_p99_ms} |`,
    "",
    ...renderImportMarkdown(report.imports),
  ];
  return `${lines.join("\n")}\n`;
}

await main();
