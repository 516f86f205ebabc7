/**
 * `pnpm bench:soak [--minutes 30] [--rate 2000] [--batch 50] [--database postgres|pglite] [--no-write]`: a
 * server process at a steady alert rate for a long while, with baseline RCA runs every 30 s and SPA-like
 * reads, checking for errors, memory growth and latency drift minute by minute. Prints one JSON document and
 * writes the soak section of docs/performance.md. PostgreSQL is used when BENCH_DATABASE_URL or
 * TEST_DATABASE_URL is set, unless `--database pglite`.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runSoak, type SoakReport } from "@teleops/server/soak";
import { gitRevision, machineInfo } from "./machine.ts";
import { mixedStream } from "./payloads.ts";
import {
  autovacuumSetting,
  freshDatabase,
  postgresVersion,
  progress,
  rssMib,
  startTeleops,
  vacuumStandIn,
} from "./process.ts";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "30" },
    rate: { type: "string", default: "2000" },
    batch: { type: "string", default: "50" },
    database: { type: "string" },
    "rca-every": { type: "string", default: "30" },
    reads: { type: "string", default: "4" },
    "no-write": { type: "boolean", default: false },
  },
});

/** What the soak must show to pass: no error, memory that does not climb, latency that does not drift. */
const LIMITS = { rssGrowthMib: 100, p99Ms: 1_000, rateShare: 0.98 };

