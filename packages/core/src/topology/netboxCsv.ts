/**
 * NetBox CSV exports, parsed by csv-parse. Headers are matched case-insensitively with spaces as underscores, so
 * both the table export ("Name", "Role", "Site"; cables "Device A", "Termination A", "Device B", "Termination B",
 * "Site A", "Site B") and the bulk-import spelling (`name`, `role`/`device_role`, `site`; `side_a_device`,
 * `side_a_name`, `side_b_device`, `side_b_name`, `side_a_site`, `side_b_site`) are read.
 */
import { CsvError, parse } from "csv-parse/sync";
import { ValidationError } from "../errors.ts";
import { type ParsedTopology, TopologyBuilder } from "./builder.ts";
import { lineFailure } from "./errors.ts";

/** Column → the header spellings NetBox uses for it (normalized: lower case, spaces as underscores). */
const DEVICE_COLUMNS = {
  name: ["name", "device"],
  role: ["role", "device_role"],
  site: ["site"],
  vendor: ["manufacturer"],
} as const;

const CABLE_COLUMNS = {
  deviceA: ["device_a", "side_a_device", "termination_a_device"],
  interfaceA: ["termination_a", "side_a_name", "interface_a"],
  siteA: ["site_a", "side_a_site"],
  deviceB: ["device_b", "side_b_device", "termination_b_device"],
  interfaceB: ["termination_b", "side_b_name", "interface_b"],
  siteB: ["site_b", "side_b_site"],
  label: ["label"],
  type: ["type"],
  status: ["status"],
} as const;

type Columns<T> = { [K in keyof T]: number | undefined };

export type NetboxCsvKind = "devices" | "cables";

function normalizeHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, "")
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
}

function locate<T extends Record<string, readonly string[]>>(headers: string[], spec: T): Columns<T> {
  const out = {} as Columns<T>;
  for (const key of Object.keys(spec) as Array<keyof T>) {
    const index = headers.findIndex((header) => (spec[key] as readonly string[]).includes(header));
    out[key] = index >= 0 ? index : undefined;
  }
  return out;
}

/** Rows with the line each starts on (a quoted field may span lines). */
function readRows(text: string, what: string): Array<{ line: number; cells: string[] }> {
  try {
    // CRLF → LF first: csv-parse counts a CRLF inside a quoted field as two lines.
    const rows: Array<{ line: number; cells: string[] }> = [];
    parse(text.replace(/\r\n/g, "\n"), {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      // csv-parse counts the line a record ends on; a quoted newline inside it moves its first line up.
      on_record: (record: string[], context) => {
        rows.push({ line: context.lines - newlinesIn(record), cells: record });
        return null;
      },
    });
    return rows;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error.lines === "number" ? error.lines : 0;
      throw lineFailure(what, line, error.message.replace(/^Invalid[^:]*: /, ""));
    }
    throw error;
  }
}

function newlinesIn(cells: string[]): number {
  let count = 0;
  for (const value of cells) for (let i = value.indexOf("\n"); i >= 0; i = value.indexOf("\n", i + 1)) count += 1;
  return count;
}

/** Which export a CSV is, from its header row. */
export function netboxCsvKind(text: string): NetboxCsvKind | undefined {
  const firstLine = text.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0] ?? "";
  const headers = firstLine.split(",").map((h) => normalizeHeader(h.replace(/^"|"$/g, "")));
  const cables = locate(headers, CABLE_COLUMNS);
  if (cables.deviceA !== undefined && cables.deviceB !== undefined) return "cables";
  if (locate(headers, DEVICE_COLUMNS).name !== undefined) return "devices";
  return undefined;
}

function cell(cells: string[], index: number | undefined): string | undefined {
  if (index === undefined) return undefined;
  const value = cells[index]?.trim();
  return value ? value : undefined;
}

/** NetBox joins several terminations of one side with commas. */
function several(value: string | undefined): string[] {
  return value
    ? [
        ...new Set(
          value
            .split(",")
            .map((v) => v.trim())
            .filter(Boolean),
        ),
      ]
    : [];
}

