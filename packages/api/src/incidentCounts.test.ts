/**
 * `incident_counts` (migration 0020, kept by triggers on incidents) stays equal to counting the incidents after every
 * kind of write: correlation passes, status changes, bulk actions, merges, splits, moves, retention, tenant resets
 * and TRUNCATE. The queue and the overview, which read it, answer what counting the incidents answers. The migration
 * fills it for a database that already holds incidents, and two writers never deadlock on it. On both backends.
 */
import {
  applyRetention,
  correlatePending,
  DEFAULT_CORRELATION_CONFIG,
  generateScenario,
  ingestAlerts,
  loadTopology,
  resetTenant,
  rowsOf,
  topologyView,
} from "@teleops/core";
import type { DbOrTx } from "@teleops/db";
import { type SeedAlert, seedIncident, type TestDatabase, testBackends } from "@teleops/db/testing";
import { SEVERITIES } from "@teleops/schema";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "./context.ts";
import { callerFor } from "./testing.ts";

const ACME: Actor = { name: "olga", role: "admin", tenantId: "acme" };
const GLOBEX: Actor = { name: "gus", role: "admin", tenantId: "globex" };
const DAY_MS = 24 * 60 * 60_000;
const NOW = new Date();
const topology = loadTopology();

type Cells = Record<string, { incidents: number; alerts: number }>;

/** What the triggers keep: every tenant's rows summed over slots, cells that net to nothing left out. */
async function kept(db: DbOrTx): Promise<Cells> {
  const rows = rowsOf<{ key: string; incidents: string; alerts: string }>(
    await db.execute(sql`
      select tenant_id || '/' || severity || '/' || status as key, sum(incidents)::text as incidents,
             sum(alerts)::text as alerts
      from incident_counts group by tenant_id, severity, status
      having sum(incidents) <> 0 or sum(alerts) <> 0`),
  );
  return Object.fromEntries(rows.map((r) => [r.key, { incidents: Number(r.incidents), alerts: Number(r.alerts) }]));
}

/** The same, counted from the incidents. */
async function counted(db: DbOrTx): Promise<Cells> {
  const rows = rowsOf<{ key: string; incidents: string; alerts: string }>(
    await db.execute(sql`
      select tenant_id || '/' || severity || '/' || status as key, count(*)::text as incidents,
             sum(alert_count)::text as alerts
      from incidents group by tenant_id, severity, status`),
  );
  return Object.fromEntries(rows.map((r) => [r.key, { incidents: Number(r.incidents), alerts: Number(r.alerts) }]));
}

async function expectExact(db: DbOrTx): Promise<Cells> {
  const now = await counted(db);
  expect(await kept(db)).toEqual(now);
  return now;
}

const QUEUE_INPUTS = [
  {},
  { status: ["open" as const, "acknowledged" as const] },
  { severity: ["critical" as const] },
  { status: ["resolved" as const], severity: ["major" as const, "minor" as const], offset: 1 },
];

/** The queue's total and chips and the overview, as counting the incidents (what they read before 0020) gives them. */
async function expectAnswersAsCounted(database: TestDatabase, actor: Actor): Promise<void> {
  const caller = callerFor(database.db, actor);
  const one = (query: ReturnType<typeof sql>) =>
    database.db.execute(query).then((r) => Number(rowsOf<{ n: string }>(r)[0]?.n ?? 0));
  const tenant = actor.tenantId;
  for (const input of QUEUE_INPUTS) {
    const page = await caller.incidents.list({ limit: 3, ...input });
    const statuses = input.status ?? ["open", "acknowledged", "resolved"];
    const severities = input.severity ?? [...SEVERITIES];
    const total = await one(sql`
      select count(*)::text as n from incidents
      where tenant_id = ${tenant}
        and status = any(string_to_array(${statuses.join(",")}, ','))
        and severity = any(string_to_array(${severities.join(",")}, ','))`);
    expect(page.total).toBe(total);
    for (const severity of SEVERITIES) {
      expect(page.bySeverity[severity]).toBe(
        await one(
          sql`select count(*)::text as n from incidents where tenant_id = ${tenant} and severity = ${severity}`,
        ),
      );
    }
    for (const status of ["open", "acknowledged", "resolved"] as const) {
      expect(page.byStatus[status]).toBe(
        await one(sql`select count(*)::text as n from incidents where tenant_id = ${tenant} and status = ${status}`),
      );
    }
  }
  const overview = await caller.metrics.overview();
  expect(overview.incidents).toBe(
    await one(sql`select count(*)::text as n from incidents where tenant_id = ${tenant}`),
  );
  expect(overview.open_incidents).toBe(
    await one(sql`select count(*)::text as n from incidents where tenant_id = ${tenant} and status <> 'resolved'`),
  );
  // The alerts in incidents (their alert_count) and the unassigned ones, as before: after retention drops an old
  // week, its incidents still count the alerts they had.
  expect(overview.alerts).toBe(
    await one(sql`
      select (coalesce((select sum(alert_count) from incidents where tenant_id = ${tenant}), 0)
        + coalesce((select unassigned from alert_counts where tenant_id = ${tenant}), 0))::text as n`),
  );
}

