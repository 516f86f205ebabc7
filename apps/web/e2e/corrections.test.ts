import { type SeedAlert, seedIncident } from "@teleops/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotOnFailure } from "./failures.ts";
import { type App, hasChromium, startApp } from "./harness.ts";

/** Waits for the UI under load (CI runs tests two at a time on two cores). */
const POLL = { timeout: 10_000 };
/** The tenant of the development user the test server acts as. */
const TENANT = "default";

function at(minute: number): string {
  return new Date(Date.now() - (30 - minute) * 60_000).toISOString();
}

/** A fibre cut at fra1 and, wrongly in the same incident, a DDoS at nyc1. */
const MIXED: SeedAlert[] = [
  {
    host: "fra1-opt-01",
    alertType: "optical_los",
    timestamp: at(0),
    severity: "critical",
    site: "fra1",
    correlationReason: "first signal of the incident",
  },
  {
    host: "fra1-rtr-01",
    alertType: "link_down",
    timestamp: at(1),
    site: "fra1",
    correlationReason: "same site fra1, 60 s after the root; optical LOS → link down",
  },
  { host: "fra1-rtr-02", alertType: "link_down", timestamp: at(2), site: "fra1" },
  { host: "nyc1-edge-01", alertType: "ddos_detected", timestamp: at(5), severity: "critical", site: "nyc1" },
  { host: "nyc1-edge-01", alertType: "high_cpu", timestamp: at(6), severity: "warning", site: "nyc1" },
];
/** More of the fibre cut, which the correlator kept apart. */
const FIBRE_TAIL: SeedAlert[] = [
  { host: "fra1-rtr-03", alertType: "bgp_session_down", timestamp: at(3), site: "fra1" },
  { host: "fra1-rtr-04", alertType: "bgp_session_down", timestamp: at(4), site: "fra1" },
];

describe.skipIf(!hasChromium)("an operator corrects the grouping in Chromium: split, merge, move", () => {
  let app: App | undefined;
  let mixed = { id: "", alertIds: [] as number[] };
  let tail = { id: "", alertIds: [] as number[] };
  let ddosId = "";
  screenshotOnFailure(() => app);
  beforeAll(async () => {
    app = await startApp();
    mixed = await seedIncident(app.database.db, TENANT, MIXED);
    tail = await seedIncident(app.database.db, TENANT, FIBRE_TAIL);
  });
  afterAll(async () => {
    await app?.close();
  });

  function ready(): App {
    if (!app) throw new Error("the app did not start");
    return app;
  }

  it("shows why each alert joined, and nothing for alerts without a reason", async () => {
    const { page, url } = ready();
    await page.goto(`${url}/incidents/${mixed.id}`);
    await expect.poll(() => page.getByTestId("alert-row").count(), POLL).toBe(5);
    const reasons = await page.getByTestId("alert-reason").allTextContents();
    expect(reasons).toEqual([
      "first signal of the incident",
      "same site fra1, 60 s after the root; optical LOS → link down",
      "",
      "",
      "",
    ]);
  });

  it("refuses to split every alert out, saying why and changing nothing", async () => {
    const { page } = ready();
    await page.getByTestId("alert-select-all").check();
    expect(await page.getByTestId("selected-count").textContent()).toBe("5 alerts selected");
    await page.getByTestId("split-start").click();
    await page.getByTestId("correction-confirm").click();
    await expect.poll(() => page.getByTestId("correction-error").textContent(), POLL).toContain("at least one alert");
    await page.getByTestId("alert-select-all").uncheck();
    expect(await page.getByTestId("alert-row").count()).toBe(5);
  });

  it("splits the DDoS alerts, ticked with the keyboard, into a new incident and opens it", async () => {
    const { page } = ready();
    const boxes = page.getByTestId("alert-select");
    await boxes.nth(3).focus();
    await page.keyboard.press("Space");
    // Tab on to the next row's box (the row's own controls, such as the button that opens the alert, come between).
    for (let step = 0; step < 6; step++) {
      await page.keyboard.press("Tab");
      const onBox = await page.evaluate(() => document.activeElement?.getAttribute("data-testid") === "alert-select");
      if (onBox) break;
    }
    await page.keyboard.press("Space");
    expect(await page.getByTestId("selected-count").textContent()).toBe("2 alerts selected");
    await page.getByTestId("split-start").click();
    expect(await page.getByTestId("correction-question").textContent()).toContain(
      `Split 2 alerts out of ${mixed.id} into a new incident?`,
    );
    await page.getByTestId("correction-confirm").click();
    await page.waitForURL(
      (target) => /\/incidents\/INC-\d{6}$/.test(target.pathname) && !target.pathname.endsWith(mixed.id),
    );
    ddosId = new URL(page.url()).pathname.split("/").pop() ?? "";
    await expect.poll(() => page.getByTestId("alert-row").count(), POLL).toBe(2);
    expect(await page.locator("#incident-title").textContent()).toContain("DDoS detected on nyc1-edge-01");
  });

  it("merges the rest of the fibre cut into its incident and marks the merged one", async () => {
    const { page, url } = ready();
    await page.goto(`${url}/incidents/${mixed.id}`);
    await expect.poll(() => page.getByTestId("alert-row").count(), POLL).toBe(3);
    await page.getByTestId("merge-from").fill(tail.id.replace(/^INC-0*/, ""));
    await page.getByTestId("merge-start").click();
    expect(await page.getByTestId("correction-question").textContent()).toContain(`Merge ${tail.id} into ${mixed.id}?`);
    await page.getByTestId("correction-confirm").click();
    await page.getByTestId("merge-done").waitFor();
    await expect.poll(() => page.getByTestId("alert-row").count(), POLL).toBe(5);

    await page.goto(`${url}/incidents/${tail.id}`);
    const banner = page.getByTestId("merged-into");
    await banner.waitFor();
    expect(await banner.textContent()).toContain(`Merged into ${mixed.id}`);
    expect(await page.getByTestId("corrections").count()).toBe(0);
    expect(await page.getByTestId("status-actions").count()).toBe(0);
    await banner.getByRole("link", { name: mixed.id }).click();
    await page.waitForURL(`**/incidents/${mixed.id}`);
  });

  it("moves an alert to another incident by its id and opens that incident", async () => {
    const { page } = ready();
    await expect.poll(() => page.getByTestId("alert-row").count(), POLL).toBe(5);
    await page.getByTestId("alert-select").first().check();
    await page.getByTestId("move-to").fill(ddosId);
    await page.getByTestId("move-start").click();
    await page.getByTestId("correction-confirm").click();
    await page.waitForURL(`**/incidents/${ddosId}`);
    await expect.poll(() => page.getByTestId("alert-row").count(), POLL).toBe(3);
  });

  it("finds the split, the merge and the move in the audit trail, newest first", async () => {
    const { page, url } = ready();
    await page.goto(`${url}/audit`);
    const rows = page.getByTestId("audit-row");
    await rows.first().waitFor();
    const texts = await rows.allTextContents();
    expect(texts[0]).toContain(`moved alerts ${mixed.alertIds[0]} here from ${mixed.id}`);
    expect(texts.some((t) => t.includes(`merged into ${mixed.id}`))).toBe(true);
    expect(texts.some((t) => t.includes(`merged ${tail.id} into this incident`))).toBe(true);
    expect(texts.some((t) => t.includes(`into ${ddosId}`) && t.includes("split alerts"))).toBe(true);
  });
});
