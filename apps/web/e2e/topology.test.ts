import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotOnFailure } from "./failures.ts";
import { type App, hasChromium, startApp } from "./harness.ts";

/** Waits for the UI under load (CI runs tests two at a time on two cores). */
const POLL = { timeout: 10_000 };
const samples = (name: string) => fileURLToPath(new URL(`../../../fixtures/data_samples/${name}`, import.meta.url));

describe.skipIf(!hasChromium)("the topology card of the Import page in Chromium", () => {
  let app: App | undefined;
  screenshotOnFailure(() => app);
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  function ready(): App {
    if (!app) throw new Error("the app did not start");
    return app;
  }

  it("says no topology is loaded, then replaces it with NetBox's two CSV exports and shows the new counts", async () => {
    const { page, url } = ready();
    await page.goto(`${url}/import`);
    const summary = page.getByTestId("topology-summary");
    await summary.waitFor(POLL);
    expect(await summary.textContent()).toMatch(/No topology loaded/);

    await page
      .getByTestId("topology-file")
      .setInputFiles([samples("netbox_devices.csv"), samples("netbox_cables.csv")]);
    await page.getByTestId("topology-submit").click();
    await page.getByTestId("topology-result").waitFor(POLL);
    expect(await page.getByTestId("topology-result").textContent()).toMatch(/Stored 14 devices and 11 links/);
    await page.getByText(/14\s+devices and\s+11\s+links, from netbox-csv/).waitFor(POLL);
  });

  it("refuses a broken file and names the line, keeping the topology it had", async () => {
    const { page } = ready();
    await page.getByTestId("topology-file").setInputFiles({
      name: "devices.csv",
      mimeType: "text/csv",
      buffer: Buffer.from('Name,Role,Site\nr1,core,fra1\nr2,"core"x,fra1\n'),
    });
    await page.getByTestId("topology-submit").click();
    await page.getByTestId("error-state").waitFor(POLL);
    expect(await page.getByTestId("error-state").textContent()).toMatch(/line 3/);
    expect(await page.getByTestId("topology-summary").textContent()).toMatch(/14\s+devices/);
  });
});
