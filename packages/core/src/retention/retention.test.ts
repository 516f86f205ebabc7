/**
 * Partitioned alerts and events: the upgrade of migration 0015 keeps every row of a database filled by the previous
 * release, and retention drops old weeks only, keeping incidents, counts and search right; on both backends.
 */
import {
  alertCounts,
  alerts,
  incidentEvidence,
  incidentSearch,
  incidents,
  integrationEvents,
  listPartitions,
} from "@teleops/db";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import type { CanonicalAlert } from "@teleops/schema";
import { asc, count, eq, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestAlerts } from "../alerts/ingest.ts";
import { Correlator, DEFAULT_CORRELATION_CONFIG, topologyView } from "../correlation/index.ts";
import { correlationInput } from "../correlation/inMemory.ts";
import { correlatePending, rowsOf } from "../correlation/persist.ts";
import { generateScenario, loadTopology } from "../generator/index.ts";
import { listAlerts, listIncidents } from "../incidents/queries.ts";
import { recordIntegrationEvent } from "../integrations/events.ts";
import { applyRetention, oldestKeptDay } from "./retention.ts";

const topology = loadTopology();
const TENANT = "acme";
const DAY_MS = 24 * 60 * 60_000;
const NOW = new Date();

function outage(name: "fiber_cut" | "bgp_flap", seed: number, start: Date): CanonicalAlert[] {
  return generateScenario(
    { scenario: name, seed, durationMinutes: 10, ratePerMinute: 30, noisePerMinute: 6 },
    topology,
    start,
  ).alerts;
}

const correlate = (db: TestDatabase) =>
  correlatePending(db.db, { tenantId: TENANT, topology: topologyView(topology), config: DEFAULT_CORRELATION_CONFIG });

const textArray = (values: Iterable<string>) =>
  sql`array(select jsonb_array_elements_text(${JSON.stringify([...values].sort())}::jsonb))`;

/**
 * A correlation pass as the release before partitions made it, in the SQL of its schema (today's code writes columns
 * and tables it did not have): incidents with their whole correlation state on the row (`v: 1`, keys inline).
 */
async function correlateAsBefore(db: TestDatabase): Promise<void> {
  const rows = rowsOf<{ id: number; ts: Date | string } & Record<string, unknown>>(
    await db.db.execute(sql`
      select id, "timestamp" as ts, host, service, severity, alert_type, message, tags, status, raw_payload, fingerprint
      from alerts where tenant_id = ${TENANT} and correlated_at is null order by "timestamp", id`),
  );
  const correlator = new Correlator<number>(DEFAULT_CORRELATION_CONFIG, { topology: topologyView(topology) });
  for (const row of rows) {
    const alert = {
      ...row,
      timestamp: new Date(row.ts).toISOString(),
      tags: typeof row.tags === "string" ? JSON.parse(row.tags) : row.tags,
      raw_payload: {},
    } as unknown as CanonicalAlert;
    correlator.add(correlationInput(alert, row.id, TENANT));
  }
  for (const group of correlator.incidents()) {
    const [next] = rowsOf<{ n: string | number }>(await db.db.execute(sql`select nextval('incident_number_seq') as n`));
    const id = `INC-${String(next?.n).padStart(6, "0")}`;
    await db.db.execute(sql`
      insert into incidents (id, tenant_id, title, severity, status, start_time, end_time, alert_count, hosts, services,
                             sites, correlation)
      values (${id}, ${TENANT}, ${`outage at ${[...group.sites].join(", ")}`}, ${group.severity}, 'open',
              ${new Date(group.startMs).toISOString()}::timestamptz, ${new Date(group.endMs).toISOString()}::timestamptz,
              ${group.members.length}, ${textArray(group.hosts)}, ${textArray(group.services)},
              ${textArray(group.sites)}, ${JSON.stringify(correlator.stateOf(group))}::jsonb)`);
    await db.db.execute(sql`
      update alerts set incident_id = ${id}
      where tenant_id = ${TENANT}
        and id = any(array(select jsonb_array_elements_text(${JSON.stringify(group.members.map((m) => m.ref))}::jsonb)::bigint))`);
  }
  await db.db.execute(
    sql`update alerts set correlated_at = now() where tenant_id = ${TENANT} and correlated_at is null`,
  );
}

/** What an upgrade must keep: every column of every alert, incident, count, search row and event. */
async function contents(db: TestDatabase) {
  return {
    alerts: await db.db.select().from(alerts).orderBy(asc(alerts.id)),
    // The correlation state moved out of the row by migration 0019 is compared on its own.
    // (read as columns, since the schema before the upgrade has fewer of them).
    incidents: rowsOf<Record<string, unknown>>(await db.db.execute(sql`select * from incidents order by id`)).map(
      ({ correlation: _state, correlation_rev: _rev, ...incident }) => incident,
    ),
    counts: await db.db.select().from(alertCounts),
    search: await db.db.select().from(incidentSearch).orderBy(asc(incidentSearch.incidentId)),
    events: await db.db.select().from(integrationEvents).orderBy(asc(integrationEvents.id)),
  };
}

