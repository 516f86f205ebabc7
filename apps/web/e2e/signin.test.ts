import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { loadAuthenticator, sha256Hex } from "@teleops/server/auth";
import { startTestServer, type TestServer } from "@teleops/server/testing";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, ensureSpaBuilt, hasChromium } from "./harness.ts";

const user = (name: string, role: string, token: string) => ({
  name,
  role,
  tenant: "acme",
  token_sha256: sha256Hex(token),
});
const USERS = [user("vic", "viewer", "viewer-token"), user("olga", "operator", "operator-token")];

describe.skipIf(!hasChromium)("signing in, in Chromium", () => {
  let database: TestDatabase;
  let server: TestServer;
  let devServer: TestServer;
  let browser: Browser;
  let page: Page;
  const file = join(mkdtempSync(join(tmpdir(), "teleops-signin-")), "users.json");
  /** Content-Security-Policy refusals the browser reported: the SPA must need no inline script or style. */
  const refusals: string[] = [];

  beforeAll(async () => {
    await ensureSpaBuilt();
    const [pglite] = testBackends({});
    if (!pglite) throw new Error("no embedded database backend");
    database = await pglite.open();
    writeFileSync(file, JSON.stringify({ users: USERS }));
    server = await startTestServer(database, { auth: loadAuthenticator(file) });
    devServer = await startTestServer(database);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refusals.push(message.text());
    });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await devServer?.close();
    await database?.dispose();
  });

  async function signIn(token: string) {
    await page.getByTestId("signin-token").fill(token);
    await page.getByTestId("signin-submit").click();
  }

  it("asks for a token first, and refuses one the server does not know", async () => {
    await page.goto(server.url);
    await expect.poll(() => page.getByTestId("signin").isVisible()).toBe(true);
    await signIn("not-a-token");
    await expect
      .poll(() => page.getByTestId("signin-problem").textContent())
      .toContain("The server does not accept this token");
    expect(await page.evaluate(() => window.sessionStorage.getItem("teleops.token"))).toBeNull();
  });

  it("shows a viewer who they are and hides what a viewer cannot do", async () => {
    await signIn("viewer-token");
    await expect.poll(() => page.getByTestId("session-badge").textContent()).toContain("vic");
    expect(await page.getByTestId("session-badge").textContent()).toContain("viewer");
    expect(await page.getByTestId("session-badge").textContent()).toContain("acme");
    expect(await page.evaluate(() => window.sessionStorage.getItem("teleops.token"))).toBe("viewer-token");
    expect(await page.evaluate(() => window.localStorage.getItem("teleops.token"))).toBeNull();
    await page.goto(`${server.url}/generate`);
    await expect
      .poll(() => page.getByTestId("role-note").allTextContents())
      .toContainEqual("Generating scenarios needs the admin role; you are signed in as viewer.");
    // The Lab is an admin's: it is not in a viewer's menu.
    expect(await page.getByTestId("nav-lab").count()).toBe(0);
    expect(await page.getByTestId("generate-form").count()).toBe(0);
  });

  it("signs out, and lets an operator in, who works incidents but is not offered the Lab", async () => {
    await page.getByTestId("sign-out").click();
    await expect.poll(() => page.getByTestId("signin-reason").textContent()).toContain("You signed out.");
    await signIn("operator-token");
    await expect.poll(() => page.getByTestId("session-badge").textContent()).toContain("olga");
    await expect
      .poll(() => page.getByTestId("role-note").allTextContents())
      .toContainEqual("Generating scenarios needs the admin role; you are signed in as operator.");
    expect(await page.getByTestId("generate-form").count()).toBe(0);
    expect(await page.getByTestId("nav-lab").count()).toBe(0);
  });

  it("returns to the sign-in screen with a reason when the token is revoked mid-session", async () => {
    writeFileSync(file, JSON.stringify({ users: USERS.slice(0, 1) }));
    const later = new Date(Date.now() + 5_000);
    utimesSync(file, later, later);
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    await page.goto(`${server.url}/audit`);
    await expect.poll(() => page.getByTestId("signin").isVisible()).toBe(true);
    await page.goto(`${server.url}/`);
    await page.getByTestId("signin").waitFor();
    // A reload starts from the sign-in screen because the rejected token was dropped from the tab.
    expect(await page.evaluate(() => window.sessionStorage.getItem("teleops.token"))).toBeNull();
  });

  it("says development mode when the server has no users, and runs without inline scripts or styles", async () => {
    await page.goto(devServer.url);
    await expect
      .poll(() => page.getByTestId("session-badge").textContent())
      .toBe("development mode: no users configured");
    expect(refusals).toEqual([]);
  });

  it("shows the session-ended message after a mid-session 401", async () => {
    writeFileSync(file, JSON.stringify({ users: USERS }));
    const later = new Date(Date.now() + 10_000);
    utimesSync(file, later, later);
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    await page.goto(server.url);
    await signIn("operator-token");
    await page.getByTestId("session-badge").waitFor();
    writeFileSync(file, JSON.stringify({ users: USERS.slice(0, 1) }));
    const evenLater = new Date(Date.now() + 15_000);
    utimesSync(file, evenLater, evenLater);
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    await page.getByRole("link", { name: "Audit" }).click();
    await expect.poll(() => page.getByTestId("signin-reason").textContent()).toContain("Your session ended");
  });
});
