/**
 * `pnpm bench [--quick] [--only ingest,correlation,stored,generate,rca,import,retention,tenmillion] [--storm-only] [--storm-workers N]`:
 * every speed target measured on this machine, printed as one JSON document; a full run also rewrites
 * docs/performance.md. `tenmillion` (10M alerts over 30 weekly partitions, bench/tenMillion.ts) runs only when
 * `--only` names it (`BENCH_KEEP_DATABASE=1` leaves its database in place for EXPLAIN). PostgreSQL rows need
 * BENCH_DATABASE_URL or TEST_DATABASE_URL; Alertmanager rows need /usr/bin/prometheus-alertmanager.
 * `--storm-workers N` (default 2) also runs the storm cells on a PostgreSQL server with `TELEOPS_WORKERS=N`;
 * `--storm-only` leaves out the batch × clients matrix.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { alertmanagerVersion } from "./alertmanager.ts";
import { benchCorrelation } from "./correlation.ts";
import { benchGenerate, type GenerateRun } from "./generate.ts";
import { benchImport } from "./import.ts";
import { benchIngest } from "./ingest.ts";
import { gitRevision, machineInfo } from "./machine.ts";
import { postgresVersion, progress } from "./process.ts";
import { benchRca } from "./rca.ts";
import { benchStoredData } from "./readpaths.ts";
import { benchReplicaLag } from "./replicaLag.ts";
import { type BenchReport, keptSections, renderMarkdown } from "./report.ts";
import { benchRetention } from "./retentionRun.ts";
import { benchTenMillion } from "./tenMillion.ts";

const SECTIONS = ["ingest", "correlation", "stored", "generate", "rca", "import", "retention", "tenmillion"] as const;
type Section = (typeof SECTIONS)[number];
/** Sections a plain `pnpm bench` runs; the others (a build of tens of minutes) only when `--only` names them. */
const DEFAULT_SECTIONS: readonly Section[] = SECTIONS.filter((s) => s !== "tenmillion");

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    seconds: { type: "string" },
    write: { type: "boolean", default: false },
    /** `TELEOPS_WORKERS` of an extra PostgreSQL server the storm cells also run on (1: none); default 2. */
    "storm-workers": { type: "string", default: "2" },
    /** The ingest section runs its storm cells only (and Alertmanager's), not the batch × clients matrix. */
    "storm-only": { type: "boolean", default: false },
  },
});

const quick = values.quick ?? false;
const only = new Set((values.only ?? DEFAULT_SECTIONS.join(",")).split(",").map((s) => s.trim()));
for (const name of only) {
  if (!SECTIONS.includes(name as Section)) {
    process.stderr.write(`bench: unknown section "${name}"; sections: ${SECTIONS.join(", ")}\n`);
    process.exit(2);
  }
}
const run = (section: Section) => only.has(section);
const stormWorkers = Number(values["storm-workers"]);
if (!Number.isInteger(stormWorkers) || stormWorkers < 1) {
  process.stderr.write(`bench: --storm-workers takes a whole number of 1 or more, not "${values["storm-workers"]}"\n`);
  process.exit(2);
}

/** Sizes of a full run and of a `--quick` smoke run. */
const SIZES = quick
  ? {
      cellSeconds: 2,
      batches: [1, 50, 500],
      clients: [1, 4],
      correlation: [10_000, 100_000],
      stored: 50_000,
      reads: 50,
      imports: 20_000,
      retention: 100_000,
      tenMillion: 300_000,
    }
  : {
      cellSeconds: 6,
      batches: [1, 50, 500],
      clients: [1, 4, 16],
      correlation: [10_000, 100_000, 1_000_000],
      stored: 1_000_000,
      reads: 300,
      imports: 100_000,
      retention: 1_000_000,
      tenMillion: 10_000_000,
    };

