/**
 * NetBox JSON exports as its REST API returns them: `/api/dcim/devices/` and `/api/dcim/cables/` bodies
 * (paginated `{results: […]}` or a plain array), or a bundle `{devices, cables}`. Devices keep their name, role
 * (`role`, or `device_role` before NetBox 3.6), site and manufacturer; cables become links between the devices
 * their A and B terminations belong to, and two cables on the ends of one circuit become a link with its id.
 */
import { z } from "zod";
import { ValidationError } from "../errors.ts";
import { type ParsedTopology, TopologyBuilder } from "./builder.ts";
import { parseJson, schemaFailure } from "./errors.ts";

/** A nested object as NetBox serializes related objects (`{id, url, display, name, slug}`), or a plain string. */
const relatedSchema = z
  .union([
    z.string(),
    z.looseObject({ slug: z.string().nullish(), name: z.string().nullish(), display: z.string().nullish() }),
  ])
  .nullish();

const deviceSchema = z.looseObject({
  id: z.number().nullish(),
  name: z.string().nullish(),
  role: relatedSchema,
  device_role: relatedSchema,
  site: relatedSchema,
  device_type: z.looseObject({ manufacturer: relatedSchema }).nullish(),
});

const terminationObjectSchema = z.looseObject({
  name: z.string().nullish(),
  device: z.looseObject({ name: z.string().nullish() }).nullish(),
  circuit: z.looseObject({ cid: z.string().nullish() }).nullish(),
  term_side: z.string().nullish(),
});
type TerminationObject = z.infer<typeof terminationObjectSchema>;

const terminationSchema = z.looseObject({
  object_type: z.string().nullish(),
  object: terminationObjectSchema.nullish(),
});

const cableSchema = z.looseObject({
  id: z.number().nullish(),
  label: z.string().nullish(),
  type: z.string().nullish(),
  status: z.union([z.string(), z.looseObject({ value: z.string().nullish() })]).nullish(),
  a_terminations: z.array(terminationSchema).nullish(),
  b_terminations: z.array(terminationSchema).nullish(),
  // NetBox before 3.3: one termination per side.
  termination_a: terminationObjectSchema.nullish(),
  termination_b: terminationObjectSchema.nullish(),
});
type NetboxCable = z.infer<typeof cableSchema>;
type NetboxDevice = z.infer<typeof deviceSchema>;

/** Cable states that carry no traffic yet or any more. */
const INACTIVE_CABLE_STATUSES = new Set(["planned", "decommissioning"]);

/** The list a NetBox body holds: `{results: […]}` or a plain array. */
function resultsOf(document: unknown, path: string): { items: unknown[]; path: string } {
  if (Array.isArray(document)) return { items: document, path };
  if (document && typeof document === "object" && "results" in document && Array.isArray(document.results)) {
    return { items: document.results, path: path === "" ? "results" : `${path}.results` };
  }
  throw new ValidationError(`NetBox export: ${path || "the document"} is neither a list nor a {"results": […]} page`, [
    { path: path || "(document)", message: "expected an array or an object with a results array" },
  ]);
}

/** True for an item of `/api/dcim/cables/`. */
function looksLikeCable(item: unknown): boolean {
  return (
    typeof item === "object" &&
    item !== null &&
    ("a_terminations" in item || "b_terminations" in item || "termination_a" in item || "termination_b" in item)
  );
}

/** The parts of a NetBox JSON input: device items and cable items, each with the path of its list. */
export interface NetboxJsonParts {
  devices?: { items: unknown[]; path: string };
  cables?: { items: unknown[]; path: string };
}

/** Splits one NetBox JSON document into its devices and cables, whatever shape it came in. */
export function netboxParts(document: unknown): NetboxJsonParts {
  if (document && typeof document === "object" && !Array.isArray(document) && !("results" in document)) {
    const bundle = document as Record<string, unknown>;
    if (!("devices" in bundle) && !("cables" in bundle)) {
      throw new ValidationError("NetBox export: expected a devices or cables page, a list, or {devices, cables}", [
        { path: "(document)", message: "no results, devices or cables" },
      ]);
    }
    return {
      ...("devices" in bundle ? { devices: resultsOf(bundle.devices, "devices") } : {}),
      ...("cables" in bundle ? { cables: resultsOf(bundle.cables, "cables") } : {}),
    };
  }
  const list = resultsOf(document, "");
  return list.items.some(looksLikeCable) ? { cables: list } : { devices: list };
}

/** A related object's most stable spelling: the slug, else the name or display text. */
function relatedName(value: z.infer<typeof relatedSchema>): string | undefined {
  if (!value) return undefined;
  if (typeof value === "string") return value.trim() || undefined;
  return (value.slug ?? value.name ?? value.display ?? "").trim() || undefined;
}

function itemPath(path: string, index: number): string {
  return path === "" ? `[${index}]` : `${path}[${index}]`;
}

function addDevices(builder: TopologyBuilder, part: { items: unknown[]; path: string }): void {
  part.items.forEach((item, index) => {
    const where = itemPath(part.path, index);
    const parsed = deviceSchema.safeParse(item);
    if (!parsed.success) throw schemaFailure("NetBox export", parsed.error, where);
    const device: NetboxDevice = parsed.data;
    const name = device.name?.trim();
    if (!name) {
      builder.skip(where, `unnamed device${device.id != null ? ` (id ${device.id})` : ""}: alerts cannot name it`);
      return;
    }
    const role = relatedName(device.role) ?? relatedName(device.device_role);
    const site = relatedName(device.site);
    const vendor = relatedName(device.device_type?.manufacturer);
    builder.addDevice(
      { name, ...(role ? { role } : {}), ...(site ? { site } : {}), ...(vendor ? { vendor } : {}), services: [] },
      where,
    );
  });
}

