/**
 * Deciding whether a silence holds an alert: Alertmanager's matcher semantics over an alert's fields, tags and
 * labels, and the weekly ranges of maintenance windows evaluated on the wall clock of their own time zone.
 */
import { anchoredRegex, type Matcher, type WeeklyRange } from "@teleops/schema";
import { sitePattern } from "../correlation/features.ts";

/** What matchers read of an alert: a canonical alert (arriving) or a stored one (the preview) alike. */
export interface SilenceSubject {
  host: string;
  service: string;
  alert_type: string;
  source_system: string;
  severity: string;
  tags: Record<string, string>;
  raw_payload: Record<string, unknown>;
}

/** Host name → site, for hosts without a `site` tag (the correlator's `TELEOPS_SITE_PATTERN`). */
export type SiteOfHost = (host: string) => string | null;

const defaultSites = sitePattern();

/**
 * The value a matcher named `name` compares: the alert's own fields first, then its tags (Alertmanager labels are
 * stored there), then `labels` in the raw payload. A name the alert lacks reads as the empty string, as in
 * Alertmanager, so `team=""` matches alerts without a team and `team!="noc"` matches them too.
 */
export function matcherValue(alert: SilenceSubject, name: string, siteOfHost: SiteOfHost = defaultSites): string {
  switch (name) {
    case "host":
      return alert.host;
    case "service":
      return alert.service;
    case "alert_type":
      return alert.alert_type;
    case "source_system":
      return alert.source_system;
    case "severity":
      return alert.severity;
    case "site":
      return alert.tags.site ?? alert.tags.region ?? siteOfHost(alert.host) ?? "";
  }
  const tag = alert.tags[name];
  if (tag !== undefined) return tag;
  const labels = alert.raw_payload.labels;
  if (labels && typeof labels === "object" && !Array.isArray(labels)) {
    const label: unknown = (labels as Record<string, unknown>)[name];
    if (typeof label === "string") return label;
  }
  return "";
}

export type AlertPredicate = (alert: SilenceSubject) => boolean;

/** All matchers must hold (Alertmanager ANDs them); regexes are compiled once, anchored at both ends. */
export function compileMatchers(matchers: readonly Matcher[], siteOfHost: SiteOfHost = defaultSites): AlertPredicate {
  const tests = matchers.map((matcher) => matcherTest(matcher, siteOfHost));
  return (alert) => tests.every((test) => test(alert));
}

function matcherTest(matcher: Matcher, siteOfHost: SiteOfHost): AlertPredicate {
  const { name, op, value } = matcher;
  if (op === "=") return (alert) => matcherValue(alert, name, siteOfHost) === value;
  if (op === "!=") return (alert) => matcherValue(alert, name, siteOfHost) !== value;
  const regex = anchoredRegex(value);
  if (op === "=~") return (alert) => regex.test(matcherValue(alert, name, siteOfHost));
  return (alert) => !regex.test(matcherValue(alert, name, siteOfHost));
}

const WEEKDAY_NUMBER: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const clocks = new Map<string, Intl.DateTimeFormat>();

/** The ISO weekday (1 = Monday) and minute of the day that `at` shows on a wall clock in `timeZone`. */
export function wallClock(at: Date, timeZone: string): { day: number; minute: number } {
  let format = clocks.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    clocks.set(timeZone, format);
  }
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const part of format.formatToParts(at)) {
    if (part.type === "weekday") day = WEEKDAY_NUMBER[part.value] ?? 0;
    else if (part.type === "hour") hour = Number(part.value);
    else if (part.type === "minute") minute = Number(part.value);
  }
  return { day, minute: hour * 60 + minute };
}

function minutesOf(clock: string): number {
  const [hours = "0", minutes = "0"] = clock.split(":");
  return Number(hours) * 60 + Number(minutes);
}

/**
 * Whether `at` falls in one of the weekly ranges. A range belongs to the day it starts on: Monday 22:00–02:00
 * holds from Monday 22:00 to Tuesday 02:00 local time, and a range whose end is not after its start runs past
 * midnight (00:00–00:00 is the whole day). Local time follows daylight saving, as people planning work mean it.
 */
export function inWeeklyWindow(schedule: readonly WeeklyRange[], at: Date): boolean {
  return schedule.some((range) => {
    const { day, minute } = wallClock(at, range.tz);
    const start = minutesOf(range.start);
    const end = minutesOf(range.end);
    if (start < end) return range.days.includes(day) && minute >= start && minute < end;
    const previous = day === 1 ? 7 : day - 1;
    return (range.days.includes(day) && minute >= start) || (range.days.includes(previous) && minute < end);
  });
}

/** A stored silence as ingest needs it. */
export interface SilenceRule {
  id: string;
  kind: "once" | "weekly";
  matchers: readonly Matcher[];
  schedule: readonly WeeklyRange[] | null;
  startsAt: Date;
  endsAt: Date;
}

/** Whether the silence holds alerts arriving at `at`: within its bounds, and inside a range for a weekly window. */
export function silencingAt(rule: SilenceRule, at: Date): boolean {
  const t = at.getTime();
  if (t < rule.startsAt.getTime() || t >= rule.endsAt.getTime()) return false;
  return rule.kind === "weekly" ? inWeeklyWindow(rule.schedule ?? [], at) : true;
}

export interface SilenceSet {
  /** The id of the first silence that holds `alert`, or null when none does. */
  silencing(alert: SilenceSubject): string | null;
  readonly size: number;
}

/** The silences holding alerts that arrive at `at`, compiled once for a whole delivery. */
export function silenceSet(rules: readonly SilenceRule[], at: Date, siteOfHost?: SiteOfHost): SilenceSet {
  const holding = rules
    .filter((rule) => silencingAt(rule, at))
    .map((rule) => ({ id: rule.id, matches: compileMatchers(rule.matchers, siteOfHost) }));
  return {
    size: holding.length,
    silencing: (alert) => holding.find((rule) => rule.matches(alert))?.id ?? null,
  };
}

/**
 * The check any notifier must make before telling anyone about an alert: a silenced alert (stored with the
 * silence that matched it) notifies nobody.
 */
export function isSilenced(alert: { silenced_by?: string | null }): boolean {
  return typeof alert.silenced_by === "string" && alert.silenced_by.length > 0;
}
