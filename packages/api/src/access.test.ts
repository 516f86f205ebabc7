import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { applyRetention, DEFAULT_RETENTION, loadIntegrationFixtures } from "@teleops/core";
import { createLocalChangeFeed } from "@teleops/db";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCESS_MATRIX_END, ACCESS_MATRIX_START, procedureAccess, renderAccessMatrix } from "./access.ts";
import { type Actor, type AppServices, ROLES, type Role } from "./context.ts";
import { createCaller } from "./root.ts";
import { testServices } from "./testing.ts";

/** Tenant A holds the data; tenant B's users probe every procedure with A's ids. */
const A = "acme-north";
const B = "globex-south";
const ALICE: Actor = { name: "alice-of-acme", role: "operator", tenantId: A };
const ALICE_ADMIN: Actor = { name: "ada-of-acme", role: "admin", tenantId: A };
const actor = (role: Role, tenantId: string): Actor => ({ name: `${role}-of-${tenantId}`, role, tenantId });

const USERS = [
  { name: ALICE.name, role: ALICE.role, tenant: A },
  { name: ALICE_ADMIN.name, role: ALICE_ADMIN.role, tenant: A },
  { name: "bob-of-globex", role: "admin" as const, tenant: B },
];

/** Tenant A's ids, filled while seeding. */
interface Seeded {
  incidentId: string;
  artifactId: string;
  ticketNumber: string;
  importId: string;
  evaluationId: string;
  silenceId: string;
  channelId: string;
  alertId: number;
}

function servicesWith(extra: Partial<AppServices> = {}): AppServices {
  return { ...testServices(), identity: { mode: "users", users: () => USERS }, ...extra };
}

type Caller = ReturnType<typeof createCaller>;

const JSONL = [
  { timestamp: "2026-11-25T09:00:00Z", host: "acme-fw-1", alert_type: "link_down", severity: "major" },
  { timestamp: "2026-11-25T09:00:20Z", host: "acme-fw-1", alert_type: "bgp_session_down", severity: "critical" },
  { timestamp: "2026-11-25T09:00:40Z", host: "acme-fw-1", alert_type: "packet_loss", severity: "major" },
]
  .map((a) => JSON.stringify({ ...a, source_system: "syslog", service: "edge", message: `${a.alert_type} on edge` }))
  .join("\n");

const CORRELATION_STREAM = JSONL.split("\n")
  .map((line) => JSON.stringify({ alert: JSON.parse(line), truth: "acme-edge" }))
  .join("\n");

/** Mutations that change nothing, so a viewer may call them; each says why it is not a query. */
const READ_ONLY_MUTATIONS: Record<string, string> = {
  "correlation.evaluate": "scores sent stream texts and stores nothing; the texts do not fit a GET URL",
};

const CASE = {
  case_id: "ACL-1",
  incident_summary: "fiber cut between two sites",
  root_cause: "fiber cut",
  category: "fiber_cut" as const,
  root_component: "core-router-1",
  severity: "critical",
};

/**
 * The expected minimum role of every procedure, and a call with minimal valid input that names tenant A's
 * ids. A procedure added to the router without a line here fails the first test: decide its role first.
 */
