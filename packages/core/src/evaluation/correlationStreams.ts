/**
 * Reads a labelled correlation stream (fixtures/correlation/FORMAT.md) into canonical alerts with their truth
 * beside them, through the same parsers production uses: the syslog importer, the Alertmanager webhook mapping
 * and the import validation. Truth never enters the alerts.
 */
import {
  type AlertDraft,
  type AlertmanagerWebhook,
  alertmanagerWebhookSchema,
  type CanonicalAlert,
  type CorrelationStreamHeader,
  correlationStreamHeaderSchema,
  findUnsafeJson,
  type LineError,
} from "@teleops/schema";
import { withFingerprint } from "../alerts/fingerprint.ts";
import { parseSyslogLine, YearResolver } from "../importers/syslog.ts";
import { acceptDraft, clip, describeIssues, validateRecord } from "../importers/validate.ts";
import { alertmanagerToCanonical } from "../integrations/alertmanager.ts";

export interface LabelledStream {
  name: string;
  description: string;
  alerts: CanonicalAlert[];
  /** For each alert, the label of its real incident, or null for noise. */
  truth: Array<string | null>;
  /** The header's topology, when it carries one. */
  topology: CorrelationStreamHeader["topology"];
  /** Redeliveries of an alert already in the stream (same fingerprint and time), which add nothing. */
  duplicates: number;
  errors: LineError[];
}

export interface ReadStreamOptions {
  /** The name when the header gives none (the file name). */
  name: string;
  /** The clock for the importer's checks (more than a day in the future is refused); defaults to now. */
  now?: number;
}

const RECORD_KINDS = ["stream", "syslog", "alertmanager", "alert"] as const;
type RecordKind = (typeof RECORD_KINDS)[number];

type Truth = string | null;

export function readLabelledStream(text: string, options: ReadStreamOptions): LabelledStream {
  const now = options.now ?? Date.now();
  const stream = new StreamBuilder();
  let header: CorrelationStreamHeader | undefined;
  let years: YearResolver | undefined;
  let seenRecord = false;
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    if (raw.trim() === "") continue;
    const fail = (message: string) => stream.errors.push({ line, message });
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      fail(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      fail("a line must be a JSON object");
      continue;
    }
    const unsafe = findUnsafeJson(value, { allowNul: true });
    if (unsafe) {
      fail(`${unsafe.path.map(String).join(".") || "line"}: ${unsafe.message}`);
      continue;
    }
    const record = value as Record<string, unknown>;
    const kinds = RECORD_KINDS.filter((kind) => kind in record);
    const kind: RecordKind | undefined = kinds.length === 1 ? kinds[0] : undefined;
    if (!kind) {
      fail(
        kinds.length === 0
          ? `a line holds one of ${RECORD_KINDS.join(", ")}; found ${Object.keys(record).slice(0, 5).join(", ") || "an empty object"}`
          : `a line holds exactly one of ${RECORD_KINDS.join(", ")}; found ${kinds.join(" and ")}`,
      );
      continue;
    }
    const first = !seenRecord;
    seenRecord = true;
    if (kind === "stream") {
      if (!first) {
        fail("the stream header must be the first line");
        continue;
      }
      const parsed = correlationStreamHeaderSchema.safeParse(record.stream);
      if (!parsed.success) fail(`stream: ${describeIssues(parsed.error.issues, record.stream)}`);
      else header = parsed.data;
      continue;
    }
    if (kind === "alertmanager") {
      readAlertmanager(stream, line, record.alertmanager, record.truth, now);
      continue;
    }
    const truth = singleTruth(record.truth);
    if (typeof truth === "object" && truth !== null) {
      fail(truth.error);
      continue;
    }
    if (kind === "syslog") {
      if (typeof record.syslog !== "string") {
        fail("syslog: must be the raw syslog line as a string");
        continue;
      }
      years ??= new YearResolver(header?.year, now);
      const parsed = parseSyslogLine(record.syslog, years);
      if (typeof parsed === "string") fail(`syslog: ${parsed}`);
      else stream.addChecked(line, acceptDraft(line, parsed, now), truth);
      continue;
    }
    stream.addChecked(line, validateRecord(line, record.alert, now), truth, "alert: ");
  }
  if (stream.alerts.length === 0 && stream.errors.length === 0) {
    stream.errors.push({ line: 0, message: "the stream holds no alerts" });
  }
  return {
    name: header?.name ?? options.name,
    description: header?.description ?? "",
    alerts: stream.alerts,
    truth: stream.truth,
    topology: header?.topology,
    duplicates: stream.duplicates,
    errors: stream.errors,
  };
}

/** One truth value: a non-empty label or null; anything else is the reason it is wrong. */
function singleTruth(value: unknown): Truth | { error: string } {
  if (value === null) return null;
  if (value === undefined) return { error: "truth is required: the incident's label, or null for noise" };
  if (typeof value === "string" && value.trim() !== "") return value;
  return { error: `truth must be a non-empty string or null; got ${clip(JSON.stringify(value), 60)}` };
}