function at(daysAgo: number, minute: number): string {
  const day = new Date(NOW.getTime() - daysAgo * DAY_MS);
  day.setUTCHours(8, minute, 0, 0);
  return day.toISOString();
}

/** A small incident of `severity` that started `daysAgo` days ago, on its own hosts. */
function members(daysAgo: number, severity: SeedAlert["severity"], n: number, tag: string): SeedAlert[] {
  return Array.from({ length: n }, (_, i) => ({
    host: `${tag}-host-${i}`,
    alertType: "link_down",
    timestamp: at(daysAgo, i),
    severity,
    site: "fra1",
  }));
}

describe.each(testBackends())("incident counts on $name", (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await backend.open();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("stay equal to counting the incidents through every kind of write, and the queue and overview answer as counted", async () => {
    const db = database.db;
    const acme = callerFor(db, ACME);
    expect(await kept(db)).toEqual({});
    await expectAnswersAsCounted(database, ACME);

    // Correlation passes insert incidents, then grow them (alert_count) as more alerts come.
    const outage = generateScenario(
      { scenario: "fiber_cut", seed: 7, durationMinutes: 10, ratePerMinute: 30, noisePerMinute: 6 },
      topology,
      new Date(NOW.getTime() - 2 * 60 * 60_000),
    ).alerts;
    const correlate = (tenantId: string) =>
      correlatePending(db, { tenantId, topology: topologyView(topology), config: DEFAULT_CORRELATION_CONFIG });
    await ingestAlerts(db, "acme", outage.slice(0, Math.floor(outage.length / 2)));
    await correlate("acme");
    await ingestAlerts(db, "acme", outage.slice(Math.floor(outage.length / 2)));
    await correlate("acme");
    // Old incidents in old weeks (retention drops their alerts), and another tenant's.
    const old = [
      await seedIncident(db, "acme", members(60, "critical", 3, "old-a")),
      await seedIncident(db, "acme", members(61, "minor", 2, "old-b")),
    ];
    const seeded = [
      await seedIncident(db, "acme", members(1, "major", 4, "a")),
      await seedIncident(db, "acme", members(1, "warning", 2, "b")),
      await seedIncident(db, "acme", members(1, "major", 3, "c")),
      await seedIncident(db, "acme", members(1, "info", 1, "d")),
    ];
    const other = [
      await seedIncident(db, "globex", members(1, "critical", 2, "g1")),
      await seedIncident(db, "globex", members(1, "minor", 5, "g2")),
    ];
    const afterInserts = await expectExact(db);
    expect(Object.keys(afterInserts).length).toBeGreaterThan(3);
    await expectAnswersAsCounted(database, ACME);
    await expectAnswersAsCounted(database, GLOBEX);

    // Acknowledge, resolve, reopen; bulk actions.
    const [a, b, c, d] = seeded.map((s) => s.id) as [string, string, string, string];
    await acme.incidents.setStatus({ id: a, status: "acknowledged" });
    await acme.incidents.setStatus({ id: b, status: "resolved" });
    await acme.incidents.setStatus({ id: b, status: "open" });
    await acme.incidents.setStatus({ id: d, status: "resolved" });
    await expectExact(db);
    await acme.incidents.bulkUpdate({ ids: [c, d], action: "acknowledge" });
    await acme.incidents.bulkUpdate({ ids: [a, c], action: "resolve" });
    await expectExact(db);
    await expectAnswersAsCounted(database, ACME);

    // Merge (the merged incident is resolved with no alerts), split, move.
    await acme.incidents.merge({ into: a, from: [c] });
    await expectExact(db);
    const [first] = seeded[0]?.alertIds ?? [];
    const created = await acme.incidents.split({ id: a, alertIds: [first as number] });
    await expectExact(db);
    const [moved] = seeded[1]?.alertIds ?? [];
    await acme.incidents.moveAlerts({ alertIds: [moved as number], to: created.id });
    await expectExact(db);
    await expectAnswersAsCounted(database, ACME);

    // Retention drops the old weeks' alerts; the incidents and their counts stay.
    const before = await expectExact(db);
    const report = await applyRetention(database, { alertsDays: 30, eventsDays: 0 }, { now: NOW });
    expect(report.alerts_removed).toBeGreaterThanOrEqual(5);
    expect(await expectExact(db)).toEqual(before);
    expect(old.length).toBe(2);
    // Retention folds every connection's rows into slot 0: one row per tenant, severity and status.
    const slots = rowsOf<{ n: string; folded: string }>(
      await db.execute(
        sql`select count(*)::text as n, count(*) filter (where slot = 0)::text as folded from incident_counts`,
      ),
    )[0];
    expect(slots?.n).toBe(slots?.folded);
    await expectAnswersAsCounted(database, ACME);

    // More writes after the fold add to new slot rows.
    await acme.incidents.setStatus({ id: created.id, status: "acknowledged" });
    await expectExact(db);

    // A tenant reset deletes its incidents; the other tenant's counts stay.
    await resetTenant(db, "globex");
    const afterReset = await expectExact(db);
    expect(Object.keys(afterReset).some((key) => key.startsWith("globex/"))).toBe(false);
    await expectAnswersAsCounted(database, GLOBEX);
    await expectAnswersAsCounted(database, ACME);
    expect(other.length).toBe(2);

    // TRUNCATE leaves no incidents, and no counts.
    await db.execute(sql`truncate incidents cascade`);
    expect(await kept(db)).toEqual({});
    const rows = rowsOf<{ n: string }>(await db.execute(sql`select count(*)::text as n from incident_counts`))[0];
    expect(rows?.n).toBe("0");
  });

  it("are filled by the migration for incidents stored before it", async () => {
    const older = await backend.openBefore("0020_incident_counts");
    try {
      const made = [
        await seedIncident(older.db, "acme", members(2, "critical", 3, "m1")),
        await seedIncident(older.db, "acme", members(2, "major", 2, "m2")),
        await seedIncident(older.db, "acme", members(2, "major", 4, "m3")),
        await seedIncident(older.db, "globex", members(2, "info", 1, "m4")),
      ];
      await older.db.execute(sql`update incidents set status = 'acknowledged' where id = ${made[1]?.id}`);
      await older.db.execute(sql`update incidents set status = 'resolved' where id = ${made[3]?.id}`);
      const stored = await counted(older.db);
      await older.migrate();
      expect(await kept(older.db)).toEqual(stored);
      expect(stored).toEqual({
        "acme/critical/open": { incidents: 1, alerts: 3 },
        "acme/major/acknowledged": { incidents: 1, alerts: 2 },
        "acme/major/open": { incidents: 1, alerts: 4 },
        "globex/info/resolved": { incidents: 1, alerts: 1 },
      });
      await expectAnswersAsCounted(older, ACME);
      await expectAnswersAsCounted(older, GLOBEX);
    } finally {
      await older.dispose();
    }
  });

  it.runIf(backend.name === "postgres")(
    "never make two writers wait on each other: each upserts its own connection's rows",
    async () => {
      const db = database.db;
      const x = (await seedIncident(db, "acme", members(1, "major", 2, "x"))).id;
      const y = (await seedIncident(db, "acme", members(1, "major", 2, "y"))).id;
      const one = postgres(database.url as string, { max: 1, onnotice: () => {} });
      const two = postgres(database.url as string, { max: 1, onnotice: () => {} });
      try {
        // A pass holds x and then wants y, which an operator took meanwhile and changes again before committing.
        // With one shared count row per cell, the operator's first change would wait on the row the pass's change of
        // x locked, while the pass waits on y: a deadlock.
        const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
        let passTookX!: () => void;
        const tookX = new Promise<void>((resolve) => {
          passTookX = resolve;
        });
        const pass = one.begin(async (tx) => {
          await tx`update incidents set status = 'acknowledged' where id = ${x}`;
          passTookX();
          await sleep(200);
          await tx`update incidents set status = 'resolved', alert_count = alert_count + 1 where id = ${y}`;
        });
        const operator = two.begin(async (tx) => {
          await tookX;
          await tx`update incidents set severity = 'critical' where id = ${y}`;
          await sleep(400);
          await tx`update incidents set alert_count = alert_count + 2 where id = ${y}`;
        });
        await Promise.all([pass, operator]);
      } finally {
        await one.end();
        await two.end();
      }
      await expectExact(db);
      const [row] = rowsOf<{ status: string; severity: string; alert_count: number }>(
        await db.execute(sql`select status, severity, alert_count from incidents where id = ${y}`),
      );
      expect(row).toEqual({ status: "resolved", severity: "critical", alert_count: 5 });
    },
  );
});
