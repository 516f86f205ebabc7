import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { startTestServer, type TestServer } from "@teleops/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

function teleops(args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", MAIN, ...args],
      { env: { ...process.env, TELEOPS_URL: "", TELEOPS_TOKEN: "" } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const [pglite] = testBackends({});

describe("teleops channels", () => {
  let database: TestDatabase;
  let server: TestServer;
  const received: Array<{ raw: string; signature: string | undefined }> = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const signature = req.headers["x-teleops-signature"];
      received.push({
        raw: Buffer.concat(chunks).toString("utf8"),
        signature: typeof signature === "string" ? signature : undefined,
      });
      res.writeHead(200);
      res.end();
    });
  });
  beforeAll(async () => {
    if (!pglite) throw new Error("no PGlite backend");
    database = await pglite.open();
    server = await startTestServer(database);
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    await server?.close();
    await new Promise((resolve) => receiver.close(resolve));
    await database?.dispose();
  });

  it("adds a webhook channel with its route, lists it with the secret masked, and sends a signed test", async () => {
    const { port } = receiver.address() as AddressInfo;
    const secret = "cli-secret-0042c3f1";
    const added = await teleops([
      "channels",
      "add",
      "--type",
      "webhook",
      "--url",
      `http://127.0.0.1:${port}/noc`,
      "--secret",
      secret,
      "--min-severity",
      "major",
      "--match",
      "site=~fra.*",
      "--delay",
      "10m",
      "--json",
      "--server",
      server.url,
    ]);
    expect(added.code).toBe(0);
    const { channel } = JSON.parse(added.stdout) as { channel: Record<string, unknown> };
    expect(channel).toMatchObject({
      type: "webhook",
      url: `http://127.0.0.1:${port}/noc`,
      secret: "…c3f1",
      min_severity: "major",
      matchers: [{ name: "site", op: "=~", value: "fra.*" }],
      delay_ms: 600_000,
    });
    expect(added.stdout).not.toContain(secret);

    const listed = await teleops(["channels", "list", "--json", "--server", server.url]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({ channels: [channel] });
    expect(listed.stdout).not.toContain(secret);

    const tested = await teleops(["channels", "test", String(channel.id), "--json", "--server", server.url]);
    expect(tested.code).toBe(0);
    expect(JSON.parse(tested.stdout)).toMatchObject({ delivery: { status: "delivered", event: "test", attempts: 1 } });
    const [message] = received;
    expect(JSON.parse(message?.raw ?? "{}")).toMatchObject({ event: "test" });
    expect(message?.signature).toBe(
      `sha256=${createHmac("sha256", secret)
        .update(message?.raw ?? "")
        .digest("hex")}`,
    );
  });

  it("takes every severity at once by default, and reports a test that failed with exit 1 and the error", async () => {
    const added = await teleops([
      "channels",
      "add",
      "--type",
      "slack",
      "--url",
      "http://127.0.0.1:9/services/T1/B2/closed",
      "--json",
      "--server",
      server.url,
    ]);
    const { channel } = JSON.parse(added.stdout) as {
      channel: { id: string; min_severity: null; delay_ms: number; url: string };
    };
    expect(channel).toMatchObject({ min_severity: null, delay_ms: 0, url: "http://127.0.0.1:9/services/…" });
    const tested = await teleops(["channels", "test", channel.id, "--json", "--server", server.url]);
    expect(tested.code).toBe(1);
    expect(JSON.parse(tested.stdout)).toMatchObject({ delivery: { status: "failed", last_error: expect.any(String) } });
    expect(tested.stderr).toContain(`test message to ${channel.id} failed`);
  });

  it("refuses bad input with the field named: a usage error before any request, or the server's field path", async () => {
    const badType = await teleops(["channels", "add", "--type", "fax", "--url", "http://x", "--server", server.url]);
    expect(badType).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--type must be one of webhook, slack, pagerduty, email"),
    });
    const badDelay = await teleops([
      "channels",
      "add",
      "--type",
      "webhook",
      "--url",
      "http://x",
      "--delay",
      "soon",
      "--server",
      server.url,
    ]);
    expect(badDelay).toMatchObject({ code: 2, stderr: expect.stringContaining("--delay") });
    const badUrl = await teleops([
      "channels",
      "add",
      "--type",
      "webhook",
      "--url",
      "ftp://x",
      "--json",
      "--server",
      server.url,
    ]);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain("url: url must be an http:// or https:// address");
    const noKey = await teleops(["channels", "add", "--type", "pagerduty", "--json", "--server", server.url]);
    expect(noKey.stderr).toContain("secret: a pagerduty channel needs its routing key as secret");
    const badMatch = await teleops([
      "channels",
      "add",
      "--type",
      "webhook",
      "--url",
      "http://x",
      "--match",
      "team=noc",
      "--server",
      server.url,
    ]);
    expect(badMatch.stderr).toContain(
      'matchers.0.name: a route matches on severity, site, service, host, tenant; "team" is none of them',
    );
  });
});
