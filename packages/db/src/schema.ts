/** Drizzle tables: alerts and the incidents they are correlated into (membership is `alerts.incident_id`). */
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

export const incidentNumber = pgSequence("incident_number_seq", { startWith: 1 });

/**
 * An incident's severity as a rank (1 = critical): the queue's "most severe first" order. Queries must use this
 * exact expression for PostgreSQL to read the order from `incidents_tenant_severity_idx`.
 */
export const INCIDENT_SEVERITY_RANK = sql.raw(
  "array_position(array['critical','major','minor','warning','info']::text[], severity)",
);

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
    /** Set when a reviewer accepts an RCA artifact. */
    suspectedCategory: text(),
    suspectedRootCause: text(),
    suspectedComponent: text(),
    /**
     * The correlator's summary of the incident (its distinct signals, whether an operator pinned it, and `base`,
     * the revision its evidence was last rebuilt at); null until a pass has stored it, or after an operator's
     * correction, which makes the next pass rebuild it. Its evidence, per key, is in `incident_evidence`.
     * Rows written before migration 0019 held the evidence here too (`keys`); the migration moved it out.
     */
    correlation: jsonb().$type<Record<string, unknown>>(),
    /** Bumped by every pass that changes the incident's evidence: a process's copy of it is current when equal. */
    correlationRev: bigint({ mode: "number" }).notNull().default(0),
    /** Set when an operator (or the correlator) merged this incident into another; its alerts moved there. */
    mergedInto: text(),
    /** Holds alerts the scenario generator made (lab data), so nobody mistakes a drill for an outage. */
    synthetic: boolean().notNull().default(false),
    /**
     * When the last of the incident's alerts was resolved (null while any is firing): the incident resolves by
     * itself once `TELEOPS_AUTO_RESOLVE_AFTER` has passed since.
     */
    clearedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("incidents_cleared_idx").on(t.clearedAt).where(sql`${t.clearedAt} is not null and ${t.status} <> 'resolved'`),
    index("incidents_tenant_owner_idx").on(t.tenantId, t.owner),
    // The queue's orders, tie-break included, so a page is an index range (tens of µs) rather than a sort of
    // every incident of the tenant (8 ms at 20,000, 28 ms by severity).
    // NULLS FIRST is what a plain `ORDER BY … DESC` means; an index built NULLS LAST cannot serve it.
    index("incidents_tenant_start_idx").on(t.tenantId, t.startTime.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("incidents_tenant_severity_idx").on(
      t.tenantId,
      sql`${INCIDENT_SEVERITY_RANK}`,
      t.startTime.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index("incidents_tenant_end_idx").on(t.tenantId, t.endTime.desc()),
    index("incidents_tenant_status_idx").on(t.tenantId, t.status),
    // Free-text search of titles (trigrams need the pg_trgm extension, created by migration 0012).
    index("incidents_title_trgm_idx").using("gin", sql`${t.title} gin_trgm_ops`),
  ],
);

/**
 * Partitioned by week of `timestamp` (migration 0015, `partitions.ts`): retention drops whole weeks. The primary key
 * is (id, timestamp) because a partitioned table's unique keys must hold the partition key; ids still come from one
 * identity sequence, so an id alone names one alert.
 */
