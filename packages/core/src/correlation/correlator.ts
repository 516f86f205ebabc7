/**
 * Groups alerts into incidents from what real alert streams carry: event time, host, service, site and
 * topology adjacency. It never reads ground truth (`tags.scenario`) and works incrementally: existing
 * incidents can be seeded so later alerts join them.
 */
import { type Severity, severityRank } from "@teleops/schema";

export interface CorrelationConfig {
  /** An incident quiet for longer than this no longer absorbs alerts; a recurrence becomes a new incident. */
  quietPeriodMs: number;
  /** Window in which a symptom on a neighbouring device (or the same service) is taken as related. */
  propagationWindowMs: number;
  /** A group needs this many alerts to become an incident (unless one alert is critical). */
  minAlerts: number;
  /** A group whose alerts are all less severe than this never becomes an incident: scattered noise. */
  minSeverity: Severity;
  /** Alerts below this severity only join through their own host or a direct neighbour, never by service. */
  serviceMatchMinSeverity: Severity;
}

export const DEFAULT_CORRELATION_CONFIG: CorrelationConfig = {
  quietPeriodMs: 15 * 60_000,
  propagationWindowMs: 10 * 60_000,
  minAlerts: 3,
  minSeverity: "minor",
  serviceMatchMinSeverity: "minor",
};

/** What the correlator needs of an alert; `ref` is the caller's handle (array index, row id…). */
export interface CorrelationInput<Ref> {
  ref: Ref;
  tenantId: string;
  timeMs: number;
  host: string;
  service: string;
  severity: Severity;
  alertType: string;
  /** `tags.site` when the source gives it; otherwise the topology's site for the host, if known. */
  site: string | null;
}

/** An incident that already exists, so new alerts can join it. */
export interface ExistingIncident {
  id: string;
  tenantId: string;
  startMs: number;
  endMs: number;
  hosts: readonly string[];
  services: readonly string[];
  sites: readonly string[];
  severity: Severity;
  alertCount: number;
}

export interface AlertGroup<Ref> {
  /** Set when the group continues an existing incident. */
  incidentId: string | null;
  tenantId: string;
  startMs: number;
  endMs: number;
  hosts: Set<string>;
  services: Set<string>;
  sites: Set<string>;
  severity: Severity;
  /** Alerts counted before this pass (existing incidents). */
  priorCount: number;
  /** Alerts added in this pass, in event-time order of arrival. */
  members: Array<CorrelationInput<Ref>>;
  /** The earliest alert of this pass of at least minor severity: the likely first root signal. */
  firstSignal: CorrelationInput<Ref> | null;
  /** Service-index keys this group is already listed under. */
  serviceKeys: Set<string>;
}

/** Topology knowledge: device → site, and device → directly linked devices. */
export interface TopologyView {
  siteOf(host: string): string | undefined;
  neighbours(host: string): ReadonlySet<string> | undefined;
}

const NO_TOPOLOGY: TopologyView = { siteOf: () => undefined, neighbours: () => undefined };

type Relation = 0 | 1 | 2 | 3;
const SAME_HOST: Relation = 3;
const NEIGHBOUR: Relation = 2;
const SAME_SERVICE: Relation = 1;

export class Correlator<Ref> {
  private readonly groups: Array<AlertGroup<Ref>> = [];
  /** tenant + host → groups containing that host (most recent last). */
  private readonly byHost = new Map<string, Array<AlertGroup<Ref>>>();
  /** tenant + site + service → groups. */
  private readonly byService = new Map<string, Array<AlertGroup<Ref>>>();
  private readonly mergedInto = new Map<AlertGroup<Ref>, AlertGroup<Ref>>();

  constructor(
    private readonly config: CorrelationConfig = DEFAULT_CORRELATION_CONFIG,
    private readonly topology: TopologyView = NO_TOPOLOGY,
  ) {}

  /** Seeds an incident that is still open so alerts of this pass can continue it. */
  seed(incident: ExistingIncident): void {
    const group: AlertGroup<Ref> = {
      incidentId: incident.id,
      tenantId: incident.tenantId,
      startMs: incident.startMs,
      endMs: incident.endMs,
      hosts: new Set(incident.hosts),
      services: new Set(incident.services),
      sites: new Set(incident.sites),
      severity: incident.severity,
      priorCount: incident.alertCount,
      members: [],
      firstSignal: null,
      serviceKeys: new Set(),
    };
    this.groups.push(group);
    for (const host of group.hosts) this.index(this.byHost, hostKey(group.tenantId, host), group);
    for (const service of group.services) {
      for (const site of group.sites.size > 0 ? group.sites : new Set([""])) {
        this.indexService(group, serviceKey(group.tenantId, site, service));
      }
    }
  }

  /** Adds alerts; call with alerts sorted by event time for best results (late arrivals still join). */
  add(alert: CorrelationInput<Ref>): AlertGroup<Ref> {
    const site = alert.site ?? this.topology.siteOf(alert.host) ?? null;
    const normalized = site === alert.site ? alert : { ...alert, site };
    const candidates = this.findCandidates(normalized);
    let target: AlertGroup<Ref> | undefined;
    let bestRelation: Relation = 0;
    for (const [group, relation] of candidates) {
      if (
        relation > bestRelation ||
        (relation === bestRelation && target !== undefined && group.endMs > target.endMs)
      ) {
        target = group;
        bestRelation = relation;
      }
    }
    if (!target) {
      target = this.newGroup(normalized);
    } else {
      // An alert tied by host or adjacency to several new groups shows they are one failure: merge them.
      for (const [group, relation] of candidates) {
        if (group !== target && relation >= NEIGHBOUR && group.incidentId === null) this.merge(group, target);
      }
    }
    this.attach(target, normalized);
    return target;
  }

