/**
 * `teleops incidents assign|note`: who owns an incident, and what was checked. A change the server refuses (an
 * unknown user, an unknown incident, an empty note) exits 1.
 */
import type { Command } from "commander";
import { CliError, createClient, type GlobalOptions } from "../client.ts";
import { printJson } from "../output.ts";
import { refusedExitsOne } from "./incidents.ts";

interface OwnershipOptions extends GlobalOptions {
  to?: string;
  unassign?: boolean;
  text?: string;
}

/** Adds `assign` and `note` under `teleops incidents`. */
export function addIncidentOwnerCommands(incidents: Command, withGlobals: (command: Command) => Command): void {
  withGlobals(
    incidents
      .command("assign")
      .description("set the incident's owner to a user of the users file (--unassign clears it)")
      .argument("<incident>", "the incident, e.g. INC-000001")
      .option("--to <user>", "the user who owns it from now on")
      .option("--unassign", "leave it without an owner"),
  ).action(async (id: string, _opts: unknown, command: Command) => {
    const opts = command.optsWithGlobals<OwnershipOptions>();
    if ((opts.to === undefined) === (opts.unassign !== true)) {
      throw new CliError("give either --to <user> or --unassign", 2);
    }
    const to = opts.unassign ? null : (opts.to ?? null);
    const incident = await refusedExitsOne(createClient(opts).incidents.assign.mutate({ id, to }));
    if (opts.json) return printJson({ incident });
    process.stdout.write(
      incident.owner ? `${incident.id} is owned by ${incident.owner}\n` : `${incident.id} has no owner now\n`,
    );
  });

  withGlobals(
    incidents
      .command("note")
      .description("add a note (markdown) to the incident's timeline")
      .argument("<incident>", "the incident, e.g. INC-000001")
      // Not `requiredOption`: `teleops incidents` has a --text (search) of its own, which may take the value.
      .option("--text <markdown>", "what was checked or done (required)"),
  ).action(async (id: string, _opts: unknown, command: Command) => {
    const opts = command.optsWithGlobals<OwnershipOptions>();
    if (opts.text === undefined) throw new CliError("give the note with --text <markdown>", 2);
    const note = await refusedExitsOne(createClient(opts).incidents.addNote.mutate({ id, text: opts.text ?? "" }));
    if (opts.json) {
      return printJson({
        note: {
          id: note.id,
          incident_id: note.incident_id,
          author: note.author,
          created_at: note.created_at,
          text: note.text,
        },
      });
    }
    process.stdout.write(`note ${note.id} added to ${note.incident_id} by ${note.author} at ${note.created_at}\n`);
  });
}
