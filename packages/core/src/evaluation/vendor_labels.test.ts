/** The labelled cases in real vendor wording: built from raw feed text by the production importers. */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadLabelFile, VENDOR_LABELS_PATH } from "./labels.ts";

const BUILDER = fileURLToPath(new URL("../../../../fixtures/evaluation/build_vendor_labels.ts", import.meta.url));

describe("the vendor-wording label set", () => {
  const parsed = loadLabelFile(VENDOR_LABELS_PATH);

  it("holds at least 30 valid cases with the root component among the alerting hosts", () => {
    expect(parsed.errors).toEqual([]);
    expect(parsed.cases.length).toBeGreaterThanOrEqual(30);
    for (const c of parsed.cases) {
      expect(
        c.alerts?.some((a) => a.host === c.root_component),
        c.case_id,
      ).toBe(true);
    }
  });

  it("carries what the importers made of the raw text: syslog and Alertmanager sources, vendor fields kept", () => {
    const alerts = parsed.cases.flatMap((c) => c.alerts ?? []);
    const sources = new Set(alerts.map((a) => a.source_system));
    expect(sources.has("alertmanager")).toBe(true);
    expect([...sources].some((s) => s !== "alertmanager")).toBe(true);
    // Alertmanager labels reach the payload and tags as the receiver stores them.
    const am = alerts.find((a) => a.source_system === "alertmanager" && a.tags.ifName !== undefined);
    expect(am?.raw_payload).toHaveProperty("labels");
    // Recoveries are up/clear alerts, not fresh failures.
    expect(alerts.some((a) => a.alert_type === "bgp_session_up" && a.status === "resolved")).toBe(true);
  });

  it("matches its specs (fixtures/evaluation/build_vendor_labels.ts --check)", async () => {
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, ["--import", "tsx", BUILDER, "--check"], (error, _stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stderr }),
      );
    });
    expect(result.stderr).toMatch(/up to date/);
    expect(result.code).toBe(0);
  });
});
