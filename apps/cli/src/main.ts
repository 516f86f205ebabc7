#!/usr/bin/env -S npx tsx
/** The `teleops` command: a typed client of the TeleOps server. */
import { estimateGeneration, INCIDENT_STATUSES, RCA_ENGINES, SCENARIO_TYPES, SEVERITIES } from "@teleops/schema";
import { Command, CommanderError } from "commander";
import { CliError, createClient, type GlobalOptions, toCliError } from "./client.ts";
import { addChannelsCommand } from "./commands/channels.ts";
import { addEvaluateCommand } from "./commands/evaluate.ts";
import { addImportCommand } from "./commands/import.ts";
import { addIncidentCorrectionCommands } from "./commands/incidents.ts";
import { addIncidentOwnerCommands } from "./commands/ownership.ts";
import { addRetentionCommand } from "./commands/retention.ts";
import { addSilencesCommand } from "./commands/silences.ts";
import { addTopologyCommand } from "./commands/topology.ts";
import { addUsersCommand } from "./commands/users.ts";
import { note, printJson, printTable } from "./output.ts";

function withGlobals(command: Command): Command {
  return command
    .option("--json", "print one JSON document on stdout")
    .option("--server <url>", "TeleOps server (default $TELEOPS_URL or http://127.0.0.1:3000)")
    .option("--token <token>", "bearer token (default $TELEOPS_TOKEN)");
}

function intOption(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) throw new CliError(`${name} must be a number >= ${min}, got "${value}"`, 2);
    return n;
  };
}

/** An ISO-8601 time with its zone (`2026-11-20T08:00:00Z`), passed on as the server reads it. */
function timeOption(name: string) {
  return (value: string): string => {
    if (
      !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ||
      Number.isNaN(Date.parse(value))
    ) {
      throw new CliError(
        `${name} must be an ISO-8601 time with its zone, like 2026-11-20T08:00:00Z; got "${value}"`,
        2,
      );
    }
    return value;
  };
}

function listOption<T extends string>(name: string, allowed: readonly T[]) {
  return (value: string): T[] => {
    const items = value
      .split(",")
      .map((v) => v.trim().toLowerCase())
      .filter(Boolean);
    for (const item of items) {
      if (!(allowed as readonly string[]).includes(item)) {
        throw new CliError(`${name} must be one of ${allowed.join(", ")}; got "${item}"`, 2);
      }
    }
    return items as T[];
  };
}

const program = new Command("teleops")
  .description("TeleOps NOC incident platform: command-line client")
  .showHelpAfterError()
  .exitOverride();

withGlobals(
  program
    .command("generate")
    .description("synthesize a scenario's alerts, store and correlate them")
    .requiredOption("--scenario <type>", `one of ${SCENARIO_TYPES.join(", ")} or mixed`)
    .option("--seed <n>", "random seed (same seed, same alerts)", intOption("--seed", 0), 1)
    .option("--duration <minutes>", "scenario length in minutes", intOption("--duration", 1), 10)
    .option("--rate <perMinute>", "scenario alerts per minute", intOption("--rate", 1), 25)
    .option("--noise <perMinute>", "unrelated noise alerts per minute", intOption("--noise", 0), 2)
    .option("--start <iso>", "start time (default: so the scenario ends now)"),
).action(
  async (
    opts: GlobalOptions & {
      scenario: string;
      seed: number;
      duration: number;
      rate: number;
      noise: number;
      start?: string;
    },
  ) => {
    const scenario = opts.scenario;
    if (scenario !== "mixed" && !(SCENARIO_TYPES as readonly string[]).includes(scenario)) {
      throw new CliError(`--scenario must be one of ${SCENARIO_TYPES.join(", ")} or mixed; got "${scenario}"`, 2);
    }
    const params = {
      scenario: scenario as (typeof SCENARIO_TYPES)[number] | "mixed",
      seed: opts.seed,
      durationMinutes: opts.duration,
      ratePerMinute: opts.rate,
      noisePerMinute: opts.noise,
      ...(opts.start ? { startTime: opts.start } : {}),
    };
    // The server refuses the same way; checking here answers at once, even without a server.
    const estimate = estimateGeneration(params);
    if (estimate.refusal !== null) throw new CliError(estimate.refusal, 2);
    if (!opts.json) note(`generating ${scenario} (seed ${opts.seed}, ${opts.duration} min at ${opts.rate}/min)…`);
    const result = await createClient(opts).scenarios.generate.mutate(params);
    if (opts.json) return printJson(result);
    process.stdout.write(`${result.alerts_inserted} alerts stored (${result.duplicates} duplicates skipped)\n`);
    printTable(
      result.incidents.map((i) => ({ incident: i.id, alerts: i.alert_count })),
      ["incident", "alerts"],
    );
    for (const truth of Array.isArray(result.ground_truth) ? result.ground_truth : [result.ground_truth]) {
      process.stdout.write(`ground truth: ${truth.scenario} at ${truth.root_component}: ${truth.root_cause}\n`);
    }
  },
);