const PROBES: Record<string, { role: Role; call: (c: Caller, s: Seeded) => Promise<unknown> }> = {
  "admin.reset": {
    role: "admin",
    // The caller confirms with its own tenant's name, as the Lab's form asks.
    call: async (c) => c.admin.reset({ confirm: (await c.session.whoami()).tenant }),
  },
  "alerts.get": { role: "viewer", call: (c, s) => c.alerts.get({ id: s.alertId }) },
  "alerts.list": { role: "viewer", call: (c, s) => c.alerts.list({ incidentId: s.incidentId }) },
  "audit.list": { role: "viewer", call: (c, s) => c.audit.list({ incidentId: s.incidentId }) },
  "audit.verify": { role: "viewer", call: (c) => c.audit.verify() },
  "correlation.evaluate": {
    role: "viewer",
    call: (c) => c.correlation.evaluate({ streams: [{ name: "probe.jsonl", text: CORRELATION_STREAM }] }),
  },
  "evaluation.byId": { role: "viewer", call: (c, s) => c.evaluation.byId({ id: s.evaluationId }) },
  "evaluation.list": { role: "viewer", call: (c) => c.evaluation.list() },
  "evaluation.run": { role: "operator", call: (c) => c.evaluation.run({ source: "cases", cases: [CASE] }) },
  "events.changes": { role: "viewer", call: (c) => c.events.changes() },
  "imports.batch": {
    role: "operator",
    call: (c, s) =>
      c.imports.batch({ importId: s.importId, records: [{ line: 1, alert: JSON.parse(JSONL.split("\n")[0] ?? "") }] }),
  },
  "imports.byId": { role: "viewer", call: (c, s) => c.imports.byId({ id: s.importId }) },
  "imports.dryRun": { role: "operator", call: (c) => c.imports.dryRun({ fileName: "probe.jsonl", content: JSONL }) },
  "imports.finish": {
    role: "operator",
    call: (c, s) => c.imports.finish({ importId: s.importId, read: 1, rejected: 0, errors: [] }),
  },
  "imports.list": { role: "viewer", call: (c) => c.imports.list() },
  "imports.start": { role: "operator", call: (c) => c.imports.start({ fileName: "probe.jsonl", format: "jsonl" }) },
  "imports.upload": { role: "operator", call: (c) => c.imports.upload({ fileName: "probe.jsonl", content: JSONL }) },
  "incidents.addNote": { role: "operator", call: (c, s) => c.incidents.addNote({ id: s.incidentId, text: "probe" }) },
  "incidents.alerts": { role: "viewer", call: (c, s) => c.incidents.alerts({ id: s.incidentId }) },
  "incidents.assign": { role: "operator", call: (c, s) => c.incidents.assign({ id: s.incidentId, to: null }) },
  "incidents.assignees": { role: "viewer", call: (c) => c.incidents.assignees() },
  "incidents.bulkUpdate": {
    role: "operator",
    call: (c, s) => c.incidents.bulkUpdate({ ids: [s.incidentId], action: "unassign" }),
  },
  "incidents.byId": { role: "viewer", call: (c, s) => c.incidents.byId({ id: s.incidentId }) },
  "incidents.list": { role: "viewer", call: (c) => c.incidents.list() },
  "incidents.merge": {
    role: "operator",
    call: (c, s) => c.incidents.merge({ into: s.incidentId, from: ["INC-999999"] }),
  },
  "incidents.moveAlerts": {
    role: "operator",
    call: (c, s) => c.incidents.moveAlerts({ alertIds: [1], to: s.incidentId }),
  },
  "incidents.setStatus": {
    role: "operator",
    call: (c, s) => c.incidents.setStatus({ id: s.incidentId, status: "resolved" }),
  },
  "incidents.split": { role: "operator", call: (c, s) => c.incidents.split({ id: s.incidentId, alertIds: [1] }) },
  "incidents.timeline": { role: "viewer", call: (c, s) => c.incidents.timeline({ id: s.incidentId }) },
  "integrations.createTicket": {
    role: "operator",
    call: (c, s) => c.integrations.createTicket({ incidentId: s.incidentId, system: "jira" }),
  },
  "integrations.events": { role: "viewer", call: (c) => c.integrations.events() },
  "integrations.jira.issues": { role: "viewer", call: (c) => c.integrations.jira.issues() },
  "integrations.servicenow.incidents": {
    role: "viewer",
    call: (c) => c.integrations.servicenow.incidents({ limit: 1_000 }),
  },
  "integrations.tickets": { role: "viewer", call: (c, s) => c.integrations.tickets({ incidentId: s.incidentId }) },
  "integrations.systems": { role: "viewer", call: (c) => c.integrations.systems() },
  "metrics.observability": { role: "viewer", call: (c) => c.metrics.observability() },
  "metrics.overview": { role: "viewer", call: (c) => c.metrics.overview() },
  "notifications.channels.create": {
    role: "admin",
    call: (c) => c.notifications.channels.create({ type: "webhook", url: "http://127.0.0.1:9/probe" }),
  },
  "notifications.channels.delete": {
    role: "admin",
    call: (c, s) => c.notifications.channels.delete({ id: s.channelId }),
  },
  "notifications.channels.list": { role: "admin", call: (c) => c.notifications.channels.list() },
  "notifications.channels.test": { role: "admin", call: (c, s) => c.notifications.channels.test({ id: s.channelId }) },
  "notifications.deliveries": { role: "admin", call: (c) => c.notifications.deliveries({}) },
  "rca.byId": { role: "viewer", call: (c, s) => c.rca.byId({ id: s.artifactId }) },
  "rca.engines": { role: "viewer", call: (c) => c.rca.engines() },
  "rca.latest": { role: "viewer", call: (c, s) => c.rca.latest({ incidentId: s.incidentId }) },
  "rca.list": { role: "viewer", call: (c, s) => c.rca.list({ incidentId: s.incidentId }) },
  "rca.review": {
    role: "operator",
    call: (c, s) => c.rca.review({ artifactId: s.artifactId, decision: "rejected", notes: "probe" }),
  },
  "rca.run": { role: "operator", call: (c, s) => c.rca.run({ incidentId: s.incidentId, engine: "baseline" }) },
  "rca.runbook": { role: "viewer", call: (c) => c.rca.runbook({ runbook: "fiber_cut", section: "diagnosis" }) },
  // Applies the server's policy to every tenant's partitions (the seeded data is recent: nothing is dropped).
  "retention.run": { role: "admin", call: (c) => c.retention.run() },
  "scenarios.generate": {
    role: "admin",
    call: (c) => c.scenarios.generate({ scenario: "dns_outage", seed: 3, startTime: "2026-11-26T08:00:00Z" }),
  },
  "scenarios.list": { role: "viewer", call: (c) => c.scenarios.list() },
  "session.whoami": { role: "viewer", call: (c) => c.session.whoami() },
  "silences.alerts": { role: "viewer", call: (c, s) => c.silences.alerts({ id: s.silenceId }) },
  "silences.create": {
    role: "operator",
    call: (c) =>
      c.silences.create({ matchers: [{ name: "host", op: "=", value: "probe-1" }], duration: "1h", comment: "probe" }),
  },
  "silences.expire": { role: "operator", call: (c, s) => c.silences.expire({ id: s.silenceId }) },
  "silences.list": { role: "viewer", call: (c) => c.silences.list({ all: true }) },
  "silences.preview": {
    role: "viewer",
    call: (c) => c.silences.preview({ matchers: [{ name: "host", op: "=~", value: ".+" }] }),
  },
  "topology.devices": { role: "viewer", call: (c) => c.topology.devices({ hosts: ["acme-fw-1"] }) },
  "topology.get": { role: "viewer", call: (c) => c.topology.get() },
  "topology.import": {
    role: "operator",
    call: (c) => c.topology.import({ content: JSON.stringify({ devices: [{ name: "probe-1" }], links: [] }) }),
  },
  "users.list": { role: "admin", call: (c) => c.users.list() },
};

