/**
 * Synthesizes the alert stream of one or several NOC outages on the shipped topology, with ground truth kept
 * beside the alerts (never in them), reproducibly from a seed: the same parameters and start time always give
 * the same alerts.
 */
import {
  type CanonicalAlert,
  type GenerateParams,
  type GroundTruth,
  LAYERS,
  MIXED_SCENARIOS_MAX,
  SCENARIO_CATALOG,
  SCENARIO_TYPES,
  type ScenarioType,
  type Severity,
  type Topology,
} from "@teleops/schema";
import { deriveFingerprint } from "../alerts/fingerprint.ts";
import { ValidationError } from "../errors.ts";
import { NoiseSource } from "./noise.ts";
import type { ScenarioPlan, Signal } from "./plan.ts";
import { SeededRandom } from "./random.ts";
import { planScenario, sitesFor } from "./scenarios/index.ts";
import { NetworkMap } from "./topology.ts";

export interface GeneratedScenario {
  /**
   * Sorted by timestamp. They carry only what a real feed would (site and region tags) plus the visible marker
   * `synthetic=true`; which failure raised each one is in `membership`, not in the alert.
   */
  alerts: CanonicalAlert[];
  groundTruth: GroundTruth[];
  /** The truth beside the alerts: for each alert, the index in `groundTruth` of the scenario that raised it, or -1 for noise. */
  membership: number[];
}

/** The tag every generated alert carries so nobody mistakes a drill for an outage; it says nothing about the cause. */
export const SYNTHETIC_TAG = "synthetic";

const MINUTE_MS = 60_000;
/**
 * How many scenarios `mixed` overlaps; one site at most hosts two of them. The most is shared with the request
 * bound (`estimateGeneration` counts `mixed` as that many scenarios).
 */
const MIXED_MIN = 3;
const MIXED_MAX = MIXED_SCENARIOS_MAX;
/** Share of `mixed` runs in which two unrelated failures hit one site minutes apart. */
const MIXED_SHARED_SITE = 0.5;
/** Severity climbs to the top of its ladder over the first two thirds of a condition's life. */
const ESCALATION_SPEED = 1.5;

interface Staged {
  type: ScenarioType;
  site: string;
  offsetMs: number;
}

/** What every emitting step of one generation run shares. */
interface Run {
  net: NetworkMap;
  rng: SeededRandom;
  fingerprints: FingerprintCache;
  out: Pending[];
}

/** An alert before its final timestamp is settled (fingerprint and time collisions are resolved last). */
interface Pending {
  timeMs: number;
  member: number;
  sourceSystem: string;
  host: string;
  service: string;
  severity: Severity;
  alertType: string;
  message: string;
  tags: Record<string, string>;
  payload: Record<string, unknown>;
  fingerprint: string;
}

export function generateScenario(params: GenerateParams, topology: Topology, startTime: Date): GeneratedScenario {
  const startMs = startTime.getTime();
  if (Number.isNaN(startMs)) throw new ValidationError("start time is not a valid date");
  // The scenario name is part of the seed so seed 1 does not put every scenario type on the same site.
  const run: Run = {
    net: new NetworkMap(topology),
    rng: new SeededRandom(params.seed, params.scenario),
    fingerprints: new FingerprintCache(),
    out: [],
  };
  const durationMs = Math.round(params.durationMinutes * MINUTE_MS);
  const endMs = startMs + durationMs;

  const plans = stageScenarios(params, run.net, run.rng, durationMs).map((staged) => ({
    staged,
    plan: planScenario(staged.type, staged.site, run.net, run.rng),
  }));
  plans.forEach(({ staged, plan }, member) => {
    emitScenario(run, plan, member, startMs + staged.offsetMs, endMs, params.ratePerMinute);
  });

  const affected = new Set(plans.flatMap(({ plan }) => plan.affected.map((device) => device.name)));
  emitNoise(run, new NoiseSource(run.net, affected), params.noisePerMinute, startMs, durationMs);

  return assemble(
    run.out,
    plans.map(({ plan }) => plan),
  );
}

