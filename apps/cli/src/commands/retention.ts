/** `teleops retention run` applies the server's retention now: drops the weeks of alerts and events past it. */
import type { Command } from "commander";
import { createClient, type GlobalOptions } from "../client.ts";
import { note, printJson } from "../output.ts";

export function addRetentionCommand(program: Command, withGlobals: (command: Command) => Command): void {
  const retention = program
    .command("retention")
    .description("retention of old alerts and integration events (TELEOPS_RETENTION_DAYS, …)");
  withGlobals(
    retention.command("run").description("drop the weekly partitions past the retention now (admins only)"),
  ).action((opts: GlobalOptions) => runRetention(opts));
}

async function runRetention(opts: GlobalOptions): Promise<void> {
  const report = await createClient(opts).retention.run.mutate();
  if (opts.json) return printJson(report);
  if (report.skipped) {
    note("another server process is applying retention right now; nothing done here");
    return;
  }
  const dropped = report.dropped_partitions;
  process.stdout.write(
    dropped.length === 0
      ? "nothing past the retention: no partition dropped\n"
      : `dropped ${dropped.length} partition(s): ${dropped.join(", ")}\n` +
          `${report.alerts_removed} alerts and ${report.events_removed} integration events removed\n`,
  );
}
