import { parseMatcher } from "@teleops/schema";
import { describe, expect, it } from "vitest";
import { incidentSilenceMatchers, silenceFormHref } from "./silenceLinks.ts";

describe("silence form links", () => {
  it("carries each matcher as a match parameter", () => {
    expect(silenceFormHref(["host=core-rtr-01", "alert_type=link_down"])).toBe(
      "/silences/new?match=host%3Dcore-rtr-01&match=alert_type%3Dlink_down",
    );
    expect(new URLSearchParams(silenceFormHref(["host=~a|b"]).split("?")[1]).getAll("match")).toEqual(["host=~a|b"]);
  });

  it("matches an incident's hosts exactly, and its site when it has one", () => {
    expect(incidentSilenceMatchers({ hosts: ["core-rtr-01"], sites: ["fra1"] })).toEqual([
      "host=core-rtr-01",
      "site=fra1",
    ]);
    const [hosts] = incidentSilenceMatchers({ hosts: ["core-rtr-01.fra1", "edge-sw-02"], sites: ["fra1", "ams1"] });
    expect(hosts).toBe("host=~core-rtr-01\\.fra1|edge-sw-02");
    const parsed = parseMatcher(hosts ?? "");
    expect("matcher" in parsed && new RegExp(`^(?:${parsed.matcher.value})$`).test("core-rtr-01xfra1")).toBe(false);
  });
});
