/** File imports: the formats TeleOps reads, the batches a client sends, and the record of each import run. */
import { z } from "zod";

export const IMPORT_FORMATS = ["jsonl", "csv", "syslog", "alertmanager"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
export const importFormatSchema = z.enum(IMPORT_FORMATS);

/** Most records one `imports.batch` call may carry; each batch is stored in one transaction. */
export const IMPORT_BATCH_MAX = 5_000;
/** An import keeps this many rejected-record errors (the first ones, by line). */
export const IMPORT_ERRORS_KEPT = 100;
/** Largest file content the server parses itself (the SPA's upload); bigger files go through the CLI. */
export const IMPORT_CONTENT_MAX = 5 * 1024 * 1024;

/** A rejected record: its line in the file (the first line of a multi-line CSV record) and why. */
export const lineErrorSchema = z.object({
  line: z.number().int().nonnegative(),
  message: z.string().max(2_000),
});
export type LineError = z.infer<typeof lineErrorSchema>;

const importIdSchema = z.string().trim().min(1).max(64);
/** Target tenant; omitted means the caller's own, and naming any other tenant is refused. */
const tenantOverrideSchema = z.string().trim().min(1).max(64).optional();

export const importStartInputSchema = z.object({
  fileName: z.string().trim().min(1).max(512),
  format: importFormatSchema,
  tenant: tenantOverrideSchema,
});
export type ImportStartInput = z.input<typeof importStartInputSchema>;

/**
 * One batch of parsed records. `alert` is re-validated on the server with the canonical alert schema, so a
 * record that a client let through is still rejected there with its line number.
 */
export const importBatchInputSchema = z.object({
  importId: importIdSchema,
  tenant: tenantOverrideSchema,
  records: z
    .array(z.object({ line: z.number().int().positive(), alert: z.unknown() }))
    .min(1, "send at least one record")
    .max(IMPORT_BATCH_MAX, `send at most ${IMPORT_BATCH_MAX} records per batch`),
  /** Accepted so older clients still validate, and ignored: every batch is stored already correlated. */
  correlate: z.boolean().default(true),
});
export type ImportBatchInput = z.input<typeof importBatchInputSchema>;

export const importBatchResultSchema = z.object({
  imported: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.array(lineErrorSchema),
});
export type ImportBatchResult = z.infer<typeof importBatchResultSchema>;

export const importFinishInputSchema = z.object({
  importId: importIdSchema,
  tenant: tenantOverrideSchema,
  /** Records the client read from the file, rejected ones included. */
  read: z.number().int().nonnegative(),
  /** Records the client rejected before sending (the server adds the ones it rejected itself). */
  rejected: z.number().int().nonnegative(),
  errors: z.array(lineErrorSchema).max(IMPORT_ERRORS_KEPT),
  /** Set when the client gave up part-way (e.g. the file became unreadable): the import is marked failed. */
  failure: z.string().max(2_000).optional(),
});
export type ImportFinishInput = z.input<typeof importFinishInputSchema>;

export const IMPORT_STATUSES = ["running", "completed", "failed"] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** One import run as the history shows it; the CLI's `--json` report uses the same key names. */
export const importSummarySchema = z.object({
  id: z.string(),
  file: z.string(),
  format: importFormatSchema,
  tenant: z.string(),
  actor: z.string(),
  status: z.enum(IMPORT_STATUSES),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  read: z.number().int(),
  imported: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
  errors: z.array(lineErrorSchema),
  incidents: z.array(z.object({ id: z.string(), alert_count: z.number().int() })),
  /**
   * Of those incidents, how many this import stored resolved (as `system`) because their last alert is older
   * than the quiet period: history, not work. Given when the import finishes.
   */
  resolved_history: z.number().int().optional(),
});
export type ImportSummary = z.infer<typeof importSummarySchema>;

/** A whole file sent as text, for the SPA: the server parses it with the same importers the CLI uses. */
export const importContentInputSchema = z.object({
  fileName: z.string().trim().min(1).max(512),
  /** Omitted: detected from the file name and content. */
  format: importFormatSchema.optional(),
  content: z
    .string()
    .max(IMPORT_CONTENT_MAX, `files over ${IMPORT_CONTENT_MAX / 1024 / 1024} MiB: use \`teleops import\``),
  tenant: tenantOverrideSchema,
  /** Syslog: year of the first RFC 3164 timestamp (they carry none). */
  year: z.number().int().min(1970).max(9999).optional(),
  /** Syslog: the file's modification time (ms since epoch), used for the year when `year` is not given. */
  lastModified: z.number().int().nonnegative().optional(),
});
export type ImportContentInput = z.input<typeof importContentInputSchema>;

/** What a dry run found: nothing is stored. */
export const importDryRunSchema = z.object({
  file: z.string(),
  format: importFormatSchema,
  read: z.number().int(),
  valid: z.number().int(),
  rejected: z.number().int(),
  errors: z.array(lineErrorSchema),
});
export type ImportDryRun = z.infer<typeof importDryRunSchema>;