export const alerts = pgTable(
  "alerts",
  {
    id: bigint({ mode: "number" }).notNull().generatedAlwaysAsIdentity(),
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
    /**
     * The incident the correlator put the alert in. Deliberately not a foreign key: the check cost a lookup and
     * a row lock on the incident per inserted alert (about a sixth of the insert's time), and it guarded nothing
     * the code does not already: incidents are written only by the correlation pass, in the transaction that
     * assigns alerts to them, and deleted only together with all of the tenant's alerts.
     */
    incidentId: text(),
    /** Set once the correlator has seen the alert; unset alerts are the correlator's work queue. */
    correlatedAt: timestamp({ withTimezone: true }),
    /** Why the alert joined its incident, in the operator's words (the evidence the correlator used). */
    correlationReason: text(),
    /**
     * For an alert below the incident bar that the correlator linked to others (a group that may still grow into an
     * incident): the group's key, so a later pass re-reads the whole group however long ago it began.
     */
    pendingGroup: text(),
    /**
     * The silence (or maintenance window) whose matchers this alert met when it arrived: stored, never dropped,
     * but kept out of correlation and notifications.
     */
    silencedBy: text(),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.timestamp] }),
    uniqueIndex("alerts_tenant_fingerprint_ts_uq").on(t.tenantId, t.fingerprint, t.timestamp),
    index("alerts_tenant_ts_idx").on(t.tenantId, t.timestamp.desc()),
    // Fingerprint lookups (Alertmanager resolves) use the unique index's (tenant_id, fingerprint) prefix.
    index("alerts_incident_idx").on(t.incidentId, t.timestamp).where(sql`${t.incidentId} is not null`),
    index("alerts_uncorrelated_idx").on(t.tenantId, t.id).where(sql`${t.correlatedAt} is null`),
    index("alerts_unassigned_idx").on(t.tenantId, t.timestamp).where(sql`${t.incidentId} is null`),
    // A clear's raised alarms: the firing alerts of one host in one incident (incidents.lifecycle), found without
    // reading every member of a storm-sized incident.
    index("alerts_firing_incident_host_idx")
      .on(t.incidentId, t.host, t.timestamp)
      .where(sql`${t.status} = 'firing' and ${t.incidentId} is not null`),
    index("alerts_pending_group_idx")
      .on(t.tenantId, t.pendingGroup)
      .where(sql`${t.pendingGroup} is not null and ${t.incidentId} is null`),
  ],
);

/**
 * Free-text search: per incident, the distinct words of its alerts (host, type, service, message, tag and label
 * values), lower-cased, one space apart, at most 65,536 characters. Kept by statement-level triggers on `alerts`
 * (migrations 0012, 0016 and 0018), so every writer keeps it, and in a table of its own, so the correlator's
 * frequent updates of `incidents` never re-index it. Read whole only when a term is too common for the vocabulary
 * (docs/architecture.md, "Search").
 */
export const incidentSearch = pgTable("incident_search", {
  incidentId: text().primaryKey(),
  tenantId: text().notNull(),
  words: text().notNull(),
});

/**
 * The same words one row per (word, incident): which incidents hold a word, by the primary key. Rows are only ever
 * added, one per new word of an incident (migration 0018): an index over each incident's whole list re-indexed every
 * word of the list whenever one joined, which made search upkeep most of the database's write-ahead log.
 */
export const incidentWords = pgTable(
  "incident_words",
  {
    tenantId: text().notNull(),
    word: text().notNull(),
    incidentId: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.word, t.incidentId] })],
);

/**
 * The correlator's memory of an incident's members, one row per evidence key (a host and layer, a site and layer, a
 * named entity, a burst signal…): the time ranges its members cover, flattened `[start0, end0, start1, …]` in epoch
 * ms (correlation/state.ts). A pass rewrites only the keys its alerts touched, stamped with the incident's new
 * `correlation_rev`, so a server process that kept the incident's evidence from an earlier pass reads back only the
 * rows newer than its copy (migration 0019; before, the whole memory was rewritten on the incident row every pass,
 * megabytes for a storm-sized incident).
 */
export const incidentEvidence = pgTable(
  "incident_evidence",
  {
    incidentId: text()
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    key: text().notNull(),
    ranges: jsonb().$type<number[]>().notNull(),
    rev: bigint({ mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.key] }), index("incident_evidence_rev_idx").on(t.incidentId, t.rev)],
);

/**
 * Every word a tenant's alerts have held, once, with a trigram index: a search term is first matched against these
 * short words (`LIKE '%term%'`), then the incidents holding the matches come from `incident_words`.
 * Kept by the same triggers; words only ever join it (a word whose incidents are gone finds nothing).
 */
