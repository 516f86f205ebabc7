import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotOnFailure } from "./failures.ts";
import { type App, burst, hasChromium, startApp } from "./harness.ts";

/** Waits for the UI under load (CI runs tests two at a time on two cores). */
const POLL = { timeout: 10_000 };

describe.skipIf(!hasChromium)("ticket buttons with no ServiceNow or Jira configured, in Chromium", () => {
  let app: App | undefined;
  screenshotOnFailure(() => app);
  beforeAll(async () => {
    app = await startApp();
    expect(await app.postAlerts(burst("fra1-core-1", 3))).toBe(202);
  });
  afterAll(async () => {
    await app?.close();
  });

  function ready(): App {
    if (!app) throw new Error("the app did not start");
    return app;
  }

  it("says on each button that it makes a mock ticket, and says so again once it is made", async () => {
    const { page, url } = ready();
    await page.goto(url);
    await page.getByTestId("incident-row").first().click();
    await page.waitForURL("**/incidents/INC-*");
    const servicenow = page.getByTestId("create-ticket-servicenow");
    const jira = page.getByTestId("create-ticket-jira");
    await expect
      .poll(() => servicenow.textContent(), POLL)
      .toBe("Create mock ServiceNow incident (no instance configured)");
    expect(await jira.textContent()).toBe("Create mock Jira issue (no Jira site configured)");
    expect(await jira.getAttribute("title")).toContain("nobody outside TeleOps sees this ticket");

    await servicenow.click();
    await expect
      .poll(() => page.getByTestId("mock-ticket-notice").textContent(), POLL)
      .toBe("INC0010001 is a mock ticket in TeleOps' built-in store; no ServiceNow or Jira was called.");
    await expect.poll(() => page.getByTestId("ticket-row").count(), POLL).toBe(1);
    expect(await servicenow.isDisabled()).toBe(true);
  });

  it("lists both systems as mocks on the Integrations page, naming the variables and no secret", async () => {
    const { page, url } = ready();
    await page.goto(`${url}/integrations`);
    const servicenow = page.getByTestId("ticket-system-servicenow");
    await expect.poll(() => servicenow.getAttribute("data-mode"), POLL).toBe("mock");
    expect(await page.getByTestId("ticket-system-jira").getAttribute("data-mode")).toBe("mock");
    expect(await servicenow.textContent()).toContain(
      "SERVICENOW_INSTANCE_URL, SERVICENOW_USER and SERVICENOW_PASSWORD",
    );
    // The lab is on in a development server, so the shipped samples are there and labelled as examples.
    expect(await page.getByTestId("sample-tickets-note").textContent()).toContain("not incidents of this database");
    await expect.poll(() => page.getByTestId("mock-servicenow").isVisible(), POLL).toBe(true);
    expect(await page.getByTestId("mock-jira").isVisible()).toBe(true);
  });
});
