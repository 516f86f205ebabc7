import { createReadStream } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseCsv } from "./csv.ts";
import type { ImportRecord } from "./validate.ts";

const NOW = Date.parse("2025-10-03T00:00:00Z");
const SAMPLE = fileURLToPath(new URL("../../../../fixtures/data_samples/alerts_export.csv", import.meta.url));

async function collect(source: AsyncIterable<ImportRecord>): Promise<ImportRecord[]> {
  const out: ImportRecord[] = [];
  for await (const item of source) out.push(item);
  return out;
}
const errors = (records: ImportRecord[]) =>
  records.flatMap((r) => ("error" in r ? [{ line: r.line, error: r.error }] : []));
const accepted = (records: ImportRecord[]) => records.flatMap((r) => ("alert" in r ? [r] : []));

const HEADER = "timestamp,host,severity,alert_type,message,tags.site,ticket_ref";

describe("CSV importer", () => {
  it("maps columns by header, with quoted commas and newlines, a BOM and CRLF line ends", async () => {
    const text = `\uFEFF${HEADER}\r\n2025-10-02T10:20:13Z,mad-core-fw-01,major,PolicyDenyRateHigh,"deny rate 9000/s, rule 4012",mad-dc2,INC-1\r\n2025-10-02T10:21:00Z,mad-vpn-gw-1,critical,ipsec_tunnel_down,"tunnel down\r\nIKE SA expired, ""rekey"" blocked",mad-dc2,\r\n2025-10-02T10:22:00Z,mad-app-1,minor,health_check_failed,timeout,mad-dc2,\r\n`;
    const records = await collect(parseCsv([text], { now: NOW }));
    expect(errors(records)).toEqual([]);
    expect(accepted(records).map((r) => r.line)).toEqual([2, 3, 5]);
    const [first, second] = accepted(records);
    expect(first?.alert).toMatchObject({
      host: "mad-core-fw-01",
      severity: "major",
      alert_type: "policy_deny_rate_high",
      message: "deny rate 9000/s, rule 4012",
      tags: { site: "mad-dc2" },
      raw_payload: { ticket_ref: "INC-1" },
    });
    expect(second?.alert.message).toBe('tunnel down\nIKE SA expired, "rekey" blocked');
    expect(second?.alert.raw_payload).toEqual({});
  });

  it("reads tags from a JSON tags column and merges tags.* columns", async () => {
    const text = `timestamp,host,severity,alert_type,tags,tags.region\n2025-10-02T10:20:13Z,h1,info,x,"{""site"":""mad-dc2"",""rack"":7}",eu-south\n2025-10-02T10:20:13Z,h2,info,x,not-json,eu-south\n`;
    const records = await collect(parseCsv([text], { now: NOW }));
    expect(accepted(records)[0]?.alert.tags).toEqual({ site: "mad-dc2", rack: "7", region: "eu-south" });
    expect(errors(records)).toEqual([{ line: 3, error: "tags: not a JSON object: not-json" }]);
  });

  it("rejects every record with a clear reason when the header lacks a required column", async () => {
    const text = "timestamp,severity,alert_type\n2025-10-02T10:20:13Z,major,x\n2025-10-02T10:20:14Z,major,x\n";
    expect(errors(await collect(parseCsv([text], { now: NOW })))).toEqual([
      { line: 2, error: 'the header has no "host" column' },
      { line: 3, error: 'the header has no "host" column' },
    ]);
  });

  it("rejects a row with a missing field on its line and loads the others", async () => {
    const text = `${HEADER}\n2025-10-02T10:20:13Z,h1,major,x,m,s,t\n2025-10-02T10:20:14Z,h2,major,x,m\n2025-10-02T10:20:15Z,h3,major,x,m,s,t\n`;
    const records = await collect(parseCsv([text], { now: NOW }));
    expect(errors(records)).toEqual([{ line: 3, error: "row has 5 fields but the header has 7" }]);
    expect(accepted(records).map((r) => r.alert.host)).toEqual(["h1", "h3"]);
  });

  it("rejects a row with bytes that are not UTF-8", async () => {
    const encoder = new TextEncoder();
    const chunks = [
      encoder.encode(`${HEADER}\n2025-10-02T10:20:13Z,h`),
      new Uint8Array([0xff]),
      encoder.encode(",major,x,m,s,t\n2025-10-02T10:20:15Z,h3,major,x,m,s,t\n"),
    ];
    const records = await collect(parseCsv(chunks, { now: NOW }));
    expect(errors(records)).toEqual([{ line: 2, error: "row is not valid UTF-8 text" }]);
    expect(accepted(records)).toHaveLength(1);
  });

  it("keeps the rows before a quoting error and says where reading stopped", async () => {
    const text = `${HEADER}\n2025-10-02T10:20:13Z,h1,major,x,m,s,t\n2025-10-02T10:20:14Z,h2,major,x,"unterminated,s,t\n2025-10-02T10:20:15Z,h3,major,x,m,s,t\n`;
    const records = await collect(parseCsv([text], { now: NOW }));
    expect(accepted(records).map((r) => r.alert.host)).toEqual(["h1"]);
    expect(errors(records)).toEqual([
      {
        line: 3,
        error: expect.stringMatching(/^CSV syntax error: Quote Not Closed.*the rest of the file was not read$/),
      },
    ]);
  });

  it("reads nothing from an empty file or a header alone", async () => {
    expect(await collect(parseCsv([], { now: NOW }))).toEqual([]);
    expect(await collect(parseCsv([`${HEADER}\r\n`], { now: NOW }))).toEqual([]);
  });

  it("imports the shipped export sample without a rejected row", async () => {
    const records = await collect(parseCsv(createReadStream(SAMPLE, { highWaterMark: 512 }), { now: NOW }));
    expect(errors(records)).toEqual([]);
    expect(accepted(records).length).toBeGreaterThanOrEqual(40);
    const commit = accepted(records).find((r) => r.alert.alert_type === "firewall_policy_commit");
    expect(commit?.alert.message).toContain("\nComment:");
  });
});