export const searchVocabulary = pgTable(
  "search_vocabulary",
  {
    tenantId: text().notNull(),
    word: text().notNull(),
  },
  (t) => [
    // Word first: a key led by the tenant would offer the planner a scan of all the tenant's words for a lookup
    // by tenant, which it took over the trigram index whenever its statistics undercounted a growing vocabulary.
    primaryKey({ columns: [t.word, t.tenantId] }),
    index("search_vocabulary_word_trgm_idx").using("gin", sql`${t.word} gin_trgm_ops`),
  ],
);

/**
 * Per tenant, how many alerts have no incident: what the overview shows, kept by statement-level triggers on
 * `alerts` (migration 0007) so every writer, present or future, keeps it right and reading it costs one row
 * however much noise has piled up (counting the partial index grew with it: 24 → 126 ms p99 over a 30-minute soak).
 */
export const alertCounts = pgTable("alert_counts", {
  tenantId: text().primaryKey(),
  unassigned: bigint({ mode: "number" }).notNull().default(0),
});

/**
 * Per tenant, severity and status, how many incidents there are and the sum of their `alert_count`: what the
 * unfiltered queue (its total and its severity/status chips) and the overview show, kept by statement-level
 * triggers on `incidents` (migration 0020) so reading them costs a few rows rather than a count of every incident
 * (77–100 ms serial at 169,678 incidents, docs/performance.md). A tenant's counts are the sum of its rows.
 *
 * `slot` is the backend (`pg_backend_pid()`) whose transactions added the row's deltas, or 0 for rows folded
 * together by `teleops_fold_incident_counts()`. A writer only ever upserts into its own backend's rows, so
 * concurrent writers never wait on each other's counts however they order their statements (one shared row per
 * tenant would be locked until commit by a correlation pass, and deadlock with an operator who holds one of the
 * pass's incidents and waits on it).
 */
export const incidentCounts = pgTable(
  "incident_counts",
  {
    tenantId: text().notNull(),
    severity: text().$type<"critical" | "major" | "minor" | "warning" | "info">().notNull(),
    status: text().$type<"open" | "acknowledged" | "resolved">().notNull(),
    slot: integer().notNull(),
    incidents: bigint({ mode: "number" }).notNull().default(0),
    alerts: bigint({ mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.severity, t.status, t.slot] })],
);

/** RCA results, one row per engine run; reviewed at most once. */
export const rcaArtifacts = pgTable(
  "rca_artifacts",
  {
    id: text().primaryKey(),
    tenantId: text().notNull(),
    incidentId: text()
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    engine: text().$type<"baseline" | "llm">().notNull(),
    model: text(),
    status: text().$type<"pending_review" | "accepted" | "rejected" | "failed">().notNull(),
    hypotheses: jsonb().$type<unknown[]>().notNull(),
    retrieval: jsonb().$type<unknown[]>().notNull(),
    durationMs: integer().notNull(),
    error: text(),
    trace: jsonb().$type<Record<string, unknown>>(),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    reviewer: text(),
    reviewNotes: text(),
    reviewedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index("rca_artifacts_incident_idx").on(t.tenantId, t.incidentId, t.createdAt.desc())],
);

/** Append-only, hash-chained per tenant: each row stores the previous row's hash and its own. */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: text().notNull(),
    at: timestamp({ withTimezone: true }).notNull(),
    actor: text().notNull(),
    action: text().notNull(),
    entityType: text().notNull(),
    entityId: text().notNull(),
    incidentId: text(),
    details: jsonb().$type<Record<string, unknown>>().notNull(),
    prevHash: text().notNull(),
    hash: text().notNull(),
  },
  (t) => [
    index("audit_events_tenant_id_idx").on(t.tenantId, t.id),
    index("audit_events_incident_idx").on(t.tenantId, t.incidentId),
  ],
);