async function main() {
  const started = performance.now();
  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const backends: Array<"pglite" | "postgres"> = pgUrl ? ["postgres", "pglite"] : ["pglite"];
  const report: BenchReport = {
    machine: machineInfo(await postgresVersion(pgUrl)),
    revision: gitRevision(),
    mode: quick ? "quick" : "full",
    seconds: 0,
  };

  // A failing section is reported and the others still run, so one broken figure never hides the rest.
  const failures: Record<string, string> = {};
  const section = async (name: Section, work: () => Promise<void>) => {
    if (!run(name)) return;
    try {
      await work();
    } catch (error) {
      failures[name] =
        error instanceof Error ? `${error.message}${error.cause ? ` (${String(error.cause)})` : ""}` : String(error);
      progress(`${name} failed: ${failures[name]}`);
    }
  };

  await section("ingest", async () => {
    report.ingest = await benchIngest(
      {
        backends,
        adminUrl: pgUrl,
        seconds: Number(values.seconds ?? SIZES.cellSeconds),
        batches: values["storm-only"] ? [] : SIZES.batches,
        clients: SIZES.clients,
        tenants: quick || values["storm-only"] ? 0 : 4,
        storm: true,
        stormWorkers,
      },
      alertmanagerVersion(),
    );
  });
  // The storm again, on a primary and a streaming standby of the bench's own: how far reads from a replica lag.
  await section("ingest", async () => {
    report.replica_lag = await benchReplicaLag(Number(values.seconds ?? SIZES.cellSeconds));
  });
  await section("correlation", async () => {
    report.correlation = benchCorrelation(SIZES.correlation);
  });
  await section("stored", async () => {
    // Read targets are PostgreSQL's; PGlite stands in when no server is configured.
    report.stored = await benchStoredData({
      kind: pgUrl ? "postgres" : "pglite",
      adminUrl: pgUrl,
      alerts: pgUrl ? SIZES.stored : Math.min(SIZES.stored, 100_000),
      samples: SIZES.reads,
    });
  });
  await section("generate", async () => {
    const generate: Record<string, GenerateRun> = {};
    for (const kind of backends) {
      progress(`generate → store → correlate through the API on ${kind}`);
      generate[kind] = await benchGenerate(kind, pgUrl);
    }
    report.generate = generate;
  });
  await section("rca", async () => {
    progress("rca: baseline on a 1,000-alert incident, runbook retrieval");
    report.rca = await benchRca();
  });
  await section("import", async () => {
    report.imports = await benchImport({ pgUrl, alerts: SIZES.imports });
  });
  await section("retention", async () => {
    // Dropping a week of old alerts while a writer stores into the current week (bench/retention.ts); PostgreSQL only.
    if (!pgUrl) {
      progress("retention: skipped (needs PostgreSQL: TEST_DATABASE_URL or BENCH_DATABASE_URL)");
      return;
    }
    progress(`retention: a week of ${SIZES.retention.toLocaleString("en")} alerts dropped while ingest goes on`);
    report.retention = benchRetention(pgUrl, SIZES.retention);
  });
  await section("tenmillion", async () => {
    // Queue and search reads with 10M alerts over 30 weekly partitions, built with COPY; PostgreSQL only.
    if (!pgUrl) {
      progress("tenmillion: skipped (needs PostgreSQL: TEST_DATABASE_URL or BENCH_DATABASE_URL)");
      return;
    }
    report.ten_million = await benchTenMillion({
      adminUrl: pgUrl,
      alerts: SIZES.tenMillion,
      weeks: 30,
      samples: SIZES.reads,
      keepDatabase: process.env.BENCH_KEEP_DATABASE === "1",
    });
  });
  if (Object.keys(failures).length > 0) report.failures = failures;

  report.seconds = Math.round((performance.now() - started) / 1000);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  // A smoke run or a partial run would replace the page's real numbers with small or missing ones.
  if ((!quick && DEFAULT_SECTIONS.every((s) => only.has(s)) && !report.failures) || values.write) {
    const page = fileURLToPath(new URL("../docs/performance.md", import.meta.url));
    const previous = existsSync(page) ? readFileSync(page, "utf8") : undefined;
    writeFileSync(page, renderMarkdown(report, keptSections(previous)));
    progress("wrote docs/performance.md");
  }
  if (report.failures) process.exitCode = 1;
}

await main();
