/**
 * Import benchmarks: 100,000 JSONL alerts through `teleops import` (a CLI process) into a TeleOps server
 * process on PGlite and on PostgreSQL, with the peak memory of both processes; and the in-process syslog
 * parse rate. Run alone with `tsx bench/import.ts` or as part of `pnpm bench`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateScenario, loadTopology } from "@teleops/core";
import { parseJsonl, parseSyslog } from "@teleops/core/importers";
import { freshDatabase, progress, ROOT, startTeleops, watchPeak } from "./process.ts";

const CLI_MAIN = join(ROOT, "apps/cli/src/main.ts");

export interface ImportRun {
  database: "pglite" | "postgres";
  alerts: number;
  seconds: number;
  alerts_per_s: number;
  incidents: number;
  cli_peak_rss_mib: number;
  server_peak_rss_mib: number;
}

export interface ParseRun {
  format: "syslog" | "jsonl";
  lines: number;
  seconds: number;
  lines_per_s: number;
}

export interface ImportBenchReport {
  import: ImportRun[];
  parse: ParseRun[];
}

/** Back-to-back mixed windows written as contract JSONL: a day of a busy NOC compressed into one file. */
function writeJsonl(path: string, target: number): void {
  const topology = loadTopology();
  const lines: string[] = [];
  for (let window = 0; lines.length < target; window++) {
    const start = new Date(Date.parse("2025-06-01T00:00:00Z") + window * 60 * 60_000);
    const out = generateScenario(
      { scenario: "mixed", seed: 1_000 + window, durationMinutes: 20, ratePerMinute: 60, noisePerMinute: 10 },
      topology,
      start,
    );
    for (const alert of out.alerts) {
      if (lines.length >= target) break;
      const { fingerprint: _fingerprint, tenant_id: _tenant, ...rest } = alert;
      lines.push(JSON.stringify(rest));
    }
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}

/** Syslog lines in both framings and several vendor styles, for the in-process parse rate. */
function syslogText(count: number): string {
  const templates = [
    (i: number) =>
      `<187>Mar  1 12:${pad(i % 60)}:${pad(i % 59)} core-router-${i % 40} ${i}: Mar  1 12:00:00.123 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet0/0/${i % 48}, changed state to down`,
    (i: number) =>
      `<189>Mar  1 12:${pad(i % 60)}:${pad(i % 59)} lis-core-rtr-${i % 9} RP/0/RSP0/CPU0:Mar  1 12:00:02.100 UTC: bgp[1052]: %ROUTING-BGP-5-ADJCHANGE : neighbor 198.51.100.${i % 250} Down - Interface flap (VRF: default) (AS: 64530)`,
    (i: number) =>
      `<28>Mar  1 12:${pad(i % 60)}:${pad(i % 59)} mad-edge-mx-${i % 7} mib2d[1234]: SNMP_TRAP_LINK_DOWN: ifIndex ${i % 900}, ifAdminStatus up(1), ifOperStatus down(2), ifName xe-0/0/${i % 32}`,
    (i: number) =>
      `<28>1 2025-03-01T12:${pad(i % 60)}:${pad(i % 59)}.412Z mad-edge-mx-${i % 7} rpd 4412 RPD_BGP_NEIGHBOR_STATE_CHANGED [junos@2636.1.1.1.2.18 peer-name="198.51.100.${i % 250}"] BGP peer 198.51.100.${i % 250} (Internal AS 64530) changed state from Established to Idle (event Stop)`,
    (i: number) =>
      `<162>1 2025-03-01T12:${pad(i % 60)}:${pad(i % 59)}.100Z lis-roadm-${i % 4} alarmd - LOS [alarm@32473 port="1-5-${i % 8}" span="LIS-MAD-2"] Loss of signal on line port 1-5-${i % 8}`,
  ];
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push((templates[i % templates.length] as (i: number) => string)(i));
  return `${out.join("\n")}\n`;
}
const pad = (n: number) => String(n).padStart(2, "0");

async function parseRate(format: "syslog" | "jsonl", text: string): Promise<ParseRun> {
  const bytes = new TextEncoder().encode(text);
  // 256 KiB chunks, as a file stream delivers them.
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 256 * 1024) chunks.push(bytes.subarray(i, i + 256 * 1024));
  const run = async () => {
    let lines = 0;
    const records = format === "syslog" ? parseSyslog(chunks, { year: 2025 }) : parseJsonl(chunks);
    for await (const record of records) {
      if ("error" in record) throw new Error(`line ${record.line}: ${record.error}`);
      lines += 1;
    }
    return lines;
  };
  await run(); // warm-up
  const t0 = performance.now();
  const lines = await run();
  const seconds = (performance.now() - t0) / 1000;
  return { format, lines, seconds: round(seconds, 3), lines_per_s: Math.round(lines / seconds) };
}

