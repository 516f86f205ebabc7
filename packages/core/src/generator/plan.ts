/** The shape of one planned outage: which devices it touches and which signals each of them raises. */
import type { Device, ScenarioType, Severity } from "@teleops/schema";
import type { SeededRandom } from "./random.ts";
import { serviceOf } from "./telemetry.ts";
import type { NetworkMap } from "./topology.ts";

/** One firing of a signal, as the renderer sees it. */
export interface Firing {
  /** 0 for the first alarm of the signal, then 1, 2, … for each re-fire. */
  occurrence: number;
  /** 0 when the scenario starts, 1 when its window ends; drives how bad the numbers look. */
  progress: number;
  severity: Severity;
  rng: SeededRandom;
}

export interface Rendered {
  message: string;
  payload: Record<string, unknown>;
  /** Replaces the signal's alert type for this firing (a flapping session alternates down and up). */
  alertType?: string;
  severity?: Severity;
}

/** A condition one device reports, first once and then again while it lasts. */
export interface Signal {
  device: Device;
  alertType: string;
  sourceSystem: string;
  service: string;
  /** Severities the condition climbs through as it persists; the first alarm uses the first. */
  ladder: readonly Severity[];
  /** Share of the scenario's re-fires this condition gets; 0 for one-shot events. */
  weight: number;
  /** Extra onset delay as a fraction of the scenario window; only for a device's later signals. */
  delay: number;
  render(firing: Firing): Rendered;
}

export interface SignalSpec {
  type: string;
  source: string;
  service?: string;
  ladder: readonly Severity[];
  weight: number;
  delay?: number;
  render(firing: Firing): Rendered;
}

/** What the ground truth says about a scenario: the cause in words and how an operator fixes it. */
export interface Diagnosis {
  rootCause: string;
  remediation: string[];
}

export interface ScenarioPlan extends Diagnosis {
  type: ScenarioType;
  site: string;
  root: Device;
  /**
   * Root first, then every device in the order it joined; always one linked piece, at the root's site except
   * where the failure crosses an inter-site link (a cut span, a frozen core router) and its far end alarms too.
   */
  affected: Device[];
  /** Links between a device and the root along the way it joined (root 0). */
  hops: ReadonlyMap<string, number>;
  signals: Signal[];
}

/**
 * Accumulates a scenario while its builder walks the topology. Devices only join through a link to a device
 * already affected, so the affected set is connected by construction; it leaves the root's site only where a
 * builder crosses an inter-site link on purpose (`across`).
 */
export class ScenarioDraft {
  readonly affected: Device[];
  readonly signals: Signal[] = [];
  readonly hops = new Map<string, number>();

  constructor(
    readonly net: NetworkMap,
    readonly rng: SeededRandom,
    readonly root: Device,
  ) {
    this.affected = [root];
    this.hops.set(root.name, 0);
  }

  get site(): string {
    return this.root.site;
  }

  has(device: Device): boolean {
    return this.hops.has(device.name);
  }

  /**
   * Same-site neighbours of `from` with one of the roles that are not affected yet, at most `limit` of them
   * chosen by the dice; they become affected.
   */
  spread(from: Device, roles: readonly Device["role"][], limit = Number.POSITIVE_INFINITY): Device[] {
    if (!this.has(from)) throw new Error(`cannot spread from ${from.name}: it is not part of the scenario`);
    const candidates = this.net.neighboursAtSite(from, roles).filter((device) => !this.has(device));
    const chosen = candidates.length > limit ? this.rng.shuffle(candidates).slice(0, limit) : candidates;
    const ordered = candidates.filter((device) => chosen.includes(device));
    for (const device of ordered) this.join(device, from);
    return ordered;
  }

  /**
   * Neighbours of `from` at other sites (the far ends of its long-haul links) with one of the roles that are not
   * affected yet, at most `limit` of them; they become affected.
   */
  across(from: Device, roles: readonly Device["role"][], limit = Number.POSITIVE_INFINITY): Device[] {
    if (!this.has(from)) throw new Error(`cannot cross from ${from.name}: it is not part of the scenario`);
    const names = this.net.adjacency.get(from.name) ?? new Set<string>();
    const candidates = this.net.topology.devices.filter(
      (device) =>
        names.has(device.name) && device.site !== from.site && roles.includes(device.role) && !this.has(device),
    );
    const chosen = candidates.length > limit ? this.rng.shuffle(candidates).slice(0, limit) : candidates;
    const ordered = candidates.filter((device) => chosen.includes(device));
    for (const device of ordered) this.join(device, from);
    return ordered;
  }

  /** Joins `device` through its link to `from` (any site); false when the two are not linked. */
  reach(from: Device, device: Device): boolean {
    if (!this.has(from)) throw new Error(`cannot reach from ${from.name}: it is not part of the scenario`);
    if (!this.net.linked(from.name, device.name)) return false;
    if (!this.has(device)) this.join(device, from);
    return true;
  }

  /** Same-site neighbours of `from` with one of the roles that are already affected. */
  affectedNeighbours(from: Device, roles: readonly Device["role"][]): Device[] {
    return this.net.neighboursAtSite(from, roles).filter((device) => this.has(device));
  }

  signal(device: Device, spec: SignalSpec): void {
    if (!this.has(device)) throw new Error(`${device.name} raises a signal but is not part of the scenario`);
    this.signals.push({
      device,
      alertType: spec.type,
      sourceSystem: spec.source,
      service: spec.service ?? serviceOf(device),
      ladder: spec.ladder,
      weight: spec.weight,
      delay: spec.delay ?? 0,
      render: spec.render,
    });
  }

  /** The interface `device` uses towards `neighbour`, or a plausible one for its vendor. */
  port(device: Device, neighbour: Device): string {
    return this.net.interfaceTowards(device.name, neighbour.name) ?? fallbackPort(device);
  }

  private join(device: Device, from: Device): void {
    this.hops.set(device.name, (this.hops.get(from.name) ?? 0) + 1);
    this.affected.push(device);
  }
}

function fallbackPort(device: Device): string {
  switch (device.vendor) {
    case "juniper":
      return "et-0/0/9";
    case "cisco":
      return "HundredGigE0/0/0/9";
    case "nokia":
      return "1/1/c9/1";
    case "arista":
      return "Ethernet9/1";
    default:
      return device.layer === "optical" ? "1-5-L1" : "eth0";
  }
}
