import { describe, expect, it } from "vitest";
import { parseDuration, silenceCreateInputSchema } from "./silence.ts";

const issues = (input: unknown) => {
  const parsed = silenceCreateInputSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("silence input", () => {
  it("reads durations like 90m, 2h, 1d and 1h30m", () => {
    expect(parseDuration("90m")).toBe(90 * 60_000);
    expect(parseDuration("2h")).toBe(7_200_000);
    expect(parseDuration("1d")).toBe(86_400_000);
    expect(parseDuration("1h30m")).toBe(90 * 60_000);
    expect(parseDuration("2 hours")).toBeNull();
    expect(parseDuration("0m")).toBeNull();
  });

  it("accepts a silence with matchers, a duration and a comment", () => {
    const parsed = silenceCreateInputSchema.parse({
      matchers: [{ name: "host", op: "=~", value: "core-.*" }],
      duration: "2h",
      comment: "planned",
    });
    expect(parsed).toMatchObject({ kind: "once", duration: 7_200_000, comment: "planned" });
  });

  it("names the field of each mistake", () => {
    const base = { matchers: [{ name: "host", op: "=", value: "a" }], duration: "2h", comment: "x" };
    expect(issues({ ...base, matchers: [{ name: "host", op: "=~", value: "(" }] })).toEqual([
      expect.stringMatching(/^matchers\.0\.value: not a valid regular expression/),
    ]);
    expect(issues({ ...base, matchers: [{ name: "", op: "=", value: "a" }] })).toEqual([
      expect.stringMatching(/^matchers\.0\.name: name must not be empty/),
    ]);
    expect(issues({ ...base, matchers: [{ name: "host", op: "==", value: "a" }] })).toEqual([
      expect.stringMatching(/^matchers\.0\.op: op must be one of/),
    ]);
    expect(issues({ ...base, comment: "  " })).toEqual([expect.stringMatching(/^comment: a comment is required/)]);
    expect(issues({ ...base, duration: "soon" })).toEqual([
      expect.stringMatching(/^duration: "soon" is not a duration/),
    ]);
    expect(issues({ matchers: base.matchers, comment: "x" })).toEqual(["ends_at: a silence needs ends_at or duration"]);
    expect(issues({ ...base, kind: "weekly", duration: undefined })).toEqual([
      "schedule: a weekly window needs a schedule",
    ]);
  });

  it("refuses matchers that would silence every alert", () => {
    expect(issues({ matchers: [{ name: "host", op: "=~", value: ".*" }], duration: "1h", comment: "x" })).toEqual([
      expect.stringMatching(/^matchers: at least one matcher must not match an empty value/),
    ]);
  });

  it("checks weekly ranges: days, clock times and the time zone", () => {
    const weekly = (range: unknown) =>
      issues({ kind: "weekly", matchers: [{ name: "site", op: "=", value: "fra1" }], comment: "x", schedule: [range] });
    expect(weekly({ days: [1, 2, 3, 4, 5], start: "22:00", end: "02:00", tz: "Europe/Berlin" })).toEqual([]);
    expect(weekly({ days: [0], start: "22:00", end: "02:00", tz: "UTC" })).toEqual([
      "schedule.0.days.0: days are 1 (Monday) to 7 (Sunday)",
    ]);
    expect(weekly({ days: [1], start: "24:00", end: "02:00", tz: "UTC" })).toEqual([
      "schedule.0.start: start must be HH:MM (24-hour)",
    ]);
    expect(weekly({ days: [1], start: "22:00", end: "02:00", tz: "Mars/Olympus" })).toEqual([
      expect.stringMatching(/^schedule\.0\.tz: not a time zone/),
    ]);
  });
});
