import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Alert, SCENARIO_TYPES } from "@teleops/schema";
import { describe, expect, it } from "vitest";
import { generateScenario, loadTopology } from "../generator/index.ts";
import { incidentQuery, loadRunbookIndex, parseRunbook } from "./retrieval.ts";

const topology = loadTopology();
const runbooks = loadRunbookIndex();
const SECTIONS = ["symptoms", "likely-causes", "diagnosis", "remediation", "escalation"];

function incident(scenario: (typeof SCENARIO_TYPES)[number], seed: number): Alert[] {
  const generated = generateScenario(
    { scenario, seed, durationMinutes: 10, ratePerMinute: 25, noisePerMinute: 0 },
    topology,
    new Date("2026-01-01T00:00:00Z"),
  );
  return generated.alerts.map((alert, index) => ({ ...alert, id: index + 1, tags: {}, incident_id: null }));
}

describe("runbook corpus", () => {
  it("has a runbook with all five sections for every scenario type, plus triage and escalation guides", () => {
    const files = new Set(runbooks.chunks.map((chunk) => chunk.file));
    for (const name of [...SCENARIO_TYPES, "layered_triage", "escalation"]) {
      expect(files).toContain(`${name}.md`);
      for (const section of SECTIONS) {
        const chunk = runbooks.byId(`${name}#${section}`);
        expect(chunk?.text.length ?? 0).toBeGreaterThan(80);
      }
    }
    expect(files).not.toContain("README.md");
  });
});

describe("runbook retrieval", () => {
  it("finds the matching runbook first for an incident of every scenario type, with or without topology", () => {
    for (const scenario of SCENARIO_TYPES) {
      for (const seed of [1, 2, 3]) {
        const alerts = incident(scenario, seed);
        for (const known of [topology, undefined]) {
          const hits = runbooks.search(incidentQuery({ incidentId: null, summary: null, alerts }, known), 5);
          expect(hits[0]?.file, `${scenario} seed ${seed}`).toBe(`${scenario}.md`);
        }
      }
    }
  });

  it("returns a BGP incident's top chunks from the BGP runbook, with file, heading, score and excerpt", () => {
    const alerts = incident("bgp_flap", 4);
    const hits = runbooks.search(incidentQuery({ incidentId: null, summary: null, alerts }, topology), 3);
    expect(hits).toHaveLength(3);
    for (const hit of hits) {
      expect(hit.file).toBe("bgp_flap.md");
      expect(hit.id.startsWith("bgp_flap#")).toBe(true);
      expect(hit.heading.length).toBeGreaterThan(0);
      expect(hit.excerpt?.length ?? 0).toBeGreaterThan(20);
    }
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
  });

  it("builds the query from alert types, the devices' roles and message words", () => {
    const alerts = incident("fiber_cut", 2);
    const withTopology = incidentQuery({ incidentId: null, summary: null, alerts }, topology);
    expect(withTopology).toContain("optical loss of signal");
    expect(withTopology).toContain("optical");
    expect(withTopology).toMatch(/\blos\b/);
    // Numbers, ports and host names are not runbook vocabulary.
    expect(withTopology).not.toMatch(/\b\w*\d\w*\b/);
    const site = alerts[0]?.host.split("-")[0] ?? "";
    expect(withTopology.split(" ")).not.toContain(site);
  });

  it("answers a summary-only query from the summary's words", () => {
    const hits = runbooks.search(
      incidentQuery({ incidentId: null, summary: "Resolvers answering SERVFAIL, apps fail lookups", alerts: [] }),
    );
    expect(hits[0]?.file).toBe("dns_outage.md");
  });

  it("returns nothing for a query without searchable words", () => {
    expect(runbooks.search("the of and 12 34")).toEqual([]);
  });

  it("indexes another corpus directory written the same way", () => {
    const dir = mkdtempSync(join(tmpdir(), "teleops-runbooks-"));
    try {
      writeFileSync(
        join(dir, "lightning.md"),
        "# Lightning strike\n\nIntro.\n\n## Symptoms\n\nSurge arrestor tripped, rectifier alarms.\n\n## Remediation\n\n1. Call facilities.\n",
      );
      writeFileSync(join(dir, "README.md"), "# Index\n\n## Symptoms\n\nnot a runbook\n");
      const custom = loadRunbookIndex(dir);
      expect(custom.chunks.map((c) => c.id)).toEqual(["lightning#symptoms", "lightning#remediation"]);
      expect(custom.search("rectifier surge")[0]?.id).toBe("lightning#symptoms");
      expect(custom.byId("lightning#remediation")?.title).toBe("Lightning strike");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("splits a runbook into its sections and numbers repeated headings", () => {
    const chunks = parseRunbook("x.md", "# X\n\n## Notes\n\na\n\n## Notes\n\nb\n\n## Empty\n\n");
    expect(chunks.map((c) => c.id)).toEqual(["x#notes", "x#notes-2"]);
  });
});
