/**
 * Renders a `pnpm bench` report as docs/performance.md: the machine, a targets table (met or missed), then one
 * table per benchmark. The hand-written findings between the `findings` markers survive a rerun.
 */
import type { CorrelationRun } from "./correlation.ts";
import type { GenerateRun } from "./generate.ts";
import { type ImportBenchReport, renderImportMarkdown } from "./import.ts";
import type { IngestCell, IngestReport } from "./ingest.ts";
import type { MachineInfo } from "./machine.ts";
import type { benchRca } from "./rca.ts";
import type { StoredDataReport } from "./readpaths.ts";
import { type ReplicaLagReport, renderReplicaLagMarkdown } from "./replicaLag.ts";
import type { TenMillionReport } from "./tenMillion.ts";

export interface RetentionRun {
  rows: number;
  dropped_partitions: string[];
  alerts_removed: number;
  retention_ms: number;
  ingest_batches_before: number;
  ingest_p99_before_ms: number;
  ingest_batches_during: number;
  ingest_p99_during_ms: number;
  ingest_max_during_ms: number;
}

export interface BenchReport {
  machine: MachineInfo;
  revision: string;
  mode: "full" | "quick";
  seconds: number;
  correlation?: CorrelationRun[];
  generate?: Record<string, GenerateRun>;
  ingest?: IngestReport;
  stored?: StoredDataReport;
  rca?: Awaited<ReturnType<typeof benchRca>>;
  imports?: ImportBenchReport;
  /** A week of old alerts dropped by retention while ingest goes on (bench/retention.ts), PostgreSQL only. */
  retention?: RetentionRun;
  /** Queue and search reads with 10M alerts over 30 weekly partitions (bench/tenMillion.ts), PostgreSQL only. */
  ten_million?: TenMillionReport;
  /** The storm on a primary and standby of the bench's own; null without PostgreSQL binaries. */
  replica_lag?: ReplicaLagReport | null;
  /** Sections that failed, with their error; the page is not rewritten when one did. */
  failures?: Record<string, string>;
}

interface Target {
  what: string;
  target: string;
  measured: string;
  met: boolean;
}

const FINDINGS_START = "<!-- findings:start -->";
const FINDINGS_END = "<!-- findings:end -->";
const SOAK_START = "<!-- soak:start -->";
const SOAK_END = "<!-- soak:end -->";

/** What a rerun carries over from the current page: the written findings and the soak section. */
export interface KeptSections {
  findings: string;
  soak: string;
}

export function keptSections(previous: string | undefined): KeptSections {
  const between = (start: string, end: string) => {
    const a = previous?.indexOf(start) ?? -1;
    const b = previous?.indexOf(end) ?? -1;
    return previous && a >= 0 && b > a ? previous.slice(a + start.length, b).trim() : "";
  };
  return { findings: between(FINDINGS_START, FINDINGS_END), soak: between(SOAK_START, SOAK_END) };
}

const fmt = (n: number) => n.toLocaleString("en-US");

function cell(report: BenchReport, receiver: string, database: string, batch: number, clients: number) {
  return report.ingest?.cells.find(
    (c) =>
      c.receiver === receiver &&
      c.database === database &&
      c.batch === batch &&
      c.connections === clients &&
      c.tenants === 1 &&
      c.stream !== "storm",
  );
}

