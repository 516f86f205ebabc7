/**
 * `teleops silences add|list|expire`: silences and maintenance windows. Matchers use Alertmanager's syntax
 * (`host=~core-.*`, `site=fra1`); a bad matcher, duration or time is a usage error (exit 2) named before any request.
 */
import {
  formatMatcher,
  type Matcher,
  parseDuration,
  parseMatcher,
  type Silence,
  timestampSchema,
  WEEKDAYS,
  type WeeklyRange,
  weeklyRangeSchema,
} from "@teleops/schema";
import type { Command } from "commander";
import { CliError, createClient, type GlobalOptions } from "../client.ts";
import { note, printJson, printTable } from "../output.ts";

interface AddOptions extends GlobalOptions {
  match: string[];
  duration?: string;
  until?: string;
  start?: string;
  comment: string;
  weekly: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function addSilencesCommand(program: Command, withGlobals: (command: Command) => Command): void {
  const silences = program
    .command("silences")
    .description("silences and maintenance windows: matching alerts are stored but open no incidents");

  withGlobals(
    silences
      .command("add")
      .description("silence matching alerts for a while (or weekly, as a maintenance window)")
      .option(
        "--match <matcher>",
        "name=value, name!=value, name=~regex or name!~regex (repeat: all must hold)",
        collect,
        [],
      )
      .option("--duration <d>", "how long from the start, e.g. 90m, 2h, 1d")
      .option("--until <iso>", "when it ends (ISO 8601 with a zone)")
      .option("--start <iso>", "when it starts (default now)")
      .option(
        "--weekly <range>",
        'a weekly range, e.g. "mon-fri 22:00-02:00 Europe/Berlin" (repeat for more)',
        collect,
        [],
      )
      .requiredOption("--comment <text>", "why (a change number, planned work)"),
  ).action((opts: AddOptions) => addSilence(opts));

  withGlobals(
    silences.command("list").description("active and pending silences").option("--all", "expired ones too"),
  ).action((opts: GlobalOptions & { all?: boolean }) => listSilences(opts));

  withGlobals(
    silences.command("expire").description("end a silence now").argument("<id>", "silence id, e.g. SIL-3F0A9C21B7D4"),
  ).action((id: string, opts: GlobalOptions) => expireSilence(id, opts));
}

function parseMatchers(texts: string[]): Matcher[] {
  if (texts.length === 0) throw new CliError("give at least one --match, e.g. --match host=core-rtr-01", 2);
  return texts.map((text) => {
    const parsed = parseMatcher(text);
    if ("error" in parsed) throw new CliError(`--match ${parsed.error}`, 2);
    return parsed.matcher;
  });
}

function parseTime(flag: string, value: string): string {
  const parsed = timestampSchema.safeParse(value);
  if (!parsed.success) throw new CliError(`${flag} must be an ISO 8601 time with a zone, got "${value}"`, 2);
  return parsed.data;
}

/** `mon-fri 22:00-02:00 Europe/Berlin`, `sat,sun 00:00-00:00 UTC`. */
export function parseWeekly(text: string): WeeklyRange {
  const usage = `--weekly "${text}": write days, times and a zone, e.g. "mon-fri 22:00-02:00 Europe/Berlin"`;
  const [daysText, timesText, tz, ...rest] = text.trim().split(/\s+/);
  if (!daysText || !timesText || !tz || rest.length > 0) throw new CliError(usage, 2);
  const dayOf = (name: string) => {
    const index = (WEEKDAYS as readonly string[]).indexOf(name.slice(0, 3).toLowerCase());
    if (index < 0) throw new CliError(`${usage} ("${name}" is not a weekday)`, 2);
    return index + 1;
  };
  const days = new Set<number>();
  for (const part of daysText.split(",")) {
    const [from = "", to] = part.split("-");
    const first = dayOf(from);
    const last = to === undefined ? first : dayOf(to);
    for (let day = first; ; day = (day % 7) + 1) {
      days.add(day);
      if (day === last) break;
    }
  }
  const [start, end] = timesText.split("-");
  const parsed = weeklyRangeSchema.safeParse({ days: [...days].sort(), start, end, tz });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(`${usage} (${issue?.path.join(".")}: ${issue?.message})`, 2);
  }
  return parsed.data;
}

function describeSilence(silence: Silence): string {
  return silence.matchers.map(formatMatcher).join(", ");
}

async function addSilence(opts: AddOptions): Promise<void> {
  const matchers = parseMatchers(opts.match);
  const schedule = opts.weekly.map(parseWeekly);
  if (opts.duration !== undefined && opts.until !== undefined) {
    throw new CliError("give --duration or --until, not both", 2);
  }
  if (opts.duration === undefined && opts.until === undefined && schedule.length === 0) {
    throw new CliError("say how long: --duration 2h or --until 2026-12-03T18:00:00Z", 2);
  }
  if (opts.duration !== undefined && parseDuration(opts.duration) === null) {
    throw new CliError(`--duration must look like 90m, 2h or 1d; got "${opts.duration}"`, 2);
  }
  const silence = await createClient(opts).silences.create.mutate({
    kind: schedule.length > 0 ? "weekly" : "once",
    matchers,
    comment: opts.comment,
    ...(schedule.length > 0 ? { schedule } : {}),
    ...(opts.start !== undefined ? { starts_at: parseTime("--start", opts.start) } : {}),
    ...(opts.until !== undefined ? { ends_at: parseTime("--until", opts.until) } : {}),
    ...(opts.duration !== undefined ? { duration: opts.duration } : {}),
  });
  if (opts.json) return printJson({ silence });
  process.stdout.write(
    `${silence.id}: ${describeSilence(silence)} silenced from ${silence.starts_at} to ${silence.ends_at} (${silence.created_by})\n`,
  );
}

async function listSilences(opts: GlobalOptions & { all?: boolean }): Promise<void> {
  const silences = await createClient(opts).silences.list.query({ all: opts.all === true });
  if (opts.json) return printJson({ silences });
  if (silences.length === 0) return note(opts.all ? "no silences" : "no active silences (--all shows expired ones)");
  printTable(
    silences.map((s) => ({
      id: s.id,
      state: s.kind === "weekly" ? `${s.state} (weekly)` : s.state,
      matchers: describeSilence(s),
      ends_at: s.ends_at,
      created_by: s.created_by,
      comment: s.comment,
    })),
    ["id", "state", "matchers", "ends_at", "created_by", "comment"],
  );
}

async function expireSilence(id: string, opts: GlobalOptions): Promise<void> {
  const silence = await createClient(opts).silences.expire.mutate({ id });
  if (opts.json) return printJson({ silence });
  process.stdout.write(`${silence.id} expired at ${silence.ends_at}; matching alerts flow into incidents again\n`);
}
