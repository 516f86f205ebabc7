import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { startTestServer, type TestServer } from "@teleops/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const samples = (name: string) => fileURLToPath(new URL(`../../../fixtures/data_samples/${name}`, import.meta.url));

function teleops(args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", MAIN, ...args],
      { env: { ...process.env, TELEOPS_URL: "", TELEOPS_TOKEN: "" } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const [pglite] = testBackends({});

describe("teleops topology", () => {
  let database: TestDatabase;
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    if (!pglite) throw new Error("no PGlite backend");
    database = await pglite.open();
    server = await startTestServer(database);
    dir = mkdtempSync(join(tmpdir(), "teleops-topology-"));
  });
  afterAll(async () => {
    await server?.close();
    await database?.dispose();
  });

  /** Loss of signal at both ends of the LIS–MAD span a minute apart: only the topology ties them (circuit LIS-MAD-2). */
  async function spanAlarms(hour: number): Promise<string[][]> {
    const post = (host: string, minute: string, message: string) =>
      fetch(`${server.url}/webhooks/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          timestamp: `2026-11-30T${String(hour).padStart(2, "0")}:${minute}Z`,
          host,
          source_system: "syslog",
          severity: "critical",
          alert_type: "los",
          message,
        }),
      });
    expect((await post("lis-roadm-1", "41:07", "Loss of signal on line port 1-5-2")).status).toBe(202);
    expect((await post("mad-roadm-2", "42:09", "Loss of signal on line port 1-3-1")).status).toBe(202);
    const listed = JSON.parse((await teleops(["incidents", "--json", "--server", server.url])).stdout);
    return listed.incidents
      .filter((i: { start_time: string }) => i.start_time.startsWith(`2026-11-30T${String(hour).padStart(2, "0")}`))
      .map((i: { hosts: string[] }) => [...i.hosts].sort());
  }

  it("shows no topology before one is imported, and webhook deliveries correlate without one", async () => {
    const shown = await teleops(["topology", "show", "--json", "--server", server.url]);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toEqual({ topology: null });
    expect((await spanAlarms(10)).sort()).toEqual([["lis-roadm-1"], ["mad-roadm-2"]]);
  });

  it("imports a NetBox JSON export and prints the counts as one JSON document", async () => {
    const result = await teleops([
      "topology",
      "import",
      samples("netbox_topology.json"),
      "--format",
      "netbox",
      "--json",
      "--server",
      server.url,
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      tenant: "default",
      format: "netbox",
      source: "netbox: netbox_topology.json",
      devices: 14,
      links: 12,
    });
    const shown = JSON.parse((await teleops(["topology", "show", "--json", "--server", server.url])).stdout);
    expect(shown).toMatchObject({ tenant: "default", device_count: 14, link_count: 12, updated_by: "local-admin" });
  });

  it("correlates webhook deliveries over the imported topology", async () => {
    expect(await spanAlarms(14)).toEqual([["lis-roadm-1", "mad-roadm-2"]]);
  });

  it("imports NetBox's two CSV exports given in either order, detecting the format", async () => {
    const result = await teleops([
      "topology",
      "import",
      samples("netbox_cables.csv"),
      samples("netbox_devices.csv"),
      "--json",
      "--server",
      server.url,
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ format: "netbox-csv", devices: 14, links: 11 });
  });

  it("exits 1 naming the line when the server rejects the file, and changes nothing", async () => {
    const broken = join(dir, "devices.csv");
    writeFileSync(broken, 'Name,Role,Site\nr1,core,fra1\nr2,"core"x,fra1\n');
    const result = await teleops(["topology", "import", broken, "--json", "--server", server.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/topology rejected, nothing changed: NetBox devices CSV: line 3: /);
    const shown = JSON.parse((await teleops(["topology", "show", "--json", "--server", server.url])).stdout);
    expect(shown.link_count).toBe(11);
  });

  it("exits 2 on a missing file, an unknown format or no server", async () => {
    expect((await teleops(["topology", "import", join(dir, "nope.json"), "--server", server.url])).code).toBe(2);
    const format = await teleops(["topology", "import", samples("netbox_topology.json"), "--format", "yaml"]);
    expect([format.code, format.stderr]).toEqual([2, expect.stringMatching(/--format must be one of/)]);
    const offline = await teleops(["topology", "show", "--json", "--server", "http://127.0.0.1:9"]);
    expect(offline.code).toBe(2);
  });
});
