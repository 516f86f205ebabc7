import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { screenshotOnFailure } from "./failures.ts";
import { type App, burst, hasChromium, startApp } from "./harness.ts";

/** Waits for the UI under load (CI runs tests two at a time on two cores). */
const POLL = { timeout: 15_000 };
const SECRET = "e2e-webhook-secret-5a9d";

describe.skipIf(!hasChromium)("an admin adds a webhook channel on the Integrations page in Chromium", () => {
  let app: App | undefined;
  screenshotOnFailure(() => app);
  const received: Array<{ raw: string; signature: unknown }> = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ raw: Buffer.concat(chunks).toString("utf8"), signature: req.headers["x-teleops-signature"] });
      res.writeHead(200);
      res.end();
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it("adds the channel, sends a test and sees the delivery row; a new incident is delivered too", async () => {
    if (!app) throw new Error("the app did not start");
    const { page, url } = app;
    const { port } = receiver.address() as AddressInfo;
    await page.goto(`${url}/integrations`);
    await page.getByTestId("channel-type").selectOption("webhook");
    await page.getByTestId("channel-url").fill(`http://127.0.0.1:${port}/noc`);
    await page.getByTestId("channel-secret").fill(SECRET);
    await page.getByTestId("channel-add").click();
    const row = page.getByTestId("channel-row");
    await expect.poll(() => row.count(), POLL).toBe(1);
    const rowText = (await row.textContent()) ?? "";
    expect(rowText).toContain(`http://127.0.0.1:${port}/noc`);
    expect(rowText).toContain("…5a9d");
    expect(rowText).not.toContain(SECRET);

    await row.getByTestId("channel-test").click();
    await expect.poll(() => row.getByTestId("channel-test-outcome").textContent(), POLL).toBe("Test delivered");
    const delivery = page.getByTestId("delivery-row");
    await expect.poll(() => delivery.count(), POLL).toBe(1);
    expect(await delivery.first().getAttribute("data-status")).toBe("delivered");
    expect(await delivery.first().textContent()).toContain("test");
    expect(received).toHaveLength(1);
    expect(received[0]?.signature).toBe(
      `sha256=${createHmac("sha256", SECRET)
        .update(received[0]?.raw ?? "")
        .digest("hex")}`,
    );

    // A real incident: the notifier sends its opening, and the page lists that delivery as well.
    expect(await app.postAlerts(burst("fra1-rtr-31", 5))).toBe(202);
    await expect
      .poll(() => page.locator('[data-testid="delivery-row"][data-status="delivered"]').count(), POLL)
      .toBe(2);
    expect(await delivery.first().textContent()).toContain("incident.opened");
  });
});
