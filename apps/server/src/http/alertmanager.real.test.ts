/**
 * The real thing: Debian's `prometheus-alertmanager` binary, configured as docs/integrations/README.md says,
 * delivers firing and then resolved alerts to a running TeleOps. A proxy in front of TeleOps answers 503 to
 * the first delivery of each notification after TeleOps stored it, so Alertmanager retries for real.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../testing.ts";
import { integrationEvents, trpcQuery } from "./webhookTesting.ts";

const ALERTMANAGER_BIN = "/usr/bin/prometheus-alertmanager";
const TOKEN = "real-alertmanager-token";
const available = existsSync(ALERTMANAGER_BIN);
if (!available) {
  console.warn(
    `skipping the real Alertmanager test: ${ALERTMANAGER_BIN} is missing (apt-get install prometheus-alertmanager; .ci/run installs it)`,
  );
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, log: () => string) {
  const deadline = Date.now() + 30_000;
  let last: T | undefined;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (done(last)) return last;
    } catch {
      // Not up yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out after 30 s waiting for ${what}; last: ${JSON.stringify(last)}\n${log()}`);
}

/** Forwards deliveries to TeleOps; the first of each envelope status gets a 503 although TeleOps stored it. */
function flakyProxy(target: string, deliveries: Array<{ status: string; answered: number }>): Server {
  const failed = new Set<string>();
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const status = String((JSON.parse(body.toString("utf8")) as { status?: string }).status);
      fetch(`${target}${req.url ?? "/"}`, {
        method: "POST",
        headers: {
          "content-type": req.headers["content-type"] ?? "application/json",
          authorization: req.headers.authorization ?? "",
          "user-agent": req.headers["user-agent"] ?? "",
        },
        body,
      })
        .then(async (response) => {
          const text = await response.text();
          const answered = failed.has(status) ? response.status : 503;
          failed.add(status);
          deliveries.push({ status, answered });
          res.writeHead(answered, { "content-type": "application/json" });
          res.end(answered === 503 ? '{"error":"proxy drops the first answer"}' : text);
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
  });
}

interface AlertView {
  status: string;
  host: string;
  alert_type: string;
  fingerprint: string;
}