const incidentsCommand = withGlobals(
  program
    .command("incidents")
    .description("list incidents, newest first; assign, note, merge, split or move alerts with the subcommands")
    .option(
      "--status <s>",
      `comma-separated: ${INCIDENT_STATUSES.join(", ")}`,
      listOption("--status", INCIDENT_STATUSES),
    )
    .option("--severity <s>", `comma-separated: ${SEVERITIES.join(", ")}`, listOption("--severity", SEVERITIES))
    .option("--text <q>", "search: every word in the id or title, or in an alert's host, type, message, tags, labels")
    .option("--site <site>", "only incidents at this site")
    .option("--service <service>", "only incidents touching this service")
    .option("--owner <user>", "only incidents this user owns")
    .option("--unassigned", "only incidents nobody owns")
    .option("--since <iso>", "only incidents whose last alert is at or after this time", timeOption("--since"))
    .option("--until <iso>", "only incidents that started at or before this time", timeOption("--until"))
    .option("--limit <n>", "at most this many", intOption("--limit", 1), 50),
).action(
  async (
    opts: GlobalOptions & {
      status?: (typeof INCIDENT_STATUSES)[number][];
      severity?: (typeof SEVERITIES)[number][];
      text?: string;
      site?: string;
      service?: string;
      owner?: string;
      unassigned?: boolean;
      since?: string;
      until?: string;
      limit: number;
    },
  ) => {
    const page = await createClient(opts).incidents.list.query({
      status: opts.status,
      severity: opts.severity,
      text: opts.text,
      site: opts.site,
      service: opts.service,
      owner: opts.owner,
      unassigned: opts.unassigned,
      lastAlertFrom: opts.since,
      startedTo: opts.until,
      limit: Math.min(opts.limit, 500),
    });
    const incidents = page.incidents.map((i) => ({
      id: i.id,
      title: i.title,
      severity: i.severity,
      status: i.status,
      start_time: i.start_time,
      end_time: i.end_time,
      alert_count: i.alert_count,
      hosts: i.hosts,
      sites: i.sites,
      owner: i.owner,
      synthetic: i.synthetic,
    }));
    // `total_exact` is false when a text search matched more than the server counts: `total` is then a lower bound.
    if (opts.json) return printJson({ total: page.total, total_exact: page.totalExact, incidents });
    if (incidents.length === 0) return note("no incidents match; try `teleops generate --scenario mixed`");
    printTable(
      incidents.map((i) => ({
        ...i,
        hosts: i.hosts.length,
        sites: i.sites.join(","),
        owner: i.owner ?? "-",
        synthetic: i.synthetic ? "yes" : "no",
      })),
      ["id", "severity", "status", "owner", "alert_count", "hosts", "start_time", "title"],
    );
  },
);

withGlobals(
  program
    .command("alerts")
    .description("list alerts, newest first")
    .option("--incident <id>", "only this incident's alerts")
    .option("--limit <n>", "at most this many", intOption("--limit", 1), 50),
).action(async (opts: GlobalOptions & { incident?: string; limit: number }) => {
  const page = await createClient(opts).alerts.list.query({
    incidentId: opts.incident,
    limit: Math.min(opts.limit, 1_000),
  });
  const alerts = page.alerts.map((a) => ({
    id: a.id,
    fingerprint: a.fingerprint,
    timestamp: a.timestamp,
    host: a.host,
    service: a.service,
    severity: a.severity,
    alert_type: a.alert_type,
    status: a.status,
    tags: a.tags,
    raw_payload: a.raw_payload,
    incident_id: a.incident_id,
    silenced_by: a.silenced_by ?? null,
  }));
  if (opts.json) return printJson({ alerts, next_cursor: page.nextCursor });
  if (alerts.length === 0) return note("no alerts");
  printTable(
    alerts.map((a) => ({
      id: a.id,
      timestamp: a.timestamp,
      severity: a.severity,
      host: a.host,
      alert_type: a.alert_type,
      incident: a.incident_id ?? (a.silenced_by ? `silenced (${a.silenced_by})` : "-"),
    })),
    ["id", "timestamp", "severity", "host", "alert_type", "incident"],
  );
});