async function outcome(promise: Promise<unknown>): Promise<{ code: string; value?: unknown }> {
  try {
    return { code: "OK", value: await promise };
  } catch (error) {
    return { code: error instanceof TRPCError ? error.code : `NOT_TRPC: ${String(error)}` };
  }
}

const fixtures = loadIntegrationFixtures();
const SHIPPED_FIXTURES: Record<string, unknown> = {
  "integrations.servicenow.incidents": { total: fixtures.servicenow.length },
  "integrations.jira.issues": { total: fixtures.jira.length },
};

const DOCUMENT = fileURLToPath(new URL("../../../docs/security/access_control.md", import.meta.url));

describe("the role of every procedure", () => {
  it("is declared in metadata and matches the expectation table, for every procedure of the router", () => {
    const declared = Object.fromEntries(procedureAccess().map((p) => [p.path, p.minRole]));
    const expected = Object.fromEntries(Object.entries(PROBES).map(([path, probe]) => [path, probe.role]));
    expect(declared).toEqual(expected);
  });

  it("never lets a viewer change anything: every mutation needs operator or admin, bar the read-only ones", () => {
    for (const p of procedureAccess().filter((p) => p.kind === "mutation" && !(p.path in READ_ONLY_MUTATIONS))) {
      expect([p.path, p.minRole]).toEqual([p.path, expect.stringMatching(/^(operator|admin)$/)]);
    }
    expect(procedureAccess().find((p) => p.path === "admin.reset")?.minRole).toBe("admin");
  });

  it("is what docs/security/access_control.md shows (run `pnpm docs:access` after changing a role)", () => {
    const document = readFileSync(DOCUMENT, "utf8");
    const start = document.indexOf(ACCESS_MATRIX_START);
    const end = document.indexOf(ACCESS_MATRIX_END);
    expect(start).toBeGreaterThan(-1);
    expect(document.slice(start + ACCESS_MATRIX_START.length, end).trim()).toBe(renderAccessMatrix().trim());
  });
});

