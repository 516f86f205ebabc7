import { createReadStream } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAlertmanager } from "./alertmanager.ts";
import { detectFormat } from "./detect.ts";
import { runImport } from "./run.ts";
import type { ImportRecord } from "./validate.ts";

const NOW = Date.parse("2025-10-08T00:00:00Z");
const SAMPLE = fileURLToPath(new URL("../../../../fixtures/data_samples/alertmanager_alerts.json", import.meta.url));

async function collect(source: AsyncIterable<ImportRecord>): Promise<ImportRecord[]> {
  const out: ImportRecord[] = [];
  for await (const item of source) out.push(item);
  return out;
}
const errors = (records: ImportRecord[]) =>
  records.flatMap((r) => ("error" in r ? [{ line: r.line, error: r.error }] : []));
const accepted = (records: ImportRecord[]) => records.flatMap((r) => ("alert" in r ? [r] : []));

const apiAlert = (overrides: Record<string, unknown> = {}) => ({
  labels: {
    alertname: "LinkDown",
    instance: "core-router-1.example.net:9100",
    job: "snmp",
    severity: "critical",
    site: "sto-pop-1",
  },
  annotations: { summary: "xe-0/0/1 down" },
  startsAt: "2025-10-07T03:40:11.000Z",
  endsAt: "2025-10-07T04:20:00.000Z",
  updatedAt: "2025-10-07T04:11:00.000Z",
  generatorURL: "http://prometheus.example.net/graph",
  fingerprint: "3f1c0e2a9b7d6c54",
  receivers: [{ name: "noc-pager" }],
  status: { state: "active", silencedBy: [], inhibitedBy: [] },
  ...overrides,
});

describe("Alertmanager importer", () => {
  it("maps an API v2 alert list as the contract says, with each alert's first line", async () => {
    const text = JSON.stringify(
      [
        apiAlert(),
        apiAlert({
          fingerprint: "aa",
          endsAt: "2025-10-07T04:00:00Z",
          labels: { alertname: "HighLatency", device: "edge-2" },
        }),
      ],
      null,
      2,
    );
    const records = await collect(parseAlertmanager([text], { now: NOW }));
    expect(errors(records)).toEqual([]);
    const [first, second] = accepted(records);
    expect(first?.line).toBe(2);
    expect(first?.alert).toMatchObject({
      fingerprint: "3f1c0e2a9b7d6c54",
      timestamp: "2025-10-07T03:40:11.000Z",
      source_system: "alertmanager",
      host: "core-router-1.example.net",
      service: "snmp",
      severity: "critical",
      alert_type: "link_down",
      message: "xe-0/0/1 down",
      status: "firing",
      tags: { alertname: "LinkDown", site: "sto-pop-1", job: "snmp" },
    });
    expect(second?.line).toBeGreaterThan(20);
    expect(second?.alert).toMatchObject({ host: "edge-2", alert_type: "high_latency", status: "resolved" });
  });

  it("reads the alerts of a webhook envelope and a list of envelopes", async () => {
    const envelope = {
      version: "4",
      status: "firing",
      receiver: "teleops",
      externalURL: "http://alertmanager.example.net",
      alerts: [
        { ...apiAlert(), status: "firing" },
        { ...apiAlert({ fingerprint: "bb" }), status: "resolved" },
      ],
    };
    const single = await collect(parseAlertmanager([JSON.stringify(envelope)], { now: NOW }));
    expect(accepted(single).map((r) => r.alert.status)).toEqual(["firing", "resolved"]);
    expect(accepted(single)[0]?.alert.raw_payload).toMatchObject({ labels: { alertname: "LinkDown" } });
    const listed = await collect(parseAlertmanager([JSON.stringify([envelope, envelope])], { now: NOW }));
    expect(accepted(listed)).toHaveLength(4);
    expect(accepted(listed)[0]?.alert.raw_payload).toMatchObject({ receiver: "teleops" });
  });

  it("rejects a malformed alert on its own line and loads the rest", async () => {
    const text = `[\n${JSON.stringify(apiAlert())},\n${JSON.stringify({ labels: "oops" })},\n${JSON.stringify(apiAlert({ fingerprint: "cc" }))}\n]`;
    const records = await collect(parseAlertmanager([text], { now: NOW }));
    expect(errors(records)).toEqual([{ line: 3, error: expect.stringMatching(/^labels: .*startsAt: required/) }]);
    expect(accepted(records).map((r) => r.line)).toEqual([2, 4]);
  });

  it("stops at a JSON syntax error, keeping the alerts before it and naming the line", async () => {
    const text = `[\n${JSON.stringify(apiAlert())},\n{"labels": {"alertname": "X"},,}\n]`;
    const records = await collect(parseAlertmanager([text], { now: NOW }));
    expect(accepted(records)).toHaveLength(1);
    expect(errors(records)).toEqual([{ line: 3, error: expect.stringMatching(/^JSON syntax error: .*not read$/) }]);
  });

  it("reads nothing from an empty file and refuses a file that is not JSON", async () => {
    expect(await collect(parseAlertmanager([], { now: NOW }))).toEqual([]);
    expect(await collect(parseAlertmanager(["\n  \n"], { now: NOW }))).toEqual([]);
    expect(errors(await collect(parseAlertmanager(["\n\nhello"], { now: NOW })))).toEqual([
      { line: 3, error: 'expected a JSON array or object, found "h"' },
    ]);
  });

  it("imports the shipped API v2 sample, small chunks or whole", async () => {
    const records = await collect(parseAlertmanager(createReadStream(SAMPLE, { highWaterMark: 97 }), { now: NOW }));
    expect(errors(records)).toEqual([]);
    expect(accepted(records).length).toBeGreaterThanOrEqual(25);
    expect(accepted(records).some((r) => r.alert.status === "resolved")).toBe(true);
    const lines = accepted(records).map((r) => r.line);
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
  });
});