/**
 * Every webhook delivery (accepted, duplicate or rejected) with what is needed to debug it. Partitioned by week of
 * `received_at` (migration 0015), hence the primary key (id, received_at); ids are random UUIDs.
 */
export const integrationEvents = pgTable(
  "integration_events",
  {
    id: text().notNull(),
    tenantId: text().notNull(),
    source: text().notNull(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    outcome: text().$type<"accepted" | "duplicate" | "rejected" | "failed">().notNull(),
    httpStatus: integer().notNull(),
    dedupKey: text(),
    headers: jsonb().$type<Record<string, string>>().notNull(),
    payload: jsonb(),
    summary: jsonb().$type<Record<string, unknown>>().notNull(),
    error: text(),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.receivedAt] }),
    index("integration_events_tenant_time_idx").on(t.tenantId, t.receivedAt.desc()),
    index("integration_events_dedup_idx").on(t.tenantId, t.source, t.dedupKey),
  ],
);

/** External tickets (ServiceNow incidents, Jira issues), inbound or created from TeleOps, linked to incidents. */
export const tickets = pgTable(
  "tickets",
  {
    id: text().primaryKey(),
    tenantId: text().notNull(),
    system: text().$type<"servicenow" | "jira">().notNull(),
    externalId: text().notNull(),
    number: text().notNull(),
    title: text().notNull(),
    status: text().notNull(),
    priority: text(),
    url: text(),
    incidentId: text().references(() => incidents.id, { onDelete: "set null" }),
    origin: text().$type<"inbound" | "outbound">().notNull(),
    raw: jsonb().$type<Record<string, unknown>>().notNull(),
    externalUpdatedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("tickets_system_external_uq").on(t.tenantId, t.system, t.externalId),
    index("tickets_incident_idx").on(t.tenantId, t.incidentId),
  ],
);

/** One row per import run: what was read and what came of it. */
export const imports = pgTable(
  "imports",
  {
    id: text().primaryKey(),
    tenantId: text().notNull(),
    fileName: text().notNull(),
    format: text().notNull(),
    actor: text().notNull(),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp({ withTimezone: true }),
    read: integer().notNull().default(0),
    imported: integer().notNull().default(0),
    duplicates: integer().notNull().default(0),
    rejected: integer().notNull().default(0),
    errors: jsonb().$type<Array<{ line: number; message: string }>>().notNull(),
    incidentIds: text().array().notNull(),
    status: text().$type<"running" | "completed" | "failed">().notNull(),
  },
  (t) => [index("imports_tenant_time_idx").on(t.tenantId, t.startedAt.desc())],
);

/** One row per evaluation run: the engines' scores on a label set, kept so runs can be compared over time. */
export const evaluationRuns = pgTable(
  "evaluation_runs",
  {
    id: text().primaryKey(),
    tenantId: text().notNull(),
    actor: text().notNull(),
    source: text().$type<"manual" | "synthetic" | "cases">().notNull(),
    engine: text().$type<"baseline" | "llm" | "all">().notNull(),
    labelsFile: text().notNull(),
    cases: integer().notNull(),
    baselineMeanScore: doublePrecision(),
    llmMeanScore: doublePrecision(),
    durationMs: integer().notNull(),
    /** Per-engine results (null when not run or not configured) and notes, as the API returns them. */
    report: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("evaluation_runs_tenant_time_idx").on(t.tenantId, t.createdAt.desc())],
);

export type RcaArtifactRow = typeof rcaArtifacts.$inferSelect;
export type AuditEventRow = typeof auditEvents.$inferSelect;
export type IntegrationEventRow = typeof integrationEvents.$inferSelect;
export type TicketRow = typeof tickets.$inferSelect;
export type ImportRow = typeof imports.$inferSelect;
export type EvaluationRunRow = typeof evaluationRuns.$inferSelect;
export type AlertRow = typeof alerts.$inferSelect;
export type NewAlertRow = typeof alerts.$inferInsert;
export type IncidentRow = typeof incidents.$inferSelect;
export type NewIncidentRow = typeof incidents.$inferInsert;

