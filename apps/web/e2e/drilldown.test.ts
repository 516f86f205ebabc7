import { seedIncident } from "@teleops/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotOnFailure } from "./failures.ts";
import { type App, hasChromium, startApp } from "./harness.ts";

/** Waits for the UI under load (CI runs tests two at a time on two cores). */
const POLL = { timeout: 10_000 };
/** The tenant of the development user the server acts as without a users file. */
const TENANT = "default";

function minutesAgo(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString();
}

describe.skipIf(!hasChromium)("alert drill-down and search in Chromium", () => {
  let app: App | undefined;
  let ddos = "";
  let link = "";
  screenshotOnFailure(() => app);
  beforeAll(async () => {
    app = await startApp();
    const db = app.database.db;
    const victim = await seedIncident(db, TENANT, [
      {
        host: "nyc1-edge-01",
        alertType: "ddos_detected",
        timestamp: minutesAgo(30),
        severity: "critical",
        site: "nyc1",
        message: "Volumetric DDoS towards 203.0.113.69 (udp/53)",
        tags: { alertname: "DDoSDetected", victim: "customer-ripe" },
        rawPayload: {
          labels: { alertname: "DDoSDetected", instance: "nyc1-edge-01:9100" },
          annotations: {
            summary: "Volumetric DDoS towards 203.0.113.69",
            // The runbook server here is TeleOps itself: the link leads to the rendered section.
            runbook_url: `${app.url}/runbooks/ddos_edge/diagnosis`,
          },
          generatorURL: "http://prometheus.example.net:9090/graph?g0.expr=ddos",
        },
      },
    ]);
    const other = await seedIncident(db, TENANT, [
      {
        host: "fra1-rtr-02",
        alertType: "link_down",
        timestamp: minutesAgo(20),
        site: "fra1",
        message: "Interface GigabitEthernet0/0/1 changed state to down",
      },
    ]);
    ddos = victim.id;
    link = other.id;
  });
  afterAll(async () => {
    await app?.close();
  });

  function ready(): App {
    if (!app) throw new Error("the app did not start");
    return app;
  }

  it("finds an incident by an IP address in one of its alert messages, and keeps the search in the URL", async () => {
    const { page, url } = ready();
    await page.goto(url);
    await page.getByTestId("incident-row").first().waitFor();
    await page.getByTestId("queue-search").fill("203.0.113.69");
    await expect
      .poll(() => page.getByTestId("incident-row").evaluateAll((rows) => rows.map((r) => r.dataset.incidentId)), POLL)
      .toEqual([ddos]);
    expect(new URL(page.url()).searchParams.get("text")).toBe("203.0.113.69");
    await page.reload();
    await page.getByTestId("incident-row").first().waitFor();
    expect(await page.getByTestId("incident-row").evaluateAll((rows) => rows.map((r) => r.dataset.incidentId))).toEqual(
      [ddos],
    );
    // An interface name finds the other one; a site filter from the URL narrows too.
    await page.goto(`${url}/?text=${encodeURIComponent("GigabitEthernet0/0/1")}`);
    await expect
      .poll(() => page.getByTestId("incident-row").evaluateAll((rows) => rows.map((r) => r.dataset.incidentId)), POLL)
      .toEqual([link]);
    await page.goto(`${url}/?site=nyc1`);
    await expect
      .poll(() => page.getByTestId("incident-row").evaluateAll((rows) => rows.map((r) => r.dataset.incidentId)), POLL)
      .toEqual([ddos]);
    expect(await page.getByTestId("filter-site").inputValue()).toBe("nyc1");
  });

  it("opens an alert in the drawer with its labels and links, and follows its runbook link", async () => {
    const { page, url } = ready();
    await page.goto(`${url}/incidents/${ddos}`);
    await page.getByTestId("alert-open").first().click();
    const drawer = page.getByTestId("alert-drawer");
    await drawer.waitFor();
    expect(await drawer.getByTestId("alert-drawer-message").textContent()).toContain("203.0.113.69");
    expect(await drawer.getByTestId("alert-labels").textContent()).toContain("DDoSDetected");
    expect(await drawer.getByTestId("alert-raw").textContent()).toContain("generatorURL");
    const silence = drawer.getByTestId("alert-silence-like");
    expect(await silence.getAttribute("href")).toBe(
      "/silences/new?match=host%3Dnyc1-edge-01&match=alert_type%3Dddos_detected",
    );
    const generator = drawer.getByTestId("alert-link-generator");
    expect(await generator.getAttribute("rel")).toContain("noopener");
    const runbook = drawer.getByTestId("alert-link-runbook");
    expect(await runbook.getAttribute("rel")).toContain("noopener");
    const [opened] = await Promise.all([page.context().waitForEvent("page"), runbook.click()]);
    await opened.getByTestId("runbook-heading").waitFor();
    expect(await opened.getByTestId("runbook-heading").textContent()).toBe("Diagnosis");
    expect((await opened.getByTestId("runbook-body").textContent())?.length ?? 0).toBeGreaterThan(50);
    await opened.close();
    // Esc closes the drawer and stays on the incident.
    await page.keyboard.press("Escape");
    await drawer.waitFor({ state: "detached" });
    expect(page.url()).toContain(`/incidents/${ddos}`);
  });

  it("shows the other alerts of the device from the drawer", async () => {
    const { page, url } = ready();
    await page.goto(`${url}/incidents/${ddos}`);
    await page.getByTestId("alert-open").first().click();
    await page.getByTestId("alert-drawer").waitFor();
    // The open alert is in the URL, so the drawer survives a reload.
    expect(new URL(page.url()).searchParams.get("alert")).toMatch(/^\d+$/);
    await page.reload();
    await page.getByTestId("alert-drawer").waitFor();
    await page.getByTestId("alert-device-alerts").click();
    await page.waitForURL("**/alerts?host=nyc1-edge-01");
    await page.getByTestId("alert-row").first().waitFor();
    const hosts = await page
      .getByTestId("alert-row")
      .evaluateAll((rows) => rows.map((r) => r.children[2]?.textContent));
    expect(hosts.length).toBeGreaterThan(0);
    expect(new Set(hosts)).toEqual(new Set(["nyc1-edge-01"]));
  });

  it("links an RCA runbook citation to the section rendered in the SPA", async () => {
    const { page, url } = ready();
    await page.goto(`${url}/incidents/${ddos}`);
    await page.getByTestId("rca-run-baseline").click();
    const column = page.getByTestId("rca-column-baseline");
    await column.getByTestId("rca-hypothesis").first().waitFor();
    const cited = column.getByTestId("rca-runbook-link").first();
    await cited.waitFor();
    const href = (await cited.getAttribute("href")) ?? "";
    expect(href).toMatch(/^\/runbooks\/[\w-]+\/[\w-]+$/);
    await cited.click();
    await page.getByTestId("runbook-heading").waitFor();
    expect(new URL(page.url()).pathname).toBe(href);
    expect((await page.getByTestId("runbook-body").textContent())?.length ?? 0).toBeGreaterThan(20);
  });
});