export function targets(report: BenchReport): Target[] {
  const out: Target[] = [];
  const pg500 = cell(report, "teleops", "postgres", 500, 4);
  const lite500 = cell(report, "teleops", "pglite", 500, 4);
  const am500 = cell(report, "alertmanager", "memory", 500, 4);
  if (pg500) {
    out.push({
      what: "webhook ingest on PostgreSQL, batch 500, 4 clients",
      target: "≥ 25,000 alerts/s",
      measured: `${fmt(pg500.alerts_per_s)} alerts/s`,
      met: pg500.alerts_per_s >= 25_000,
    });
    if (am500 && am500.alerts_per_s > 0) {
      const ratio = pg500.alerts_per_s / am500.alerts_per_s;
      out.push({
        what: "TeleOps on PostgreSQL / Alertmanager, batch 500, 4 clients",
        target: "≥ 0.45",
        measured: `${ratio.toFixed(2)} (${fmt(pg500.alerts_per_s)} / ${fmt(am500.alerts_per_s)})`,
        met: ratio >= 0.45,
      });
    }
  }
  if (lite500) {
    out.push({
      what: "webhook ingest on PGlite, batch 500, 4 clients",
      target: "≥ 5,000 alerts/s",
      measured: `${fmt(lite500.alerts_per_s)} alerts/s`,
      met: lite500.alerts_per_s >= 5_000,
    });
  }
  for (const database of ["postgres", "pglite"]) {
    const c = cell(report, "teleops", database, 50, 4);
    if (c) {
      out.push({
        what: `webhook p99 on ${database === "postgres" ? "PostgreSQL" : "PGlite"}, batch 50, 4 clients`,
        target: "≤ 100 ms",
        measured: `${c.p99_ms} ms`,
        met: c.p99_ms <= 100,
      });
    }
  }
  const million = report.correlation?.find((c) => c.alerts >= 1_000_000);
  if (million) {
    out.push({
      what: "correlation of 1M alerts in process",
      target: "≤ 20 s",
      measured: `${(million.best_ms / 1000).toFixed(1)} s`,
      met: million.best_ms <= 20_000,
    });
  }
  const growth = report.correlation?.filter((c) => c.growth_exponent !== null) ?? [];
  if (growth.length > 0) {
    const worst = Math.max(...growth.map((c) => c.growth_exponent ?? 0));
    out.push({
      what: "correlation time growth with size",
      target: "close to linear (exponent ≤ 1.2)",
      measured: `exponent ${growth.map((c) => c.growth_exponent).join(", ")}`,
      met: worst <= 1.2,
    });
  }
  const hundredK = report.correlation?.find((c) => c.alerts === 100_000);
  if (hundredK) {
    out.push({
      what: "correlation of 100k alerts in process",
      target: "≤ 2 s",
      measured: `${fmt(hundredK.best_ms)} ms`,
      met: hundredK.best_ms <= 2_000,
    });
  }
  if (report.stored) {
    const s = report.stored;
    for (const read of s.reads) {
      out.push({
        what: `${read.path} (${s.database}, ${fmt(s.alerts_stored)} alerts, ${fmt(s.incidents)} incidents)`,
        target: "p99 ≤ 50 ms",
        measured: `${read.p99_ms} ms`,
        met: read.p99_ms <= 50,
      });
    }
    for (const search of s.search ?? []) {
      out.push({
        what: `${search.path} (${s.database}, ${fmt(s.alerts_stored)} alerts)`,
        target: "p99 ≤ 100 ms",
        measured: `${search.p99_ms} ms`,
        met: search.p99_ms <= 100,
      });
    }
    out.push({
      what: `server RSS after ingesting ${fmt(s.alerts_stored)} alerts`,
      target: "≤ 500 MB",
      measured: `${s.memory.after_ingest_mib} MiB (peak ${s.memory.peak_mib} MiB)`,
      met: s.memory.after_ingest_mib * 1.048576 <= 500 && s.memory.peak_mib * 1.048576 <= 500,
    });
  }
  const generate = report.generate?.pglite;
  if (generate) {
    out.push({
      what: "generate + store + correlate a 10-minute scenario on PGlite",
      target: "p50 ≤ 1 s",
      measured: `${generate.p50_ms} ms`,
      met: generate.p50_ms <= 1_000,
    });
  }
  if (report.rca) {
    out.push({
      what: "RCA baseline on 1,000 alerts",
      target: "p50 ≤ 5 ms",
      measured: `${report.rca.baseline_p50_ms} ms`,
      met: report.rca.baseline_p50_ms <= 5,
    });
    out.push({
      what: "runbook retrieval",
      target: "p50 ≤ 2 ms",
      measured: `${report.rca.retrieval_p50_ms} ms`,
      met: report.rca.retrieval_p50_ms <= 2,
    });
  }
  for (const run of report.imports?.import ?? []) {
    const goal = run.database === "postgres" ? 20_000 : 5_000;
    out.push({
      what: `teleops import of ${fmt(run.alerts)} JSONL alerts on ${run.database}`,
      target: `≥ ${fmt(goal)} alerts/s`,
      measured: `${fmt(run.alerts_per_s)} alerts/s`,
      met: run.alerts_per_s >= goal,
    });
  }
  const syslog = report.imports?.parse.find((p) => p.format === "syslog");
  if (syslog) {
    out.push({
      what: "syslog parsing in process",
      target: "≥ 100,000 lines/s",
      measured: `${fmt(syslog.lines_per_s)} lines/s`,
      met: syslog.lines_per_s >= 100_000,
    });
  }
  if (report.retention) {
    const r = report.retention;
    out.push({
      what: `retention dropping a week of ${fmt(r.rows)} alerts (PostgreSQL)`,
      target: "≤ 1 s",
      measured: `${fmt(r.retention_ms)} ms`,
      met: r.retention_ms <= 1_000,
    });
    out.push({
      what: "webhook-sized ingest p99 while retention drops it",
      target: "≤ 2× before",
      measured: `${r.ingest_p99_during_ms} ms (${r.ingest_p99_before_ms} ms before)`,
      met: r.ingest_p99_during_ms <= 2 * r.ingest_p99_before_ms,
    });
  }
  if (report.ten_million) {
    const t = report.ten_million;
    const scale = `${t.database}, ${fmt(t.alerts_stored)} alerts over ${t.partitions.with_data} partitions`;
    for (const read of [...t.reads, ...t.search]) {
      out.push({
        what: `${read.path} (${scale})`,
        target: "p99 ≤ 50 ms",
        measured: `${read.p99_ms} ms`,
        met: read.p99_ms <= 50,
      });
    }
  }
  return out;
}

