/**
 * Alert streams for the benchmarks: back-to-back `mixed` scenario windows (a busy NOC's day compressed), and a
 * replay pool that turns them into request bodies of distinct alerts, for TeleOps and for Alertmanager alike.
 */
import { generateScenario, loadTopology } from "@teleops/core";
import type { CanonicalAlert } from "@teleops/schema";

const topology = loadTopology();
/**
 * Replays move event time forward lap after lap, cell after cell; starting years back keeps every alert of a full
 * run in the past (the server refuses event times more than a day ahead with 400).
 */
const STREAM_START_MS = Date.parse("2020-01-01T00:00:00Z");

export interface MixedStreamOptions {
  /** Event time between window starts. */
  windowMinutes?: number;
  durationMinutes?: number;
  ratePerMinute?: number;
  noisePerMinute?: number;
  startMs?: number;
  seedOffset?: number;
}

/** Back-to-back mixed windows until `target` alerts, with each alert's ground-truth scenario (-1 for noise). */
export function mixedStream(target: number, options: MixedStreamOptions = {}) {
  const alerts: CanonicalAlert[] = [];
  const truth: number[] = [];
  let scenarioOffset = 0;
  const windowMs = (options.windowMinutes ?? 60) * 60_000;
  for (let window = 0; alerts.length < target; window++) {
    const start = new Date((options.startMs ?? STREAM_START_MS) + window * windowMs);
    const out = generateScenario(
      {
        scenario: "mixed",
        seed: window + 1 + (options.seedOffset ?? 0),
        durationMinutes: options.durationMinutes ?? 20,
        ratePerMinute: options.ratePerMinute ?? 60,
        noisePerMinute: options.noisePerMinute ?? 10,
      },
      topology,
      start,
    );
    out.alerts.forEach((a, i) => {
      alerts.push(a);
      const m = out.membership[i] ?? -1;
      truth.push(m < 0 ? -1 : scenarioOffset + m);
    });
    scenarioOffset += out.groundTruth.length;
  }
  return { alerts: alerts.slice(0, target), truth: truth.slice(0, target), scenarios: scenarioOffset };
}

export type PayloadFormat = "teleops" | "alertmanager";

/** One alert serialized around its timestamp, so a replay can move it in time without re-serializing. */
interface Template {
  timeMs: number;
  /** The JSON text split where the time goes (once for TeleOps; startsAt and a label for Alertmanager). */
  parts: string[];
}

/**
 * Replays a fixed stream as an endless one: each lap shifts every timestamp past the previous lap, so every
 * alert sent is new to the receiver (TeleOps dedups on tenant + fingerprint + time, Alertmanager on labels).
 */
export class AlertReplay {
  private readonly templates: Template[];
  private readonly lapMs: number;
  private next = 0;
  private lap = 0;

  constructor(alerts: readonly CanonicalAlert[], format: PayloadFormat) {
    this.templates = alerts.map((alert) => ({
      timeMs: Date.parse(alert.timestamp),
      parts: JSON.stringify(format === "teleops" ? teleopsShape(alert) : alertmanagerShape(alert)).split(MARK),
    }));
    const first = this.templates[0]?.timeMs ?? 0;
    const last = this.templates[this.templates.length - 1]?.timeMs ?? 0;
    this.lapMs = last - first + 60 * 60_000;
  }

  /** Starts the replay at a later lap, so two replays of one stream never send the same alert. */
  skipLaps(laps: number): this {
    this.lap += laps;
    return this;
  }

  /** A JSON array of the next `size` alerts. */
  body(size: number): string {
    const items: string[] = [];
    for (let i = 0; i < size; i++) {
      const t = this.templates[this.next];
      if (!t) throw new Error("empty replay pool");
      items.push(t.parts.join(new Date(t.timeMs + this.lap * this.lapMs).toISOString()));
      this.next += 1;
      if (this.next === this.templates.length) {
        this.next = 0;
        this.lap += 1;
      }
    }
    return `[${items.join(",")}]`;
  }
}

const MARK = "@@event-time@@";

/** The tenant is the credential's, never the body's, so the body names none. */
function teleopsShape(alert: CanonicalAlert) {
  const { tenant_id: _tenant, timestamp: _time, ...rest } = alert;
  return { timestamp: MARK, ...rest };
}

/** The same alert as Alertmanager's API takes it: labels identify it, so its event time is one of them. */
function alertmanagerShape(alert: CanonicalAlert) {
  const labels: Record<string, string> = {
    alertname: alert.alert_type,
    host: alert.host,
    service: alert.service,
    severity: alert.severity,
    source_system: alert.source_system,
  };
  for (const [key, value] of Object.entries(alert.tags)) {
    if (/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key) && !(key in labels)) labels[key] = value;
  }
  labels.event_time = MARK;
  return { startsAt: MARK, labels, annotations: { summary: alert.message } };
}
