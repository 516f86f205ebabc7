import type { Hypothesis, LabelCase, RcaCategory } from "@teleops/schema";
import { describe, expect, it } from "vitest";
import { isAdjacent } from "./adjacency.ts";
import { cohensKappa, expectedCalibrationError, reliabilityBins, summarizeEngine, toEngineReport } from "./metrics.ts";
import { componentMatches, namesComponent, scoreCase } from "./rubric.ts";

function label(overrides: Partial<LabelCase> = {}): LabelCase {
  return {
    case_id: "L-900",
    incident_summary: "Packet loss on core-router-1 during peak hours",
    root_cause: "link congestion on core-router-1",
    category: "network_degradation",
    root_component: "core-router-1",
    severity: "critical",
    ...overrides,
  };
}

function hypothesis(
  category: RcaCategory,
  component: string | null,
  confidence: number,
  rank = 1,
  text?: string,
): Hypothesis {
  return {
    rank,
    category,
    root_component: component,
    hypothesis: text ?? `${category} at ${component ?? "somewhere"}`,
    confidence,
    evidence: { alert_ids: [], counts_by_type: {}, first_seen: {}, notes: [] },
    remediation_steps: [],
    runbook_refs: [],
  };
}

describe("rubric scoring", () => {
  it("gives 1.0 when the category and the root component are both right, whatever the component's case", () => {
    const result = scoreCase(label(), [hypothesis("network_degradation", "CORE-ROUTER-1", 0.8)]);
    expect(result).toMatchObject({ score: 1, band: "exact", category_correct: true, component_correct: true });
  });

  it("gives 0.7 when the category is right but the component is wrong or missing", () => {
    expect(scoreCase(label(), [hypothesis("network_degradation", "core-router-2", 0.8)]).score).toBe(0.7);
    expect(scoreCase(label(), [hypothesis("network_degradation", null, 0.8, 1, "a dirty optic somewhere")]).score).toBe(
      0.7,
    );
  });

  it("gives 0.4 for an adjacent category from the table, in either direction, and 0.0 for an unrelated one", () => {
    const cut = label({ category: "fiber_cut", root_component: "roadm-par-1" });
    expect(scoreCase(cut, [hypothesis("network_degradation", "roadm-par-1", 0.6)])).toMatchObject({
      score: 0.4,
      band: "adjacent",
    });
    expect(scoreCase(label(), [hypothesis("fiber_cut", "core-router-1", 0.6)]).score).toBe(0.4);
    expect(scoreCase(cut, [hypothesis("dns_outage", "roadm-par-1", 0.6)])).toMatchObject({ score: 0, band: "wrong" });
  });

  it("lists every adjacency pair both ways and never makes 'other' adjacent to anything", () => {
    expect(isAdjacent("dns_outage", "firewall_rule_misconfig")).toBe(true);
    expect(isAdjacent("firewall_rule_misconfig", "dns_outage")).toBe(true);
    expect(isAdjacent("ddos_edge", "mpls_vpn_leak")).toBe(false);
    expect(isAdjacent("other", "router_freeze")).toBe(false);
    expect(isAdjacent("router_freeze", "other")).toBe(false);
  });

  it("rewards 'other' held loosely at the right component with 1.0, held confidently with 0.7, and any catalog category with 0.0", () => {
    const power = label({ category: "other", root_component: "ups-pop-1" });
    expect(scoreCase(power, [hypothesis("other", "ups-pop-1", 0.5)])).toMatchObject({
      score: 1,
      band: "other_low_confidence",
    });
    expect(scoreCase(power, [hypothesis("other", "ups-pop-1", 0.51)])).toMatchObject({
      score: 0.7,
      band: "other_confident",
    });
    expect(scoreCase(power, [hypothesis("router_freeze", "ups-pop-1", 0.3)])).toMatchObject({
      score: 0,
      band: "wrong",
    });
  });

  it("needs the component for 'other' too: a loose 'other' at the wrong or no device scores 0.7", () => {
    const power = label({ category: "other", root_component: "ups-pop-1" });
    expect(scoreCase(power, [hypothesis("other", null, 0.3)])).toMatchObject({ score: 0.7, band: "category_only" });
    expect(scoreCase(power, [hypothesis("other", "leaf-pop-1", 0.3)])).toMatchObject({
      score: 0.7,
      band: "category_only",
      component_correct: false,
    });
  });

  it("scores a case with no hypothesis as 0 at confidence 0", () => {
    expect(scoreCase(label(), [])).toMatchObject({ score: 0, category: null, confidence: 0, top3_correct: false });
  });

  it("scores the top-ranked hypothesis even when the engine lists them out of order, and credits top-3", () => {
    const result = scoreCase(label(), [
      hypothesis("network_degradation", "core-router-1", 0.3, 2),
      hypothesis("bgp_flap", "core-router-1", 0.6, 1),
    ]);
    expect(result).toMatchObject({ score: 0, category: "bgp_flap", top3_correct: true });
  });
});