/**
 * Which scenarios run where and when: one for a named type; for `mixed`, 3–5 of different types, mostly at
 * different sites, and in about half the runs two unrelated ones (different layers) at one site minutes apart.
 */
function stageScenarios(params: GenerateParams, net: NetworkMap, rng: SeededRandom, durationMs: number): Staged[] {
  if (params.scenario !== "mixed") {
    const sites = sitesFor(params.scenario, net);
    if (sites.length === 0) throw new ValidationError(`no site in the topology can host scenario ${params.scenario}`);
    return [{ type: params.scenario, site: rng.pick(sites), offsetMs: 0 }];
  }
  const wanted = rng.int(MIXED_MIN, MIXED_MAX);
  const sharedSite = rng.chance(MIXED_SHARED_SITE);
  const freeSites = rng.shuffle(net.sites());
  const types = rng.shuffle(SCENARIO_TYPES);
  const staged: Staged[] = [];
  for (const type of types) {
    if (staged.length === wanted - (sharedSite ? 1 : 0)) break;
    const capable = new Set(sitesFor(type, net));
    const index = freeSites.findIndex((site) => capable.has(site));
    const [site] = index >= 0 ? freeSites.splice(index, 1) : [];
    if (site === undefined) continue;
    // Staggered starts in the first half, so every scenario still has time to develop.
    staged.push({ type, site, offsetMs: Math.floor(rng.between(0, durationMs / 2)) });
  }
  if (staged.length === 0) throw new ValidationError("the topology has no site that can host any scenario");
  if (sharedSite) {
    const second = secondFailureAt(rng.pick(staged), staged, types, net, rng, durationMs);
    if (second) staged.push(second);
  }
  return staged.sort((a, b) => a.offsetMs - b.offsetMs);
}

/**
 * A second failure at the site of `first`, of a type not staged yet whose root lives in another layer (so the
 * two are unrelated), starting a few minutes before or after it and still in the first half of the run.
 */
function secondFailureAt(
  first: Staged,
  staged: readonly Staged[],
  types: readonly ScenarioType[],
  net: NetworkMap,
  rng: SeededRandom,
  durationMs: number,
): Staged | undefined {
  const layer = SCENARIO_CATALOG[first.type].layer;
  const type = types.find(
    (candidate) =>
      !staged.some((s) => s.type === candidate) &&
      SCENARIO_CATALOG[candidate].layer !== layer &&
      sitesFor(candidate, net).includes(first.site),
  );
  if (type === undefined) return undefined;
  // Minutes apart, but never more than a fifth of the run, so a short run keeps both in its first half.
  const gapMs = Math.floor(Math.min(rng.between(2, 5) * MINUTE_MS, rng.between(0.1, 0.2) * durationMs));
  const later = first.offsetMs + gapMs;
  return { type, site: first.site, offsetMs: later < durationMs / 2 ? later : first.offsetMs - gapMs };
}

/**
 * Lays out one scenario's alerts between its start and the end of the run: the root device first, the other
 * devices in layer order (optical → link → routing → service → application) and by distance from the root,
 * then periodic re-fires of the ongoing conditions whose severity climbs as they persist.
 */
