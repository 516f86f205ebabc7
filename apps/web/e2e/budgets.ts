/**
 * The web UI's budgets, measured: initial JavaScript of the built SPA (gzipped) and its lazily loaded chunks; the
 * incident queue with 10,000 incidents on the embedded database, in Chromium: first rows after navigation, and a
 * severity-chip or sort click until the new rows are rendered. `pnpm bench:ui` prints one JSON document.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { ensureSpaBuilt, hasChromium, startApp } from "./harness.ts";

const DIST = fileURLToPath(new URL("../dist", import.meta.url));
const INCIDENTS = 10_000;
const RUNS = 5;

const gzipKib = (file: string) => gzipSync(readFileSync(join(DIST, file))).length / 1024;
const round = (n: number) => Math.round(n * 10) / 10;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** Scripts the page loads before anything else: the entry module and what it preloads. */
function bundle() {
  const html = readFileSync(join(DIST, "index.html"), "utf8");
  const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((match) => match[1] ?? "");
  const all = readdirSync(join(DIST, "assets"))
    .filter((file) => file.endsWith(".js"))
    .map((file) => `assets/${file}`);
  const lazy = all.filter((file) => !initial.includes(file));
  return {
    initial_js_gzip_kib: round(initial.reduce((sum, file) => sum + gzipKib(file), 0)),
    initial_files: initial,
    lazy_chunks: lazy.length,
    lazy_js_gzip_kib: round(lazy.reduce((sum, file) => sum + gzipKib(file), 0)),
  };
}

/**
 * Page-side code as a string: tsx would wrap a function literal in helpers the page does not have. Clicks
 * `selector` and resolves with the milliseconds until the rows changed (all of `severity`, when given).
 */
function timeClick(selector: string, severity: string | null): string {
  return `new Promise((resolve) => {
    const first = () => document.querySelector("[data-testid=incident-row]")?.getAttribute("data-incident-id");
    const badges = () => [...document.querySelectorAll("[data-testid=incident-row] [data-testid=severity-badge]")];
    const wanted = ${JSON.stringify(severity)};
    const before = first();
    const started = performance.now();
    document.querySelector(${JSON.stringify(selector)}).click();
    const check = () => {
      const done = wanted === null
        ? first() !== before
        : badges().length > 0 && badges().every((badge) => badge.textContent === wanted);
      if (done) resolve(performance.now() - started);
      else requestAnimationFrame(check);
    };
    check();
  })`;
}

async function queue() {
  const app = await startApp();
  try {
    await app.database.db.execute(`
      insert into incidents (id, tenant_id, title, severity, status, start_time, end_time, alert_count, hosts,
                             services, sites)
      select 'INC-' || lpad(g::text, 6, '0'), 'default', 'Link down on host-' || g || ' and 1 more host',
             (array['critical','major','minor','warning','info'])[1 + g % 5],
             (array['open','acknowledged','resolved'])[1 + g % 3],
             now() - (g || ' minutes')::interval, now() - (g || ' minutes')::interval + interval '10 minutes',
             1 + (g * 7919) % 500, array['host-' || g, 'host-' || (g + 1)], array['backbone'], array['fra1']
      from generate_series(1, ${INCIDENTS}) g`);
    const { page, url } = app;
    const firstRows: number[] = [];
    const filter: number[] = [];
    const sort: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const started = Date.now();
      await page.goto(`${url}/`);
      await page.getByTestId("incident-row").first().waitFor();
      firstRows.push(Date.now() - started);
      await page.mouse.move(5, 790);
      const severity = ["major", "critical", "minor", "warning", "info"][run % 5] ?? "major";
      filter.push(await page.evaluate(timeClick(`[data-testid=filter-chip-severity-${severity}]`, severity)));
      sort.push(await page.evaluate(timeClick("[data-testid=sort-alert_count]", null)));
    }
    return {
      incidents: INCIDENTS,
      runs: RUNS,
      first_rows_ms: { median: Math.round(median(firstRows)), max: Math.max(...firstRows) },
      filter_to_rows_ms: { median: Math.round(median(filter)), max: Math.round(Math.max(...filter)) },
      sort_to_rows_ms: { median: Math.round(median(sort)), max: Math.round(Math.max(...sort)) },
    };
  } finally {
    await app.close();
  }
}

await ensureSpaBuilt();
const report = {
  budgets: { initial_js_gzip_kib: 250, filter_to_rows_ms: 100, first_rows_ms: 1_000 },
  bundle: bundle(),
  queue: hasChromium ? await queue() : null,
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);

// `pnpm bench` runs this after bench/run.ts; the section replaces its previous version on the page.
const UI_START = "<!-- ui:start -->";
const UI_END = "<!-- ui:end -->";
const page = fileURLToPath(new URL("../../../docs/performance.md", import.meta.url));
if (!process.argv.includes("--quick") && existsSync(page)) {
  const q = report.queue;
  const row = (what: string, budget: string, measured: string, met: boolean) =>
    `| ${what} | ${budget} | ${measured} | ${met ? "yes" : "**no**"} |`;
  const section = [
    UI_START,
    "## SPA budgets (`apps/web/e2e/budgets.ts`, Chromium, embedded database)",
    "",
    `Measured with ${q?.incidents ?? "—"} incidents on PGlite, ${q?.runs ?? 0} runs; route chunks are lazy-loaded (${report.bundle.lazy_chunks} chunks, ${report.bundle.lazy_js_gzip_kib} KiB gzipped).`,
    "",
    "| measure | budget | measured | met |",
    "| --- | --- | --- | --- |",
    row(
      "initial JavaScript, gzipped",
      "≤ 250 KiB",
      `${report.bundle.initial_js_gzip_kib} KiB`,
      report.bundle.initial_js_gzip_kib <= 250,
    ),
    q
      ? row(
          "filter change → rendered rows",
          "≤ 100 ms",
          `median ${q.filter_to_rows_ms.median} ms, max ${q.filter_to_rows_ms.max} ms`,
          q.filter_to_rows_ms.median <= 100,
        )
      : "| filter change → rendered rows | ≤ 100 ms | not measured (no Chromium) | — |",
    q
      ? row(
          "first render of the queue",
          "≤ 1 s",
          `median ${q.first_rows_ms.median} ms, max ${q.first_rows_ms.max} ms`,
          q.first_rows_ms.median <= 1_000,
        )
      : "| first render of the queue | ≤ 1 s | not measured (no Chromium) | — |",
    UI_END,
  ].join("\n");
  const current = readFileSync(page, "utf8");
  const a = current.indexOf(UI_START);
  const b = current.indexOf(UI_END);
  const next =
    a >= 0 && b > a
      ? `${current.slice(0, a)}${section}${current.slice(b + UI_END.length)}`
      : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(page, next);
}
