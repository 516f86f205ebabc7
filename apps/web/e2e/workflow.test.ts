import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotOnFailure } from "./failures.ts";
import { type App, hasChromium, startApp } from "./harness.ts";

/** Waits for the UI under load (CI runs tests two at a time on two cores). */
const POLL = { timeout: 10_000 };

const SAMPLE = fileURLToPath(new URL("../../../fixtures/data_samples/alerts_export.csv", import.meta.url));

describe.skipIf(!hasChromium)(
  "an operator's shift in Chromium: generate, investigate, review, evaluate, report",
  () => {
    let app: App | undefined;
    let incidentId = "";
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

    it("generates a fiber cut and shows its ground truth beside the incident it formed", async () => {
      const { page, url } = ready();
      await page.goto(`${url}/generate`);
      await page.getByTestId("generate-scenario").selectOption("fiber_cut");
      await page.getByTestId("generate-seed").fill("7");
      await page.getByTestId("generate-submit").click();
      await page.getByTestId("generate-result").waitFor();
      expect(await page.getByTestId("ground-truth-scenario").first().textContent()).toBe("fiber_cut");
      expect(await page.getByTestId("ground-truth-root-component").first().textContent()).toMatch(/\S/);
      incidentId = (await page.getByTestId("generated-incident").first().textContent()) ?? "";
      expect(incidentId).toMatch(/^INC-\d{6}$/);
    });

    it("opens the incident with its context, timeline, root alarm and devices grouped by site and layer", async () => {
      const { page } = ready();
      await page.getByTestId("generated-incident").first().click();
      await page.waitForURL(`**/incidents/${incidentId}`);
      await page.getByTestId("context-card").waitFor();
      await page.getByTestId("alert-timeline").locator(".recharts-bar-rectangle").first().waitFor();
      expect(await page.getByTestId("root-alarm").textContent()).toContain("Root alarm");
      // Made of generated alerts: marked as lab data, so nobody mistakes the drill for an outage.
      expect(await page.getByTestId("synthetic-badge").textContent()).toBe("Lab data");
      await page.getByTestId("device-site").first().waitFor();
      expect(await page.getByTestId("device-site").first().textContent()).toMatch(/Site\s*\w+.*layer/i);
      // The timeline is on the first screen, not below the RCA.
      const top = await page.getByTestId("timeline-card").evaluate((card) => card.getBoundingClientRect().top);
      expect(top).toBeLessThan(800);
    });

    it("runs the baseline RCA, shows its hypotheses, and marks the root alarm the RCA cites", async () => {
      const { page } = ready();
      await page.getByTestId("rca-run-baseline").click();
      const hypotheses = page.getByTestId("rca-column-baseline").getByTestId("rca-hypothesis");
      await hypotheses.first().waitFor();
      expect(await hypotheses.count()).toBeGreaterThan(0);
      expect(await hypotheses.first().getByTestId("rca-category").textContent()).toMatch(/\S/);
      await expect.poll(() => page.getByTestId("root-alarm").textContent(), POLL).toContain("cited by the RCA");
    });

    it("accepts the result and finds the review in the audit trail", async () => {
      const { page, url } = ready();
      await page.getByTestId("rca-review-notes").first().fill("optical power drop confirmed on the ROADM");
      await page.getByTestId("rca-accept").first().click();
      await page.getByTestId("rca-review-done").first().waitFor();
      await page.goto(`${url}/audit`);
      const row = page.getByTestId("audit-row").first();
      await row.waitFor();
      expect(await row.textContent()).toContain(incidentId);
      expect(await row.textContent()).toContain("accepted");
    });

    it("reports the accepted category, the acceptance rate and the compression as charts", async () => {
      const { page, url } = ready();
      await page.goto(`${url}/observability`);
      await page.getByTestId("chart-alerts").locator(".recharts-wrapper").waitFor();
      expect(await page.getByTestId("stat-acceptance").textContent()).toContain("100%");
      expect(await page.getByTestId("chart-categories").textContent()).not.toContain("No incidents");
      await page.getByTestId("chart-acceptance").locator(".recharts-wrapper").waitFor();
      await page.getByTestId("chart-latency").locator(".recharts-wrapper").waitFor();
      await page.getByTestId("chart-compression").locator(".recharts-wrapper").waitFor();
      expect(await page.getByTestId("stat-compression").textContent()).toMatch(/alerts per incident/);
      expect(await page.getByTestId("chart-evaluation").textContent()).toContain("teleops evaluate");
      await page.getByTestId("range-all").click();
      await page.waitForURL(/range=all/);
    });

    it("shows the correlator's F1 per labelled stream against the target, with the figures behind it", async () => {
      const { page, url } = ready();
      await page.goto(`${url}/evaluation`);
      const panel = page.getByTestId("correlation-quality");
      await panel.getByTestId("correlation-f1-chart").locator(".recharts-wrapper").waitFor({ timeout: 30_000 });
      expect(await panel.getByTestId("correlation-targets").textContent()).toMatch(/F1 ≥ 0.95/);
      const rows = panel.getByTestId("correlation-streams").locator("tbody tr");
      expect(await rows.count()).toBeGreaterThan(0);
      expect(await panel.getByTestId("correlation-streams").locator("tfoot").textContent()).toMatch(/micro-averaged/);
    });

    it("runs an evaluation on the Evaluation page and draws it on the Observability trend", async () => {
      const { page, url } = ready();
      await page.goto(`${url}/evaluation`);
      await page.getByTestId("run-evaluation").click();
      await page.getByTestId("evaluation-result").waitFor({ timeout: 45_000 });
      await page.goto(`${url}/observability`);
      await page.getByTestId("chart-evaluation").locator(".recharts-wrapper").waitFor();
      expect(await page.getByTestId("chart-evaluation").textContent()).not.toContain("No evaluation run yet");
    });

    it("imports a sample export through the Import page and links the incidents it formed", async () => {
      const { page, url } = ready();
      await page.goto(`${url}/import`);
      await page.getByTestId("import-file").setInputFiles(SAMPLE);
      const submit = page.getByTestId("import-submit");
      await expect.poll(() => submit.isEnabled(), { timeout: 15_000 }).toBe(true);
      await submit.click();
      await page.getByTestId("import-result").waitFor({ timeout: 30_000 });
      expect(await page.getByTestId("import-result").textContent()).toContain("alerts_export.csv");
      expect(await page.getByTestId("import-incident").count()).toBeGreaterThan(0);
    });
  },
);
