import { execFile } from "node:child_process";
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

/** Four alarms Alertmanager sends for one router a few seconds apart. */
function routerDelivery(host: string, at: number, tag: string) {
  return {
    receiver: "teleops",
    status: "firing",
    alerts: ["LinkDown", "BgpSessionDown", "InterfaceErrors", "PacketLoss"].map((alertname, index) => ({
      status: "firing",
      labels: { alertname, instance: `${host}:9116`, job: "snmp", severity: "critical", site: "fra1" },
      annotations: { summary: `${alertname} on ${host} xe-0/0/${index}` },
      startsAt: new Date(at + index * 3_000).toISOString(),
      endsAt: "0001-01-01T00:00:00Z",
      fingerprint: `${tag}-${host}-${index}`,
    })),
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://alertmanager.example:9093",
    version: "4",
    groupKey: `{}:{host="${host}"}`,
    truncatedAlerts: 0,
  };
}

const [pglite] = testBackends({});

describe("teleops silences", () => {
  let database: TestDatabase;
  let server: TestServer;
  beforeAll(async () => {
    if (!pglite) throw new Error("no PGlite backend");
    database = await pglite.open();
    server = await startTestServer(database);
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  const post = (body: unknown) =>
    fetch(`${server.url}/webhooks/alertmanager`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("silences a device for 2 hours: its alerts arrive silenced and open no incident until it is expired", async () => {
    const added = await teleops([
      "silences",
      "add",
      "--match",
      "host=~core-.*",
      "--match",
      "site=fra1",
      "--duration",
      "2h",
      "--comment",
      "planned",
      "--json",
      "--server",
      server.url,
    ]);
    expect(added.stderr).toBe("");
    expect(added.code).toBe(0);
    const { silence } = JSON.parse(added.stdout);
    expect(silence).toMatchObject({
      id: expect.stringMatching(/^SIL-/),
      matchers: [
        { name: "host", op: "=~", value: "core-.*" },
        { name: "site", op: "=", value: "fra1" },
      ],
      created_by: "local-admin",
      comment: "planned",
    });
    expect(Date.parse(silence.ends_at) - Date.parse(silence.starts_at)).toBe(7_200_000);

    const listed = JSON.parse((await teleops(["silences", "list", "--json", "--server", server.url])).stdout);
    expect(listed.silences.map((s: { id: string }) => s.id)).toEqual([silence.id]);

    expect((await post(routerDelivery("core-rtr-01", Date.now() - 30_000, "during"))).status).toBe(202);
    const alerts = JSON.parse((await teleops(["alerts", "--json", "--server", server.url])).stdout).alerts;
    expect(alerts).toHaveLength(4);
    expect(alerts.every((a: { silenced_by: string; incident_id: null }) => a.silenced_by === silence.id)).toBe(true);
    expect(alerts.every((a: { incident_id: string | null }) => a.incident_id === null)).toBe(true);
    const incidents = JSON.parse((await teleops(["incidents", "--json", "--server", server.url])).stdout).incidents;
    expect(incidents).toEqual([]);

    const expired = await teleops(["silences", "expire", silence.id, "--json", "--server", server.url]);
    expect(expired.code).toBe(0);
    expect(JSON.parse(expired.stdout).silence).toMatchObject({ id: silence.id, state: "expired" });
    expect(JSON.parse((await teleops(["silences", "list", "--json", "--server", server.url])).stdout)).toEqual({
      silences: [],
    });
    const all = JSON.parse((await teleops(["silences", "list", "--all", "--json", "--server", server.url])).stdout);
    expect(all.silences.map((s: { id: string }) => s.id)).toEqual([silence.id]);

    expect((await post(routerDelivery("core-rtr-01", Date.now() - 5_000, "after"))).status).toBe(202);
    const after = JSON.parse((await teleops(["incidents", "--json", "--server", server.url])).stdout).incidents;
    expect(after.map((i: { hosts: string[] }) => i.hosts)).toEqual([["core-rtr-01"]]);
  });

  it("takes --until and a weekly window", async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const once = await teleops([
      "silences",
      "add",
      "--match",
      "alert_type=fan_failure",
      "--until",
      until,
      "--comment",
      "fan on order",
      "--json",
      "--server",
      server.url,
    ]);
    expect(once.code).toBe(0);
    expect(JSON.parse(once.stdout).silence.ends_at).toBe(until);
    const weekly = await teleops([
      "silences",
      "add",
      "--match",
      "site=ams1",
      "--weekly",
      "mon-fri 22:00-02:00 Europe/Berlin",
      "--comment",
      "nightly changes",
      "--json",
      "--server",
      server.url,
    ]);
    expect(weekly.code).toBe(0);
    expect(JSON.parse(weekly.stdout).silence).toMatchObject({
      kind: "weekly",
      schedule: [{ days: [1, 2, 3, 4, 5], start: "22:00", end: "02:00", tz: "Europe/Berlin" }],
    });
  });

  it("exits 2 with a message for a bad matcher, duration or missing comment, before asking the server", async () => {
    const base = ["silences", "add", "--server", "http://127.0.0.1:9", "--json"];
    const badRegex = await teleops([...base, "--match", "host=~core-(", "--duration", "2h", "--comment", "x"]);
    expect(badRegex.code).toBe(2);
    expect(badRegex.stdout).toBe("");
    expect(badRegex.stderr).toMatch(/--match "host=~core-\(": value: not a valid regular expression/);
    const noOp = await teleops([...base, "--match", "core-rtr-01", "--duration", "2h", "--comment", "x"]);
    expect(noOp.code).toBe(2);
    expect(noOp.stderr).toMatch(/is not a matcher/);
    const badDuration = await teleops([...base, "--match", "host=a", "--duration", "2 hours", "--comment", "x"]);
    expect(badDuration.code).toBe(2);
    expect(badDuration.stderr).toMatch(/--duration must look like 90m, 2h or 1d/);
    const noComment = await teleops([...base, "--match", "host=a", "--duration", "2h"]);
    expect(noComment.code).toBe(2);
    expect(noComment.stderr).toMatch(/--comment/);
    const badWeekly = await teleops([
      ...base,
      "--match",
      "host=a",
      "--weekly",
      "mon-fri 22:00-02:00 Mars/Base",
      "--comment",
      "x",
    ]);
    expect(badWeekly.code).toBe(2);
    expect(badWeekly.stderr).toMatch(/not a time zone/);
  });

  it("exits 2 when expiring a silence that does not exist", async () => {
    const missing = await teleops(["silences", "expire", "SIL-000000000000", "--json", "--server", server.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/silence SIL-000000000000 not found/);
  });
});
