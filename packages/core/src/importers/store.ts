/**
 * Server-side import verbs: an import run is started, fed batches that are each stored in one transaction
 * (re-validated record by record), correlated, and finished with its counts, errors and incidents.
 */
import { randomUUID } from "node:crypto";
import { setImmediate as nextTurn } from "node:timers/promises";
import { type Database, type DbOrTx, type ImportRow, imports, incidents } from "@teleops/db";
import {
  type CanonicalAlert,
  IMPORT_FORMATS,
  type ImportBatchResult,
  type ImportContentInput,
  type ImportDryRun,
  type ImportFormat,
  type ImportSummary,
  type IncidentRef,
  type LineError,
} from "@teleops/schema";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { withFingerprint } from "../alerts/fingerprint.ts";
import type { CorrelationConfig, TopologyView } from "../correlation/correlator.ts";
import { correlatePending, storeAndCorrelate } from "../correlation/persist.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { resolveImportedHistory } from "../incidents/lifecycle.ts";
import { resolveAlertmanagerAlerts } from "../integrations/alertmanager.ts";
import { detectFormat } from "./detect.ts";
import { firstErrors, type ImportSink, parseRecords, runImport } from "./run.ts";
import { validateRecord } from "./validate.ts";

/** Records validated between two turns of the event loop. */
const VALIDATE_SLICE = 250;

export interface ImportDeps {
  /** The tenant the alerts go to (the router decides who may name another tenant). */
  tenantId: string;
  topology: TopologyView;
  correlation: CorrelationConfig;
}

export async function startImport(
  db: DbOrTx,
  params: { tenantId: string; actor: string; fileName: string; format: ImportFormat },
): Promise<ImportSummary> {
  const [row] = await db
    .insert(imports)
    .values({
      id: randomUUID(),
      tenantId: params.tenantId,
      fileName: params.fileName,
      format: params.format,
      actor: params.actor,
      errors: [],
      incidentIds: [],
      status: "running",
    })
    .returning();
  if (!row) throw new Error("insert into imports returned no row");
  return toSummary(row, []);
}

export interface BatchOutcome extends ImportBatchResult {
  incidents: IncidentRef[];
}

/**
 * Stores one batch: every record is validated again (a client may be old or hostile); the valid ones and the
 * import's counters commit in one transaction, so a failed batch leaves nothing behind. Re-sent alerts (same
 * fingerprint and time) count as duplicates.
 */
export async function storeImportBatch(
  db: Database,
  deps: ImportDeps,
  input: { importId: string; records: ReadonlyArray<{ line: number; alert: unknown }>; correlate?: boolean },
  now: number = Date.now(),
): Promise<BatchOutcome> {
  const row = await runningImport(db, deps.tenantId, input.importId);
  const valid: CanonicalAlert[] = [];
  const rejected: LineError[] = [];
  for (const [index, record] of input.records.entries()) {
    // A 5,000-record batch takes tens of milliseconds to validate: yield now and then, so the database answers
    // of another batch in flight (an import sends two at a time) are not held back meanwhile.
    if (index > 0 && index % VALIDATE_SLICE === 0) await nextTurn();
    const checked = validateRecord(record.line, record.alert, now);
    if ("error" in checked) rejected.push({ line: checked.line, message: checked.error });
    else valid.push(withFingerprint(checked.alert));
  }

  // Each batch is stored already correlated, in one transaction with the import's counters and incidents (a
  // failed batch leaves nothing behind). `correlate: false` no longer defers anything; it is kept so older
  // clients still validate. Alertmanager exports resolve stored alerts first, in the same transaction.
  const mapped =
    row.format === "alertmanager" ? valid.map((alert) => ({ ...alert, ends_at: endsAtOf(alert) })) : undefined;
  let prior = { inserted: 0, resolved: 0, duplicates: 0 };
  let counts = { imported: 0, duplicates: 0 };
  const outcome = await storeAndCorrelate(
    db,
    { tenantId: deps.tenantId, topology: deps.topology, config: deps.correlation },
    [mapped ? mapped.filter((alert) => alert.status === "firing") : valid],
    async (tx, pass) => {
      const batch = pass.batches[0] ?? { accepted: 0, duplicates: 0 };
      counts = {
        imported: batch.accepted + prior.inserted + prior.resolved,
        duplicates: batch.duplicates + prior.duplicates,
      };
      const errors =
        rejected.length > 0
          ? firstErrors([...((await lockedErrors(tx, input.importId)) ?? []), ...rejected])
          : undefined;
      const ids = JSON.stringify(pass.incidents.map((ref) => ref.id));
      await tx
        .update(imports)
        .set({
          imported: sql`${imports.imported} + ${counts.imported}`,
          duplicates: sql`${imports.duplicates} + ${counts.duplicates}`,
          rejected: sql`${imports.rejected} + ${rejected.length}`,
          ...(errors ? { errors } : {}),
          ...(pass.incidents.length > 0
            ? {
                incidentIds: sql`array(select id from unnest(${imports.incidentIds}) as id union select jsonb_array_elements_text(${ids}::jsonb) order by 1)`,
              }
            : {}),
        })
        .where(eq(imports.id, input.importId));
    },
    mapped
      ? async (tx) => {
          prior = await resolveAlertmanagerAlerts(tx, deps.tenantId, mapped);
        }
      : undefined,
  );
  return { ...counts, rejected, incidents: outcome.incidents };
}

