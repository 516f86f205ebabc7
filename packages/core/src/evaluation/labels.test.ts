import { describe, expect, it } from "vitest";
import { parseLabelFile } from "./labels.ts";

const GOOD = JSON.stringify({
  case_id: "L-001",
  incident_summary: "Packet loss on core-router-1 during peak hours",
  root_cause: "link congestion on core-router-1 causing packet loss",
  category: "network_degradation",
  root_component: "core-router-1",
  severity: "critical",
  alerts: [
    {
      timestamp: "2025-09-24T12:00:01Z",
      source_system: "net-snmp",
      host: "core-router-1",
      service: "backbone",
      severity: "critical",
      alert_type: "packet_loss",
      message: "Packet loss 18% on xe-0/0/1",
      raw_payload: { loss_pct: 18, interface: "xe-0/0/1" },
    },
  ],
});

describe("label file parsing", () => {
  it("reads the contract's example line, normalizing the alerts as the importer does", () => {
    const parsed = parseLabelFile(`${GOOD}\n`);
    expect(parsed.errors).toEqual([]);
    expect(parsed.cases).toHaveLength(1);
    expect(parsed.cases[0]?.alerts?.[0]).toMatchObject({ host: "core-router-1", status: "firing", tags: {} });
  });

  it("reports each bad line with its line number and reason, and still parses the others", () => {
    const lines = [
      GOOD,
      "",
      "{not json",
      JSON.stringify({ ...JSON.parse(GOOD), case_id: "L-002", category: "power_outage" }),
      JSON.stringify({ ...JSON.parse(GOOD), case_id: "L-003", root_component: "" }),
      JSON.stringify({ ...JSON.parse(GOOD), case_id: "L-004", alerts: [{ host: "x", severity: "loud" }] }),
      JSON.stringify({ ...JSON.parse(GOOD), case_id: "L-005" }),
    ];
    const parsed = parseLabelFile(lines.join("\n"));
    expect(parsed.read).toBe(6);
    expect(parsed.cases.map((c) => c.case_id)).toEqual(["L-001", "L-005"]);
    expect(parsed.errors.map((e) => e.line)).toEqual([3, 4, 5, 6]);
    expect(parsed.errors[0]?.message).toMatch(/not valid JSON/);
    expect(parsed.errors[1]?.message).toMatch(/^category: /);
    expect(parsed.errors[2]?.message).toMatch(/root_component: root_component must not be empty/);
    expect(parsed.errors[3]?.message).toMatch(/alerts\.0\.timestamp/);
    expect(parsed.errors[3]?.message).toMatch(/alerts\.0\.severity: unknown severity "loud"/);
  });

  it("ignores unknown extra fields and accepts a case without alerts (summary only)", () => {
    const { alerts: _alerts, ...summaryOnly } = JSON.parse(GOOD);
    const parsed = parseLabelFile(JSON.stringify({ ...summaryOnly, labeller: "second pass", notes: { x: 1 } }));
    expect(parsed.errors).toEqual([]);
    expect(parsed.cases[0]).not.toHaveProperty("labeller");
    expect(parsed.cases[0]?.alerts).toBeUndefined();
  });

  it("refuses a case id used twice, naming the first line", () => {
    const parsed = parseLabelFile(`${GOOD}\r\n${GOOD}\r\n`);
    expect(parsed.cases).toHaveLength(1);
    expect(parsed.errors).toEqual([{ line: 2, message: "case_id L-001 already used on line 1" }]);
  });
});