/** Each tenant's network topology (devices with sites and roles, links between them), imported by operators. */
export const topologies = pgTable("topologies", {
  tenantId: text().primaryKey(),
  document: jsonb().$type<Record<string, unknown>>().notNull(),
  devices: integer().notNull(),
  links: integer().notNull(),
  source: text().notNull(),
  updatedBy: text().notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/**
 * Operators' corrections of correlation (merges, splits, moved alerts): the alert types they put together or
 * apart, which the correlator's learned relations weigh.
 */
export const correlationFeedback = pgTable(
  "correlation_feedback",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: text().notNull(),
    kind: text().$type<"merge" | "split" | "move">().notNull(),
    /** Alert types on one side of the correction and on the other. */
    left: text().array().notNull(),
    right: text().array().notNull(),
    actor: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("correlation_feedback_tenant_idx").on(t.tenantId, t.createdAt)],
);

/**
 * What the scenario generator knows about the alerts it stored: which injected failure raised each one, or null
 * for background noise. Kept beside `alerts` (keyed like their unique index), never inside them, so nothing that
 * reads alerts (correlation, RCA, the SPA) can lean on ground truth; evaluation joins it back in.
 */
export const generatedTruth = pgTable(
  "generated_truth",
  {
    tenantId: text().notNull(),
    fingerprint: text().notNull(),
    timestamp: timestamp({ withTimezone: true }).notNull(),
    /** One `scenarios.generate` call. */
    runId: text().notNull(),
    /** The scenario type that raised the alert; null for noise. */
    scenario: text(),
    /** Index of that scenario in the run's ground truth (a `mixed` run injects several); null for noise. */
    member: integer(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.fingerprint, t.timestamp] }),
    index("generated_truth_run_idx").on(t.tenantId, t.runId),
  ],
);

export type GeneratedTruthRow = typeof generatedTruth.$inferSelect;

/**
 * Silences and maintenance windows: Alertmanager-style matchers over an alert's fields, tags and labels. A `once`
 * silence holds from `starts_at` to `ends_at`; a `weekly` one holds during the weekly ranges of `schedule` between
 * those bounds. Expiring sets `ends_at` to now (rows are kept for the audit trail and the alerts that name them).
 */
export const silences = pgTable(
  "silences",
  {
    id: text().primaryKey(),
    tenantId: text().notNull(),
    kind: text().$type<"once" | "weekly">().notNull().default("once"),
    matchers: jsonb().$type<Array<{ name: string; op: "=" | "!=" | "=~" | "!~"; value: string }>>().notNull(),
    /** For `weekly`: ranges such as { days: [1,2,3,4,5], start: "22:00", end: "02:00", tz: "Europe/Berlin" }. */
    schedule: jsonb().$type<Record<string, unknown>[]>(),
    startsAt: timestamp({ withTimezone: true }).notNull(),
    endsAt: timestamp({ withTimezone: true }).notNull(),
    comment: text().notNull(),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiredBy: text(),
    expiredAt: timestamp({ withTimezone: true }),
  },
  (t) => [index("silences_tenant_ends_idx").on(t.tenantId, t.endsAt)],
);

/** Operators' notes on an incident (markdown), shown in its timeline beside status changes, reviews and tickets. */
export const incidentNotes = pgTable(
  "incident_notes",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: text().notNull(),
    incidentId: text().notNull(),
    author: text().notNull(),
    body: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("incident_notes_incident_idx").on(t.tenantId, t.incidentId, t.createdAt)],
);

export type SilenceRow = typeof silences.$inferSelect;
export type IncidentNoteRow = typeof incidentNotes.$inferSelect;

/**
 * Notification channels (a generic webhook, a Slack incoming webhook, PagerDuty Events v2, email over SMTP), each
 * with its route: which of the tenant's incidents it takes (minimum severity, matchers) and after what delay.
 * The secret (HMAC key, PagerDuty routing key) is kept to sign and send, and never shown back in full.
 */