function emitScenario(
  { net, rng, fingerprints, out }: Run,
  plan: ScenarioPlan,
  member: number,
  startMs: number,
  endMs: number,
  ratePerMinute: number,
): void {
  const windowMs = Math.max(1, endMs - startMs);
  const budget = Math.max(1, Math.round((ratePerMinute * windowMs) / MINUTE_MS));
  // The gap between layers: a few percent of the window, so a short run still shows the cascade.
  const gapMs = Math.min(40_000, Math.max(200, windowMs * 0.03));
  const onsets = signalOnsets(plan, startMs, endMs, gapMs, windowMs, rng);

  const order = plan.signals.map((_, index) => index).sort((a, b) => (onsets[a] ?? 0) - (onsets[b] ?? 0));
  const firing = order.slice(0, budget);
  const refires = allocateRefires(
    firing.map((index) => plan.signals[index]?.weight ?? 0),
    budget - firing.length,
    rng,
  );

  const tagsByHost = new Map<string, Record<string, string>>();
  firing.forEach((signalIndex, slot) => {
    const signal = plan.signals[signalIndex];
    const onset = onsets[signalIndex];
    if (!signal || onset === undefined) return;
    const count = 1 + (refires[slot] ?? 0);
    const span = endMs - onset;
    const interval = span / count;
    let previous = -1;
    for (let occurrence = 0; occurrence < count; occurrence++) {
      // Re-fires are periodic with a little jitter, as pollers and syslog repeaters produce them.
      const planned = occurrence === 0 ? onset : onset + occurrence * interval + rng.between(-0.2, 0.2) * interval;
      const timeMs = Math.max(previous + 1, Math.floor(planned));
      previous = timeMs;
      const ladderStep = Math.floor(((timeMs - onset) / Math.max(1, span)) * signal.ladder.length * ESCALATION_SPEED);
      const severity = signal.ladder[Math.max(0, Math.min(signal.ladder.length - 1, ladderStep))] ?? "warning";
      const rendered = signal.render({
        occurrence,
        progress: Math.min(1, (timeMs - startMs) / windowMs),
        severity,
        rng,
      });
      const alertType = rendered.alertType ?? signal.alertType;
      let tags = tagsByHost.get(signal.device.name);
      if (!tags) {
        tags = { site: signal.device.site, region: net.regionOf(signal.device), [SYNTHETIC_TAG]: "true" };
        tagsByHost.set(signal.device.name, tags);
      }
      out.push({
        timeMs,
        member,
        sourceSystem: signal.sourceSystem,
        host: signal.device.name,
        service: signal.service,
        severity: rendered.severity ?? severity,
        alertType,
        message: rendered.message,
        tags,
        payload: rendered.payload,
        fingerprint: fingerprints.of(signal.sourceSystem, signal.device.name, signal.service, alertType, tags),
      });
    }
  });
}

/** When each signal first fires. */
function signalOnsets(
  plan: ScenarioPlan,
  startMs: number,
  endMs: number,
  gapMs: number,
  windowMs: number,
  rng: SeededRandom,
): number[] {
  const dependentLayers = [
    ...new Set(plan.affected.filter((device) => device !== plan.root).map((device) => LAYERS.indexOf(device.layer))),
  ].sort((a, b) => a - b);
  const deviceOnset = new Map<string, number>([[plan.root.name, startMs]]);
  for (const device of plan.affected) {
    if (device === plan.root) continue;
    const slot = 1 + dependentLayers.indexOf(LAYERS.indexOf(device.layer));
    const hop = Math.min(4, plan.hops.get(device.name) ?? 1);
    // Inside a layer, devices further from the root notice later; all stay before the next layer's slot.
    deviceOnset.set(device.name, startMs + gapMs * (slot + (hop - 1) * 0.12 + rng.between(0, 0.1)));
  }
  const seen = new Map<string, number>();
  return plan.signals.map((signal: Signal) => {
    const base = deviceOnset.get(signal.device.name) ?? startMs;
    const index = seen.get(signal.device.name) ?? 0;
    seen.set(signal.device.name, index + 1);
    const onset = index === 0 ? base : base + index * gapMs * 0.08 + signal.delay * windowMs;
    return Math.floor(Math.min(endMs - 1, onset));
  });
}