export async function finishImport(
  db: Database,
  deps: ImportDeps,
  input: { importId: string; read: number; rejected: number; errors: LineError[]; failure?: string | undefined },
): Promise<ImportSummary> {
  const row = await runningImport(db, deps.tenantId, input.importId);
  // Batches are stored correlated; alerts stored some other way without correlation are caught up here (with
  // nothing pending this is one cheap query).
  const caughtUp = row.imported > 0 ? await correlateImport(db, deps, input.importId) : [];
  // History must not flood the open queue: incidents whose last alert is older than the quiet period are resolved.
  const resolvedHistory = await resolveImportedHistory(db, {
    tenantId: deps.tenantId,
    incidentIds: [...new Set([...row.incidentIds, ...caughtUp.map((ref) => ref.id)])],
    quietPeriodMs: deps.correlation.sameHostWindowMs,
    now: new Date(),
  });
  const [done] = await db
    .update(imports)
    .set({
      read: input.read,
      rejected: sql`${imports.rejected} + ${input.rejected}`,
      errors: firstErrors([
        ...row.errors,
        ...input.errors,
        ...(input.failure ? [{ line: 0, message: input.failure }] : []),
      ]),
      status: input.failure ? "failed" : "completed",
      finishedAt: new Date(),
    })
    .where(and(eq(imports.id, input.importId), eq(imports.tenantId, deps.tenantId)))
    .returning();
  if (!done) throw new NotFoundError(`import ${input.importId} not found`);
  return {
    ...toSummary(done, await incidentRefs(db, deps.tenantId, done.incidentIds)),
    resolved_history: resolvedHistory.length,
  };
}

export async function listImports(db: DbOrTx, tenantId: string, params: { limit: number }): Promise<ImportSummary[]> {
  const rows = await db
    .select()
    .from(imports)
    .where(eq(imports.tenantId, tenantId))
    .orderBy(desc(imports.startedAt))
    .limit(params.limit);
  const refs = await incidentRefs(db, tenantId, [...new Set(rows.flatMap((r) => r.incidentIds))]);
  const counts = new Map(refs.map((ref) => [ref.id, ref.alert_count]));
  return rows.map((row) =>
    toSummary(
      row,
      row.incidentIds.map((id) => ({ id, alert_count: counts.get(id) ?? 0 })),
    ),
  );
}

export async function getImport(db: DbOrTx, tenantId: string, id: string): Promise<ImportSummary> {
  const [row] = await db
    .select()
    .from(imports)
    .where(and(eq(imports.id, id), eq(imports.tenantId, tenantId)))
    .limit(1);
  if (!row) throw new NotFoundError(`import ${id} not found`);
  return toSummary(row, await incidentRefs(db, tenantId, row.incidentIds));
}

/** A whole file sent as text (the SPA), parsed with the same importers as the CLI: nothing is stored. */
export async function dryRunContent(input: ImportContentInput, now?: number): Promise<ImportDryRun> {
  const { format, records } = contentRecords(input, now);
  const tally = await runImport(records);
  return {
    file: input.fileName,
    format,
    read: tally.read,
    valid: tally.valid,
    rejected: tally.rejected,
    errors: tally.errors,
  };
}

