import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotOnFailure } from "./failures.ts";
import { type App, burst, hasChromium, startApp } from "./harness.ts";

/** Waits for the UI under load (CI runs tests two at a time on two cores). */
const POLL = { timeout: 10_000 };

/** Alertmanager's webhook for two alarms of one router, all in one state. */
function alertmanager(status: "firing" | "resolved", startsAt: string, endsAt = "0001-01-01T00:00:00Z") {
  return {
    receiver: "teleops",
    status,
    alerts: ["LinkDown", "BGPSessionDown"].map((alertname, i) => ({
      status,
      labels: { alertname, instance: "ams9-core-1:9100", job: "snmp", severity: "critical", site: "ams9" },
      annotations: { summary: `${alertname} on ams9-core-1` },
      startsAt,
      endsAt,
      generatorURL: "http://prometheus.example:9090/graph",
      fingerprint: `e2e-auto-${i}`,
    })),
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://alertmanager.example:9093",
    version: "4",
    groupKey: "{}:{}",
    truncatedAlerts: 0,
  };
}

describe.skipIf(!hasChromium)("owners, notes, bulk actions and incidents resolving by themselves in Chromium", () => {
  let app: App | undefined;
  screenshotOnFailure(() => app);
  beforeAll(async () => {
    // TELEOPS_AUTO_RESOLVE_AFTER=0: an incident resolves as soon as its alarms clear.
    app = await startApp({ autoResolveAfterMs: 0 });
    // Two failures far apart in time and place: two incidents.
    expect(await app.postAlerts(burst("fra1-core-1", 3, {}, 20 * 60_000))).toBe(202);
    expect(await app.postAlerts(burst("lis2-core-7", 3))).toBe(202);
  });
  afterAll(async () => {
    await app?.close();
  });

  function ready(): App {
    if (!app) throw new Error("the app did not start");
    return app;
  }

  it("assigns an incident and writes a note that shows in its timeline, Markdown rendered and HTML not", async () => {
    const { page, url } = ready();
    await page.goto(`${url}/?text=fra1-core-1`);
    await page.getByTestId("incident-row").first().click();
    await page.waitForURL("**/incidents/INC-*");
    expect(await page.getByTestId("owner-name").textContent()).toBe("unassigned");
    await page.getByTestId("assign-select").selectOption("local-admin");
    await page.getByTestId("assign-submit").click();
    await expect.poll(() => page.getByTestId("owner-name").textContent(), POLL).toBe("local-admin");

    await page.getByTestId("note-text-input").fill("Checked the **patch panel** on fra1 <img src=x onerror=alert(1)>");
    await page.getByTestId("note-submit").click();
    const note = page.locator("[data-testid=timeline-entry][data-kind=note]");
    await note.waitFor();
    expect(await note.getByTestId("timeline-actor").textContent()).toBe("local-admin");
    await expect.poll(() => note.locator("strong").textContent(), POLL).toBe("patch panel");
    expect(await note.locator("img").count()).toBe(0);
    const kinds = await page
      .getByTestId("timeline-entry")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-kind")));
    expect(kinds).toEqual(["assign", "note"]);
    expect(await page.getByTestId("note-text-input").inputValue()).toBe("");
  });

  it("filters the queue to mine and unassigned, showing each incident's owner", async () => {
    const { page, url } = ready();
    await page.goto(url);
    await page.getByTestId("assignee-mine").click();
    await expect.poll(() => page.getByTestId("incident-row").count(), POLL).toBe(1);
    expect(await page.getByTestId("incident-owner-cell").first().textContent()).toBe("local-admin");
    expect(page.url()).toContain("assignee=mine");
    await page.getByTestId("assignee-unassigned").click();
    await expect.poll(() => page.getByTestId("incident-owner-cell").allTextContents(), POLL).toEqual(["unassigned"]);
  });

  it("selects incidents with the keyboard and acknowledges them together from the bulk bar", async () => {
    const { page, url } = ready();
    await page.goto(url);
    await page.getByTestId("incident-row").nth(1).waitFor();
    await page.keyboard.press("j");
    await page.keyboard.press("x");
    expect(await page.getByTestId("bulk-count").textContent()).toBe("1 selected");
    await page.keyboard.press("j");
    await page.keyboard.press("Shift+X");
    expect(await page.getByTestId("bulk-count").textContent()).toBe("2 selected");
    await page.getByTestId("bulk-acknowledge").click();
    await expect
      .poll(() => page.getByTestId("status-badge").allTextContents(), POLL)
      .toEqual(["Acknowledged", "Acknowledged"]);
    // Acknowledging takes ownership, as it does for one incident.
    expect(await page.getByTestId("incident-owner-cell").allTextContents()).toEqual(["local-admin", "local-admin"]);
    expect(await page.getByTestId("bulk-outcome").textContent()).toContain("2 acknowledged");
    // Each one is in the audit trail with the signed-in user, as a sentence.
    await page.goto(`${url}/audit`);
    await page.getByTestId("audit-row").first().waitFor();
    const rows = await page.getByTestId("audit-row").allTextContents();
    expect(rows.filter((row) => row.includes("(bulk action)") && row.includes("local-admin"))).toHaveLength(2);
    expect(rows.some((row) => row.includes("assigned to local-admin"))).toBe(true);
  });

  it("watches an incident resolve by itself after Alertmanager resolves its alerts", async () => {
    const { page, url } = ready();
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const post = (body: unknown) =>
      fetch(`${url}/webhooks/alertmanager`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await post(alertmanager("firing", startsAt))).status).toBe(202);
    await page.goto(`${url}/?text=ams9-core-1`);
    await page.getByTestId("incident-row").first().click();
    await page.waitForURL("**/incidents/INC-*");
    await page.getByTestId("action-acknowledge").waitFor();

    expect((await post(alertmanager("resolved", startsAt, new Date().toISOString()))).status).toBe(202);
    // No reload: the live feed brings the system's resolve to the open page.
    await page.getByTestId("action-reopen").waitFor({ timeout: 10_000 });
    const last = page.getByTestId("timeline-entry").last();
    await expect.poll(() => last.getByTestId("timeline-actor").textContent(), POLL).toBe("system");
    expect(await last.getByTestId("timeline-summary").textContent()).toContain("resolved (every alarm cleared)");
  });

  it("imports old history through the Import page: stored resolved, kept out of the open queue, and said so", async () => {
    const { page, url } = ready();
    const line = (second: number, alertType: string) =>
      JSON.stringify({
        timestamp: `2025-02-03T04:05:${String(second).padStart(2, "0")}Z`,
        source_system: "snmp",
        host: "mad3-core-2",
        service: "backbone",
        severity: "critical",
        alert_type: alertType,
        message: `${alertType} on mad3-core-2`,
      });
    await page.goto(`${url}/import`);
    await page.getByTestId("import-file").setInputFiles({
      name: "history.jsonl",
      mimeType: "application/x-ndjson",
      buffer: Buffer.from(`${line(0, "link_down")}\n${line(3, "bgp_session_down")}\n`),
    });
    const submit = page.getByTestId("import-submit");
    await expect.poll(() => submit.isEnabled(), { timeout: 15_000 }).toBe(true);
    await submit.click();
    await page.getByTestId("import-resolved-history").waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("import-resolved-history").textContent()).toContain(
      "1 of these incidents was stored resolved",
    );
    await page.goto(`${url}/?status=open&text=mad3-core-2`);
    await page.getByText("No incidents match these filters.").waitFor();
  });
});
