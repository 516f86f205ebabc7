/**
 * Browser tests run the built SPA in Debian's Chromium against a real TeleOps server started in this process on
 * a random port, over a fresh embedded database; on failure they keep a screenshot.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { startTestServer, type TestServer } from "@teleops/server/testing";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";

export const CHROMIUM = "/usr/bin/chromium";
/** CI installs Chromium; a machine without it skips the browser tests and says so. */
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`browser tests skipped: ${CHROMIUM} not found (install Debian's chromium package to run them)`);
}

const WEB_DIR = fileURLToPath(new URL("..", import.meta.url));
const DIST_DIR = join(WEB_DIR, "dist");
const DIST_INDEX = join(DIST_DIR, "index.html");
/** Failure screenshots land here, and their paths are printed to the test log. */
export const ARTIFACTS_DIR = join(WEB_DIR, "e2e", "artifacts");
const BUILD_LOCK = join(tmpdir(), "teleops-web-build.lock");

function newestMtime(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function distIsCurrent(): boolean {
  if (!existsSync(DIST_INDEX)) return false;
  const sources = ["src", "index.html", "vite.config.ts", "package.json"].map((p) => join(WEB_DIR, p));
  const newestSource = Math.max(...sources.filter(existsSync).map(newestMtime));
  return statSync(DIST_INDEX).mtimeMs >= newestSource;
}

/**
 * Builds the SPA when `dist` is missing or older than its sources (a fresh clone running `pnpm test`); CI has
 * built it already. Parallel test files take turns through a lock directory.
 */
export async function ensureSpaBuilt(): Promise<void> {
  await withBuildLock(async () => {
    if (!distIsCurrent()) await build({ root: WEB_DIR, logLevel: "warn" });
  });
}

/**
 * A private copy of the built SPA for one test server: the server lists its static files once at start, so a
 * rebuild of `dist` by another run (new hashed file names) must not pull the page out from under a test.
 */
async function builtSpaCopy(): Promise<string> {
  const copy = mkdtempSync(join(tmpdir(), "teleops-web-dist-"));
  await withBuildLock(async () => {
    if (!distIsCurrent()) await build({ root: WEB_DIR, logLevel: "warn" });
    cpSync(DIST_DIR, copy, { recursive: true });
  });
  return copy;
}

async function withBuildLock(work: () => Promise<void>): Promise<void> {
  for (let waited = 0; ; waited += 250) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      // Another test file is building; a lock left by a killed run expires after two minutes.
      if (waited > 120_000) rmSync(BUILD_LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    await work();
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

export interface App {
  url: string;
  database: TestDatabase;
  browser: Browser;
  page: Page;
  /** POSTs canonical alerts to `/webhooks/alerts` and returns the HTTP status. */
  postAlerts(alerts: unknown[]): Promise<number>;
  /** Saves a screenshot named after the test and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startApp(options: { autoResolveAfterMs?: number } = {}): Promise<App> {
  const webDist = await builtSpaCopy();
  const [pglite] = testBackends({});
  if (!pglite) throw new Error("no embedded database backend");
  const database = await pglite.open();
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startTestServer(database, { webDist, ...options });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const url = server.url;
    const running = { server, browser };
    return {
      url,
      database,
      browser,
      page,
      async postAlerts(alerts) {
        const response = await fetch(`${url}/webhooks/alerts`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(alerts),
        });
        return response.status;
      },
      async screenshot(name) {
        mkdirSync(ARTIFACTS_DIR, { recursive: true });
        const path = join(ARTIFACTS_DIR, `${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.png`);
        await page.screenshot({ path, fullPage: true });
        return path;
      },
      async close() {
        await running.browser.close();
        await running.server.close();
        await database.dispose();
        rmSync(webDist, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close();
    await server?.close();
    await database.dispose();
    rmSync(webDist, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Canonical alerts for one failing device: `count` critical alerts a second apart, ending `endedAgoMs` ago. Bursts
 * meant as separate failures must start more than a few seconds apart: network alarms beginning together at
 * several sites are one failure to the correlator.
 */
export function burst(host: string, count: number, extra: Record<string, unknown> = {}, endedAgoMs = 0): unknown[] {
  const now = Date.now() - endedAgoMs;
  return Array.from({ length: count }, (_, index) => ({
    timestamp: new Date(now - (count - index) * 1_000).toISOString(),
    source_system: "net-snmp",
    host,
    service: "backbone",
    severity: "critical",
    alert_type: "link_down",
    message: `xe-0/0/${index} down`,
    ...extra,
  }));
}