describe.each(testBackends())("access control on $name", (backend) => {
  let database: TestDatabase;
  const seeded: Seeded = {
    incidentId: "",
    artifactId: "",
    ticketNumber: "",
    importId: "",
    evaluationId: "",
    silenceId: "",
    channelId: "",
    alertId: 0,
  };
  // Retention as the server wires it: the real run, on this database, with the default policy.
  const as = (
    who: Actor | null,
    services: AppServices = servicesWith({ retention: { run: () => applyRetention(database, DEFAULT_RETENTION) } }),
  ) => createCaller({ db: database.db, services, actor: who });
  /** Strings only tenant A's data contains: its ids, its users' names and its tenant id. */
  let markers: string[] = [];
  /** What tenant A's own users see, compared again after every probe has run. */
  let snapshot: unknown;

  async function tenantAState() {
    const a = as(actor("viewer", A));
    return {
      incidents: await a.incidents.list(),
      alerts: (await a.alerts.list({ limit: 1_000 })).alerts.length,
      artifact: await a.rca.byId({ id: seeded.artifactId }),
      tickets: await a.integrations.tickets(),
      imports: await a.imports.list(),
      audit: await a.audit.verify(),
      evaluation: (await a.evaluation.list()).length,
      topology: await a.topology.get(),
      silences: await a.silences.list({ all: true }),
      channels: await as(actor("admin", A)).notifications.channels.list(),
      deliveries: await as(actor("admin", A)).notifications.deliveries({}),
    };
  }

  beforeAll(async () => {
    database = await backend.open();
    const alice = as(ALICE);
    const generated = await as(ALICE_ADMIN).scenarios.generate({
      scenario: "fiber_cut",
      seed: 7,
      startTime: "2026-11-25T08:00:00Z",
    });
    seeded.incidentId = generated.incidents[0]?.id ?? "";
    seeded.alertId = (await alice.alerts.list({ incidentId: seeded.incidentId, limit: 1 })).alerts[0]?.id ?? 0;
    const artifact = await alice.rca.run({ incidentId: seeded.incidentId, engine: "baseline" });
    seeded.artifactId = artifact.id;
    await alice.rca.review({ artifactId: artifact.id, decision: "accepted", notes: "confirmed on site" });
    await alice.incidents.setStatus({ id: seeded.incidentId, status: "acknowledged" });
    const ticket = await alice.integrations.createTicket({ incidentId: seeded.incidentId, system: "servicenow" });
    seeded.ticketNumber = ticket.number;
    const upload = await as(ALICE_ADMIN).imports.upload({ fileName: "acme.jsonl", content: JSONL });
    seeded.importId = upload.id;
    const evaluation = await alice.evaluation.run({ source: "cases", cases: [CASE], labelsFile: "acme-labels.jsonl" });
    seeded.evaluationId = evaluation.run.id;
    const silence = await alice.silences.create({
      matchers: [{ name: "host", op: "=~", value: "acme-.*" }],
      duration: "2h",
      comment: "acme maintenance",
    });
    seeded.silenceId = silence.id;
    const channel = await as(ALICE_ADMIN).notifications.channels.create({
      type: "webhook",
      url: "http://127.0.0.1:9/acme-hook",
      secret: "acme-secret-0001",
    });
    seeded.channelId = channel.id;
    markers = [
      seeded.incidentId,
      seeded.artifactId,
      seeded.ticketNumber,
      seeded.importId,
      seeded.evaluationId,
      seeded.silenceId,
      seeded.channelId,
      ALICE.name,
      ALICE_ADMIN.name,
      A,
      "acme-labels.jsonl",
    ];
    expect(markers.every((m) => m.length > 0)).toBe(true);
    snapshot = await tenantAState();
  }, 120_000);
  afterAll(async () => {
    await database?.dispose();
  });

  it("refuses every procedure without a valid token (UNAUTHORIZED)", async () => {
    for (const [path, probe] of Object.entries(PROBES)) {
      expect([path, (await outcome(probe.call(as(null), seeded))).code]).toEqual([path, "UNAUTHORIZED"]);
    }
  });

  it("refuses every procedure to each role below its minimum (FORBIDDEN), so a viewer cannot review and an operator cannot reset", async () => {
    let refused = 0;
    for (const [path, probe] of Object.entries(PROBES)) {
      for (const role of ROLES.slice(0, ROLES.indexOf(probe.role))) {
        expect([path, role, (await outcome(probe.call(as(actor(role, A)), seeded))).code]).toEqual([
          path,
          role,
          "FORBIDDEN",
        ]);
        refused += 1;
      }
    }
    // 11 operator procedures refused to viewers, 2 admin procedures refused to viewers and operators.
    expect(refused).toBe(Object.values(PROBES).reduce((sum, probe) => sum + ROLES.indexOf(probe.role), 0));
    expect(refused).toBeGreaterThanOrEqual(15);
  });

  it("shows a user of another tenant NOT_FOUND or nothing of tenant A, through every procedure", async () => {
    const seen: Record<string, string> = {};
    for (const [path, probe] of Object.entries(PROBES)) {
      if (path === "events.changes") continue; // checked with live events below
      // The highest role of tenant B, so only the tenant wall can stop it.
      const result = await outcome(probe.call(as(actor("admin", B)), seeded));
      seen[path] = result.code;
      expect([path, result.code]).toEqual([path, expect.stringMatching(/^(OK|NOT_FOUND)$/)]);
      if (path in SHIPPED_FIXTURES) {
        // Where the lab is on (as here), the mock ticket APIs serve the shipped fixtures (which quote INC-… ids) to
        // every tenant: B sees only those. With the lab off they serve none (ticketSystems.test.ts).
        expect([path, result.value]).toMatchObject([path, SHIPPED_FIXTURES[path]]);
        continue;
      }
      const text = JSON.stringify(result.value ?? null);
      for (const marker of markers) {
        expect([path, marker, text.includes(`"${marker}"`)]).toEqual([path, marker, false]);
      }
    }
    // Every procedure that takes one of tenant A's ids answers as if it did not exist.
    for (const path of [
      "alerts.get",
      "incidents.byId",
      "incidents.alerts",
      "incidents.setStatus",
      "incidents.merge",
      "incidents.split",
      "incidents.moveAlerts",
      "rca.run",
      "rca.list",
      "rca.latest",
      "rca.byId",
      "rca.review",
      "integrations.tickets",
      "integrations.createTicket",
      "imports.byId",
      "imports.batch",
      "imports.finish",
      "evaluation.byId",
      "silences.alerts",
      "silences.expire",
      "notifications.channels.delete",
      "notifications.channels.test",
    ]) {
      expect([path, seen[path]]).toEqual([path, "NOT_FOUND"]);
    }
    expect(await as(actor("admin", B)).users.list()).toEqual({
      auth_mode: "users",
      users: [{ name: "bob-of-globex", role: "admin", tenant: B }],
    });
  }, 120_000);

  it("left tenant A exactly as it was after every probe of the other tenant and the refused calls", async () => {
    expect(await tenantAState()).toEqual(snapshot);
  });

  it("streams a tenant's live changes only to its own users", async () => {
    const changes = createLocalChangeFeed();
    const services = servicesWith({ changes });
    const controller = new AbortController();
    const caller = createCaller(
      { db: database.db, services, actor: actor("viewer", B) },
      { signal: controller.signal },
    );
    const stream = await caller.events.changes();
    const first = stream[Symbol.asyncIterator]().next();
    changes.publish({ tenantId: A, kind: "incidents" });
    changes.publish({ tenantId: A, kind: "alerts" });
    changes.publish({ tenantId: B, kind: "alerts" });
    const message = await first;
    controller.abort();
    expect(message.value).toMatchObject({ kinds: ["alerts"], events: 1 });
  });

  it("says who is signed in, from the token and never from the client", async () => {
    expect(await as(ALICE).session.whoami()).toEqual({
      name: ALICE.name,
      role: "operator",
      tenant: A,
      auth_mode: "users",
      lab: true,
    });
    expect(await as(ALICE_ADMIN).users.list()).toEqual({
      auth_mode: "users",
      users: [
        { name: ALICE_ADMIN.name, role: "admin", tenant: A },
        { name: ALICE.name, role: "operator", tenant: A },
      ],
    });
  });
});
