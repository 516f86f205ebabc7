/**
 * Alert streams for the benchmarks: back-to-back `mixed` scenario windows (a busy NOC's day compressed), and a
 * replay pool that turns them into request bodies of distinct alerts, for TeleOps and for Alertmanager alike.
 */
import { createHash } from "node:crypto";
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

/** The seven sites of the storm's network. */
const STORM_SITES = ["fra1", "ams1", "lon1", "par1", "mad1", "vie1", "waw1"] as const;

/** Per port, what a storm of a few hundred devices reports (access and aggregation switches, routers). */
const STORM_KINDS = [
  { type: "link_down", severity: "major", text: (port: string) => `Interface ${port}, changed state to down` },
  {
    type: "line_protocol_down",
    severity: "minor",
    text: (port: string) => `Line protocol on Interface ${port}, changed state to down`,
  },
  { type: "lldp_neighbor_lost", severity: "warning", text: (port: string) => `LLDP neighbor on ${port} aged out` },
  { type: "interface_errors_high", severity: "warning", text: (port: string) => `${port} input errors above 1000/min` },
] as const;

/**
 * A storm as real senders deliver it (issue 20): `alerts` alerts from `devices` devices at seven sites, every one
 * stamped with the same second, no fingerprints (the receiver derives them), no ground-truth tags; each device
 * reports its ports going down. Host names carry the site (`fra1-sw-017`), as in most networks.
 */
export function stormStream(alerts = 50_000, devices = 500, atMs = STREAM_START_MS): CanonicalAlert[] {
  const out: CanonicalAlert[] = [];
  const perDevice = Math.ceil(alerts / devices);
  const timestamp = new Date(atMs).toISOString();
  for (let d = 0; d < devices && out.length < alerts; d++) {
    const site = STORM_SITES[d % STORM_SITES.length] as string;
    const host = `${site}-sw-${String(d).padStart(3, "0")}`;
    for (let k = 0; k < perDevice && out.length < alerts; k++) {
      const kind = STORM_KINDS[k % STORM_KINDS.length] as (typeof STORM_KINDS)[number];
      const port = `GigabitEthernet1/0/${Math.floor(k / STORM_KINDS.length) + 1}`;
      out.push({
        timestamp,
        source_system: "prometheus",
        host,
        service: "access-network",
        severity: kind.severity,
        alert_type: kind.type,
        message: kind.text(port),
        status: "firing",
        tags: { site, ifName: port, job: "snmp" },
        raw_payload: {},
      } as unknown as CanonicalAlert);
    }
  }
  return out;
}

/**
 * `teleops`: the canonical JSON array (`/webhooks/alerts`); `alertmanager`: the alerts as Alertmanager's own API
 * takes them; `alertmanager-webhook`: Alertmanager's webhook body (`/webhooks/alertmanager`), as a real
 * Alertmanager delivers a group to TeleOps.
 */
export type PayloadFormat = "teleops" | "alertmanager" | "alertmanager-webhook";

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

  private readonly envelope: [string, string] | null;

  constructor(alerts: readonly CanonicalAlert[], format: PayloadFormat) {
    const shape =
      format === "teleops" ? teleopsShape : format === "alertmanager" ? alertmanagerShape : alertmanagerWebhookAlert;
    this.templates = alerts.map((alert) => ({
      timeMs: Date.parse(alert.timestamp),
      parts: JSON.stringify(shape(alert)).split(MARK),
    }));
    this.envelope = format === "alertmanager-webhook" ? WEBHOOK_ENVELOPE : null;
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
    const list = `[${items.join(",")}]`;
    return this.envelope ? `${this.envelope[0]}${list}${this.envelope[1]}` : list;
  }
}

const MARK = "@@event-time@@";

/**
 * The tenant is the credential's, never the body's, so the body names none. Nor does it carry a fingerprint or
 * the generator's tags: real senders send neither, so the receiver derives the fingerprint as in production.
 */
function teleopsShape(alert: CanonicalAlert) {
  const { tenant_id: _tenant, timestamp: _time, fingerprint: _fingerprint, ...rest } = alert;
  const { synthetic: _synthetic, scenario: _scenario, noise: _noise, ...tags } = rest.tags;
  return { timestamp: MARK, ...rest, tags };
}

/**
 * One alert of an Alertmanager webhook delivery: labels, annotations and the fingerprint Alertmanager computes
 * from the label set (a 16-hex-digit hash here, as its webhook always carries one).
 */
function alertmanagerWebhookAlert(alert: CanonicalAlert) {
  const { event_time: _time, ...labels } = alertmanagerShape(alert).labels;
  const sorted = Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`)
    .join(",");
  return {
    status: "firing",
    fingerprint: createHash("sha256").update(sorted).digest("hex").slice(0, 16),
    labels,
    annotations: { summary: alert.message },
    startsAt: MARK,
    endsAt: "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus.bench.example:9090/graph",
  };
}

/** The delivery around the alerts: one group, as Alertmanager's webhook sends it. */
const WEBHOOK_ENVELOPE: [string, string] = [
  '{"version":"4","groupKey":"{}:{alertname=~\\".*\\"}","truncatedAlerts":0,"status":"firing","receiver":"teleops",' +
    '"groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://alertmanager.bench.example:9093",' +
    '"alerts":',
  "}",
];

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
    if (key === "synthetic" || key === "scenario" || key === "noise") continue;
    if (/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key) && !(key in labels)) labels[key] = value;
  }
  labels.event_time = MARK;
  return { startsAt: MARK, labels, annotations: { summary: alert.message } };
}
