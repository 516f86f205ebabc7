import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotOnFailure } from "./failures.ts";
import { type App, burst, hasChromium, startApp } from "./harness.ts";

/** Waits for the UI under load (CI runs tests two at a time on two cores). */
const POLL = { timeout: 10_000 };

describe.skipIf(!hasChromium)("incident queue in Chromium", () => {
  let app: App | undefined;
  screenshotOnFailure(() => app);
  beforeAll(async () => {
    app = await startApp();
    // Three incidents of different severity at three sites, plus the scattered warnings a real stream carries.
    // They began minutes apart: network alarms beginning together at several sites would be one failure.
    const minutes = 60_000;
    expect(await app.postAlerts(burst("fra1-core-01", 4, { tags: { site: "fra1" } }, 30 * minutes))).toBe(202);
    const ams1 = burst("ams1-core-01", 4, { severity: "major", tags: { site: "ams1" } }, 20 * minutes);
    expect(await app.postAlerts(ams1)).toBe(202);
    const lon1 = burst("lon1-edge-01", 4, { severity: "minor", tags: { site: "lon1" } }, 10 * minutes);
    expect(await app.postAlerts(lon1)).toBe(202);
  });
  afterAll(async () => {
    await app?.close();
  });

  function ready(): App {
    if (!app) throw new Error("the app did not start");
    return app;
  }

  it("filters by severity with a chip and keeps the filter in the URL", async () => {
    const { page, url } = ready();
    await page.goto(`${url}/`);
    await page.getByTestId("incident-row").first().waitFor();
    expect(await page.getByTestId("incident-row").count()).toBe(3);
    await page.getByTestId("filter-chip-severity-major").click();
    await page.waitForURL(/severity=major/);
    await expect.poll(() => page.getByTestId("incident-row").count(), POLL).toBe(1);
    expect(await page.getByTestId("incident-row").first().getByTestId("severity-badge").textContent()).toBe("major");
    // The shared link opens the same view.
    await page.goto(`${url}/?severity=critical,minor`);
    await expect.poll(() => page.getByTestId("incident-row").count(), POLL).toBe(2);
    expect(await page.getByTestId("filter-chip-severity-critical").getAttribute("aria-pressed")).toBe("true");
  });

  it("moves between incidents with j and k, opens one with Enter and comes back with Esc", async () => {
    const { page, url } = ready();
    await page.goto(`${url}/`);
    const rows = page.getByTestId("incident-row");
    await rows.first().waitFor();
    const second = await rows.nth(1).getAttribute("data-incident-id");
    await page.keyboard.press("j");
    await page.keyboard.press("j");
    await page.keyboard.press("j");
    await page.keyboard.press("k");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-incident-id"))).toBe(second);
    // The focused row is visibly outlined.
    const outline = await rows.nth(1).evaluate((row) => getComputedStyle(row).outlineStyle);
    expect(outline).toBe("solid");
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/incidents/${second}`);
    await page.getByTestId("context-card").waitFor();
    await page.keyboard.press("Escape");
    await page.waitForURL((u) => u.pathname === "/");
    await page.getByTestId("incident-row").first().waitFor();
    await page.keyboard.press("/");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("queue-search");
  });

  it("shows a new incident from a webhook without a reload, in place when idle", async () => {
    const { page, url, postAlerts } = ready();
    await page.goto(`${url}/`);
    await page.getByTestId("incident-row").first().waitFor();
    await expect.poll(() => page.getByTestId("refresh-status").textContent(), POLL).toContain("Live");
    await page.mouse.move(5, 790);
    expect(await postAlerts(burst("nyc1-core-01", 4, { tags: { site: "nyc1" } }, 2 * 60_000))).toBe(202);
    await expect.poll(() => page.getByTestId("incident-row").count(), { timeout: 10_000 }).toBe(4);
    expect(await page.getByTestId("incident-row").first().textContent()).toContain("nyc1-core-01");
  });

  it("holds the rows still while the operator points at them and offers the new ones behind a pill", async () => {
    const { page, url, postAlerts } = ready();
    await page.goto(`${url}/`);
    const rows = page.getByTestId("incident-row");
    await rows.first().waitFor();
    await expect.poll(() => page.getByTestId("refresh-status").textContent(), POLL).toContain("Live");
    const before = await rows.evaluateAll((all) => all.map((row) => row.getAttribute("data-incident-id")));
    await rows.nth(1).hover();
    expect(await postAlerts(burst("sin1-core-01", 4, { tags: { site: "sin1" } }))).toBe(202);
    const pill = page.getByTestId("new-incidents-pill");
    await pill.waitFor({ timeout: 10_000 });
    expect(await pill.textContent()).toContain("1 new incident");
    expect(await rows.evaluateAll((all) => all.map((row) => row.getAttribute("data-incident-id")))).toEqual(before);
    await pill.click();
    await expect.poll(() => rows.count(), POLL).toBe(before.length + 1);
    expect(await rows.first().textContent()).toContain("sin1-core-01");
    expect(await pill.count()).toBe(0);
  });
});