export const notificationChannels = pgTable(
  "notification_channels",
  {
    id: text().primaryKey(),
    tenantId: text().notNull(),
    type: text().$type<"webhook" | "slack" | "pagerduty" | "email">().notNull(),
    name: text().notNull(),
    url: text().notNull(),
    secret: text(),
    minSeverity: text().$type<"critical" | "major" | "minor" | "warning" | "info">(),
    matchers: jsonb().$type<Array<{ name: string; op: "=" | "!=" | "=~" | "!~"; value: string }>>().notNull(),
    /** Notify only incidents still open this long after they opened (0 = at once). */
    delayMs: integer().notNull().default(0),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("notification_channels_tenant_idx").on(t.tenantId, t.createdAt)],
);

/**
 * Per channel and incident, what the channel was last told (and when), so the notifier sends an incident's
 * opening once, its updates throttled and its resolution once, whichever server process notices the change.
 * `version` makes each change a conditional update: two processes cannot both enqueue the same message.
 */
export const notificationState = pgTable(
  "notification_state",
  {
    channelId: text().notNull(),
    incidentId: text().notNull(),
    tenantId: text().notNull(),
    /** False while the route has not taken the incident (below the bar, not matching, or still in its delay). */
    notified: boolean().notNull().default(false),
    lastEvent: text().$type<"incident.opened" | "incident.updated" | "incident.resolved">(),
    lastStatus: text(),
    lastSeverity: text(),
    lastAlertCount: integer(),
    lastSentAt: timestamp({ withTimezone: true }),
    /** The incident's `updated_at` when the route last looked at it: untouched incidents are not re-read. */
    seenUpdatedAt: timestamp({ withTimezone: true }),
    version: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.incidentId] })],
);

/**
 * The outbox: one row per message to send, written in the transaction that decides it, so a restart or a crash
 * loses none. Notifier processes claim due rows (`FOR UPDATE SKIP LOCKED`) under a lease; a lease that runs out
 * (the process died mid-send) makes the row due again.
 */
export const notificationDeliveries = pgTable(
  "notification_deliveries",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: text().notNull(),
    channelId: text().notNull(),
    /** Null for a channel test. */
    incidentId: text(),
    event: text().notNull(),
    /** The event as the generic webhook sends it (`{event, incident, url}`); other channel types render from it. */
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    status: text().$type<"pending" | "sending" | "delivered" | "failed">().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    leaseUntil: timestamp({ withTimezone: true }),
    lastError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("notification_deliveries_due_idx").on(t.nextAttemptAt).where(sql`${t.status} in ('pending', 'sending')`),
    index("notification_deliveries_tenant_idx").on(t.tenantId, t.id.desc()),
    index("notification_deliveries_channel_idx").on(t.channelId, t.id.desc()),
  ],
);

/** Every attempt to send a delivery: when, how it went (HTTP status or SMTP reply) and the error, if any. */
export const notificationAttempts = pgTable(
  "notification_attempts",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    deliveryId: bigint({ mode: "number" })
      .notNull()
      .references(() => notificationDeliveries.id, { onDelete: "cascade" }),
    tenantId: text().notNull(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    ok: boolean().notNull(),
    /** The receiver's HTTP status, or 250-style SMTP code; null when nothing answered. */
    responseStatus: integer(),
    error: text(),
    durationMs: integer().notNull(),
  },
  (t) => [index("notification_attempts_delivery_idx").on(t.deliveryId, t.at)],
);

export type NotificationChannelRow = typeof notificationChannels.$inferSelect;
export type NotificationStateRow = typeof notificationState.$inferSelect;
export type NotificationDeliveryRow = typeof notificationDeliveries.$inferSelect;
export type NotificationAttemptRow = typeof notificationAttempts.$inferSelect;