function ingestTable(cells: IngestCell[], ratios: IngestReport["ratios"]): string[] {
  const lines = [
    "| receiver | database | tenants | batch | clients | alerts/s | requests | p50 ms | p99 ms | max ms | errors | duplicates | ratio to Alertmanager |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  const order = (c: IngestCell) => (c.receiver === "alertmanager" ? 2 : c.database === "postgres" ? 0 : 1);
  const sorted = [...cells].sort(
    (a, b) => a.batch - b.batch || a.connections - b.connections || order(a) - order(b) || a.tenants - b.tenants,
  );
  for (const c of sorted) {
    if (c.stream === "storm") continue;
    const ratio =
      c.receiver === "teleops" && c.tenants === 1
        ? ratios.find((r) => r.database === c.database && r.batch === c.batch && r.clients === c.connections)?.ratio
        : undefined;
    const failures = c.errors + Object.values(c.statuses).reduce((sum, n) => sum + n, 0);
    lines.push(
      `| ${c.receiver === "teleops" ? "TeleOps" : "Alertmanager"} | ${c.database === "memory" ? "(memory)" : c.database} | ${c.tenants} | ${c.batch} | ${c.connections} | ${fmt(c.alerts_per_s)} | ${fmt(c.requests)} | ${c.p50_ms} | ${c.p99_ms} | ${c.max_ms} | ${failures}${Object.keys(c.statuses).length > 0 ? ` (${JSON.stringify(c.statuses)})` : ""} | ${c.duplicates ?? ""} | ${ratio ?? ""} |`,
    );
  }
  return lines;
}

export function renderMarkdown(report: BenchReport, kept: KeptSections): string {
  const m = report.machine;
  const lines: string[] = [
    "# Performance",
    "",
    "Written by `pnpm bench` (bench/run.ts and the modules beside it); rerun it to refresh this page. Every number",
    "below comes from that one run on the machine it names, unless a section says otherwise. `pnpm bench --quick`",
    "is a smoke run with small sizes that prints its JSON and leaves this page alone. The soak section at the end",
    "is written by `pnpm bench:soak`, and the findings by hand; both are kept when this page is rewritten.",
    "",
    "Run it: `TEST_DATABASE_URL=postgres://… pnpm bench` (about 7–10 minutes; without the URL only PGlite is measured;",
    "the Alertmanager rows need `/usr/bin/prometheus-alertmanager`), `pnpm bench --quick` (about 2 minutes),",
    "`pnpm bench --only ingest,correlation,stored,generate,rca,import` (any subset; prints only),",
    "`pnpm bench --only tenmillion` (PostgreSQL only, never part of a plain run: builds 10M alerts over 30 weekly",
    "partitions with `COPY`, about 40 minutes here, 26 of them the build; `--quick` builds 300,000; add it to a full `--only` list to put",
    "its rows on this page), and `pnpm bench:soak [--minutes 30] [--rate 2000] [--batch 50] [--database postgres|pglite]`.",
    "",
    `Machine: ${m.cpus} cores (${m.cpu_model}), ${m.memory_gib} GiB, Node ${m.node}, ${m.platform}, PostgreSQL ${m.postgres ?? "not measured"}, Alertmanager ${report.ingest?.alertmanager_version ?? "not measured"}; revision ${report.revision}, ${m.date}, ${Math.round(report.seconds)} s for the whole run.`,
    "",
    "The machine is shared: two cores run the benchmark, the server under test, PostgreSQL and Alertmanager, and",
    "other engineers' builds and tests ran at the same time, so every figure is a lower bound and varies between runs.",
    "",
  ];

  const goals = targets(report);
  if (goals.length > 0) {
    lines.push("## Targets", "", "| measure | target | measured | met |", "| --- | --- | --- | --- |");
    for (const t of goals) lines.push(`| ${t.what} | ${t.target} | ${t.measured} | ${t.met ? "yes" : "**no**"} |`);
    lines.push("");
  }

  lines.push("## Findings", "", FINDINGS_START, kept.findings || "_No findings written yet._", FINDINGS_END, "");

  if (report.ingest) {
    const ingest = report.ingest;
    const seconds = ingest.cells[0]?.seconds ?? 0;
    lines.push(
      "## Webhook ingest: TeleOps `POST /webhooks/alerts` and Alertmanager `POST /api/v2/alerts`, side by side",
      "",
      `autocannon 8 posts JSON arrays of \`batch\` distinct alerts from \`clients\` connections for ${seconds} s per cell, each`,
      "client sending its next request when the previous answer arrives. TeleOps answers 202 only after the alerts",
      "are committed and correlated; it runs as its own process (`node --import tsx apps/server/src/main.ts`,",
      "`LOG_LEVEL=warn`), one per database, and keeps its data across cells (each cell writes its own tenant).",
      "Alertmanager gets the same alerts in its own format (`labels`, `annotations`, `startsAt`; the event time is a",
      "label so no two alerts merge), a fresh process per cell, in memory, with a receiver that notifies no one.",
      "`duplicates` counts alerts TeleOps did not store as new (0 means every alert was distinct). Tenants > 1 rotate",
      "requests over that many tenants.",
      "",
      ...ingestTable(ingest.cells, ingest.ratios),
      "",
    );
    const storm = ingest.cells.filter((c) => c.stream === "storm");
    if (storm.length > 0) {
      lines.push(
        "### Storm-shaped ingest (issue 20)",
        "",
        "50,000 alerts from 500 devices at 7 sites (host names carry the site), every one stamped with the same",
        "second, no fingerprints (the receiver derives them) and no generator tags; 4 clients × 500 alerts per",
        "request, through TeleOps's canonical route and its Alertmanager webhook route (Alertmanager's own webhook",
        "body), and the same alerts into Alertmanager's API, in one run. Workers: `TELEOPS_WORKERS` of that server",
        "(the rows with more than one ran a second server on the PostgreSQL database the first had filled).",
        "",
        "| receiver | database | workers | route | alerts/s | requests | p50 ms | p99 ms | max ms | errors | duplicates | ratio to Alertmanager |",
        "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ...storm.map((c) => {
          const ratio = ingest.storm_ratios?.find(
            (r) => r.database === c.database && r.route === c.route && r.workers === c.workers,
          )?.ratio;
          const failures = c.errors + Object.values(c.statuses).reduce((sum, n) => sum + n, 0);
          return `| ${c.receiver === "teleops" ? "TeleOps" : "Alertmanager"} | ${c.database === "memory" ? "(memory)" : c.database} | ${c.receiver === "teleops" ? c.workers : ""} | \`${c.route}\` | ${fmt(c.alerts_per_s)} | ${fmt(c.requests)} | ${c.p50_ms} | ${c.p99_ms} | ${c.max_ms} | ${failures} | ${c.duplicates ?? ""} | ${ratio ?? ""} |`;
        }),
        "",
      );
    }
    if (report.replica_lag) lines.push(...renderReplicaLagMarkdown(report.replica_lag));
    const rss = Object.entries(ingest.server_rss_mib);
    if (rss.length > 0) {
      lines.push(
        "Server memory during the ingest matrix (RSS, MiB):",
        "",
        "| database | at start | peak | at end | alerts stored |",
        "| --- | ---: | ---: | ---: | ---: |",
        ...rss.map(([db, r]) => `| ${db} | ${r.start} | ${r.peak} | ${r.end} | ${fmt(r.alerts_stored)} |`),
        "",
      );
    }
  }

  if (report.correlation) {
    lines.push(
      "## Correlation in process: how time grows with size (targets: 100k in ≤ 2 s, 1M in ≤ 20 s, close to linear)",
      "",
      "| alerts | incidents | best ms | median ms | alerts/s | µs per alert | growth exponent | pairwise precision | pairwise recall |",
      "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...report.correlation.map(
        (c) =>
          `| ${fmt(c.alerts)} | ${fmt(c.incidents)} | ${fmt(c.best_ms)} | ${fmt(c.median_ms)} | ${fmt(c.alerts_per_s)} | ${c.us_per_alert} | ${c.growth_exponent ?? ""} | ${c.pairwise_precision} | ${c.pairwise_recall} |`,
      ),
      "",
      "`correlateAlerts` over back-to-back `mixed` windows (3–5 overlapping scenarios at different sites plus noise),",
      "best of three runs. The growth exponent is log(t₂/t₁)/log(n₂/n₁) against the row above: 1.0 is linear, 2.0",
      "quadratic. Precision and recall are measured against the generator's ground truth on the same run.",
      "",
    );
  }

  if (report.stored) {
    const s = report.stored;
    lines.push(
      `## Stored data: ${fmt(s.alerts_stored)} alerts and ${fmt(s.incidents)} incidents on ${s.database} (targets: read p99 ≤ 50 ms, RSS ≤ 500 MB)`,
      "",
      `One server process ingests ${fmt(s.alerts_posted)} alerts through \`POST /webhooks/alerts\` (batches of ${s.ingest.batch}, ${s.ingest.clients} clients; short`,
      "`mixed` windows 40 minutes apart so incidents average about 50 alerts, and one 1,100-alert fiber cut) in",
      `${s.ingest.seconds} s: ${fmt(s.ingest.alerts_per_s)} alerts/s, request p50 ${s.ingest.p50_ms} ms, p99 ${s.ingest.p99_ms} ms${s.ingest.retried.length > 0 ? ` (${s.ingest.retried.length} request(s) lost their connection before the answer and were sent again: ${[...new Set(s.ingest.retried)].join("; ")})` : ""}. Then one client times each read`,
      "the SPA makes, over HTTP, one request at a time after a warm-up.",
      "",
      ...(s.vacuum
        ? [
            `This PostgreSQL runs with autovacuum ${s.vacuum.autovacuum}. Webhook alerts are written once, already correlated,`,
            "but an incident row is rewritten each time it grows and an unassigned alert that joins a later incident is",
            "updated, so dead versions pile up until a vacuum, and until an analyze the planner has no statistics.".concat(
              s.vacuum.autovacuum === "off"
                ? ` Standing in for autovacuum, the benchmark ran \`VACUUM (ANALYZE)\` in the background each time the table had grown by a fifth (${s.vacuum.during_ingest} times during the ingest).`
                : "",
            ),
            'The reads were timed right after the ingest ("as ingested", a tenth of the samples) and again after a final',
            `\`VACUUM (ANALYZE)\` (${s.vacuum.seconds} s), the state a server with autovacuum settles in; the targets apply to the second.`,
            "",
          ]
        : []),
      "| read | procedure | p50 ms | p99 ms | max ms | rows | bytes | p99 ms as ingested |",
      "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...s.reads.map(
        (r, i) =>
          `| ${r.path} | \`${r.procedure}\` | ${r.p50_ms} | ${r.p99_ms} | ${r.max_ms} | ${fmt(r.rows)} | ${fmt(r.bytes)} | ${s.reads_as_ingested?.[i]?.p99_ms ?? ""} |`,
      ),
      "",
      ...(s.search && s.search.length > 0
        ? [
            "Search (`incidents.list` with `text`, 25 rows; pg_trgm indexes of migration 0012; target p99 ≤ 100 ms):",
            "",
            "| search | p50 ms | p99 ms | max ms | incidents found |",
            "| --- | ---: | ---: | ---: | ---: |",
            ...s.search.map(
              (r) =>
                `| ${r.path.replace(/^search: /, "")} | ${r.p50_ms} | ${r.p99_ms} | ${r.max_ms} | ${fmt(r.rows)} |`,
            ),
            "",
          ]
        : []),
      "Ingest throughput by tenth of the run (does storing more make storing slower?):",
      "",
      "| alerts stored before | alerts | alerts/s | request p99 ms |",
      "| ---: | ---: | ---: | ---: |",
      ...s.ingest_slices.map(
        (x) => `| ${fmt(x.stored_before)} | ${fmt(x.alerts)} | ${fmt(x.alerts_per_s)} | ${x.p99_ms} |`,
      ),
      "",
      `The detail rows read incident ${s.detail_incident.id} (${fmt(s.detail_incident.alert_count)} alerts).`,
      "",
      "Server memory (RSS, MiB):",
      "",
      "| before ingest | peak during ingest | after ingest | after the reads |",
      "| ---: | ---: | ---: | ---: |",
      `| ${s.memory.idle_mib} | ${s.memory.peak_mib} | ${s.memory.after_ingest_mib} | ${s.memory.after_reads_mib} |`,
      "",
      `RSS samples while ingesting (seconds → MiB): ${s.rss_samples.map((r) => `${r.s}→${r.rss_mib}`).join(", ")}.`,
      "",
    );
    const plans = Object.entries(s.plans);
    if (plans.length > 0) {
      lines.push("Query plans of the reads over the target (`EXPLAIN (ANALYZE, BUFFERS)` after the run):", "");
      for (const [procedure, plan] of plans) lines.push(`\`${procedure}\`:`, "", "```", plan.trim(), "```", "");
    }
  }

  if (report.ten_million) lines.push(...renderTenMillionMarkdown(report.ten_million));

  if (report.generate) {
    lines.push(
      "## Generate, store and correlate a 10-minute scenario at 25 alerts/min through the API (target: p50 ≤ 1 s on PGlite)",
      "",
      "| database | runs | p50 ms | max ms |",
      "| --- | ---: | ---: | ---: |",
      ...Object.entries(report.generate).map(([db, g]) => `| ${db} | ${g.runs} | ${g.p50_ms} | ${g.max_ms} |`),
      "",
    );
  }

  if (report.rca) {
    lines.push(
      "## RCA: baseline engine and runbook retrieval (targets: baseline p50 ≤ 5 ms on 1,000 alerts, retrieval p50 ≤ 2 ms)",
      "",
      "| measure | alerts | p50 ms | p99 ms |",
      "| --- | ---: | ---: | ---: |",
      `| baseline \`rankRootCauses\` (with its runbook searches) | ${report.rca.alerts} | ${report.rca.baseline_p50_ms} | ${report.rca.baseline_p99_ms} |`,
      `| retrieval \`RunbookIndex.search\` (one incident query) | | ${report.rca.retrieval_p50_ms} | ${report.rca.retrieval_p99_ms} |`,
      "",
    );
  }

  if (report.imports) lines.push(...renderImportMarkdown(report.imports));

  lines.push(
    "## Soak",
    "",
    SOAK_START,
    kept.soak || "_Not run yet: `pnpm bench:soak` writes this section._",
    SOAK_END,
    "",
  );
  return `${lines.join("\n").replace(/\n{3,}/g, "\n\n")}\n`;
}