async function runCli(args: string[]): Promise<{ code: number; stdout: string; peakMib: number; seconds: number }> {
  const t0 = performance.now();
  // BENCH_CLI_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the CLI, as for the server.
  const nodeArgs = (process.env.BENCH_CLI_NODE_ARGS ?? "").split(" ").filter((arg) => arg !== "");
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", CLI_MAIN, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const watch = watchPeak(child);
  let stdout = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  const code = await new Promise<number>((resolve) => child.once("exit", (c) => resolve(c ?? 1)));
  watch.stop();
  return { code, stdout, peakMib: watch.peak(), seconds: (performance.now() - t0) / 1000 };
}

async function importInto(
  kind: "pglite" | "postgres",
  file: string,
  alerts: number,
  pgUrl: string | undefined,
): Promise<ImportRun> {
  const database = await freshDatabase(kind, pgUrl, "import");
  const server = await startTeleops(database.env);
  const serverWatch = watchPeak(server.child);
  try {
    const result = await runCli(["import", file, "--json", "--server", server.url]);
    if (result.code !== 0) throw new Error(`teleops import exited ${result.code}`);
    const report = JSON.parse(result.stdout) as { imported: number; incidents: unknown[] };
    if (report.imported !== alerts) throw new Error(`imported ${report.imported} of ${alerts}`);
    return {
      database: kind,
      alerts,
      seconds: round(result.seconds, 2),
      alerts_per_s: Math.round(alerts / result.seconds),
      incidents: report.incidents.length,
      cli_peak_rss_mib: result.peakMib,
      server_peak_rss_mib: serverWatch.peak(),
    };
  } finally {
    serverWatch.stop();
    await server.stop();
    await database.drop();
  }
}

export async function benchImport(
  options: { alerts?: number; pgUrl?: string | undefined } = {},
): Promise<ImportBenchReport> {
  const alerts = options.alerts ?? 100_000;
  const dir = mkdtempSync(join(tmpdir(), "teleops-bench-jsonl-"));
  try {
    const file = join(dir, "alerts.jsonl");
    progress(`import: writing ${alerts} JSONL alerts`);
    writeJsonl(file, alerts);
    const parse = [
      await parseRate("syslog", syslogText(200_000)),
      await parseRate("jsonl", readFileSync(file, "utf8")),
    ];
    const runs: ImportRun[] = [];
    for (const kind of options.pgUrl ? (["pglite", "postgres"] as const) : (["pglite"] as const)) {
      progress(`import: ${alerts} JSONL alerts through teleops import into ${kind}`);
      runs.push(await importInto(kind, file, alerts, options.pgUrl));
    }
    return { import: runs, parse };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function renderImportMarkdown(report: ImportBenchReport): string[] {
  return [
    `## Import: \`teleops import\` of ${(report.import[0]?.alerts ?? 0).toLocaleString("en-US")} JSONL alerts into a server process (targets: 5,000/s PGlite, 20,000/s PostgreSQL)`,
    "",
    "The CLI parses and validates the file (streaming) and keeps two batches of 5,000 (the API's maximum, the CLI's default) in flight; the server re-validates each record, stores each batch already correlated, with the import's counters, in one transaction. Time is the whole CLI run, start-up included; CLI, server and database share the machine's cores.",
    "",
    "| database | alerts | seconds | alerts/s | incidents | CLI peak RSS MiB | server peak RSS MiB |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...report.import.map(
      (r) =>
        `| ${r.database} | ${r.alerts} | ${r.seconds} | ${r.alerts_per_s} | ${r.incidents} | ${r.cli_peak_rss_mib} | ${r.server_peak_rss_mib} |`,
    ),
    "",
    "## Import parsing in process (target: syslog at least 100,000 lines/s)",
    "",
    "| format | lines | seconds | lines/s |",
    "| --- | ---: | ---: | ---: |",
    ...report.parse.map((p) => `| ${p.format} | ${p.lines} | ${p.seconds} | ${p.lines_per_s} |`),
    "",
  ];
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const alerts = Number(process.env.BENCH_IMPORT_ALERTS ?? 100_000);
  const report = await benchImport({ alerts, pgUrl });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${renderImportMarkdown(report).join("\n")}\n`);
}
