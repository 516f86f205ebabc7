import { describe, expect, it } from "vitest";
import { alertBatchInputSchema, alertInputSchema, toSnakeCase } from "./alert.ts";

const base = {
  timestamp: "2026-11-25T10:00:00Z",
  source_system: "net-snmp",
  host: "fra1-core-01",
  service: "backbone",
  severity: "critical",
  alert_type: "link_down",
  message: "xe-0/0/1 down",
};

describe("alert input normalization", () => {
  it.each([
    ["high", "major"],
    ["MEDIUM", "minor"],
    ["Low", "warning"],
    ["error", "major"],
    ["Critical", "critical"],
    ["info", "info"],
  ])("maps severity %s to %s", (input, expected) => {
    expect(alertInputSchema.parse({ ...base, severity: input }).severity).toBe(expected);
  });

  it("rejects an unknown severity and names the field", () => {
    const result = alertInputSchema.safeParse({ ...base, severity: "apocalyptic" });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["severity"]);
    expect(result.error?.issues[0]?.message).toMatch(/unknown severity "apocalyptic"/);
  });

  it("turns CamelCase alert names into snake_case", () => {
    expect(alertInputSchema.parse({ ...base, alert_type: "LinkDown" }).alert_type).toBe("link_down");
    expect(toSnakeCase("BGPSessionDown")).toBe("bgp_session_down");
    expect(toSnakeCase("cpu-high load")).toBe("cpu_high_load");
  });

  it("normalizes offsets to UTC and refuses a timestamp without a zone", () => {
    expect(alertInputSchema.parse({ ...base, timestamp: "2026-11-25T12:00:00+02:00" }).timestamp).toBe(
      "2026-11-25T10:00:00.000Z",
    );
    const result = alertInputSchema.safeParse({ ...base, timestamp: "2026-11-25 10:00:00" });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["timestamp"]);
  });

  it("keeps unknown fields in raw_payload instead of failing", () => {
    const alert = alertInputSchema.parse({ ...base, raw_payload: { loss_pct: 18 }, ticket: "CHG-1", rack: 4 });
    expect(alert.raw_payload).toEqual({ loss_pct: 18, ticket: "CHG-1", rack: 4 });
  });

  it("applies defaults for optional fields", () => {
    const alert = alertInputSchema.parse({ timestamp: base.timestamp, host: "h1", severity: "minor", alert_type: "x" });
    expect(alert).toMatchObject({ status: "firing", tags: {}, service: "", source_system: "unknown", tenant_id: null });
  });

  it("reports every bad element of a batch with its index", () => {
    const result = alertBatchInputSchema.safeParse([base, { ...base, host: "" }, { ...base, severity: 3 }]);
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["1.host", "2.severity"]));
  });
});
