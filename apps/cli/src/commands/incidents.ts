/**
 * `teleops incidents merge|split|move`: operators' corrections of how alerts were grouped. A correction the
 * server refuses (an alert not in the incident, a merge into itself, an unknown incident) exits 1.
 */
import type { Incident } from "@teleops/schema";
import { TRPCClientError } from "@trpc/client";
import type { Command } from "commander";
import { CliError, createClient, type GlobalOptions } from "../client.ts";
import { printJson } from "../output.ts";

/** Adds the corrections under `teleops incidents`, whose own action lists incidents. */
export function addIncidentCorrectionCommands(incidents: Command, withGlobals: (command: Command) => Command): void {
  withGlobals(
    incidents
      .command("merge")
      .description("merge the other incidents into the first: their alerts move there and they are resolved")
      .argument("<into>", "the incident that stays, e.g. INC-000001")
      .argument("<from...>", "the incidents merged into it"),
  ).action(async (into: string, from: string[], _opts: unknown, command: Command) => {
    const opts = globals(command);
    const incident = await refusedExitsOne(createClient(opts).incidents.merge.mutate({ into, from }));
    report(opts, incident, `merged ${from.join(", ")} into ${incident.id}`);
  });

  withGlobals(
    incidents
      .command("split")
      .description("move the given alerts of an incident into a new incident")
      .argument("<incident>", "the incident to split, e.g. INC-000001")
      .requiredOption("--alerts <ids>", "comma-separated alert ids (see `teleops alerts --incident <id>`)"),
  ).action(async (id: string, _opts: unknown, command: Command) => {
    const opts = globals(command);
    const alertIds = parseAlertIds(opts.alerts);
    const incident = await refusedExitsOne(createClient(opts).incidents.split.mutate({ id, alertIds }));
    report(opts, incident, `split ${alertIds.length} alert${alertIds.length === 1 ? "" : "s"} of ${id} into`);
  });

  withGlobals(
    incidents
      .command("move")
      .description("move alerts of one incident into another")
      .requiredOption("--alerts <ids>", "comma-separated alert ids, all of one incident")
      .requiredOption("--to <incident>", "the incident they move to"),
  ).action(async (_opts: unknown, command: Command) => {
    const opts = globals(command);
    const alertIds = parseAlertIds(opts.alerts);
    const to = opts.to ?? "";
    const incident = await refusedExitsOne(createClient(opts).incidents.moveAlerts.mutate({ alertIds, to }));
    report(opts, incident, `moved ${alertIds.length} alert${alertIds.length === 1 ? "" : "s"} into`);
  });
}

interface CorrectionOptions extends GlobalOptions {
  alerts?: string;
  to?: string;
}

/** `--json`, `--server` and `--token` may be given before the subcommand too, where `incidents` takes them. */
function globals(command: Command): CorrectionOptions {
  return command.optsWithGlobals<CorrectionOptions>();
}

function parseAlertIds(value: string | undefined): number[] {
  const items = (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  const ids = items.map(Number);
  if (items.length === 0 || ids.some((id) => !Number.isSafeInteger(id) || id <= 0)) {
    throw new CliError(`--alerts must be comma-separated alert ids like 12,13,14; got "${value ?? ""}"`, 2);
  }
  return ids;
}

/** The server refusing the correction itself (not the credentials, not the connection) is exit code 1. */
export async function refusedExitsOne<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    const code = (error.data as { code?: string } | undefined)?.code;
    if (code === "BAD_REQUEST" || code === "NOT_FOUND" || code === "CONFLICT") throw new CliError(error.message, 1);
    throw error;
  }
}

function report(opts: GlobalOptions, incident: Incident, done: string): void {
  if (opts.json) {
    printJson({ incident });
    return;
  }
  process.stdout.write(`${done} ${incident.id}: ${incident.title}\n`);
  process.stdout.write(
    `${incident.id} · ${incident.severity} · ${incident.status} · ${incident.alert_count} alerts · ${incident.hosts.length} hosts\n`,
  );
}