/** Splits `total` re-fires across signals by weight: whole shares first, the remainder by weighted draw. */
function allocateRefires(weights: readonly number[], total: number, rng: SeededRandom): number[] {
  const counts = weights.map(() => 0);
  if (total <= 0 || weights.length === 0) return counts;
  const effective = weights.some((w) => w > 0) ? weights : weights.map(() => 1);
  const sum = effective.reduce((a, b) => a + b, 0);
  let assigned = 0;
  effective.forEach((weight, index) => {
    const share = Math.floor((total * weight) / sum);
    counts[index] = share;
    assigned += share;
  });
  for (; assigned < total; assigned++) {
    let target = rng.next() * sum;
    let index = 0;
    while (index < effective.length - 1 && target >= (effective[index] ?? 0)) {
      target -= effective[index] ?? 0;
      index++;
    }
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts;
}

function emitNoise(
  { net, rng, fingerprints, out }: Run,
  source: NoiseSource,
  noisePerMinute: number,
  startMs: number,
  durationMs: number,
): void {
  const count = source.size === 0 ? 0 : Math.round(noisePerMinute * (durationMs / MINUTE_MS));
  const tagsByHost = new Map<string, Record<string, string>>();
  for (let i = 0; i < count; i++) {
    const drawn = source.next(rng);
    if (!drawn) return;
    const { device, alert } = drawn;
    let tags = tagsByHost.get(device.name);
    if (!tags) {
      tags = { site: device.site, region: net.regionOf(device), [SYNTHETIC_TAG]: "true" };
      tagsByHost.set(device.name, tags);
    }
    out.push({
      timeMs: startMs + Math.floor(rng.next() * durationMs),
      member: -1,
      sourceSystem: alert.sourceSystem,
      host: device.name,
      service: alert.service,
      severity: alert.severity,
      alertType: alert.alertType,
      message: alert.message,
      tags,
      payload: alert.payload,
      fingerprint: fingerprints.of(alert.sourceSystem, device.name, alert.service, alert.alertType, tags),
    });
  }
}

/**
 * Sorts by event time and builds the canonical alerts. Storage deduplicates on fingerprint + timestamp, so two
 * firings that would collide are moved apart by a millisecond instead of silently merging.
 */
function assemble(pending: Pending[], plans: readonly ScenarioPlan[]): GeneratedScenario {
  const taken = new Map<string, Set<number>>();
  for (const entry of pending) {
    let times = taken.get(entry.fingerprint);
    if (!times) {
      times = new Set();
      taken.set(entry.fingerprint, times);
    }
    while (times.has(entry.timeMs)) entry.timeMs++;
    times.add(entry.timeMs);
  }
  const order = pending.map((_, index) => index).sort((a, b) => (pending[a]?.timeMs ?? 0) - (pending[b]?.timeMs ?? 0));

  const alerts: CanonicalAlert[] = [];
  const membership: number[] = [];
  const counts = plans.map(() => 0);
  const firstMs = plans.map(() => Number.POSITIVE_INFINITY);
  for (const index of order) {
    const entry = pending[index];
    if (!entry) continue;
    alerts.push({
      fingerprint: entry.fingerprint,
      timestamp: new Date(entry.timeMs).toISOString(),
      source_system: entry.sourceSystem,
      host: entry.host,
      service: entry.service,
      severity: entry.severity,
      alert_type: entry.alertType,
      message: entry.message,
      tags: { ...entry.tags },
      raw_payload: entry.payload,
      tenant_id: null,
      status: "firing",
    });
    membership.push(entry.member);
    if (entry.member >= 0) {
      counts[entry.member] = (counts[entry.member] ?? 0) + 1;
      firstMs[entry.member] = Math.min(firstMs[entry.member] ?? Number.POSITIVE_INFINITY, entry.timeMs);
    }
  }

  const groundTruth = plans.map(
    (plan, index): GroundTruth => ({
      scenario: plan.type,
      root_cause: plan.rootCause,
      root_component: plan.root.name,
      remediation_steps: plan.remediation,
      site: plan.site,
      start_time: new Date(firstMs[index] ?? Number.NaN).toISOString(),
      alert_count: counts[index] ?? 0,
    }),
  );
  return { alerts, groundTruth, membership };
}

/** Re-fires share an identity; hashing it once per (source, host, service, type) keeps 100k alerts cheap. */
class FingerprintCache {
  private readonly cache = new Map<string, string>();

  of(sourceSystem: string, host: string, service: string, alertType: string, tags: Record<string, string>): string {
    const key = `${sourceSystem}\u001f${host}\u001f${service}\u001f${alertType}`;
    let fingerprint = this.cache.get(key);
    if (fingerprint === undefined) {
      fingerprint = deriveFingerprint({ source_system: sourceSystem, host, service, alert_type: alertType, tags });
      this.cache.set(key, fingerprint);
    }
    return fingerprint;
  }
}
