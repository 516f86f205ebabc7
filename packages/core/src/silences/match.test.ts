import { type Matcher, parseMatcher, type WeeklyRange } from "@teleops/schema";
import { describe, expect, it } from "vitest";
import {
  compileMatchers,
  inWeeklyWindow,
  isSilenced,
  matcherValue,
  type SilenceRule,
  type SilenceSubject,
  silenceSet,
} from "./match.ts";

const alert = (overrides: Partial<SilenceSubject> = {}): SilenceSubject => ({
  host: "core-rtr-01.fra1.example.net",
  service: "backbone",
  alert_type: "link_down",
  source_system: "alertmanager",
  severity: "critical",
  tags: { alertname: "LinkDown", team: "noc", site: "fra1" },
  raw_payload: {},
  ...overrides,
});

function matcher(text: string): Matcher {
  const parsed = parseMatcher(text);
  if ("error" in parsed) throw new Error(parsed.error);
  return parsed.matcher;
}

const matches = (texts: string[], subject: SilenceSubject = alert()) => compileMatchers(texts.map(matcher))(subject);

describe("silence matchers", () => {
  it("compares fields with = and !=", () => {
    expect(matches(["host=core-rtr-01.fra1.example.net"])).toBe(true);
    expect(matches(["host=core-rtr-02.fra1.example.net"])).toBe(false);
    expect(matches(["severity!=critical"])).toBe(false);
    expect(matches(["alert_type!=bgp_down"])).toBe(true);
    expect(matches(["source_system=alertmanager", "service=backbone"])).toBe(true);
  });

  it("anchors regexes at both ends, as Alertmanager does", () => {
    expect(matches(["host=~core-.*"])).toBe(true);
    expect(matches(["host=~rtr-01"])).toBe(false);
    expect(matches(["host=~.*rtr-01.*"])).toBe(true);
    expect(matches(["host=~core|edge"])).toBe(false);
    expect(matches(["alert_type=~link_down|bgp_down"])).toBe(true);
    expect(matches(["alert_type!~link_.*"])).toBe(false);
    expect(matches(["alert_type!~bgp_.*"])).toBe(true);
  });

  it("reads tags and Alertmanager labels, and a missing one as the empty string", () => {
    expect(matches(["team=noc"])).toBe(true);
    expect(matches(["alertname=LinkDown"])).toBe(true);
    expect(matches(['rack=""'])).toBe(true);
    expect(matches(["rack!=r12"])).toBe(true);
    expect(matches(["rack=r12"])).toBe(false);
    expect(matches(["cluster=edge-k8s"], alert({ raw_payload: { labels: { cluster: "edge-k8s" } } }))).toBe(true);
  });

  it("takes the site from the site tag, else the region tag, else the host name", () => {
    expect(matches(["site=fra1"])).toBe(true);
    expect(matcherValue(alert({ tags: { region: "ams2" } }), "site")).toBe("ams2");
    expect(matcherValue(alert({ host: "ams1-core-rtr-01", tags: {} }), "site")).toBe("ams1");
    expect(matches(["site=fra1"], alert({ host: "lis1-core-rtr-01", tags: {} }))).toBe(false);
  });

  it("requires every matcher to hold", () => {
    expect(matches(["host=~core-.*", "site=fra1"])).toBe(true);
    expect(matches(["host=~core-.*", "site=ams1"])).toBe(false);
  });
});

describe("parseMatcher", () => {
  it("reads amtool's spellings, quoted values included", () => {
    expect(parseMatcher("host=~core-.*")).toEqual({ matcher: { name: "host", op: "=~", value: "core-.*" } });
    expect(parseMatcher('severity="critical"')).toEqual({
      matcher: { name: "severity", op: "=", value: "critical" },
    });
    expect(parseMatcher(" site != fra1 ")).toEqual({ matcher: { name: "site", op: "!=", value: "fra1" } });
    expect(parseMatcher("job!~node|blackbox")).toEqual({ matcher: { name: "job", op: "!~", value: "node|blackbox" } });
    expect(parseMatcher("msg=a=b")).toEqual({ matcher: { name: "msg", op: "=", value: "a=b" } });
  });

  it("says what is wrong with a bad matcher", () => {
    expect(parseMatcher("core-rtr-01")).toEqual({ error: expect.stringContaining("not a matcher") });
    expect(parseMatcher("=core")).toEqual({ error: expect.stringContaining("name must not be empty") });
    expect(parseMatcher("host=~core-(")).toEqual({
      error: expect.stringMatching(/value: not a valid regular expression/),
    });
    expect(parseMatcher("1host=x")).toEqual({ error: expect.stringContaining("name must be") });
  });
});

