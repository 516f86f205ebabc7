import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import { evaluateCorrelationCorpus, evaluateCorrelationTexts, listCorrelationStreamFiles } from "./correlationRun.ts";

const NOW = Date.parse("2026-12-01T00:00:00Z");

const alert = (host: string, second: number) => ({
  timestamp: `2026-03-01T12:00:${String(second).padStart(2, "0")}Z`,
  source_system: "snmp",
  host,
  service: "backbone",
  severity: "critical",
  alert_type: "link_down",
  message: `link down on ${host}`,
});

const TOPOLOGY = {
  sites: [{ name: "fra1", region: "eu" }],
  devices: [
    { name: "r1", role: "core", site: "fra1", layer: "routing" },
    { name: "r2", role: "core", site: "fra1", layer: "routing" },
  ],
  links: [{ a: "r1", b: "r2" }],
};

const text = (header: object, hosts: string[]) =>
  [{ stream: header }, ...hosts.map((host, i) => ({ alert: alert(host, i * 5), truth: "cut" }))]
    .map((line) => JSON.stringify(line))
    .join("\n");

describe("correlation evaluation runs", () => {
  it("scores each stream, names its file, and says whether its header brought a topology", () => {
    const report = evaluateCorrelationTexts(
      [
        { name: "bare", file: "bare.jsonl", text: text({}, ["r1", "r2", "r1"]) },
        {
          name: "mapped",
          file: "mapped.jsonl",
          text: text({ name: "with topology", topology: TOPOLOGY }, ["r1", "r2"]),
        },
      ],
      NOW,
    );
    expect(report.streams.map((s) => [s.name, s.file, s.alerts, s.truth_incidents, s.topology])).toEqual([
      ["bare", "bare.jsonl", 3, 1, false],
      ["with topology", "mapped.jsonl", 2, 1, true],
    ]);
    expect(report.overall.alerts).toBe(5);
  });

  it("reads a directory's *.jsonl streams in name order and refuses a path that does not exist", async () => {
    const dir = mkdtempSync(join(tmpdir(), "teleops-streams-"));
    writeFileSync(join(dir, "b.jsonl"), text({}, ["r1"]));
    writeFileSync(join(dir, "a.jsonl"), text({ name: "first" }, ["r2"]));
    writeFileSync(join(dir, "README.md"), "# not a stream");
    expect(await listCorrelationStreamFiles(dir)).toEqual([join(dir, "a.jsonl"), join(dir, "b.jsonl")]);
    expect(await listCorrelationStreamFiles(join(dir, "b.jsonl"))).toEqual([join(dir, "b.jsonl")]);
    const report = await evaluateCorrelationCorpus(dir, NOW);
    expect(report.streams.map((s) => [s.name, s.file])).toEqual([
      ["first", "a.jsonl"],
      ["b", "b.jsonl"],
    ]);
    await expect(listCorrelationStreamFiles(join(dir, "missing"))).rejects.toBeInstanceOf(ValidationError);
  });
});
