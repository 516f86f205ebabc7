/**
 * One week of the 10M-alert data set (bench/tenMillion.ts), made in a worker thread while PostgreSQL copies the week
 * before: the stored-data benchmark's stream (short `mixed` windows, about 50 alerts an incident; the middle week also
 * holds its 1,100-alert fiber cut), correlated by the real correlator, then each window moved into its slot of the
 * week, and written as `COPY … (format csv)` text for `alerts` and `incidents`: the rows the webhook path would
 * have stored (derived fingerprints, no generator tags, clears stored resolved, each alert's incident and reason).
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import {
  Correlator,
  correlationInput,
  DEFAULT_CORRELATION_CONFIG,
  deriveFingerprint,
  generateScenario,
  groupTitle,
  isClearType,
  loadTopology,
} from "@teleops/core";
import type { CanonicalAlert } from "@teleops/schema";
import { mixedStream } from "./payloads.ts";
import type { SearchCase } from "./search.ts";
import { searchCases } from "./search.ts";

export const WEEK_MS = 7 * 24 * 60 * 60_000;
const HOUR_MS = 60 * 60_000;
/** The stored-data benchmark's windows: 6 minutes of `mixed` alarms, 40 minutes apart (beyond the quiet period). */
const WINDOW_MS = 40 * 60_000;
const STREAM = { windowMinutes: 40, durationMinutes: 6, ratePerMinute: 11, noisePerMinute: 0.5 };
/** Generator tags real senders do not send (the webhook bench strips them too). */
const GENERATOR_TAGS = new Set(["synthetic", "scenario", "noise"]);
const TENANT = "default";
/** Rows per text chunk handed to COPY. */
const CHUNK_ROWS = 5_000;

export const ALERT_COLUMNS =
  'id, tenant_id, fingerprint, "timestamp", received_at, source_system, host, service, severity, alert_type, message, tags, raw_payload, status, ends_at, incident_id, correlated_at, correlation_reason';
export const INCIDENT_COLUMNS =
  "id, tenant_id, title, severity, status, start_time, end_time, alert_count, hosts, services, sites, owner, created_at, updated_at, correlation, correlation_rev, synthetic, cleared_at";
export const EVIDENCE_COLUMNS = "incident_id, key, ranges, rev";

export interface WeekPlan {
  weeks: number;
  alerts: number;
  /** Monday 00:00 UTC of the first week, in ms. */
  firstWeekMs: number;
}

export interface BuiltWeek {
  week: number;
  fromMs: number;
  alerts: number;
  incidents: number;
  unassigned: number;
  /** Alerts the unique key (tenant, fingerprint, time) would have refused as redeliveries. */
  duplicates: number;
  largestIncident: number;
  /** CSV text for `copy alerts_pYYYYMMDD (ALERT_COLUMNS)`, `copy incidents (INCIDENT_COLUMNS)` and
   * `copy incident_evidence (EVIDENCE_COLUMNS)`, UTF-8. */
  alertChunks: Uint8Array[];
  incidentChunks: Uint8Array[];
  evidenceChunks: Uint8Array[];
  evidenceRows: number;
  /** The searches of bench/search.ts, picked from the middle week's alerts (with their moved times). */
  searchCases?: SearchCase[];
  cpuSeconds: number;
}

/** Alerts in each week: an even share, the remainder to the first weeks. */
export function weekSize(plan: WeekPlan, week: number): number {
  const base = Math.floor(plan.alerts / plan.weeks);
  return base + (week < plan.alerts % plan.weeks ? 1 : 0);
}

const csv = (value: string | null): string => (value === null ? "" : `"${value.replaceAll('"', '""')}"`);
const pgArray = (items: readonly string[]): string =>
  `{${items.map((item) => `"${item.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(",")}}`;
const iso = (ms: number) => new Date(ms).toISOString();

/** Makes weeks one after another, carrying alert ids and incident numbers over from the week before. */
export class WeekBuilder {
  private nextAlertId = 1;
  private nextIncident = 1;
  private readonly encoder = new TextEncoder();
  private readonly topology = loadTopology();