function renderTenMillionMarkdown(t: TenMillionReport): string[] {
  const b = t.build;
  return [
    `## ${fmt(t.alerts_stored)} alerts over ${t.partitions.with_data} weekly partitions on PostgreSQL (target: queue and search p99 ≤ 50 ms)`,
    "",
    "`pnpm bench --only tenmillion` (bench/tenMillion.ts): a fresh database migrated by the project's migrations, weekly",
    `partitions ${t.partitions.first} to ${t.partitions.last} made by its partition function (${t.partitions.total} in all with the`,
    "server's current and next weeks), filled with `COPY`: the stored-data benchmark's stream (6-minute `mixed` windows,",
    "correlated by the real correlator, each window then moved into its slot of the week, each incident with its evidence rows; the middle week also holds",
    `the 1,100-alert fiber cut), ${fmt(t.incidents)} incidents (largest ${fmt(t.largest_incident)} alerts), ${fmt(t.unassigned_alerts)} alerts in none,`,
    "the search rows the triggers would have written (from `teleops_search_words`), then `VACUUM (ANALYZE)`. Then one",
    "server process on it, and one client timing each read over HTTP, one request at a time after a warm-up.",
    "",
    `Build: ${b.seconds} s in all (${fmt(b.copied_alerts_per_s)} alerts/s to the last week copied; COPY ${b.copy_s} s, search rows ${b.search_rows_s} s`,
    `beside it, then the word key, vocabulary and counts ${b.finish_s} s and \`VACUUM (ANALYZE)\` ${b.vacuum_s} s; the worker's CPU for`,
    `generating and correlating ${b.generate_cpu_s} s). Stored: ${t.sizes.database_gib} GiB, alerts ${t.sizes.alerts_gib} GiB, incidents ${fmt(t.sizes.incidents_mib)} MiB,`,
    `${fmt(t.sizes.incident_words_rows)} \`incident_words\` rows, ${fmt(t.sizes.vocabulary_words)} vocabulary words, ${fmt(t.sizes.incident_evidence_rows)} \`incident_evidence\` rows. Server RSS after the reads: ${t.server_rss_mib} MiB.`,
    "",
    "| read | procedure | p50 ms | p99 ms | max ms | rows | bytes |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ...[...t.reads, ...t.search].map(
      (r) =>
        `| ${r.path} | \`${r.procedure}\` | ${r.p50_ms} | ${r.p99_ms} | ${r.max_ms} | ${fmt(r.rows)} | ${fmt(r.bytes)} |`,
    ),
    "",
    `The detail rows read incident ${t.detail_incident.id} (${fmt(t.detail_incident.alert_count)} alerts); a search's rows are the incidents found.`,
    "",
    ...Object.entries(t.plans).flatMap(([read, plan]) => [`\`${read}\`:`, "", "```", plan.trim(), "```", ""]),
  ];
}