describe("format detection", () => {
  it("goes by extension first, then by the first line", () => {
    expect(detectFormat("alerts.jsonl", "")).toBe("jsonl");
    expect(detectFormat("x.ndjson", "")).toBe("jsonl");
    expect(detectFormat("export.CSV", "")).toBe("csv");
    expect(detectFormat("router.log", "")).toBe("syslog");
    expect(detectFormat("dump.json", "[\n  {")).toBe("alertmanager");
    expect(detectFormat("dump.json", '{"timestamp":"2025-01-01T00:00:00Z","host":"a"}\n{')).toBe("jsonl");
    expect(detectFormat("webhook.json", '{"version":"4","alerts":[]}')).toBe("alertmanager");
    expect(detectFormat("messages", "<34>Oct 11 22:14:15 host su: x")).toBe("syslog");
    expect(detectFormat("messages", "Oct 11 22:14:15 host su: x")).toBe("syslog");
    expect(detectFormat("export", "\uFEFFtimestamp,host,severity,alert_type\n")).toBe("csv");
    expect(detectFormat("export", "{\n")).toBe("alertmanager");
    expect(detectFormat("notes.txt", "hello world")).toBeUndefined();
    expect(detectFormat("empty", "")).toBeUndefined();
  });
});

describe("import loop", () => {
  const records = (count: number, badEvery: number): AsyncIterable<ImportRecord> =>
    (async function* () {
      for (let line = 1; line <= count; line++) {
        if (line % badEvery === 0) yield { line, error: `bad ${line}` };
        else
          yield {
            line,
            alert: {
              fingerprint: undefined,
              timestamp: "2025-01-01T00:00:00.000Z",
              source_system: "s",
              host: "h",
              service: "",
              severity: "info",
              alert_type: "t",
              message: "",
              tags: {},
              raw_payload: {},
              tenant_id: null,
              status: "firing",
            },
          };
      }
    })();

  it("counts a dry run without sending anything and keeps the first 100 errors in line order", async () => {
    const tally = await runImport(records(1_000, 3));
    expect(tally).toMatchObject({ read: 1_000, valid: 667, rejected: 333, imported: 0, parseRejected: 333 });
    expect(tally.errors).toHaveLength(100);
    expect(tally.errors[0]).toEqual({ line: 3, message: "bad 3" });
    expect(tally.errors[99]).toEqual({ line: 300, message: "bad 300" });
  });

  it("sends valid records in batches and adds the sink's own rejections", async () => {
    const sizes: number[] = [];
    const tally = await runImport(records(250, 50), {
      batchSize: 100,
      sink: {
        store: async (batch) => {
          sizes.push(batch.length);
          return {
            imported: batch.length - 1,
            duplicates: 1,
            rejected: [{ line: batch[0]?.line ?? 0, message: "server said no" }],
          };
        },
      },
    });
    expect(sizes).toEqual([100, 100, 45]);
    expect(tally).toMatchObject({ read: 250, valid: 245, imported: 242, duplicates: 3, rejected: 8, parseRejected: 5 });
    expect(tally.errors.map((e) => e.line)).toEqual([1, 50, 100, 103, 150, 200, 205, 250]);
  });
});