  constructor(private readonly plan: WeekPlan) {}

  build(week: number): BuiltWeek {
    const cpu0 = process.cpuUsage();
    const fromMs = this.plan.firstWeekMs + week * WEEK_MS;
    const middle = Math.floor(this.plan.weeks / 2);
    // Generated in its own time (40-minute windows from an arbitrary start), correlated there, then moved.
    const base = Date.UTC(2020, 0, 1) + week * 400 * 24 * HOUR_MS;
    const big =
      week === middle
        ? generateScenario(
            { scenario: "fiber_cut", seed: 4242, durationMinutes: 20, ratePerMinute: 55, noisePerMinute: 0 },
            this.topology,
            new Date(base - WINDOW_MS),
          ).alerts
        : [];
    const size = weekSize(this.plan, week);
    const rest = mixedStream(size - big.length, { ...STREAM, startMs: base, seedOffset: week * 100_000 }).alerts;
    const generated = [...big, ...rest].map(asDelivered);

    // The correlator, as correlateAlerts runs it, kept for each incident's stored state.
    const correlator = new Correlator<number>(DEFAULT_CORRELATION_CONFIG, {});
    const times = generated.map((a) => Date.parse(a.timestamp));
    const order = generated.map((_, i) => i).sort((a, b) => (times[a] as number) - (times[b] as number));
    for (const index of order) correlator.add(correlationInput(generated[index] as CanonicalAlert, index, TENANT));
    const groups = correlator.incidents().filter((g) => g.members.length > 0);

    // Each window keeps its shape and moves into a slot of the week; an incident moves with its first alert's window.
    const windowOf = (ms: number) => Math.floor((ms - base) / WINDOW_MS);
    const first = windowOf(times.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY));
    const slots = windowOf(times.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY)) - first + 1;
    const slotMs = (WEEK_MS - HOUR_MS) / slots;
    const shiftOfWindow = (window: number) => fromMs + (window - first) * slotMs - (base + window * WINDOW_MS);
    const shift = times.map((ms) => shiftOfWindow(windowOf(ms)));
    const incidentOf = new Int32Array(generated.length).fill(-1);
    const reasonOf: Array<string | null> = new Array(generated.length).fill(null);
    groups.forEach((group, g) => {
      const moved = shiftOfWindow(windowOf(group.startMs));
      group.members.forEach((member, i) => {
        incidentOf[member.ref] = g;
        reasonOf[member.ref] = group.reasons[i] ?? "";
        shift[member.ref] = moved;
      });
    });
    const at = times.map((ms, i) => ms + (shift[i] as number));
    for (const ms of at) {
      if (ms < fromMs || ms >= fromMs + WEEK_MS) throw new Error(`week ${week}: an alert fell outside its week`);
    }

    // Incident numbers in order of start, as the live correlator allocates them.
    const byStart = groups.map((_, g) => g).sort((a, b) => (groups[a]?.startMs ?? 0) - (groups[b]?.startMs ?? 0));
    const ids: string[] = new Array(groups.length);
    for (const g of byStart) ids[g] = `INC-${String(this.nextIncident++).padStart(6, "0")}`;

    // Open: incidents that ended in the data's last day; a third of them acknowledged. The rest auto-resolved.
    const dataEndMs = this.plan.firstWeekMs + this.plan.weeks * WEEK_MS;
    const incidentLines: string[] = [];
    const evidenceLines: string[] = [];
    groups.forEach((group, g) => {
      const moved = shiftOfWindow(windowOf(group.startMs));
      const startMs = group.startMs + moved;
      const endMs = group.endMs + moved;
      // As a pass stores a new incident (migration 0019): a summary on the row, one evidence row per key, revision 1.
      const state = correlator.stateOf(group);
      for (const [key, ranges] of Object.entries(state.keys)) {
        evidenceLines.push(
          [ids[g] as string, csv(key), csv(JSON.stringify(ranges.map((t) => t + moved))), "1"].join(","),
        );
      }
      const summary = { v: 2, signals: state.signals, base: 1, ...(state.pinned ? { pinned: true } : {}) };
      const open = endMs >= dataEndMs - 24 * HOUR_MS;
      const status = open ? (g % 3 === 0 ? "acknowledged" : "open") : "resolved";
      incidentLines.push(
        [
          ids[g] as string,
          TENANT,
          csv(groupTitle(group)),
          group.severity,
          status,
          iso(startMs),
          iso(endMs),
          String(group.members.length),
          csv(pgArray([...group.hosts].sort())),
          csv(pgArray([...group.services].sort())),
          csv(pgArray([...group.sites].sort())),
          status === "acknowledged" ? "oncall" : "",
          iso(startMs + 2_000),
          iso(open ? endMs + 2_000 : endMs + 30 * 60_000),
          csv(JSON.stringify(summary)),
          "1",
          "false",
          open ? "" : iso(endMs),
        ].join(","),
      );
    });

    const seen = new Set<string>();
    const alertLines: string[] = [];
    let duplicates = 0;
    let unassigned = 0;
    const moved: CanonicalAlert[] = [];
    for (const i of at.map((_, i) => i).sort((a, b) => (at[a] as number) - (at[b] as number))) {
      const alert = generated[i] as CanonicalAlert;
      const ms = at[i] as number;
      const key = `${alert.fingerprint}|${ms}`;
      if (seen.has(key)) {
        duplicates += 1;
        continue;
      }
      seen.add(key);
      const g = incidentOf[i] as number;
      if (g < 0) unassigned += 1;
      const clear = isClearType(alert.alert_type);
      alertLines.push(
        [
          String(this.nextAlertId++),
          TENANT,
          alert.fingerprint,
          iso(ms),
          iso(ms + 1_500),
          csv(alert.source_system),
          csv(alert.host),
          csv(alert.service),
          alert.severity,
          csv(alert.alert_type),
          csv(alert.message),
          csv(JSON.stringify(alert.tags)),
          csv(JSON.stringify(alert.raw_payload)),
          clear ? "resolved" : alert.status,
          clear ? iso(ms) : "",
          g < 0 ? "" : (ids[g] as string),
          iso(ms + 1_600),
          csv(reasonOf[i] ?? null),
        ].join(","),
      );
      if (week === middle) moved.push({ ...alert, timestamp: iso(ms) });
    }

    const cpu = process.cpuUsage(cpu0);
    return {
      week,
      fromMs,
      alerts: alertLines.length,
      incidents: groups.length,
      unassigned,
      duplicates,
      largestIncident: groups.reduce((most, g) => Math.max(most, g.members.length), 0),
      alertChunks: this.chunks(alertLines),
      incidentChunks: this.chunks(incidentLines),
      evidenceChunks: this.chunks(evidenceLines),
      evidenceRows: evidenceLines.length,
      ...(week === middle ? { searchCases: searchCases(moved) } : {}),
      cpuSeconds: Math.round((cpu.user + cpu.system) / 100_000) / 10,
    };
  }

  private chunks(lines: string[]): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let start = 0; start < lines.length; start += CHUNK_ROWS) {
      out.push(this.encoder.encode(`${lines.slice(start, start + CHUNK_ROWS).join("\n")}\n`));
    }
    return out;
  }
}

/** What the webhook receiver stores of a generated alert: no generator tags, the fingerprint it derives. */
function asDelivered(alert: CanonicalAlert): CanonicalAlert {
  const tags = Object.fromEntries(Object.entries(alert.tags).filter(([key]) => !GENERATOR_TAGS.has(key)));
  const delivered = { ...alert, tags, tenant_id: TENANT };
  return { ...delivered, fingerprint: deriveFingerprint(delivered) };
}

// As a worker: one week per `{ week }` message, answered with the built week (its text buffers transferred).
if (!isMainThread && parentPort) {
  const port = parentPort;
  const builder = new WeekBuilder(workerData as WeekPlan);
  port.on("message", (message: { week: number }) => {
    const built = builder.build(message.week);
    port.postMessage(
      built,
      [...built.alertChunks, ...built.incidentChunks, ...built.evidenceChunks].map(
        (chunk) => chunk.buffer as ArrayBuffer,
      ),
    );
  });
}
