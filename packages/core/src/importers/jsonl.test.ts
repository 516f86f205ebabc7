import { describe, expect, it } from "vitest";
import { parseJsonl } from "./jsonl.ts";
import { readLines } from "./lines.ts";
import type { ImportRecord } from "./validate.ts";

const NOW = Date.parse("2025-09-25T00:00:00Z");

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

const alert = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    timestamp: "2025-09-24T12:00:01Z",
    source_system: "net-snmp",
    host: "core-router-1",
    service: "backbone",
    severity: "critical",
    alert_type: "packet_loss",
    message: "Packet loss 18% on xe-0/0/1",
    ...extra,
  });

const errors = (records: ImportRecord[]) =>
  records.flatMap((r) => ("error" in r ? [{ line: r.line, error: r.error }] : []));
const accepted = (records: ImportRecord[]) => records.flatMap((r) => ("alert" in r ? [r] : []));

describe("JSONL importer", () => {
  it("loads the good lines and names the line number of each malformed one", async () => {
    const text = [alert(), "{not json", alert({ host: "core-router-2" }), "", "[1,2]", alert({ host: "edge-1" })].join(
      "\n",
    );
    const records = await collect(parseJsonl([text], { now: NOW }));
    expect(accepted(records).map((r) => [r.line, r.alert.host])).toEqual([
      [1, "core-router-1"],
      [3, "core-router-2"],
      [6, "edge-1"],
    ]);
    expect(errors(records)).toEqual([
      { line: 2, error: expect.stringMatching(/^not valid JSON/) },
      { line: 5, error: "expected one JSON object (an alert) on the line" },
    ]);
  });

  it("rejects wrong field types and unknown severities with the field named", async () => {
    const text = [
      alert({ host: 42 }),
      alert({ tags: "site=ams" }),
      alert({ severity: "urgent" }),
      alert({ host: undefined }),
    ].join("\n");
    const found = errors(await collect(parseJsonl([text], { now: NOW })));
    expect(found.map((e) => e.line)).toEqual([1, 2, 3, 4]);
    expect(found[0]?.error).toMatch(/^host: /);
    expect(found[1]?.error).toMatch(/^tags: /);
    expect(found[2]?.error).toMatch(/severity: unknown severity "urgent"/);
    expect(found[3]?.error).toBe("host: required");
  });

  it("refuses timestamps without a zone and timestamps more than 24 h ahead", async () => {
    const text = [
      alert({ timestamp: "2025-09-24T12:00:01" }),
      alert({ timestamp: "2025-09-26T01:00:00Z" }),
      alert({ timestamp: "2025-09-25T23:00:00Z" }),
      alert({ timestamp: "2025-09-24T14:00:01+02:00" }),
    ].join("\n");
    const records = await collect(parseJsonl([text], { now: NOW }));
    expect(errors(records)).toEqual([
      { line: 1, error: expect.stringMatching(/with a zone/) },
      { line: 2, error: expect.stringMatching(/25 h in the future/) },
    ]);
    expect(accepted(records).map((r) => r.alert.timestamp)).toEqual([
      "2025-09-25T23:00:00.000Z",
      "2025-09-24T12:00:01.000Z",
    ]);
  });

  it("keeps unknown fields in raw_payload and normalizes aliases", async () => {
    const [record] = await collect(
      parseJsonl([alert({ severity: "High", alert_type: "LinkDown", collector: "poller-2", raw_payload: { a: 1 } })], {
        now: NOW,
      }),
    );
    expect(record).toMatchObject({
      line: 1,
      alert: { severity: "major", alert_type: "link_down", raw_payload: { a: 1, collector: "poller-2" } },
    });
  });

  it("reads a 100 KB line, rejecting it only for what the schema refuses", async () => {
    const big = "x".repeat(100 * 1024);
    const text = [alert({ raw_payload: { dump: big } }), alert({ message: big }), alert()].join("\n");
    const records = await collect(parseJsonl([text], { now: NOW }));
    expect(accepted(records).map((r) => r.line)).toEqual([1, 3]);
    expect(errors(records)).toEqual([{ line: 2, error: expect.stringMatching(/^message: /) }]);
    expect(errors(records)[0]?.error.length).toBeLessThan(400);
  });

  it("reports bytes that are not UTF-8 on their line and goes on", async () => {
    const bad = new Uint8Array([
      ...new TextEncoder().encode('{"host":"'),
      0xff,
      0xfe,
      ...new TextEncoder().encode('"}\n'),
    ]);
    const source = [
      new TextEncoder().encode(`${alert()}\n`),
      bad,
      new TextEncoder().encode(`${alert({ host: "b" })}\n`),
    ];
    const records = await collect(parseJsonl(source, { now: NOW }));
    expect(errors(records)).toEqual([{ line: 2, error: "line is not valid UTF-8 text" }]);
    expect(accepted(records).map((r) => r.line)).toEqual([1, 3]);
  });

  it("reads nothing from an empty or blank file", async () => {
    expect(await collect(parseJsonl([], { now: NOW }))).toEqual([]);
    expect(await collect(parseJsonl(["\n\n  \r\n"], { now: NOW }))).toEqual([]);
  });

  it("gives the same records whatever the chunk boundaries, including inside a UTF-8 character", async () => {
    const text = `\uFEFF${alert({ message: "Störung auf der Strecke — 100 %" })}\r\n${alert({ host: "b" })}`;
    const bytes = new TextEncoder().encode(text);
    const oneByteChunks = Array.from(bytes, (b) => new Uint8Array([b]));
    const whole = await collect(parseJsonl([bytes], { now: NOW }));
    expect(await collect(parseJsonl(oneByteChunks, { now: NOW }))).toEqual(whole);
    expect(accepted(whole).map((r) => r.alert.message)).toEqual([
      "Störung auf der Strecke — 100 %",
      "Packet loss 18% on xe-0/0/1",
    ]);
  });
});

describe("line reader", () => {
  it("skips a line longer than the limit without buffering it and keeps counting lines", async () => {
    const long = "y".repeat(300);
    const lines = await collect(
      readLines(["ok\n", long.slice(0, 150), long.slice(150), "\nnext\n"], { maxLineBytes: 64 }),
    );
    expect(lines).toEqual([
      { line: 1, text: "ok" },
      { line: 2, error: "line is longer than 64 bytes; skipped" },
      { line: 3, text: "next" },
    ]);
  });

  it("returns the last line even without a trailing newline", async () => {
    expect(await collect(readLines(["a\nb"]))).toEqual([
      { line: 1, text: "a" },
      { line: 2, text: "b" },
    ]);
  });
});
