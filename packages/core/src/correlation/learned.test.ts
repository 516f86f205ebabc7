import { describe, expect, it } from "vitest";
import { type CorrelationInput, Correlator, DEFAULT_CORRELATION_CONFIG } from "./correlator.ts";
import { sitePattern, sitePatternProblem } from "./features.ts";
import { CooccurrenceCounts, signalsOfState } from "./learned.ts";

const T0 = Date.parse("2026-05-04T08:00:00Z");
let ref = 0;
function alert(host: string, seconds: number, alertType: string, site = "par2"): CorrelationInput<number> {
  return {
    ref: ref++,
    tenantId: "t",
    timeMs: T0 + seconds * 1000,
    host,
    service: "",
    severity: "major",
    alertType,
    message: "",
    tags: { site },
    status: "firing",
    site,
  };
}

describe("relations learned from a tenant's history", () => {
  it("scores conditions seen together in past incidents with their Dice coefficient, once well supported", () => {
    const counts = new CooccurrenceCounts();
    for (let i = 0; i < 4; i++) counts.addIncident(["voip trunk", "sbc registration"]);
    counts.addIncident(["voip trunk"]);
    const partners = counts.relations(3).partners("sbc registration");
    expect(partners).toHaveLength(1);
    expect(partners[0]?.[0]).toBe("voip trunk");
    expect(partners[0]?.[1]).toBeCloseTo((2 * 4) / (4 + 5));
    expect(counts.relations(5).partners("sbc registration")).toEqual([]);
  });

  it("counts an operator's merge as seen together and a split as seen apart", () => {
    const counts = new CooccurrenceCounts();
    for (let i = 0; i < 3; i++) counts.addIncident(["a", "b"]);
    counts.addCorrection(["a"], ["b"], -1);
    expect(counts.relations(3).partners("a")).toEqual([]);
    counts.addCorrection(["a"], ["b"], 1);
    expect(counts.relations(3).partners("a")[0]?.[0]).toBe("b");
  });

  it("reads the conditions an incident holds from its stored state", () => {
    expect(signalsOfState({ v: 1, keys: { "l|link|*": [1, 2], "l|link|fra1": [1, 2], "h|r1|link": [1, 1] } })).toEqual([
      "link",
    ]);
    expect(signalsOfState(null)).toEqual([]);
  });

  it("links two application conditions at one site only once history relates them", () => {
    // Two service alarms on different hosts of one site: built-in knowledge alone keeps them apart.
    const stream = () => [alert("sbc-1", 0, "sip_registration_failed"), alert("pbx-9", 30, "voip_trunk_down")];
    const plain = new Correlator<number>(DEFAULT_CORRELATION_CONFIG);
    const apart = stream().map((a) => plain.add(a));
    expect(apart[0]).not.toBe(apart[1]);
    const counts = new CooccurrenceCounts();
    for (let i = 0; i < 4; i++) counts.addIncident(["sip registration", "voip trunk"]);
    const learned = new Correlator<number>(DEFAULT_CORRELATION_CONFIG, { relations: counts.relations(3) });
    const together = stream().map((a) => learned.add(a));
    expect(together[0]).toBe(together[1]);
    expect(together[1]?.reasons[1]).toMatch(/learned relation voip trunk ↔ sip registration \(Dice 1\.00\)/);
  });
});

describe("site patterns", () => {
  it("reads site codes from common naming schemes and leaves role words alone", () => {
    const site = sitePattern();
    expect(site("fra1-core-01")).toBe("fra1");
    expect(site("k8s-fra2-w103")).toBe("fra2");
    expect(site("mx960-a.ams.example.net")).toBe("ams");
    expect(site("core-rtr-01")).toBeNull();
    expect(site("dns-01")).toBeNull();
  });

  it("takes an operator's pattern and explains a bad one", () => {
    expect(sitePattern("^(?<site>[a-z]+)\\d+-")("paris12-pe1")).toBe("paris");
    expect(sitePatternProblem("^(?<site>[a-z]+")).toMatch(/not a valid regular expression/);
    expect(sitePatternProblem("^[a-z]+")).toMatch(/named group/);
    expect(sitePatternProblem("^(?<site>[a-z]+)-")).toBeNull();
  });
});