/** Monday to Friday, 22:00 to 02:00 the next morning, Berlin time. */
const NIGHTS: WeeklyRange[] = [{ days: [1, 2, 3, 4, 5], start: "22:00", end: "02:00", tz: "Europe/Berlin" }];

describe("weekly maintenance windows", () => {
  it("hold from the evening of a listed day past midnight into the next morning (winter, UTC+1)", () => {
    // 2026-12-07 is a Monday.
    expect(inWeeklyWindow(NIGHTS, new Date("2026-12-07T20:59:00Z"))).toBe(false); // Mon 21:59 Berlin
    expect(inWeeklyWindow(NIGHTS, new Date("2026-12-07T21:00:00Z"))).toBe(true); // Mon 22:00
    expect(inWeeklyWindow(NIGHTS, new Date("2026-12-08T00:30:00Z"))).toBe(true); // Tue 01:30
    expect(inWeeklyWindow(NIGHTS, new Date("2026-12-08T01:00:00Z"))).toBe(false); // Tue 02:00, the end
    expect(inWeeklyWindow(NIGHTS, new Date("2026-12-12T00:30:00Z"))).toBe(true); // Sat 01:30, Friday's night
    expect(inWeeklyWindow(NIGHTS, new Date("2026-12-12T21:30:00Z"))).toBe(false); // Sat 22:30
    expect(inWeeklyWindow(NIGHTS, new Date("2026-12-13T23:30:00Z"))).toBe(false); // Mon 00:30, Sunday's night
  });

  it("follows daylight saving time in the window's zone (summer, UTC+2)", () => {
    // 2026-07-06 is a Monday: 22:00 Berlin is 20:00 UTC in summer.
    expect(inWeeklyWindow(NIGHTS, new Date("2026-07-06T19:30:00Z"))).toBe(false);
    expect(inWeeklyWindow(NIGHTS, new Date("2026-07-06T20:00:00Z"))).toBe(true);
    expect(inWeeklyWindow(NIGHTS, new Date("2026-07-06T23:59:00Z"))).toBe(true);
  });

  it("reads each range on its own zone's clock", () => {
    const newYork: WeeklyRange[] = [{ days: [7], start: "01:00", end: "05:00", tz: "America/New_York" }];
    // Sunday 2026-12-13 03:00 in New York is 08:00 UTC (UTC-5); in Berlin it is already 09:00.
    expect(inWeeklyWindow(newYork, new Date("2026-12-13T08:00:00Z"))).toBe(true);
    expect(inWeeklyWindow(newYork, new Date("2026-12-13T03:00:00Z"))).toBe(false); // 22:00 Saturday there
    const wholeDay: WeeklyRange[] = [{ days: [6], start: "00:00", end: "00:00", tz: "UTC" }];
    expect(inWeeklyWindow(wholeDay, new Date("2026-12-12T23:59:00Z"))).toBe(true);
    expect(inWeeklyWindow(wholeDay, new Date("2026-12-13T00:00:00Z"))).toBe(false);
  });
});

describe("silenceSet", () => {
  const base: SilenceRule = {
    id: "SIL-ONCE",
    kind: "once",
    matchers: [matcher("host=~core-.*")],
    schedule: null,
    startsAt: new Date("2026-12-07T10:00:00Z"),
    endsAt: new Date("2026-12-07T12:00:00Z"),
  };
  const window: SilenceRule = {
    ...base,
    id: "SIL-WEEKLY",
    kind: "weekly",
    matchers: [matcher("site=fra1")],
    schedule: NIGHTS,
    endsAt: new Date("2027-12-07T00:00:00Z"),
  };

  it("names the silence that holds an alert, only while it runs", () => {
    expect(silenceSet([base], new Date("2026-12-07T11:00:00Z")).silencing(alert())).toBe("SIL-ONCE");
    expect(silenceSet([base], new Date("2026-12-07T12:00:00Z")).silencing(alert())).toBeNull();
    expect(silenceSet([base], new Date("2026-12-07T09:59:59Z")).silencing(alert())).toBeNull();
    expect(silenceSet([base], new Date("2026-12-07T11:00:00Z")).silencing(alert({ host: "edge-1" }))).toBeNull();
  });

  it("holds alerts for a weekly window only inside its ranges", () => {
    expect(silenceSet([window], new Date("2026-12-07T22:00:00Z")).silencing(alert())).toBe("SIL-WEEKLY");
    expect(silenceSet([window], new Date("2026-12-07T12:00:00Z")).silencing(alert())).toBeNull();
  });

  it("gives notifiers one check for silenced alerts", () => {
    expect(isSilenced({ silenced_by: "SIL-ONCE" })).toBe(true);
    expect(isSilenced({ silenced_by: null })).toBe(false);
    expect(isSilenced({})).toBe(false);
  });
});