function readAlertmanager(stream: StreamBuilder, line: number, body: unknown, truth: unknown, now: number): void {
  const parsed = alertmanagerWebhookSchema.safeParse(body);
  if (!parsed.success) {
    stream.errors.push({ line, message: `alertmanager: ${describeIssues(parsed.error.issues, body)}` });
    return;
  }
  const envelope: AlertmanagerWebhook = parsed.data;
  if (!Array.isArray(truth) || truth.length !== envelope.alerts.length) {
    stream.errors.push({
      line,
      message: `truth must be an array with one entry per alert (${envelope.alerts.length}); got ${clip(JSON.stringify(truth) ?? "nothing", 60)}`,
    });
    return;
  }
  const labels: Truth[] = [];
  for (const [index, entry] of truth.entries()) {
    const label = singleTruth(entry);
    if (typeof label === "object" && label !== null) {
      stream.errors.push({ line, message: `truth[${index}]: ${label.error}` });
      return;
    }
    labels.push(label);
  }
  // As the webhook does: each alert mapped with its envelope and kept as received; a resolved alert closes the
  // occurrence already in the stream instead of adding one.
  const received = (body as { alerts: unknown[] }).alerts;
  envelope.alerts.forEach((alert, index) => {
    const { ends_at: endsAt, ...canonical } = alertmanagerToCanonical(alert, envelope, { raw: received[index] });
    const checked = acceptDraft(line, canonical, now);
    const label = labels[index] ?? null;
    if ("error" in checked) {
      stream.errors.push({ line, message: `alerts[${index}]: ${checked.error}` });
    } else if (canonical.status === "resolved") {
      stream.resolve(line, withFingerprint(checked.alert), endsAt, label);
    } else {
      stream.add(line, withFingerprint(checked.alert), label);
    }
  });
}

/** Collects alerts as the correlator meets them: one per fingerprint and time; a later resolve adds nothing. */
class StreamBuilder {
  readonly alerts: CanonicalAlert[] = [];
  readonly truth: Truth[] = [];
  readonly errors: LineError[] = [];
  duplicates = 0;
  private readonly lineOf: number[] = [];
  private readonly byKey = new Map<string, number>();
  private readonly byFingerprint = new Map<string, number[]>();

  addChecked(line: number, checked: { alert: AlertDraft } | { error: string }, truth: Truth, prefix = ""): void {
    if ("error" in checked) this.errors.push({ line, message: `${prefix}${checked.error}` });
    else this.add(line, withFingerprint(checked.alert), truth);
  }

  add(line: number, alert: CanonicalAlert, truth: Truth): void {
    const key = occurrenceKey(alert);
    const existing = this.byKey.get(key);
    if (existing !== undefined) {
      this.duplicates += 1;
      this.checkSameTruth(line, existing, truth);
      return;
    }
    // A stream is one tenant's feed, whatever tenant a record names.
    const index = this.alerts.push({ ...alert, tenant_id: null }) - 1;
    this.truth.push(truth);
    this.lineOf.push(line);
    this.byKey.set(key, index);
    const same = this.byFingerprint.get(alert.fingerprint);
    if (same) same.push(index);
    else this.byFingerprint.set(alert.fingerprint, [index]);
  }

  /** The occurrence that started at the same time, else the latest one still firing that started by `endsAt`. */
  resolve(line: number, alert: CanonicalAlert, endsAt: string | null, truth: Truth): void {
    const exact = this.byKey.get(occurrenceKey(alert));
    const limit = endsAt ? Date.parse(endsAt) : Number.POSITIVE_INFINITY;
    let target = exact;
    if (target === undefined) {
      let latest = Number.NEGATIVE_INFINITY;
      for (const index of this.byFingerprint.get(alert.fingerprint) ?? []) {
        const stored = this.alerts[index];
        const time = stored ? Date.parse(stored.timestamp) : Number.NaN;
        if (stored?.status === "firing" && time <= limit && time >= latest) {
          latest = time;
          target = index;
        }
      }
    }
    if (target === undefined) {
      // Resolved before the stream showed it firing: kept, already closed.
      this.add(line, alert, truth);
      return;
    }
    // The store marks the row resolved, but the correlator met the alert when it fired and placed it then: the
    // evaluation keeps the status the correlator saw.
    this.checkSameTruth(line, target, truth);
  }

  private checkSameTruth(line: number, index: number, truth: Truth): void {
    const first = this.truth[index];
    if (first !== truth) {
      this.errors.push({
        line,
        message: `the same alert as on line ${this.lineOf[index]} (same fingerprint and start) with another truth: ${JSON.stringify(truth)} here, ${JSON.stringify(first)} there`,
      });
    }
  }
}

function occurrenceKey(alert: CanonicalAlert): string {
  return `${alert.fingerprint}\u001f${Date.parse(alert.timestamp)}`;
}
