/**
 * `teleops topology import <file> [<file>]` replaces the tenant's topology with a TeleOps document or NetBox's
 * exports (JSON, or the devices and cables CSVs); `teleops topology show` prints what is stored.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { TOPOLOGY_CONTENT_MAX, TOPOLOGY_FORMATS, type TopologyFormat } from "@teleops/schema";
import { TRPCClientError } from "@trpc/client";
import type { Command } from "commander";
import { CliError, createClient, type GlobalOptions } from "../client.ts";
import { note, printJson, printTable } from "../output.ts";

interface ImportOptions extends GlobalOptions {
  format?: string;
}

/** `--format netbox` covers NetBox's JSON and CSV alike: which one a file is shows in its content. */
const FORMAT_CHOICES = ["teleops", "netbox", "netbox-csv"] as const;

export function addTopologyCommand(program: Command, withGlobals: (command: Command) => Command): void {
  const topology = program.command("topology").description("the tenant's network topology: import and show");

  withGlobals(
    topology
      .command("import")
      .description("replace the tenant's topology with a TeleOps document or NetBox exports (JSON or CSV)")
      .argument("<files...>", "one file, or NetBox's devices and cables exports (in either order)")
      .option("--format <format>", `${FORMAT_CHOICES.join("|")} (default: from the content)`),
  ).action((files: string[], opts: ImportOptions) => importTopology(files, opts));

  withGlobals(topology.command("show").alias("get").description("show the tenant's stored topology")).action(
    (opts: GlobalOptions) => showTopology(opts),
  );
}

function parseFormat(value: string | undefined, texts: string[]): TopologyFormat | "auto" {
  if (value === undefined) return "auto";
  const format = value.trim().toLowerCase();
  if (format === "netbox") {
    // The same NetBox, exported from the UI as CSV or fetched from the API as JSON.
    return texts.every((text) => /^\s*[[{]/.test(text.replace(/^\uFEFF/, ""))) ? "netbox" : "netbox-csv";
  }
  const known = TOPOLOGY_FORMATS.find((f) => f === format);
  if (!known) throw new CliError(`--format must be one of ${FORMAT_CHOICES.join(", ")}; got "${value}"`, 2);
  return known;
}

async function readText(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, 2);
  }
  if (text.length > TOPOLOGY_CONTENT_MAX) {
    throw new CliError(`${file} is over ${TOPOLOGY_CONTENT_MAX / 1024 / 1024} MiB; a topology import takes less`, 2);
  }
  return text;
}

async function importTopology(files: string[], opts: ImportOptions): Promise<void> {
  if (files.length > 2) throw new CliError("give one topology file, or NetBox's devices and cables exports", 2);
  const texts = await Promise.all(files.map(readText));
  const format = parseFormat(opts.format, texts);
  const [first, second] = texts;
  const name = files.map((file) => basename(file)).join(" + ");
  if (!opts.json) note(`importing the topology from ${name}…`);
  let result: Awaited<ReturnType<ReturnType<typeof createClient>["topology"]["import"]["mutate"]>>;
  try {
    result = await createClient(opts).topology.import.mutate(
      second === undefined ? { format, content: first, name } : { format, devices: first, cables: second, name },
    );
  } catch (error) {
    throw rejected(error);
  }
  if (opts.json) return printJson(result);
  process.stdout.write(
    `${result.devices} devices and ${result.links} links from ${result.source} are now the topology of tenant ${result.tenant}\n`,
  );
  if (result.skipped_count > 0) {
    note(`${result.skipped_count} items not used:`);
    for (const item of result.skipped) note(`  ${item.where}: ${item.reason}`);
    if (result.skipped_count > result.skipped.length)
      note(`  … and ${result.skipped_count - result.skipped.length} more`);
  }
}

/** A file the server refused (broken JSON or CSV, a bad field) ran and failed: exit 1, naming where. */
function rejected(error: unknown): unknown {
  if (!(error instanceof TRPCClientError)) return error;
  const data = error.data as { code?: string; issues?: Array<{ path: string; message: string }> } | undefined;
  if (data?.code !== "BAD_REQUEST") return error;
  const issues = (data.issues ?? []).slice(1).map((issue) => `\n  ${issue.path}: ${issue.message}`);
  return new CliError(`topology rejected, nothing changed: ${error.message}${issues.join("")}`, 1);
}

async function showTopology(opts: GlobalOptions): Promise<void> {
  const stored = await createClient(opts).topology.get.query();
  if (opts.json) return printJson(stored ? { ...stored } : { topology: null });
  if (!stored) {
    note("no topology stored for this tenant; load one with `teleops topology import <file>`");
    return;
  }
  process.stdout.write(
    `tenant ${stored.tenant}: ${stored.device_count} devices, ${stored.link_count} links, from ${stored.source} (${stored.updated_by}, ${stored.updated_at})\n`,
  );
  printTable(
    stored.devices.map((d) => ({ name: d.name, role: d.role ?? "-", site: d.site ?? "-" })),
    ["name", "role", "site"],
  );
}
