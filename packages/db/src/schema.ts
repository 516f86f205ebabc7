/** Drizzle tables: alerts and the incidents they are correlated into (membership is `alerts.incident_id`). */
import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgSequence, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

export const incidentNumber = pgSequence("incident_number_seq", { startWith: 1 });

export const incidents = pgTable(
  "incidents",
  {
    id: text().primaryKey(),
    tenantId: text().notNull(),
    title: text().notNull(),
    severity: text().$type<"critical" | "major" | "minor" | "warning" | "info">().notNull(),
    status: text().$type<"open" | "acknowledged" | "resolved">().notNull().default("open"),
    startTime: timestamp({ withTimezone: true }).notNull(),
    endTime: timestamp({ withTimezone: true }).notNull(),
    alertCount: integer().notNull(),
    hosts: text().array().notNull(),
    services: text().array().notNull(),
    sites: text().array().notNull(),
    owner: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("incidents_tenant_start_idx").on(t.tenantId, t.startTime.desc()),
    index("incidents_tenant_end_idx").on(t.tenantId, t.endTime.desc()),
    index("incidents_tenant_status_idx").on(t.tenantId, t.status),
  ],
);

export const alerts = pgTable(
  "alerts",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: text().notNull(),
    fingerprint: text().notNull(),
    timestamp: timestamp({ withTimezone: true }).notNull(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    sourceSystem: text().notNull(),
    host: text().notNull(),
    service: text().notNull(),
    severity: text().$type<"critical" | "major" | "minor" | "warning" | "info">().notNull(),
    alertType: text().notNull(),
    message: text().notNull(),
    tags: jsonb().$type<Record<string, string>>().notNull(),
    rawPayload: jsonb().$type<Record<string, unknown>>().notNull(),
    status: text().$type<"firing" | "resolved">().notNull().default("firing"),
    endsAt: timestamp({ withTimezone: true }),
    incidentId: text().references(() => incidents.id, { onDelete: "set null" }),
    /** Set once the correlator has seen the alert; unset alerts are the correlator's work queue. */
    correlatedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("alerts_tenant_fingerprint_ts_uq").on(t.tenantId, t.fingerprint, t.timestamp),
    index("alerts_tenant_ts_idx").on(t.tenantId, t.timestamp.desc()),
    index("alerts_fingerprint_idx").on(t.fingerprint),
    index("alerts_incident_idx").on(t.incidentId, t.timestamp),
    index("alerts_uncorrelated_idx").on(t.tenantId, t.id).where(sql`${t.correlatedAt} is null`),
    index("alerts_unassigned_idx").on(t.tenantId, t.timestamp).where(sql`${t.incidentId} is null`),
  ],
);

export type AlertRow = typeof alerts.$inferSelect;
export type NewAlertRow = typeof alerts.$inferInsert;
export type IncidentRow = typeof incidents.$inferSelect;
export type NewIncidentRow = typeof incidents.$inferInsert;