async function main() {
  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const kind = values.database === "pglite" || !pgUrl ? "pglite" : "postgres";
  const minutes = Number(values.minutes);
  const rate = Number(values.rate);
  const batch = Number(values.batch);
  const database = await freshDatabase(kind, pgUrl, "soak");
  const server = await startTeleops(database.env);
  let report: SoakReport;
  const autovacuum = await autovacuumSetting(database.url);
  // A server without autovacuum would soak in its own dead rows; stand in for it as a production server has it.
  const vacuumer = vacuumStandIn(database.url, autovacuum);
  let sent = 0;
  try {
    const { alerts } = mixedStream(200_000);
    progress(`soak: ${minutes} min at ${rate} alerts/s (batches of ${batch}) on ${kind}`);
    report = await runSoak({
      url: server.url,
      seconds: minutes * 60,
      alertsPerSecond: rate,
      batch,
      alerts,
      rcaEverySeconds: Number(values["rca-every"]),
      readsPerSecond: Number(values.reads),
      rssMib: () => rssMib(server.child.pid),
      onMinute: (m) => {
        sent += m.alerts_sent;
        vacuumer.onStored(sent);
        progress(
          `soak minute ${m.minute}: ${m.alerts_per_s} alerts/s, webhook p50 ${m.webhook_p50_ms} ms p99 ${m.webhook_p99_ms} ms, reads p99 ${m.read_p99_ms} ms ${JSON.stringify(m.read_p99_by_procedure)}, ${m.rca_runs} RCA, ${m.errors} errors, RSS ${m.rss_mib} MiB`,
        );
      },
    });
  } finally {
    await vacuumer.finish();
    await server.stop();
    await database.drop();
  }
  const verdict = {
    no_errors: report.errors === 0,
    flat_memory: report.rss_growth_mib <= LIMITS.rssGrowthMib,
    stable_latency: report.worst_minute_p99_ms <= LIMITS.p99Ms,
    kept_the_rate: report.alerts_per_s >= rate * LIMITS.rateShare,
  };
  const machine = machineInfo(await postgresVersion(pgUrl));
  const out = {
    machine,
    revision: gitRevision(),
    database: kind,
    autovacuum,
    vacuum_stand_in_runs: vacuumer.runs(),
    limits: LIMITS,
    verdict,
    ...report,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  if (!values["no-write"]) {
    const page = fileURLToPath(new URL("../docs/performance.md", import.meta.url));
    if (existsSync(page)) writeFileSync(page, withSoakSection(readFileSync(page, "utf8"), renderSoak(out)));
    progress("wrote the soak section of docs/performance.md");
  }
  if (!Object.values(verdict).every(Boolean)) process.exitCode = 1;
}

function renderSoak(
  out: {
    machine: ReturnType<typeof machineInfo>;
    revision: string;
    database: string;
    autovacuum: string | null;
    vacuum_stand_in_runs: number;
    limits: typeof LIMITS;
    verdict: Record<string, boolean>;
  } & SoakReport,
): string {
  const m = out.machine;
  const yes = (ok: boolean | undefined) => (ok ? "yes" : "**no**");
  return [
    `Written by \`pnpm bench:soak --minutes ${Math.round(out.seconds / 60)} --rate ${out.target_alerts_per_s}\` (bench/soak.ts, driver apps/server/src/soakDriver.ts) on ${m.date}, revision ${out.revision}: one server process on ${out.database} (${m.cpus} shared cores, Node ${m.node}, PostgreSQL ${m.postgres ?? "—"}). Webhook batches are paced to the target rate (at most 32 requests in flight); an SPA-like reader makes ${out.reads} reads in all (queue sorted two ways, open-only queue, overview, the newest incident and its alerts) and a baseline RCA runs on the newest incident every ${values["rca-every"]} s (${out.rca_runs} runs). The short version of this run is \`apps/server/src/soak.test.ts\` in CI.${out.autovacuum === "off" ? ` This PostgreSQL runs with autovacuum off, so the benchmark ran \`VACUUM (ANALYZE)\` in the background each time the alerts table had grown by a fifth, as autovacuum would (${out.vacuum_stand_in_runs} times).` : ""}`,
    "",
    `| check | limit | measured | met |`,
    `| --- | --- | --- | --- |`,
    `| errors (any non-2xx answer or failed request) | 0 | ${out.errors} | ${yes(out.verdict.no_errors)} |`,
    `| RSS growth, first to last minute (median of each) | ≤ ${out.limits.rssGrowthMib} MiB | ${out.rss_growth_mib} MiB (${out.rss_first_minute_mib} → ${out.rss_last_minute_mib}, max ${out.rss_max_mib}) | ${yes(out.verdict.flat_memory)} |`,
    `| worst per-minute webhook p99 | ≤ ${out.limits.p99Ms} ms | ${out.worst_minute_p99_ms} ms (best minute ${out.best_minute_p99_ms} ms) | ${yes(out.verdict.stable_latency)} |`,
    `| alerts/s kept | ≥ ${Math.round(out.limits.rateShare * 100)}% of ${out.target_alerts_per_s} | ${out.alerts_per_s} (${out.alerts_sent.toLocaleString("en-US")} sent, ${out.alerts_accepted.toLocaleString("en-US")} stored) | ${yes(out.verdict.kept_the_rate)} |`,
    "",
    "| minute | alerts/s | webhook p50 ms | webhook p99 ms | webhook max ms | reads | read p99 ms | slowest read (p99 ms) | RCA runs | RCA max ms | errors | RSS MiB |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ...out.minutes.map((x) => {
      const slowest = Object.entries(x.read_p99_by_procedure).sort((a, b) => b[1] - a[1])[0];
      return `| ${x.minute} | ${x.alerts_per_s} | ${x.webhook_p50_ms} | ${x.webhook_p99_ms} | ${x.webhook_max_ms} | ${x.reads} | ${x.read_p99_ms} | ${slowest ? `${slowest[0]} ${slowest[1]}` : ""} | ${x.rca_runs} | ${x.rca_max_ms} | ${x.errors} | ${x.rss_mib} |`;
    }),
    ...(out.error_samples.length > 0 ? ["", "First errors:", "", ...out.error_samples.map((e) => `- ${e}`)] : []),
  ].join("\n");
}

const START = "<!-- soak:start -->";
const END = "<!-- soak:end -->";

function withSoakSection(page: string, section: string): string {
  const a = page.indexOf(START);
  const b = page.indexOf(END);
  if (a >= 0 && b > a) return `${page.slice(0, a + START.length)}\n${section}\n${page.slice(b)}`;
  return `${page.trimEnd()}\n\n## Soak\n\n${START}\n${section}\n${END}\n`;
}

await main();