  /** Groups that qualify as incidents (existing ones always do). */
  incidents(): Array<AlertGroup<Ref>> {
    return this.groups.filter((g) => !this.mergedInto.has(g) && (g.incidentId !== null || this.qualifies(g)));
  }

  /** Groups that stay below the incident bar: their alerts remain unassigned. */
  leftovers(): Array<AlertGroup<Ref>> {
    return this.groups.filter((g) => !this.mergedInto.has(g) && g.incidentId === null && !this.qualifies(g));
  }

  private qualifies(group: AlertGroup<Ref>): boolean {
    if (severityRank(group.severity) > severityRank(this.config.minSeverity)) return false;
    return group.members.length >= this.config.minAlerts || group.severity === "critical";
  }

  private findCandidates(alert: CorrelationInput<Ref>): Map<AlertGroup<Ref>, Relation> {
    const found = new Map<AlertGroup<Ref>, Relation>();
    const consider = (groups: Array<AlertGroup<Ref>> | undefined, relation: Relation, windowMs: number) => {
      if (!groups) return;
      for (let i = groups.length - 1; i >= 0; i--) {
        const group = this.resolve(groups[i] as AlertGroup<Ref>);
        if (alert.timeMs > group.endMs + windowMs || alert.timeMs < group.startMs - windowMs) continue;
        if ((found.get(group) ?? 0) < relation) found.set(group, relation);
      }
    };
    const { quietPeriodMs, propagationWindowMs } = this.config;
    consider(this.byHost.get(hostKey(alert.tenantId, alert.host)), SAME_HOST, quietPeriodMs);
    const neighbours = this.topology.neighbours(alert.host);
    if (neighbours) {
      for (const neighbour of neighbours) {
        // Inter-site links are not evidence enough: two sites failing at once are usually two incidents.
        if (alert.site !== null && this.topology.siteOf(neighbour) !== alert.site) continue;
        consider(this.byHost.get(hostKey(alert.tenantId, neighbour)), NEIGHBOUR, propagationWindowMs);
      }
    }
    if (alert.service !== "" && severityRank(alert.severity) <= severityRank(this.config.serviceMatchMinSeverity)) {
      const groups = this.byService.get(serviceKey(alert.tenantId, alert.site ?? "", alert.service));
      consider(groups, SAME_SERVICE, propagationWindowMs);
    }
    return found;
  }

  private newGroup(alert: CorrelationInput<Ref>): AlertGroup<Ref> {
    const group: AlertGroup<Ref> = {
      incidentId: null,
      tenantId: alert.tenantId,
      startMs: alert.timeMs,
      endMs: alert.timeMs,
      hosts: new Set(),
      services: new Set(),
      sites: new Set(),
      severity: alert.severity,
      priorCount: 0,
      members: [],
      firstSignal: null,
      serviceKeys: new Set(),
    };
    this.groups.push(group);
    return group;
  }

  private attach(group: AlertGroup<Ref>, alert: CorrelationInput<Ref>): void {
    group.members.push(alert);
    if (alert.timeMs < group.startMs) group.startMs = alert.timeMs;
    if (alert.timeMs > group.endMs) group.endMs = alert.timeMs;
    if (severityRank(alert.severity) < severityRank(group.severity)) group.severity = alert.severity;
    if (
      severityRank(alert.severity) <= severityRank("minor") &&
      (group.firstSignal === null || alert.timeMs < group.firstSignal.timeMs)
    ) {
      group.firstSignal = alert;
    }
    if (!group.hosts.has(alert.host)) {
      group.hosts.add(alert.host);
      this.index(this.byHost, hostKey(group.tenantId, alert.host), group);
    }
    if (alert.site !== null) group.sites.add(alert.site);
    if (alert.service !== "") {
      group.services.add(alert.service);
      this.indexService(group, serviceKey(group.tenantId, alert.site ?? "", alert.service));
    }
  }

  private merge(from: AlertGroup<Ref>, into: AlertGroup<Ref>): void {
    this.mergedInto.set(from, into);
    for (const member of from.members) this.attach(into, member);
    from.members = [];
  }

  private resolve(group: AlertGroup<Ref>): AlertGroup<Ref> {
    let current = group;
    for (let next = this.mergedInto.get(current); next; next = this.mergedInto.get(current)) current = next;
    return current;
  }

  private indexService(group: AlertGroup<Ref>, key: string): void {
    if (group.serviceKeys.has(key)) return;
    group.serviceKeys.add(key);
    this.index(this.byService, key, group);
  }

  private index(map: Map<string, Array<AlertGroup<Ref>>>, key: string, group: AlertGroup<Ref>): void {
    const list = map.get(key);
    if (!list) {
      map.set(key, [group]);
      return;
    }
    if (list[list.length - 1] !== group) list.push(group);
    // Keep only recent groups per key so lookups stay O(1) on long streams.
    if (list.length > 8) list.splice(0, list.length - 8);
  }
}

function hostKey(tenantId: string, host: string): string {
  return `${tenantId}\u0000${host}`;
}

function serviceKey(tenantId: string, site: string, service: string): string {
  return `${tenantId}\u0000${site}\u0000${service}`;
}
