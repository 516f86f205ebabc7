import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotOnFailure } from "./failures.ts";
import { type App, hasChromium, startApp } from "./harness.ts";

/** Every page on a fresh database: what it says, and that it says what to do next. */
const EMPTY_PAGES: Array<{ path: string; says: RegExp; next: RegExp }> = [
  { path: "/", says: /No incidents yet/, next: /generate a scenario/i },
  { path: "/observability", says: /No incidents yet/, next: /generate a scenario/i },
  { path: "/audit", says: /No audit events yet/, next: /run the baseline RCA/ },
  { path: "/integrations", says: /No delivery matches yet/, next: /Point Alertmanager/ },
  { path: "/import", says: /No imports yet/, next: /teleops import/ },
  { path: "/evaluation", says: /No evaluation/, next: /teleops evaluate/ },
  { path: "/incidents/INC-000404", says: /not found/, next: /Go to the incident queue/ },
  { path: "/rca/00000000-0000-0000-0000-000000000000/trace", says: /not found/, next: /Go to the incident queue/ },
  { path: "/no-such-page", says: /no page at this address/, next: /Go to the incident queue/ },
];

const QUERY_PAGES = ["/", "/observability", "/audit", "/integrations", "/import", "/incidents/INC-000001"];

describe.skipIf(!hasChromium)("empty and error states in Chromium", () => {
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

  it.each(EMPTY_PAGES)("says what to do next on $path with nothing stored", async ({ path, says, next }) => {
    const { page, url } = ready();
    await page.goto(`${url}${path}`);
    const state = page.getByTestId(/^(empty-state|error-state)$/).first();
    await state.waitFor();
    const text = (await page.locator("main").textContent()) ?? "";
    expect(text).toMatch(says);
    expect(text).toMatch(next);
  });

  it.each(QUERY_PAGES)("explains an unreachable server on %s and offers a retry", async (path) => {
    const { page, url } = ready();
    await page.route("**/trpc/**", (route) => route.abort("connectionrefused"));
    try {
      await page.goto(`${url}${path}`);
      const error = page.getByTestId("error-state").first();
      await error.waitFor({ timeout: 20_000 });
      expect(await error.textContent()).toContain("pnpm start");
      expect(await error.getByRole("button", { name: "Retry" }).count()).toBe(1);
    } finally {
      await page.unroute("**/trpc/**");
    }
  });

  it("shows the alert estimate on the Generate form and will not send a request over 200,000 alerts", async () => {
    const { page, url } = ready();
    let sent = 0;
    await page.route("**/trpc/scenarios.generate**", (route) => {
      sent++;
      return route.abort();
    });
    try {
      await page.goto(`${url}/generate`);
      const estimate = page.getByTestId("generate-estimate");
      await estimate.waitFor();
      expect(await estimate.textContent()).toMatch(/Up to [\d,]+ alerts \(limit 200,000 per request\)/);
      await page.getByTestId("generate-scenario").selectOption("mixed");
      await page.getByTestId("generate-durationMinutes").fill("1440");
      await page.getByTestId("generate-ratePerMinute").fill("10000");
      await page.getByTestId("generate-noisePerMinute").fill("10000");
      expect(await estimate.textContent()).toMatch(/Too large: up to 86,400,000 alerts; the limit is 200,000/);
      expect(await page.getByTestId("generate-submit").isDisabled()).toBe(true);
      await page.getByTestId("generate-form").evaluate((form) => (form as HTMLFormElement).requestSubmit());
      // 3 min × (10,000 × 5 + 10,000) = 180,000: within the limit again.
      await page.getByTestId("generate-durationMinutes").fill("3");
      expect(await estimate.textContent()).toMatch(/Up to 180,000 alerts/);
      expect(await page.getByTestId("generate-submit").isDisabled()).toBe(false);
      expect(sent).toBe(0);
    } finally {
      await page.unroute("**/trpc/scenarios.generate**");
    }
  });
});