describe("root-component matching", () => {
  it("accepts the component named in the hypothesis text when the structured field names another device", () => {
    const h = hypothesis(
      "network_degradation",
      "core-router-2",
      0.7,
      1,
      "CRC errors on core-router-1 xe-0/0/1 towards core-router-2.",
    );
    expect(scoreCase(label(), [h])).toMatchObject({ score: 1, component_correct: true });
  });

  it("matches whole device names only: core-router-1 is not core-router-10 nor core-router-1.lab", () => {
    expect(namesComponent("loss on core-router-10", "core-router-1")).toBe(false);
    expect(namesComponent("loss on core-router-1.lab.example", "core-router-1")).toBe(false);
    expect(namesComponent("loss on core-router-1.", "core-router-1")).toBe(true);
    expect(namesComponent("(asr9k.lon.example.net) hung", "ASR9K.lon.example.net")).toBe(true);
  });

  it("gives no text credit to a hypothesis that lists more than three of the case's hosts", () => {
    const hosts = ["core-router-1", "core-router-2", "core-router-3", "core-router-4"];
    const listing = hypothesis("network_degradation", null, 0.7, 1, `one of ${hosts.join(", ")} is degraded`);
    expect(componentMatches("core-router-1", listing, hosts)).toBe(false);
    const pointing = hypothesis("network_degradation", null, 0.7, 1, "core-router-1 towards core-router-2 is degraded");
    expect(componentMatches("core-router-1", pointing, hosts)).toBe(true);
  });
});