interface CableEnd {
  devices: Array<{ name: string; interface: string | undefined }>;
  circuits: Array<{ cid: string; side: string | undefined }>;
  other: string[];
}

function cableEnd(terminations: NetboxCable["a_terminations"], legacy: TerminationObject | null | undefined): CableEnd {
  const end: CableEnd = { devices: [], circuits: [], other: [] };
  const objects = terminations
    ? terminations.map((t) => ({ type: t.object_type ?? undefined, object: t.object }))
    : legacy
      ? [{ type: undefined, object: legacy }]
      : [];
  for (const { type, object } of objects) {
    const device = object?.device?.name?.trim();
    const cid = object?.circuit?.cid?.trim();
    if (device) end.devices.push({ name: device, interface: object?.name?.trim() || undefined });
    else if (cid) end.circuits.push({ cid, side: object?.term_side ?? undefined });
    else end.other.push(type ?? "an object without a device");
  }
  return end;
}

function statusOf(cable: NetboxCable): string | undefined {
  const status = cable.status;
  if (!status) return undefined;
  return (typeof status === "string" ? status : (status.value ?? "")).trim().toLowerCase() || undefined;
}

function addCables(builder: TopologyBuilder, part: { items: unknown[]; path: string }): void {
  // Circuit id → the device ends of cables that land on the circuit's terminations.
  const circuits = new Map<string, Array<{ name: string; interface: string | undefined; where: string }>>();
  part.items.forEach((item, index) => {
    const where = itemPath(part.path, index);
    const parsed = cableSchema.safeParse(item);
    if (!parsed.success) throw schemaFailure("NetBox export", parsed.error, where);
    const cable = parsed.data;
    const status = statusOf(cable);
    if (status && INACTIVE_CABLE_STATUSES.has(status)) {
      builder.skip(where, `cable is ${status}`);
      return;
    }
    const a = cableEnd(cable.a_terminations, cable.termination_a);
    const b = cableEnd(cable.b_terminations, cable.termination_b);
    const label = cable.label?.trim() || undefined;
    const kind = cable.type?.trim() || undefined;
    if (a.devices.length > 0 && b.devices.length > 0) {
      for (const x of uniqueByName(a.devices)) {
        for (const y of uniqueByName(b.devices)) {
          builder.addLink(
            {
              a: x.name,
              b: y.name,
              ...(x.interface ? { a_interface: x.interface } : {}),
              ...(y.interface ? { b_interface: y.interface } : {}),
              ...(kind ? { kind } : {}),
              ...(label ? { circuit: label } : {}),
            },
            where,
          );
        }
      }
      return;
    }
    // A device cabled to a circuit termination: the circuit's other end, cabled elsewhere, completes the link.
    const [deviceEnd, circuitEnd] = a.devices.length > 0 ? [a, b] : [b, a];
    if (deviceEnd.devices.length > 0 && circuitEnd.circuits.length > 0) {
      for (const circuit of circuitEnd.circuits) {
        const ends = circuits.get(circuit.cid) ?? [];
        for (const device of deviceEnd.devices) ends.push({ ...device, where });
        circuits.set(circuit.cid, ends);
      }
      return;
    }
    const missing = [a.devices.length === 0 ? "A" : null, b.devices.length === 0 ? "B" : null].filter(Boolean);
    const what = [...a.other, ...b.other, ...a.circuits.map((c) => `circuit ${c.cid}`)];
    builder.skip(
      where,
      `side ${missing.join(" and ")} ends on no device${what.length > 0 ? ` (${[...new Set(what)].join(", ")})` : ""}`,
    );
  });
  for (const [cid, ends] of circuits) {
    const [first, ...others] = ends;
    if (!first || others.length === 0) {
      if (first) builder.skip(first.where, `circuit ${cid} has a device cabled to one end only`);
      continue;
    }
    for (const other of others) {
      builder.addLink(
        {
          a: first.name,
          b: other.name,
          ...(first.interface ? { a_interface: first.interface } : {}),
          ...(other.interface ? { b_interface: other.interface } : {}),
          kind: "circuit",
          circuit: cid,
        },
        other.where,
      );
    }
  }
}

function uniqueByName<T extends { name: string }>(items: T[]): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(item.name)) seen.set(item.name, item);
  return [...seen.values()];
}

/** Builds a topology from NetBox JSON documents: one bundle or page, or a devices page and a cables page. */
export function parseNetboxJson(parts: NetboxJsonParts): ParsedTopology {
  const builder = new TopologyBuilder();
  if (!parts.devices && !parts.cables) throw new ValidationError("NetBox export: no devices and no cables");
  if (parts.devices) addDevices(builder, parts.devices);
  if (parts.cables) addCables(builder, parts.cables);
  return builder.build("NetBox export");
}

/** Parses NetBox JSON text: one document, or the devices and cables exports, each recognized by its content. */
export function parseNetboxJsonText(input: { content?: string; devices?: string; cables?: string }): ParsedTopology {
  const parts: NetboxJsonParts = {};
  const texts: Array<[string | undefined, string]> = [
    [input.content, "NetBox export"],
    [input.devices, "NetBox devices export"],
    [input.cables, "NetBox cables export"],
  ];
  for (const [text, what] of texts) {
    if (text === undefined) continue;
    const found = netboxParts(parseJson(text, what));
    for (const kind of ["devices", "cables"] as const) {
      const part = found[kind];
      if (!part) continue;
      if (parts[kind]) throw new ValidationError(`${what}: a second list of ${kind}; send one export of each`);
      parts[kind] = part;
    }
  }
  return parseNetboxJson(parts);
}
