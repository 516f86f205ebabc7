/**
 * `teleops channels add|list|test|delete`: notification channels (webhook, Slack, PagerDuty, email) and their
 * routes. A bad type, matcher or delay is a usage error (exit 2) before any request; secrets come back masked.
 */
import {
  CHANNEL_TYPES,
  type Channel,
  formatMatcher,
  type Matcher,
  type NotificationDelivery,
  parseDuration,
  parseMatcher,
  SEVERITIES,
} from "@teleops/schema";
import type { Command } from "commander";
import { CliError, createClient, type GlobalOptions } from "../client.ts";
import { note, printJson, printTable } from "../output.ts";

interface AddOptions extends GlobalOptions {
  type: string;
  url?: string;
  secret?: string;
  name?: string;
  minSeverity?: string;
  match: string[];
  delay?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function addChannelsCommand(program: Command, withGlobals: (command: Command) => Command): void {
  const channels = program
    .command("channels")
    .description("notification channels: who hears of incidents opening, growing and resolving (admins)");

  withGlobals(
    channels
      .command("add")
      .description("add a channel with its route")
      .requiredOption("--type <type>", CHANNEL_TYPES.join("|"))
      .option("--url <url>", "receiver URL; for email mailto:addr[,addr]; PagerDuty defaults to its Events API")
      .option("--secret <secret>", "webhook HMAC key or PagerDuty routing key (shown back masked)")
      .option("--name <name>", "a name for lists (default: type and host)")
      .option("--min-severity <severity>", `only incidents at least this severe (${SEVERITIES.join("|")})`)
      .option(
        "--match <matcher>",
        "severity, site, service, host or tenant matcher, e.g. site=fra1 (repeat)",
        collect,
        [],
      )
      .option("--delay <d>", "notify only incidents still open after this long, e.g. 10m (default: at once)"),
  ).action((opts: AddOptions) => addChannel(opts));

  withGlobals(channels.command("list").description("the tenant's channels")).action((opts: GlobalOptions) =>
    listChannels(opts),
  );

  withGlobals(
    channels.command("test").description("send a channel a test message now").argument("<id>", "channel id"),
  ).action((id: string, opts: GlobalOptions) => testChannel(id, opts));

  withGlobals(
    channels.command("delete").description("remove a channel (its pending messages are dropped)").argument("<id>"),
  ).action((id: string, opts: GlobalOptions) => deleteChannel(id, opts));
}

function parseMatchers(texts: string[]): Matcher[] {
  return texts.map((text) => {
    const parsed = parseMatcher(text);
    if ("error" in parsed) throw new CliError(`--match ${parsed.error}`, 2);
    return parsed.matcher;
  });
}

async function addChannel(opts: AddOptions): Promise<void> {
  const type = CHANNEL_TYPES.find((t) => t === opts.type);
  if (!type) throw new CliError(`--type must be one of ${CHANNEL_TYPES.join(", ")}; got "${opts.type}"`, 2);
  const minSeverity = SEVERITIES.find((s) => s === opts.minSeverity);
  if (opts.minSeverity !== undefined && !minSeverity) {
    throw new CliError(`--min-severity must be one of ${SEVERITIES.join(", ")}; got "${opts.minSeverity}"`, 2);
  }
  if (opts.delay !== undefined && opts.delay !== "0" && parseDuration(opts.delay) === null) {
    throw new CliError(`--delay must look like 5m, 2h or 0; got "${opts.delay}"`, 2);
  }
  const channel = await createClient(opts).notifications.channels.create.mutate({
    type,
    matchers: parseMatchers(opts.match),
    ...(opts.url !== undefined ? { url: opts.url } : {}),
    ...(opts.secret !== undefined ? { secret: opts.secret } : {}),
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(minSeverity ? { min_severity: minSeverity } : {}),
    ...(opts.delay !== undefined ? { delay: opts.delay } : {}),
  });
  if (opts.json) return printJson({ channel });
  process.stdout.write(`${channel.id}: ${describe(channel)}\n`);
}

function describe(channel: Channel): string {
  const route = [
    channel.min_severity ? `severity >= ${channel.min_severity}` : "every severity",
    ...channel.matchers.map(formatMatcher),
    channel.delay_ms > 0 ? `after ${Math.round(channel.delay_ms / 60_000)} min open` : "at once",
  ];
  return `${channel.type} ${channel.url} (${route.join(", ")})`;
}

async function listChannels(opts: GlobalOptions): Promise<void> {
  const channels = await createClient(opts).notifications.channels.list.query();
  if (opts.json) return printJson({ channels });
  if (channels.length === 0) return note("no channels: add one with teleops channels add --type webhook --url …");
  printTable(
    channels.map((c) => ({ id: c.id, type: c.type, url: c.url, secret: c.secret ?? "", route: describe(c) })),
    ["id", "type", "url", "secret", "route"],
  );
}

async function testChannel(id: string, opts: GlobalOptions): Promise<void> {
  const delivery: NotificationDelivery = await createClient(opts).notifications.channels.test.mutate({ id });
  if (opts.json) printJson({ delivery });
  else if (delivery.status === "delivered") process.stdout.write(`test message delivered to ${id}\n`);
  // The command ran but the channel does not work: exit 1, as for other failures found.
  if (delivery.status !== "delivered") {
    throw new CliError(`test message to ${id} failed: ${delivery.last_error ?? "unknown error"}`, 1);
  }
}

async function deleteChannel(id: string, opts: GlobalOptions): Promise<void> {
  const channel = await createClient(opts).notifications.channels.delete.mutate({ id });
  if (opts.json) return printJson({ channel });
  process.stdout.write(`${channel.id} deleted\n`);
}
