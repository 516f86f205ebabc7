import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SCENARIO_TYPES, severityRank } from "@teleops/schema";
import { describe, expect, it } from "vitest";
import { loadTopology } from "../generator/topology.ts";
import { loadLabelFile, MANUAL_LABELS_PATH } from "./labels.ts";
import { syntheticCases } from "./synthetic.ts";

const GENERATOR_HOST = /^[a-z]{3}\d-[a-z]+-\d\d$/;
const BUILDER = fileURLToPath(new URL("../../../../fixtures/evaluation/build_labels.ts", import.meta.url));
const SECOND_PASS = fileURLToPath(new URL("../../../../fixtures/evaluation/second_pass.json", import.meta.url));

describe("the shipped manual label set", () => {
  const parsed = loadLabelFile(MANUAL_LABELS_PATH);
  const cases = parsed.cases;

  it("holds 50 valid cases, L-001 to L-050", () => {
    expect(parsed.errors).toEqual([]);
    expect(cases.map((c) => c.case_id)).toEqual(
      Array.from({ length: 50 }, (_, i) => `L-${String(i + 1).padStart(3, "0")}`),
    );
  });

  it("has at least 4 cases of every scenario category and at least 4 'other' cases", () => {
    // The set is labelled at the scenario catalog's granularity: `other` stands for every cause outside it.
    for (const category of [...SCENARIO_TYPES, "other"]) {
      expect(cases.filter((c) => c.category === category).length, category).toBeGreaterThanOrEqual(4);
    }
  });

  it("gives every case between 5 and 200 alerts, with the root component among the alerting hosts", () => {
    for (const c of cases) {
      const alerts = c.alerts ?? [];
      expect(alerts.length, c.case_id).toBeGreaterThanOrEqual(5);
      expect(alerts.length, c.case_id).toBeLessThanOrEqual(200);
      expect(
        alerts.some((a) => a.host.toLowerCase() === c.root_component.toLowerCase()),
        c.case_id,
      ).toBe(true);
    }
    const sizes = cases.map((c) => c.alerts?.length ?? 0);
    expect(Math.min(...sizes)).toBeLessThan(10);
    expect(Math.max(...sizes)).toBeGreaterThan(150);
  });

  it("uses no host named the way the generator names devices", () => {
    const generatorNamed = cases
      .flatMap((c) => (c.alerts ?? []).map((a) => a.host))
      .filter((h) => GENERATOR_HOST.test(h));
    expect(generatorNamed).toEqual([]);
  });

  it("has noise before the incident and cascades where symptoms outnumber the root component's own alarms", () => {
    let cascades = 0;
    for (const c of cases) {
      const alerts = c.alerts ?? [];
      const firstSerious = alerts.find((a) => severityRank(a.severity) <= severityRank("major"));
      const first = alerts[0];
      if (!first || !firstSerious) throw new Error(`${c.case_id} has no major alert`);
      expect(Date.parse(firstSerious.timestamp) - Date.parse(first.timestamp), c.case_id).toBeGreaterThanOrEqual(
        5 * 60_000,
      );
      const own = alerts.filter((a) => a.host.toLowerCase() === c.root_component.toLowerCase()).length;
      if (alerts.length - own > own) cascades += 1;
    }
    expect(cascades).toBeGreaterThanOrEqual(25);
  });

  it("matches its case specs (fixtures/evaluation/build_labels.ts --check)", async () => {
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, ["--import", "tsx", BUILDER, "--check"], (error, _stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stderr }),
      );
    });
    expect(result.stderr).toMatch(/up to date/);
    expect(result.code).toBe(0);
  });

  // The second pass is the same labeller re-reading blinded digests: a self-consistency check, not inter-rater
  // agreement, so no kappa is claimed from it (docs/evaluation/inter_rater_notes.md). What is checked is that the
  // pass covers every case, says who made it, and that every disagreement with the first pass is written down.
  it("has a second labelling pass over every case that states it is the same labeller, with disagreements listed", () => {
    const second = JSON.parse(readFileSync(SECOND_PASS, "utf8")) as {
      procedure: string;
      rater: string;
      cases: Record<string, { category: string; root_component?: string }>;
      disagreements?: string[];
    };
    expect(second.rater).toMatch(/same labeller/i);
    expect(second.procedure).not.toMatch(/independent/i);
    expect(cases.filter((c) => second.cases[c.case_id] === undefined).map((c) => c.case_id)).toEqual([]);
    const differing = cases
      .filter((c) => second.cases[c.case_id]?.category !== c.category)
      .map((c) => c.case_id)
      .sort();
    expect(differing).toEqual([...(second.disagreements ?? [])].sort());
  });
});

describe("synthetic evaluation cases", () => {
  const topology = loadTopology();

  it("cycles through every scenario category, one seed each, without the ground-truth tag", () => {
    const cases = syntheticCases(topology, { count: 22, seed: 5 });
    expect(cases).toHaveLength(22);
    for (const type of SCENARIO_TYPES) expect(cases.filter((c) => c.category === type)).toHaveLength(2);
    for (const c of cases) {
      expect(
        c.alerts?.some((a) => "scenario" in a.tags),
        c.case_id,
      ).toBe(false);
      expect(
        c.alerts?.some((a) => a.host === c.root_component),
        c.case_id,
      ).toBe(true);
      expect(c.incident_summary).not.toContain(c.category);
    }
  });

  it("gives the same cases for the same seed", () => {
    expect(syntheticCases(topology, { count: 3, seed: 9 })).toEqual(syntheticCases(topology, { count: 3, seed: 9 }));
  });
});