withGlobals(
  program
    .command("rca")
    .description("run one RCA engine on one incident and store the artifact for review")
    .argument("<incident-id>", "incident id, e.g. INC-000001")
    .option("--engine <engine>", `one of ${RCA_ENGINES.join(", ")}`, "baseline"),
).action(async (incidentId: string, opts: GlobalOptions & { engine: string }) => {
  const engine = RCA_ENGINES.find((e) => e === opts.engine.trim().toLowerCase());
  if (!engine) throw new CliError(`--engine must be one of ${RCA_ENGINES.join(", ")}; got "${opts.engine}"`, 2);
  if (!opts.json) note(`running the ${engine} engine on ${incidentId}…`);
  const artifact = await createClient(opts).rca.run.mutate({ incidentId, engine });
  if (opts.json) return printJson(artifact);
  const model = artifact.model ? ` (${artifact.model})` : "";
  process.stdout.write(
    `${artifact.incident_id} · ${artifact.engine}${model} · ${artifact.status} · ${artifact.duration_ms} ms · artifact ${artifact.id}\n`,
  );
  for (const h of artifact.hypotheses) {
    process.stdout.write(
      `\n${h.rank}. ${h.category} at ${h.root_component ?? "(component unknown)"} · confidence ${h.confidence.toFixed(2)}\n`,
    );
    process.stdout.write(`   ${h.hypothesis}\n`);
    for (const fact of h.evidence.notes) process.stdout.write(`   - ${fact}\n`);
    if (h.evidence.alert_ids.length > 0) {
      const shown = h.evidence.alert_ids.slice(0, 10).join(", ");
      const more = h.evidence.alert_ids.length > 10 ? ` (+${h.evidence.alert_ids.length - 10} more)` : "";
      process.stdout.write(`   cited alerts: ${shown}${more}\n`);
    }
    if (h.remediation_steps.length > 0) {
      process.stdout.write("   remediation:\n");
      h.remediation_steps.forEach((step, i) => {
        process.stdout.write(`     ${i + 1}. ${step}\n`);
      });
    }
    if (h.runbook_refs.length > 0) process.stdout.write(`   runbooks: ${h.runbook_refs.join(", ")}\n`);
  }
  if (artifact.retrieval.length > 0) {
    process.stdout.write("\nretrieved runbook sections:\n");
    printTable(
      artifact.retrieval.map((r) => ({ file: r.file, heading: r.heading, score: r.score.toFixed(2) })),
      ["file", "heading", "score"],
    );
  }
  note(`review it in the web UI (incident ${artifact.incident_id}) or with rca.review`);
});

addIncidentCorrectionCommands(incidentsCommand, withGlobals);
addIncidentOwnerCommands(incidentsCommand, withGlobals);
addImportCommand(program, withGlobals);
addTopologyCommand(program, withGlobals);
addSilencesCommand(program, withGlobals);
addChannelsCommand(program, withGlobals);
addUsersCommand(program, withGlobals);
addEvaluateCommand(program, withGlobals);
addRetentionCommand(program, withGlobals);

async function run(argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successful exits; everything else commander rejects is a usage error.
      return error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.exitCode === 0
        ? 0
        : 2;
    }
    const failure = toCliError(error, { server: valueAfter(argv, "--server") });
    process.stderr.write(`teleops: ${failure.message}\n`);
    return failure.exitCode;
  }
}

function valueAfter(argv: string[], flag: string): string | undefined {
  const index = argv.indexOf(flag);
  return index >= 0 ? argv[index + 1] : undefined;
}

process.exitCode = await run(process.argv);
