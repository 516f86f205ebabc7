import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotOnFailure } from "./failures.ts";
import { type App, burst, hasChromium, startApp } from "./harness.ts";

/** Waits for the UI under load (CI runs tests two at a time on two cores). */
const POLL = { timeout: 10_000 };

interface IncidentList {
  incidents: Array<{ id: string; hosts: string[]; alert_count: number }>;
}

async function incidents(app: App): Promise<IncidentList["incidents"]> {
  const input = encodeURIComponent(JSON.stringify({ limit: 100 }));
  const response = await fetch(`${app.url}/trpc/incidents.list?input=${input}`);
  return ((await response.json()) as { result: { data: IncidentList } }).result.data.incidents;
}

describe.skipIf(!hasChromium)("an operator silences a device for 2 hours in Chromium", () => {
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

  it("opens the form from an incident with its device and site filled in, and previews the last hour", async () => {
    const current = ready();
    expect(await current.postAlerts(burst("fra1-rtr-07", 5, {}, 60_000))).toBe(202);
    const [incident] = await incidents(current);
    expect(incident?.hosts).toEqual(["fra1-rtr-07"]);
    const { page, url } = current;
    await page.goto(`${url}/incidents/${incident?.id}`);
    await page.getByTestId("incident-silence-like").click();
    await page.waitForURL(/\/silences\/new\?/);
    await expect.poll(() => page.getByTestId("silence-matcher-row").count(), POLL).toBe(2);
    expect(await page.getByTestId("silence-match-name-0").inputValue()).toBe("host");
    expect(await page.getByTestId("silence-match-value-0").inputValue()).toBe("fra1-rtr-07");
    expect(await page.getByTestId("silence-match-name-1").inputValue()).toBe("site");
    expect(await page.getByTestId("silence-match-value-1").inputValue()).toBe("fra1");
    await expect
      .poll(() => page.getByTestId("silence-preview-count").textContent(), POLL)
      .toBe("5 alerts of the last hour match.");
  });

  it("says what is wrong with a bad regex before sending anything", async () => {
    const { page } = ready();
    await page.getByTestId("silence-match-op-0").selectOption("=~");
    await page.getByTestId("silence-match-value-0").fill("fra1-rtr-(");
    await page.getByTestId("silence-comment").fill("planned line card swap");
    await page.getByTestId("silence-submit").click();
    await expect
      .poll(() => page.getByRole("alert").first().textContent(), POLL)
      .toMatch(/not a valid regular expression/);
    expect(page.url()).toMatch(/\/silences\/new/);
    await page.getByTestId("silence-match-op-0").selectOption("=");
    await page.getByTestId("silence-match-value-0").fill("fra1-rtr-07");
  });

  it("creates the silence for 2 hours; the device's new alerts arrive silenced and stay out of incidents", async () => {
    const current = ready();
    const { page } = current;
    expect(await page.getByTestId("silence-duration").inputValue()).toBe("2h");
    await page.getByTestId("silence-submit").click();
    await page.waitForURL(/\/silences\?created=SIL-/);
    const row = page.getByTestId("silence-row");
    await expect.poll(() => row.count(), POLL).toBe(1);
    expect(await row.getByTestId("silence-matcher").allTextContents()).toEqual(["host=fra1-rtr-07", "site=fra1"]);
    expect(await row.getByTestId("silence-state").textContent()).toBe("active");
    expect(await row.textContent()).toContain("planned line card swap");
    const before = (await incidents(current)).find((i) => i.hosts.includes("fra1-rtr-07"));
    expect(before?.alert_count).toBe(5);

    // New alarms of the silenced router, and a burst at another router that nothing silences.
    expect(await current.postAlerts(burst("fra1-rtr-07", 4, { alert_type: "bgp_session_down" }))).toBe(202);
    expect(await current.postAlerts(burst("ams1-rtr-01", 4, {}, 120_000))).toBe(202);

    await row.getByTestId("silence-held-toggle").click();
    const held = page.getByTestId("silence-held-alerts").getByTestId("silence-alert-row");
    await expect.poll(() => held.count(), POLL).toBe(4);
    expect(await held.getByTestId("silenced-badge").count()).toBe(4);
    expect(await held.locator("td").nth(5).textContent()).toBe("none");

    // The device's own alert list shows the held alerts with the badge, the earlier ones without.
    await page.goto(`${current.url}/alerts?host=fra1-rtr-07`);
    await expect.poll(() => page.getByTestId("alert-row").count(), POLL).toBe(9);
    expect(await page.getByTestId("alert-row").getByTestId("silenced-badge").count()).toBe(4);
    await page.goBack();

    const after = await incidents(current);
    expect(after.find((i) => i.hosts.includes("fra1-rtr-07"))?.alert_count).toBe(5);
    expect(after.filter((i) => i.hosts.includes("fra1-rtr-07"))).toHaveLength(1);
    expect(after.some((i) => i.hosts.includes("ams1-rtr-01"))).toBe(true);
  });

  it("expires the silence, after which the device's alerts correlate again", async () => {
    const current = ready();
    const { page } = current;
    await page.getByTestId("silence-expire").click();
    await expect.poll(() => page.getByTestId("silence-row").count(), POLL).toBe(0);
    await page.getByTestId("silences-all").click();
    await expect
      .poll(() => page.getByTestId("silence-row").getByTestId("silence-state").textContent(), POLL)
      .toBe("expired");
    expect(await current.postAlerts(burst("fra1-rtr-07", 3, { alert_type: "packet_loss" }))).toBe(202);
    const grown = (await incidents(current)).filter((i) => i.hosts.includes("fra1-rtr-07"));
    expect(grown.reduce((sum, i) => sum + i.alert_count, 0)).toBe(8);
  });

  it("is in the navigation, and a link with match parameters opens the form filled in", async () => {
    const { page, url } = ready();
    await page.goto(`${url}/`);
    await page.getByTestId("nav-silences").click();
    await page.waitForURL(/\/silences$/);
    await page.goto(`${url}/silences/new?match=host%3Dcore-rtr-01&match=alert_type%3Dlink_down`);
    await expect.poll(() => page.getByTestId("silence-matcher-row").count(), POLL).toBe(2);
    expect(await page.getByTestId("silence-match-value-1").inputValue()).toBe("link_down");
  });
});
