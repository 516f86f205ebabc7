/**
 * What silences cost webhook ingest: the per-delivery read of the tenant's active silences (one indexed
 * statement), matching alerts against them, and whole deliveries through the delivery writer with no silences and
 * with 20 active ones that match nothing. In process, on PGlite and (with TEST_DATABASE_URL) PostgreSQL.
 * `node --import tsx bench/silenceIngestCost.ts [deliveries] [alertsPerDelivery]`.
 */
import { performance } from "node:perf_hooks";
import {
  activeSilenceRules,
  createDeliveryWriter,
  DEFAULT_CORRELATION_CONFIG,
  silenceSet,
  withFingerprint,
} from "@teleops/core";
import { silences } from "@teleops/db";
import { testBackends } from "@teleops/db/testing";
import { type CanonicalAlert, silenceCreateInputSchema } from "@teleops/schema";

const DELIVERIES = Number(process.argv[2] ?? 200);
const PER_DELIVERY = Number(process.argv[3] ?? 100);
const TENANT = "bench";

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
const ms = (value: number) => `${value.toFixed(3)} ms`;

let sequence = 0;
function delivery(count: number): CanonicalAlert[] {
  const base = Date.now() - 60_000;
  return Array.from({ length: count }, () => {
    sequence += 1;
    return withFingerprint({
      fingerprint: undefined,
      timestamp: new Date(base + (sequence % 50_000)).toISOString(),
      source_system: "alertmanager",
      host: `edge-sw-${sequence % 400}.fra${sequence % 7}`,
      service: "access",
      severity: "warning",
      alert_type: ["link_down", "high_cpu", "fan_failure", "bgp_down"][sequence % 4] ?? "link_down",
      message: `alarm ${sequence}`,
      tags: { alertname: "Bench", team: "noc", rack: `r${sequence % 40}` },
      raw_payload: {},
      tenant_id: null,
      status: "firing",
    });
  });
}

/** 20 active silences of the kinds operators write (exact hosts, regexes, labels), none matching the stream. */
function activeSilences() {
  return Array.from({ length: 20 }, (_, i) =>
    silenceCreateInputSchema.parse({
      matchers:
        i % 3 === 0
          ? [{ name: "host", op: "=", value: `core-rtr-${i}` }]
          : i % 3 === 1
            ? [
                { name: "host", op: "=~", value: `core-.*-${i}` },
                { name: "site", op: "=", value: "ams1" },
              ]
            : [{ name: "rack", op: "=~", value: `z${i}|y${i}` }],
      duration: "2h",
      comment: "bench",
    }),
  );
}

for (const backend of testBackends()) {
  const database = await backend.open();
  const db = database.db;
  const writer = createDeliveryWriter(db, { config: DEFAULT_CORRELATION_CONFIG });
  const now = new Date();

  const lookups = async (label: string) => {
    for (let i = 0; i < 50; i++) await activeSilenceRules(db, TENANT, now);
    const times: number[] = [];
    for (let i = 0; i < 1_000; i++) {
      const start = performance.now();
      await activeSilenceRules(db, TENANT, now);
      times.push(performance.now() - start);
    }
    console.log(
      `${backend.name}: active-silence read, ${label}: p50 ${ms(quantile(times, 0.5))}, p99 ${ms(quantile(times, 0.99))}`,
    );
  };

  const deliveries = async (count: number) => {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      await writer(TENANT, [{ alerts: delivery(PER_DELIVERY) }]);
      times.push(performance.now() - start);
    }
    return times;
  };

  await lookups("no silences");
  const dayMs = 86_400_000;
  const startsAt = new Date(Date.now() - 60_000);
  const rows = (endsAt: Date) => [
    // What a tenant accumulates: ended silences, which the index range skips.
    ...Array.from({ length: 180 }, (_, i) => ({
      id: `SIL-OLD-${i}`,
      tenantId: TENANT,
      kind: "once" as const,
      matchers: [{ name: "host", op: "=" as const, value: "x" }],
      startsAt: new Date(Date.now() - 3 * dayMs),
      endsAt: new Date(Date.now() - 2 * dayMs),
      comment: "old",
      createdBy: "bench",
    })),
    ...activeSilences().map((input, i) => ({
      id: `SIL-BENCH-${i}`,
      tenantId: TENANT,
      kind: "once" as const,
      matchers: input.matchers,
      startsAt,
      endsAt,
      comment: input.comment,
      createdBy: "bench",
    })),
  ];
  const active = new Date(Date.now() + dayMs);
  const ended = new Date(Date.now() - 1_000);
  await db.insert(silences).values(rows(active));
  await lookups("20 active + 180 ended");
  // Alternating blocks with the 20 silences in force and ended, so the tenant's growing history weighs on both.
  const blocks: Record<string, number[]> = { "20 active silences, none matching": [], "no active silence": [] };
  for (let block = 0; block < 6; block++) {
    const on = block % 2 === 0;
    await db.delete(silences);
    await db.insert(silences).values(rows(on ? active : ended));
    blocks[on ? "20 active silences, none matching" : "no active silence"]?.push(
      ...(await deliveries(Math.ceil(DELIVERIES / 6))),
    );
  }
  for (const [label, times] of Object.entries(blocks)) {
    console.log(
      `${backend.name}: deliveries of ${PER_DELIVERY} alerts, ${label}: p50 ${ms(quantile(times, 0.5))}, p99 ${ms(quantile(times, 0.99))} (${times.length} deliveries)`,
    );
  }
  await db.delete(silences);
  await db.insert(silences).values(rows(active));

  const rules = await activeSilenceRules(db, TENANT, new Date());
  const alerts = delivery(10_000);
  const start = performance.now();
  const set = silenceSet(rules, new Date());
  let held = 0;
  for (const alert of alerts) if (set.silencing(alert) !== null) held += 1;
  const perAlert = ((performance.now() - start) * 1000) / alerts.length;
  console.log(
    `${backend.name}: matching 10,000 alerts against 20 silences: ${perAlert.toFixed(2)} µs per alert (${held} held)`,
  );
  await database.dispose();
}