function addDeviceRows(builder: TopologyBuilder, text: string): void {
  const what = "NetBox devices CSV";
  const [header, ...rows] = readRows(text, what);
  if (!header) throw new ValidationError(`${what} is empty`);
  const columns = locate(header.cells.map(normalizeHeader), DEVICE_COLUMNS);
  if (columns.name === undefined) {
    throw lineFailure(what, header.line, 'no "Name" (or "name") column in the header row');
  }
  for (const row of rows) {
    const where = `devices line ${row.line}`;
    const name = cell(row.cells, columns.name);
    if (!name) {
      builder.skip(where, "unnamed device: alerts cannot name it");
      continue;
    }
    if (name.length > 255) throw lineFailure(what, row.line, "name is longer than 255 characters");
    const role = cell(row.cells, columns.role);
    const site = cell(row.cells, columns.site);
    const vendor = cell(row.cells, columns.vendor);
    builder.addDevice(
      { name, ...(role ? { role } : {}), ...(site ? { site } : {}), ...(vendor ? { vendor } : {}), services: [] },
      where,
    );
  }
}

const INACTIVE = new Set(["planned", "decommissioning"]);

function addCableRows(builder: TopologyBuilder, text: string): void {
  const what = "NetBox cables CSV";
  const [header, ...rows] = readRows(text, what);
  if (!header) throw new ValidationError(`${what} is empty`);
  const columns = locate(header.cells.map(normalizeHeader), CABLE_COLUMNS);
  if (columns.deviceA === undefined || columns.deviceB === undefined) {
    throw lineFailure(
      what,
      header.line,
      'the header row needs "Device A" and "Device B" (or side_a_device and side_b_device) columns',
    );
  }
  for (const row of rows) {
    const where = `cables line ${row.line}`;
    const status = cell(row.cells, columns.status)?.toLowerCase();
    if (status && INACTIVE.has(status)) {
      builder.skip(where, `cable is ${status}`);
      continue;
    }
    const as = several(cell(row.cells, columns.deviceA));
    const bs = several(cell(row.cells, columns.deviceB));
    if (as.length === 0 || bs.length === 0) {
      const sides = [as.length === 0 ? "A" : null, bs.length === 0 ? "B" : null].filter(Boolean).join(" and ");
      builder.skip(where, `side ${sides} ends on no device (a circuit, power feed or patch panel)`);
      continue;
    }
    const aInterface = cell(row.cells, columns.interfaceA);
    const bInterface = cell(row.cells, columns.interfaceB);
    const label = cell(row.cells, columns.label);
    const kind = cell(row.cells, columns.type);
    const sites = { a: cell(row.cells, columns.siteA), b: cell(row.cells, columns.siteB) };
    for (const a of as) {
      for (const b of bs) {
        builder.addLink(
          {
            a,
            b,
            ...(aInterface ? { a_interface: aInterface } : {}),
            ...(bInterface ? { b_interface: bInterface } : {}),
            ...(kind ? { kind } : {}),
            ...(label ? { circuit: label } : {}),
          },
          where,
          sites,
        );
      }
    }
  }
}

/**
 * Builds a topology from NetBox CSV exports: a devices CSV, a cables CSV, or both. Each text is recognized by its
 * header row, whichever field it came in.
 */
export function parseNetboxCsv(input: { content?: string; devices?: string; cables?: string }): ParsedTopology {
  const builder = new TopologyBuilder();
  const texts = { devices: [] as string[], cables: [] as string[] };
  const given: Array<[string | undefined, NetboxCsvKind | undefined]> = [
    [input.content, undefined],
    [input.devices, "devices"],
    [input.cables, "cables"],
  ];
  for (const [text, expected] of given) {
    if (text === undefined) continue;
    const kind = netboxCsvKind(text) ?? expected;
    if (!kind) {
      throw lineFailure(
        "NetBox CSV",
        1,
        'the header row names neither a devices export ("Name", "Role", "Site") nor a cables export ("Device A", "Device B")',
      );
    }
    texts[kind].push(text);
  }
  for (const text of texts.devices) addDeviceRows(builder, text);
  for (const text of texts.cables) addCableRows(builder, text);
  return builder.build("NetBox CSV");
}