describe("calibration and agreement", () => {
  it("computes ECE as the case-weighted gap between confidence and accuracy per bin", () => {
    // Bin 0.9–1.0: two cases at 0.9, one right → gap 0.4; bin 0.2–0.3: two cases at 0.2, both right → gap 0.8.
    const points = [
      { confidence: 0.9, correct: true },
      { confidence: 0.9, correct: false },
      { confidence: 0.2, correct: true },
      { confidence: 0.2, correct: true },
    ];
    expect(expectedCalibrationError(points)).toBeCloseTo(0.5 * 0.4 + 0.5 * 0.8, 6);
    expect(expectedCalibrationError([{ confidence: 1, correct: true }])).toBe(0);
    const bins = reliabilityBins(points);
    expect(bins).toHaveLength(10);
    expect(bins[9]).toMatchObject({ count: 2, mean_confidence: 0.9, accuracy: 0.5 });
    expect(bins[5]).toMatchObject({ count: 0, accuracy: null });
  });

  it("computes Cohen's kappa on a textbook example and on perfect agreement", () => {
    // 50 items: both say yes 20, both no 15, A yes/B no 5, A no/B yes 10 → po 0.7, pe 0.5, kappa 0.4.
    const a = [...Array(20).fill("yes"), ...Array(15).fill("no"), ...Array(5).fill("yes"), ...Array(10).fill("no")];
    const b = [...Array(20).fill("yes"), ...Array(15).fill("no"), ...Array(5).fill("no"), ...Array(10).fill("yes")];
    expect(cohensKappa(a, b)).toBeCloseTo(0.4, 6);
    expect(cohensKappa(["x", "y", "x"], ["x", "y", "x"])).toBe(1);
    expect(() => cohensKappa(["x"], [])).toThrow(RangeError);
  });

  it("counts a score of 0 at confidence 0.7 or more as wrong-but-confident and reports the contract keys, plus the added ones", () => {
    const results = [
      scoreCase(label({ case_id: "a" }), [hypothesis("bgp_flap", "core-router-1", 0.7)]),
      scoreCase(label({ case_id: "b" }), [hypothesis("bgp_flap", "core-router-1", 0.69)]),
      scoreCase(label({ case_id: "c" }), [hypothesis("network_degradation", "core-router-1", 0.9)]),
    ];
    const detail = summarizeEngine(results, { model: null, durationMs: 3 });
    expect(detail).toMatchObject({ cases: 3, wrong_but_confident: 1, mean_score: 0.3333, category_accuracy: 0.3333 });
    expect(detail.confusion.network_degradation).toEqual({ bgp_flap: 2, network_degradation: 1 });
    const report = toEngineReport(detail);
    expect(Object.keys(report).sort()).toEqual(
      [
        "cases",
        "category_accuracy",
        "component_accuracy",
        "ece",
        "mean_score",
        "per_case",
        "top3_category_accuracy",
        "wrong_but_confident",
        // Added with calibration (issue 18); the raw and cross-validated figures need raw scores on the cases.
        "brier",
        "wrong_but_confident_top_decile",
      ].sort(),
    );
    expect(Object.keys(report.per_case[0] ?? {}).sort()).toEqual(
      ["case_id", "category", "confidence", "hypothesis", "root_component", "score"].sort(),
    );
  });

  it("reports wrong-but-confident at the engine's own top decile, not only at the fixed 0.7", () => {
    // An engine that never reaches 0.7 has no wrong-but-confident answers at 0.7, however wrong its surest are.
    const results = Array.from({ length: 20 }, (_, i) =>
      scoreCase(label({ case_id: `c${i}` }), [
        hypothesis(i >= 18 ? "bgp_flap" : "network_degradation", "core-router-1", 0.3 + i * 0.01),
      ]),
    );
    const detail = summarizeEngine(results, { model: null, durationMs: 1 });
    expect(detail.wrong_but_confident).toBe(0);
    expect(detail.wrong_but_confident_top_decile).toEqual({ threshold: 0.48, cases: 2, wrong: 2, category_wrong: 2 });
  });

  it("scores the Brier score and, given raw and cross-validated scores, their ECE and Brier beside the emitted ones", () => {
    const right = scoreCase(label(), [hypothesis("network_degradation", "core-router-1", 0.8)]);
    const wrong = scoreCase(label(), [hypothesis("bgp_flap", "core-router-1", 0.4)]);
    const detail = summarizeEngine(
      [
        { ...right, raw_confidence: 0.3, cv_confidence: 0.9 },
        { ...wrong, raw_confidence: 0.3, cv_confidence: 0.1 },
      ],
      { model: null, durationMs: 1 },
    );
    expect(detail.brier).toBeCloseTo((0.2 ** 2 + 0.4 ** 2) / 2, 4);
    expect(detail.brier_raw).toBeCloseTo((0.7 ** 2 + 0.3 ** 2) / 2, 4);
    expect(detail.brier_cv).toBeCloseTo(0.01, 4);
    expect(detail.ece_raw).toBeCloseTo(0.2, 4);
    expect(detail.reliability_cv?.filter((bin) => bin.count > 0)).toHaveLength(2);
  });
});