describe.skipIf(!available).each(testBackends())("a real prometheus-alertmanager on $name", (backend) => {
  let database: TestDatabase;
  let teleops: TestServer;
  let proxy: Server;
  let alertmanager: ChildProcess | undefined;
  let workDir = "";
  let amUrl = "";
  let amLog = "";
  const deliveries: Array<{ status: string; answered: number }> = [];

  beforeAll(async () => {
    database = await backend.open();
    teleops = await startTestServer(database, { webhookToken: TOKEN });
    proxy = flakyProxy(teleops.url, deliveries);
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const proxyPort = (proxy.address() as AddressInfo).port;

    workDir = mkdtempSync(join(tmpdir(), "teleops-alertmanager-"));
    const config = join(workDir, "alertmanager.yml");
    // The configuration docs/integrations/README.md documents, with the proxy as the URL.
    writeFileSync(
      config,
      `route:
  receiver: teleops
  group_by: ['site']
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 4h
receivers:
  - name: teleops
    webhook_configs:
      - url: http://127.0.0.1:${proxyPort}/webhooks/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: ${TOKEN}
`,
    );
    const amPort = await freePort();
    amUrl = `http://127.0.0.1:${amPort}`;
    alertmanager = spawn(
      ALERTMANAGER_BIN,
      [
        `--config.file=${config}`,
        `--storage.path=${join(workDir, "data")}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        "--cluster.listen-address=",
        "--log.level=info",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    alertmanager.stdout?.on("data", (chunk: Buffer) => {
      amLog += chunk.toString();
    });
    alertmanager.stderr?.on("data", (chunk: Buffer) => {
      amLog += chunk.toString();
    });
    await waitFor(
      "Alertmanager to be ready",
      async () => (await fetch(`${amUrl}/-/ready`)).status,
      (status) => status === 200,
      () => amLog,
    );
  });

  afterAll(async () => {
    if (alertmanager && alertmanager.exitCode === null) {
      const exited = new Promise((resolve) => alertmanager?.once("exit", resolve));
      alertmanager.kill("SIGTERM");
      await exited;
    }
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
    await teleops?.close();
    await database?.dispose();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("delivers firing then resolved alerts as one incident whose alerts turn resolved, without duplicates", async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const inOneHour = new Date(Date.now() + 3_600_000).toISOString();
    const specs = [
      { alertname: "LinkDown", summary: "et-0/0/1 down on fra1-core-01" },
      { alertname: "IsisAdjacencyDown", summary: "IS-IS adjacency to fra1-core-02 down" },
      { alertname: "BgpNeighborDown", summary: "BGP neighbor 192.0.2.12 down" },
    ];
    const postable = (endsAt: string) =>
      specs.map((spec) => ({
        labels: {
          alertname: spec.alertname,
          instance: "fra1-core-01:9116",
          job: "snmp",
          severity: "critical",
          site: "fra1",
        },
        annotations: { summary: spec.summary },
        startsAt,
        endsAt,
        generatorURL: "http://prometheus.example:9090/graph",
      }));
    const post = async (endsAt: string) => {
      const response = await fetch(`${amUrl}/api/v2/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(postable(endsAt)),
      });
      expect(response.status).toBe(200);
    };
    const teleopsAlerts = () => trpcQuery<{ alerts: AlertView[] }>(teleops, "alerts.list", { limit: 100 });
    const explain = () => `deliveries: ${JSON.stringify(deliveries)}\nalertmanager log:\n${amLog}`;

    await post(inOneHour);
    const firing = await waitFor(
      "three firing alerts in TeleOps",
      teleopsAlerts,
      (page) => page.alerts.length === 3,
      explain,
    );
    expect(firing.alerts.every((a) => a.status === "firing" && a.host === "fra1-core-01")).toBe(true);
    // Alertmanager retried the delivery the proxy failed; TeleOps took the retry as a duplicate.
    await waitFor(
      "the retried firing delivery",
      async () => deliveries,
      (d) => d.some((x) => x.status === "firing" && x.answered === 202),
      explain,
    );

    await post(new Date().toISOString());
    const resolved = await waitFor(
      "the alerts to turn resolved",
      teleopsAlerts,
      (page) => page.alerts.length === 3 && page.alerts.every((a) => a.status === "resolved"),
      explain,
    );
    await waitFor(
      "the retried resolved delivery",
      async () => deliveries,
      (d) => d.some((x) => x.status === "resolved" && x.answered === 202),
      explain,
    );

    expect(new Set(resolved.alerts.map((a) => a.alert_type))).toEqual(
      new Set(["link_down", "isis_adjacency_down", "bgp_neighbor_down"]),
    );
    expect(new Set(resolved.alerts.map((a) => a.fingerprint)).size).toBe(3);
    const incidents = await trpcQuery<{ total: number; incidents: Array<{ alert_count: number }> }>(
      teleops,
      "incidents.list",
    );
    expect(incidents.total).toBe(1);
    expect(incidents.incidents[0]?.alert_count).toBe(3);

    const log = await integrationEvents(teleops, { source: "alertmanager" });
    expect(log.byOutcome.rejected).toBe(0);
    // Alertmanager may first flush part of the group, so there can be more than two accepted deliveries;
    // every alert redelivered after a dropped answer is counted as a duplicate, never stored twice.
    expect(log.byOutcome.accepted).toBeGreaterThanOrEqual(2);
    const redelivered = log.events.reduce((sum, e) => sum + Number(e.summary.duplicates ?? 0), 0);
    expect(redelivered).toBeGreaterThanOrEqual(2);
    expect(log.events.every((e) => e.headers["user-agent"]?.startsWith("Alertmanager/"))).toBe(true);
  });
});