/** A whole file sent as text (the SPA): imported in batches like the CLI does, each stored already correlated. */
export async function importContent(
  db: Database,
  deps: ImportDeps & { actor: string },
  input: ImportContentInput,
  now?: number,
): Promise<ImportSummary> {
  const { format, records } = contentRecords(input, now);
  const started = await startImport(db, {
    tenantId: deps.tenantId,
    actor: deps.actor,
    fileName: input.fileName,
    format,
  });
  const sink: ImportSink = {
    store: (batch) => storeImportBatch(db, deps, { importId: started.id, records: batch }, now),
  };
  try {
    const tally = await runImport(records, { sink, batchSize: 2_000 });
    return await finishImport(db, deps, {
      importId: started.id,
      read: tally.read,
      rejected: tally.parseRejected,
      errors: tally.parseErrors,
    });
  } catch (error) {
    await finishImport(db, deps, {
      importId: started.id,
      read: 0,
      rejected: 0,
      errors: [],
      failure: error instanceof Error ? error.message : String(error),
    }).catch(() => undefined);
    throw error;
  }
}

function contentRecords(input: ImportContentInput, now: number | undefined) {
  if (input.content.trim() === "") throw new ValidationError(`${input.fileName} is empty`);
  const format = input.format ?? detectFormat(input.fileName, input.content.slice(0, 8_192));
  if (!format) {
    throw new ValidationError(
      `cannot tell the format of ${input.fileName}; choose one of ${IMPORT_FORMATS.join(", ")}`,
    );
  }
  const records = parseRecords(format, [input.content], { now, year: input.year, referenceTime: input.lastModified });
  return { format, records };
}

async function runningImport(db: DbOrTx, tenantId: string, importId: string): Promise<ImportRow> {
  const [row] = await db
    .select()
    .from(imports)
    .where(and(eq(imports.id, importId), eq(imports.tenantId, tenantId)))
    .limit(1);
  if (!row) throw new NotFoundError(`import ${importId} not found`);
  if (row.status !== "running") throw new ConflictError(`import ${importId} is already ${row.status}`);
  return row;
}

async function lockedErrors(tx: DbOrTx, importId: string): Promise<LineError[] | undefined> {
  const [row] = await tx.select({ errors: imports.errors }).from(imports).where(eq(imports.id, importId)).for("update");
  return row?.errors;
}

async function correlateImport(db: Database, deps: ImportDeps, importId: string): Promise<IncidentRef[]> {
  const outcome = await correlatePending(db, {
    tenantId: deps.tenantId,
    topology: deps.topology,
    config: deps.correlation,
  });
  if (outcome.incidents.length > 0) {
    // One statement, so batches of the same import correlated at the same time do not lose each other's ids.
    const ids = JSON.stringify(outcome.incidents.map((ref) => ref.id));
    await db
      .update(imports)
      .set({
        incidentIds: sql`array(select id from unnest(${imports.incidentIds}) as id union select jsonb_array_elements_text(${ids}::jsonb) order by 1)`,
      })
      .where(eq(imports.id, importId));
  }
  return outcome.incidents;
}

async function incidentRefs(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<IncidentRef[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: incidents.id, alert_count: incidents.alertCount })
    .from(incidents)
    .where(and(eq(incidents.tenantId, tenantId), inArray(incidents.id, [...ids])))
    .orderBy(incidents.id);
  return rows;
}

/** Alertmanager's end time travels in `raw_payload.endsAt` (the mapper keeps the whole alert there). */
function endsAtOf(alert: CanonicalAlert): string | null {
  const value = alert.raw_payload.endsAt;
  return typeof value === "string" && !Number.isNaN(Date.parse(value)) ? value : null;
}

function toSummary(row: ImportRow, refs: IncidentRef[]): ImportSummary {
  return {
    id: row.id,
    file: row.fileName,
    format: isImportFormat(row.format) ? row.format : "jsonl",
    tenant: row.tenantId,
    actor: row.actor,
    status: row.status,
    started_at: row.startedAt.toISOString(),
    finished_at: row.finishedAt?.toISOString() ?? null,
    read: row.read,
    imported: row.imported,
    duplicates: row.duplicates,
    rejected: row.rejected,
    errors: row.errors,
    incidents: refs,
  };
}

function isImportFormat(value: string): value is ImportFormat {
  return (IMPORT_FORMATS as readonly string[]).includes(value);
}
