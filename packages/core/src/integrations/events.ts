/** The integration event log: every webhook delivery (accepted, duplicate or rejected) and what came of it. */
import { randomUUID } from "node:crypto";
import { type DbOrTx, type IntegrationEventRow, integrationEvents } from "@teleops/db";
import type {
  IntegrationEvent,
  IntegrationEventListParams,
  IntegrationOutcome,
  IntegrationSource,
} from "@teleops/schema";
import { and, count, desc, eq, getTableColumns, gte, lt, type SQL, sql } from "drizzle-orm";

export interface IntegrationEventDraft {
  /** Chosen by the caller when the answer must name the event before it is stored. */
  id?: string;
  tenantId: string;
  source: IntegrationSource;
  outcome: IntegrationOutcome;
  httpStatus: number;
  dedupKey?: string | null;
  headers: Record<string, string>;
  payload?: unknown;
  summary?: Record<string, unknown>;
  error?: string | null;
}

export function newIntegrationEventId(): string {
  return randomUUID();
}

export function toIntegrationEvent(row: IntegrationEventRow): IntegrationEvent {
  return {
    id: row.id,
    tenant_id: row.tenantId,
    source: row.source,
    received_at: row.receivedAt.toISOString(),
    outcome: row.outcome,
    http_status: row.httpStatus,
    dedup_key: row.dedupKey,
    headers: row.headers,
    payload: row.payload,
    summary: row.summary,
    error: row.error,
  };
}

export async function recordIntegrationEvent(db: DbOrTx, draft: IntegrationEventDraft): Promise<IntegrationEvent> {
  const [row] = await db.insert(integrationEvents).values(eventRow(draft)).returning();
  if (!row) throw new Error("integration event insert returned no row");
  return toIntegrationEvent(row);
}

/** Several events in one statement (the deliveries that shared one ingest transaction). */
export async function recordIntegrationEvents(db: DbOrTx, drafts: readonly IntegrationEventDraft[]): Promise<void> {
  // One prepared statement per event, all sent together: the text never varies, so PostgreSQL parses it once per
  // connection and the inserts pipeline (a multi-row insert would be a new statement for every row count).
  const results = await Promise.allSettled(
    drafts.map((draft) =>
      db.insert(integrationEvents).values(eventRow(draft)).prepare("insert_integration_event").execute(),
    ),
  );
  const failed = results.find((result) => result.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

function eventRow(draft: IntegrationEventDraft) {
  return {
    id: draft.id ?? newIntegrationEventId(),
    tenantId: draft.tenantId,
    source: draft.source,
    outcome: draft.outcome,
    httpStatus: draft.httpStatus,
    dedupKey: draft.dedupKey ?? null,
    headers: draft.headers,
    payload: storablePayload(draft.payload),
    summary: jsonSafeRecord(draft.summary ?? {}),
    error: draft.error ?? null,
  };
}

/** The earlier accepted delivery with this dedup key, if any: a redelivery of it changes nothing. */
export async function findAcceptedDelivery(
  db: DbOrTx,
  tenantId: string,
  source: IntegrationSource,
  dedupKey: string,
): Promise<IntegrationEvent | null> {
  const [row] = await db
    .select()
    .from(integrationEvents)
    .where(
      and(
        eq(integrationEvents.tenantId, tenantId),
        eq(integrationEvents.source, source),
        eq(integrationEvents.dedupKey, dedupKey),
        eq(integrationEvents.outcome, "accepted"),
      ),
    )
    .orderBy(desc(integrationEvents.receivedAt))
    .limit(1);
  return row ? toIntegrationEvent(row) : null;
}

export interface IntegrationEventPage {
  events: IntegrationEvent[];
  total: number;
  /** Counts per outcome under the source and time filters, for the page's summary chips. */
  byOutcome: Record<IntegrationOutcome, number>;
}

export async function listIntegrationEvents(
  db: DbOrTx,
  tenantId: string,
  params: IntegrationEventListParams,
): Promise<IntegrationEventPage> {
  const base: SQL[] = [eq(integrationEvents.tenantId, tenantId)];
  if (params.source) base.push(eq(integrationEvents.source, params.source));
  if (params.since) base.push(gte(integrationEvents.receivedAt, new Date(params.since)));
  if (params.until) base.push(lt(integrationEvents.receivedAt, new Date(params.until)));
  const filtered = params.outcome ? [...base, eq(integrationEvents.outcome, params.outcome)] : base;
  // Payloads can be large: the list reads them only when asked.
  const columns = {
    ...getTableColumns(integrationEvents),
    payload: params.withPayload ? integrationEvents.payload : sql<unknown>`null`,
  };
  const [rows, totals, facets] = await Promise.all([
    db
      .select(columns)
      .from(integrationEvents)
      .where(and(...filtered))
      .orderBy(desc(integrationEvents.receivedAt), desc(integrationEvents.id))
      .limit(params.limit)
      .offset(params.offset),
    db
      .select({ n: count() })
      .from(integrationEvents)
      .where(and(...filtered)),
    db
      .select({ outcome: integrationEvents.outcome, n: count() })
      .from(integrationEvents)
      .where(and(...base))
      .groupBy(integrationEvents.outcome),
  ]);
  const byOutcome: Record<IntegrationOutcome, number> = { accepted: 0, duplicate: 0, rejected: 0, failed: 0 };
  for (const facet of facets) byOutcome[facet.outcome] += facet.n;
  return { events: rows.map(toIntegrationEvent), total: totals[0]?.n ?? 0, byOutcome };
}

/**
 * jsonb refuses the NUL character and unpaired surrogates (`\ud800`), which a hostile or broken sender can put in
 * any string; they become U+FFFD so the delivery (or its refusal) can still be recorded.
 */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === "string") return storableText(value);
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value && typeof value === "object") return jsonSafeRecord(value);
  return value;
}

function jsonSafeRecord(value: object): Record<string, unknown> {
  // fromEntries defines own properties, so a `__proto__` key stays data instead of becoming a prototype.
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [storableText(key), jsonSafe(inner)]));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function storableText(text: string): string {
  const withoutNul = text.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text;
  return withoutNul.replace(LONE_SURROGATE, "\uFFFD");
}

function storablePayload(payload: unknown): unknown {
  return payload === undefined ? null : jsonSafe(payload);
}
