import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import { parseTopologyImport } from "./parse.ts";

const sample = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../../../fixtures/${name}`, import.meta.url)), "utf8");

/** The ValidationError a parse throws, for asserting its message and issues. */
function failure(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

const linked = (links: Array<{ a: string; b: string }>, x: string, y: string) =>
  links.some((l) => (l.a === x && l.b === y) || (l.a === y && l.b === x));

describe("topology import parsers", () => {
  it("reads today's TeleOps document as it is, detected from the content", () => {
    const parsed = parseTopologyImport({ content: sample("topology.json") });
    const document = JSON.parse(sample("topology.json"));
    expect(parsed.format).toBe("teleops");
    expect(parsed.topology.devices).toHaveLength(document.devices.length);
    expect(parsed.topology.links).toHaveLength(document.links.length);
    expect(parsed.skipped).toEqual([]);
  });

  it("accepts any role string and devices without a site in the TeleOps format", () => {
    const parsed = parseTopologyImport({
      format: "teleops",
      content: JSON.stringify({
        devices: [{ name: "olt-7", role: "GPON OLT" }, { name: "onu-gw-1" }],
        links: [{ a: "olt-7", b: "onu-gw-1", a_interface: "pon 0/1/3", circuit: "FTTH-0042" }],
      }),
    });
    expect(parsed.topology.devices).toEqual([
      { name: "olt-7", role: "GPON OLT", services: [] },
      { name: "onu-gw-1", services: [] },
    ]);
    expect(parsed.topology.links[0]).toMatchObject({ circuit: "FTTH-0042", a_interface: "pon 0/1/3" });
  });

  it("reads the NetBox API bundle: roles and sites by slug, cables to links, a circuit's two cables to one link", () => {
    const parsed = parseTopologyImport({ content: sample("data_samples/netbox_topology.json") });
    expect(parsed.format).toBe("netbox");
    const byName = new Map(parsed.topology.devices.map((d) => [d.name, d]));
    expect(byName.get("lis-core-rtr-1")).toMatchObject({ role: "core-router", site: "lis1", vendor: "cisco" });
    expect(byName.get("mad-roadm-2")).toMatchObject({ role: "optical-line", site: "mad1" });
    expect(parsed.topology.devices).toHaveLength(14);
    const links = parsed.topology.links;
    expect(links.find((l) => l.circuit === "LIS-MAD-2")).toMatchObject({
      a: "lis-roadm-1",
      b: "mad-roadm-2",
      a_interface: "1-5-2",
      b_interface: "1-3-1",
      kind: "circuit",
    });
    expect(linked(links, "lis-core-rtr-1", "lis-roadm-1")).toBe(true);
    expect(linked(links, "lis-core-rtr-1", "lis-con-1")).toBe(true);
    // Planned cables carry no traffic; power feeds and unnamed devices cannot be alerting hosts.
    expect(linked(links, "lis-core-rtr-2", "par-edge-rtr-02")).toBe(false);
    expect(parsed.skipped.map((s) => s.reason)).toEqual([
      "unnamed device (id 199): alerts cannot name it",
      "cable is planned",
      expect.stringMatching(/^side A ends on no device \(dcim\.powerfeed\)/),
    ]);
    expect(links).toHaveLength(12);
  });

  it("reads a single NetBox page, paginated or as a plain array, with device_role from NetBox before 3.6", () => {
    const devices = [
      { id: 1, name: "fra1-cr-1", device_role: { name: "Core", slug: "core" }, site: { name: "FRA 1", slug: "fra1" } },
    ];
    const page = parseTopologyImport({ content: JSON.stringify({ count: 1, next: null, results: devices }) });
    const array = parseTopologyImport({ format: "netbox", content: JSON.stringify(devices) });
    for (const parsed of [page, array]) {
      expect(parsed.format).toBe("netbox");
      expect(parsed.topology.devices).toEqual([{ name: "fra1-cr-1", role: "core", site: "fra1", services: [] }]);
    }
    const cables = [
      {
        id: 9,
        a_terminations: [
          { object_type: "dcim.interface", object: { device: { name: "fra1-cr-1" }, name: "et-0/0/0" } },
        ],
        b_terminations: [
          { object_type: "dcim.interface", object: { device: { name: "fra1-cr-2" }, name: "et-0/0/0" } },
        ],
      },
    ];
    const split = parseTopologyImport({
      devices: JSON.stringify({ results: devices }),
      cables: JSON.stringify(cables),
    });
    // A device only a cable names becomes a device without role or site.
    expect(split.topology.devices.map((d) => d.name)).toEqual(["fra1-cr-1", "fra1-cr-2"]);
    expect(split.topology.links).toEqual([
      { a: "fra1-cr-1", b: "fra1-cr-2", a_interface: "et-0/0/0", b_interface: "et-0/0/0" },
    ]);
  });

  it("reads NetBox's CSV table exports, devices and cables, recognized by their header rows", () => {
    const parsed = parseTopologyImport({
      devices: sample("data_samples/netbox_devices.csv"),
      cables: sample("data_samples/netbox_cables.csv"),
    });
    expect(parsed.format).toBe("netbox-csv");
    expect(parsed.topology.devices).toHaveLength(14);
    expect(parsed.topology.devices[0]).toEqual({
      name: "lis-core-rtr-1",
      role: "Core Router",
      site: "Lisbon 1",
      vendor: "Cisco",
      services: [],
    });
    expect(linked(parsed.topology.links, "mad-edge-mx-3", "mad-roadm-2")).toBe(true);
    expect(parsed.topology.links).toHaveLength(11);
    expect(parsed.skipped).toContainEqual({
      where: "devices line 16",
      reason: "unnamed device: alerts cannot name it",
    });
    expect(parsed.skipped).toContainEqual({ where: "cables line 15", reason: "cable is planned" });
    expect(parsed.skipped).toContainEqual({
      where: "cables line 4",
      reason: "side B ends on no device (a circuit, power feed or patch panel)",
    });
  });

  it("reads NetBox's bulk-import CSV spelling too (side_a_device, side_a_name, device_role)", () => {
    const devices = "name,device_role,site\nams1-pe-1,pe,ams1\nams1-pe-2,pe,ams1\n";
    const cables =
      "side_a_device,side_a_type,side_a_name,side_b_device,side_b_type,side_b_name\n" +
      "ams1-pe-1,dcim.interface,xe-0/0/1,ams1-pe-2,dcim.interface,xe-0/0/1\n";
    const parsed = parseTopologyImport({ format: "netbox-csv", devices, cables });
    expect(parsed.topology.devices.map((d) => d.role)).toEqual(["pe", "pe"]);
    expect(parsed.topology.links).toEqual([
      { a: "ams1-pe-1", b: "ams1-pe-2", a_interface: "xe-0/0/1", b_interface: "xe-0/0/1" },
    ]);
    // Each CSV is recognized by its header, whichever field it came in; one alone is fine too.
    expect(parseTopologyImport({ devices: cables, cables: devices }).topology.links).toHaveLength(1);
    expect(parseTopologyImport({ content: cables }).topology.devices).toHaveLength(2);
  });

  it("names the line of broken JSON", () => {
    const error = failure(() => parseTopologyImport({ content: '{\n  "devices": [\n    {"name": "a",}\n  ]\n}' }));
    expect(error.message).toMatch(/^topology is not valid JSON: line 3, column \d+/);
    expect(error.issues[0]?.path).toBe("line 3");
  });

  it("names the field path of a TeleOps document that breaks the schema", () => {
    const error = failure(() =>
      parseTopologyImport({
        content: JSON.stringify({ devices: [{ name: "a" }, { name: 7 }], links: [{ a: "a", b: "zz" }] }),
      }),
    );
    expect(error.issues.map((i) => i.path)).toEqual(["devices[1].name"]);
    const unknown = failure(() =>
      parseTopologyImport({ content: JSON.stringify({ devices: [{ name: "a" }], links: [{ a: "a", b: "zz" }] }) }),
    );
    expect(unknown.message).toBe('TeleOps topology: links[0].b: unknown device "zz"');
  });

  it("names the field path of a NetBox item that breaks the shape", () => {
    const error = failure(() =>
      parseTopologyImport({
        content: JSON.stringify({ devices: { results: [{ name: "a" }, { name: "b", site: 42 }] }, cables: [] }),
      }),
    );
    expect(error.issues[0]?.path).toBe("devices.results[1].site");
    expect(error.message).toMatch(/^NetBox export: devices\.results\[1\]\.site: /);
  });

  it("names the line of a broken CSV row and a header without the needed columns", () => {
    const quoted = failure(() => parseTopologyImport({ content: 'Name,Role,Site\nr1,core,fra1\nr2,"core"x,fra1\n' }));
    expect(quoted.issues[0]?.path).toBe("line 3");
    const header = failure(() =>
      parseTopologyImport({ format: "netbox-csv", cables: "Device A,Termination A\nx,y\n" }),
    );
    expect(header.message).toMatch(/^NetBox cables CSV: line 1: the header row needs "Device A" and "Device B"/);
    const neither = failure(() => parseTopologyImport({ content: "host,ip\nr1,192.0.2.1\n" }));
    expect(neither.message).toMatch(/^NetBox CSV: line 1: the header row names neither/);
  });
});