async function unassignedCounted(db: TestDatabase) {
  const [kept] = await db.db.select().from(alertCounts).where(eq(alertCounts.tenantId, TENANT));
  const [actual] = await db.db
    .select({ n: count() })
    .from(alerts)
    .where(sql`${alerts.tenantId} = ${TENANT} and ${isNull(alerts.incidentId)}`);
  return { kept: kept?.unassigned ?? 0, actual: actual?.n ?? 0 };
}

describe.each(testBackends())("partitions and retention on $name", (backend) => {
  let db: TestDatabase;
  let before: Awaited<ReturnType<typeof contents>>;
  let states: Array<{ id: string; correlation: { keys: Record<string, number[]>; signals: string[] } }> = [];
  const oldOutage = outage("fiber_cut", 1, new Date(NOW.getTime() - 2 * 365 * DAY_MS));
  const monthOld = outage("bgp_flap", 2, new Date(NOW.getTime() - 40 * DAY_MS));
  const recent = outage("fiber_cut", 3, new Date(NOW.getTime() - 2 * DAY_MS));

  beforeAll(async () => {
    db = await backend.openBefore("0015_partitions");
    // The previous release's schema, filled the way it filled it: rows stored, then a correlation pass.
    for (const batch of [oldOutage, monthOld, recent]) {
      await db.db.insert(alerts).values(
        batch.map((a) => ({
          tenantId: TENANT,
          fingerprint: a.fingerprint,
          timestamp: new Date(a.timestamp),
          sourceSystem: a.source_system,
          host: a.host,
          service: a.service,
          severity: a.severity,
          alertType: a.alert_type,
          message: a.message,
          tags: a.tags,
          rawPayload: a.raw_payload,
          status: a.status,
        })),
      );
      await correlateAsBefore(db);
    }
    states = rowsOf<{ id: string; correlation: { keys: Record<string, number[]>; signals: string[] } }>(
      await db.db.execute(sql`select id, correlation from incidents where correlation is not null order by id`),
    );
    await recordIntegrationEvent(db.db, {
      tenantId: TENANT,
      source: "alerts",
      outcome: "accepted",
      httpStatus: 202,
      headers: { "content-type": "application/json" },
      payload: { n: 1 },
    });
    before = await contents(db);
    await db.migrate();
  }, 120_000);
  afterAll(async () => {
    await db?.dispose();
  });

  it("upgrades to partitioned tables keeping every row, id and count", async () => {
    expect(before.alerts.length).toBe(oldOutage.length + monthOld.length + recent.length);
    expect(before.incidents.length).toBeGreaterThan(0);
    expect(before.search.length).toBeGreaterThan(0);
    expect(await contents(db)).toEqual(before);
    const names = (await listPartitions(db.db, "alerts")).map((p) => p.name);
    // The two-year-old outage sits in one partition spanning the old history; recent weeks have their own.
    expect(names.some((name) => name.startsWith("alerts_until_"))).toBe(true);
    expect(names.filter((name) => name.startsWith("alerts_p")).length).toBeGreaterThanOrEqual(3);
    expect(await kindOf(db)).toBe("p");
  });

  it("moves each incident's correlation state to evidence rows, key for key (migration 0019)", async () => {
    expect(states.length).toBe(before.incidents.length);
    for (const { id, correlation } of states) {
      const [row] = await db.db.select().from(incidents).where(eq(incidents.id, id));
      expect(row?.correlation).toEqual({ v: 2, signals: correlation.signals, base: 1 });
      expect(row?.correlationRev).toBe(1);
      const rows = await db.db.select().from(incidentEvidence).where(eq(incidentEvidence.incidentId, id));
      expect(Object.fromEntries(rows.map((r) => [r.key, r.ranges]))).toEqual(correlation.keys);
      expect(rows.every((r) => r.rev === 1)).toBe(true);
    }
  });

  it("keeps ingesting, correlating, searching and reading after the upgrade, ids going on from the old ones", async () => {
    const maxBefore = Math.max(...before.alerts.map((a) => a.id));
    const fresh = outage("bgp_flap", 4, new Date(NOW.getTime() - 60 * 60_000));
    expect((await ingestAlerts(db.db, TENANT, fresh)).accepted).toBe(fresh.length);
    expect((await ingestAlerts(db.db, TENANT, fresh)).duplicates).toBe(fresh.length);
    await correlate(db);
    const stored = await db.db.select({ id: alerts.id }).from(alerts).where(eq(alerts.tenantId, TENANT));
    expect(Math.min(...stored.filter((a) => a.id > maxBefore).map((a) => a.id))).toBe(maxBefore + 1);
    const page = await listAlerts(db.db, TENANT, { limit: 5 });
    expect(page.alerts).toHaveLength(5);
    const host = fresh[0]?.host ?? "";
    const found = await listIncidents(db.db, TENANT, { text: host, limit: 50, offset: 0 });
    expect(found.total).toBeGreaterThan(0);
    const counted = await unassignedCounted(db);
    expect(counted.kept).toBe(counted.actual);
  });

  it("takes an alert of any time, creating its partition, and refuses none", async () => {
    const stray = { ...recent[0], fingerprint: "stray-1970", timestamp: "1971-06-01T00:00:00.000Z" } as CanonicalAlert;
    const tomorrow = {
      ...stray,
      fingerprint: "stray-tomorrow",
      timestamp: new Date(NOW.getTime() + DAY_MS).toISOString(),
    };
    const future = {
      ...stray,
      fingerprint: "stray-future",
      timestamp: new Date(NOW.getTime() + 60 * DAY_MS).toISOString(),
    };
    expect((await ingestAlerts(db.db, TENANT, [stray, tomorrow, future])).accepted).toBe(3);
  });

  it("drops whole weeks older than the retention, keeping incidents, the audit trail, counts and search", async () => {
    const incidentsBefore = await db.db.select().from(incidents).orderBy(asc(incidents.id));
    const searchBefore = await db.db.select().from(incidentSearch).orderBy(asc(incidentSearch.incidentId));
    const [{ n: stored } = { n: 0 }] = await db.db.select({ n: count() }).from(alerts);
    const cutoff = NOW.getTime() - 30 * DAY_MS;
    const [{ n: older } = { n: 0 }] = await db.db
      .select({ n: count() })
      .from(alerts)
      .where(sql`${alerts.timestamp} < ${new Date(cutoff - 7 * DAY_MS).toISOString()}::timestamptz`);
    const drops: string[] = [];
    const report = await applyRetention(
      { db: db.db, kind: db.kind },
      { alertsDays: 30, eventsDays: 30 },
      { now: NOW, onDrop: (drop) => drops.push(drop.partition) },
    );
    expect(report.skipped).toBe(false);
    expect(report.dropped_partitions).toEqual(drops);
    expect(report.dropped_partitions.some((name) => name.startsWith("alerts_until_"))).toBe(true);
    // Everything older than the cutoff's week is gone, nothing newer than the cutoff is.
    expect(report.alerts_removed).toBeGreaterThanOrEqual(older);
    const [{ n: left } = { n: 0 }] = await db.db.select({ n: count() }).from(alerts);
    expect(left).toBe(stored - report.alerts_removed);
    const [{ n: tooOld } = { n: 0 }] = await db.db
      .select({ n: count() })
      .from(alerts)
      .where(sql`${alerts.timestamp} < ${new Date(cutoff - 7 * DAY_MS).toISOString()}::timestamptz`);
    expect(tooOld).toBe(0);
    const [{ n: recentKept } = { n: 0 }] = await db.db
      .select({ n: count() })
      .from(alerts)
      .where(sql`${alerts.timestamp} >= ${new Date(cutoff).toISOString()}::timestamptz`);
    expect(recentKept).toBeGreaterThan(0);
    expect(await db.db.select().from(incidents).orderBy(asc(incidents.id))).toEqual(incidentsBefore);
    expect(await db.db.select().from(incidentSearch).orderBy(asc(incidentSearch.incidentId))).toEqual(searchBefore);
    const counted = await unassignedCounted(db);
    expect(counted.kept).toBe(counted.actual);
    const oldest = await oldestKeptDay(db.db, "alerts");
    expect(oldest?.getTime()).toBeGreaterThanOrEqual(cutoff - 8 * DAY_MS);
    // A second run finds nothing more to drop.
    expect(
      (await applyRetention({ db: db.db, kind: db.kind }, { alertsDays: 30, eventsDays: 30 }, { now: NOW }))
        .dropped_partitions,
    ).toEqual([]);
  });

  it("skips when another process holds the retention lock", async () => {
    if (db.kind === "pglite") return; // one connection: no second process can hold it
    await db.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(7314015)`);
      const report = await applyRetention({ db: db.db, kind: db.kind }, { alertsDays: 1, eventsDays: 1 });
      expect(report).toEqual({ dropped_partitions: [], alerts_removed: 0, events_removed: 0, skipped: true });
    });
  });
});

async function kindOf(db: TestDatabase): Promise<string | undefined> {
  const result = await db.db.execute(sql`select relkind::text as k from pg_class where relname = 'alerts'`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Array<{ k: string }>;
  return rows[0]?.k;
}
