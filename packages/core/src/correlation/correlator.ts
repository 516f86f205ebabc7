/**
 * Groups alerts into incidents from what real alert streams carry: event time, host, site (tag, label or host
 * name), the network layer of each alarm, entities named in the text (circuits, addresses, other devices),
 * bursts of one condition on many devices, clears of earlier alarms, learned relations and, when a tenant has
 * one, topology. Two alerts are linked when one of these pieces of evidence ties them within its time window;
 * incidents are the connected groups, so the outcome does not depend on the order or batching of deliveries.
 * It never reads ground truth.
 */
import { type Severity, severityRank } from "@teleops/schema";
import {
  causesOf,
  effectsOf,
  endsWithRecovery,
  entitiesOf,
  heldForMs,
  interfaceOf,
  isChatter,
  isClearType,
  isInfrastructure,
  type Layer,
  layerOf,
  namesRedundancy,
  relatedLayers,
  signalOf,
  sitePattern,
  words,
} from "./features.ts";
import {
  decodeState,
  directedDistance,
  distance,
  encodeState,
  extendRanges,
  type KeyRanges,
  latestBefore,
  mergeRanges,
  type StoredGroupState,
  type StoredSummary,
  spanDistance,
} from "./state.ts";

export interface CorrelationConfig {
  /** Two alarms on one host, of related layers, this close in time belong together. */
  sameHostWindowMs: number;
  /** The same-site window when one of the two alarms is a power alarm. */
  powerSiteWindowMs: number;
  /** The same-host window between two power, hardware or machine alarms, which unfold more slowly. */
  slowSameHostWindowMs: number;
  /** Two alarms at one site (or on linked devices), of causally related layers, this close belong together. */
  siteWindowMs: number;
  /** Two alarms of related layers naming the same address or device this close belong together. */
  entityWindowMs: number;
  /** Two alarms of related layers naming the same circuit id this close belong together. */
  circuitWindowMs: number;
  /** One condition raised on several devices of one site (or of unknown sites) this close is one failure. */
  burstWindowMs: number;
  /** One network-layer condition (loss of signal, link down) at several sites this close is one failure. */
  crossSiteBurstWindowMs: number;
  /**
   * A service or reachability alarm (a probe, an instance or node down) of major severity or worse, beginning this
   * soon after a failure of the infrastructure began, may be that failure seen from elsewhere: probes run from
   * another site, pollers ping through the network that failed.
   */
  symptomWindowMs: number;
  /** One condition in one Alertmanager group (same `groupKey`) this close is one failure, wherever its targets are. */
  groupWindowMs: number;
  /** A raise repeated on its host while not cleared this soon after the last one continues that occurrence. */
  repeatWindowMs: number;
  /** A clear (link up, session established) joins the latest raise of its condition on its host this far back. */
  clearWindowMs: number;
  /** A group whose alerts are all less severe than this is an incident only with this many distinct signals. */
  minSeverity: Severity;
  /** Distinct signals (host and condition) that make a group of non-critical alarms an incident. */
  minSignals: number;
  /** Distinct signals that make an incident whatever the severity. */
  minSignalsAnySeverity: number;
  /** A learned relation (Dice coefficient over past incidents) at least this strong links two conditions. */
  minLearnedDice: number;
  /**
   * Regex with a named group `site` read from host names that carry no site tag (`TELEOPS_SITE_PATTERN`); the
   * built-in default (features.ts) when unset. A tenant's topology can name its own.
   */
  sitePattern?: string;
}

export const DEFAULT_CORRELATION_CONFIG: CorrelationConfig = {
  sameHostWindowMs: 5 * 60_000,
  slowSameHostWindowMs: 30 * 60_000,
  siteWindowMs: 2 * 60_000,
  powerSiteWindowMs: 5 * 60_000,
  entityWindowMs: 3 * 60_000,
  circuitWindowMs: 10 * 60_000,
  burstWindowMs: 30_000,
  groupWindowMs: 5 * 60_000,
  crossSiteBurstWindowMs: 10_000,
  symptomWindowMs: 3 * 60_000,
  repeatWindowMs: 30 * 60_000,
  clearWindowMs: 12 * 60 * 60_000,
  minSeverity: "minor",
  minSignals: 2,
  minSignalsAnySeverity: 3,
  minLearnedDice: 0.5,
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
  message: string;
  tags: Readonly<Record<string, string>>;
  status: "firing" | "resolved";
  /** `tags.site` / `tags.region` when the source gives it; otherwise the topology or host name decides. */
  site: string | null;
  /** Alertmanager's `groupKey` for alerts it delivered: its own grouping, a hint the correlator weighs. */
  group?: string | null;
  /**
   * The longer text a source sent beside the message (Alertmanager's `description` annotation, the summary being
   * the message): read only for how long a rule's condition held before it fired ("… for 5m").
   */
  detail?: string | null;
  /**
   * Stored and looked at by an earlier pass, which left it unassigned. Read again beside later alerts, it may join an
   * existing incident only through that incident's alarms at or before its own time, as when it first arrived: the
   * later alarms, when they came, already chose not to take it in, and they do not re-decide that now.
   */
  replayed?: boolean;
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
  /** The stored correlation state; null for incidents stored before it existed or just corrected by an operator. */
  state: StoredGroupState | StoredSummary | null;
  /**
   * The incident's evidence when the caller keeps it (a summary's keys are stored apart): taken as is, not copied,
   * and extended in place by the pass; the group's `dirty` names the keys it changed.
   */
  keys?: KeyRanges;
  /** The layers of its firing members, when the caller kept them with `keys` (else read back from the keys). */
  layers?: ReadonlySet<Layer>;
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
  /** Alerts added in this pass, in the order they were added. */
  members: Array<CorrelationInput<Ref>>;
  /** Why each member joined, by member index: the evidence that linked it. */
  reasons: string[];
  /** The earliest alert of this pass of at least minor severity: the likely first root signal. */
  firstSignal: CorrelationInput<Ref> | null;
  keys: KeyRanges;
  /**
   * Keys changed since the group was seeded with its stored evidence (`ExistingIncident.keys`): what a pass must
   * write back. Null when every key must be written (a new group, or evidence rebuilt or read from the old form).
   */
  dirty: Set<string> | null;
  /** Distinct firing signals (host and condition), a few at most. */
  signals: Set<string>;
  /** Layers of the group's firing alarms: entity evidence needs one related to the new alarm's. */
  layers: Set<Layer>;
  /** True when an operator corrected the incident: never merged into or with another incident automatically. */
  pinned: boolean;
  /** A critical alarm reporting an outage (power, optical, link, switching, routing, traffic or service layer). */
  outage: boolean;
  /** Distinct signals raised at major severity or above (counted up to a few). */
  severeSignals: number;
  /** Existing incidents this group absorbed (the correlator found one failure where two incidents were). */
  absorbed: string[];
  /** The group this one was merged into (followed to the survivor), or null while it stands on its own. */
  mergedInto: AlertGroup<Ref> | null;
}

/** Topology knowledge: device → site, and device → directly linked devices. */
export interface TopologyView {
  siteOf(host: string): string | undefined;
  neighbours(host: string): ReadonlySet<string> | undefined;
  /** The tenant's own site pattern for host names, when its topology names one. */
  sitePattern?: string;
}

/** Relations between conditions learned from the tenant's past incidents and operators' corrections. */
export interface LearnedRelations {
  /** Conditions seen together with `signal` in past incidents, with their Dice coefficient. */
  partners(signal: string): ReadonlyArray<readonly [string, number]>;
}

export interface CorrelatorOptions {
  topology?: TopologyView;
  /** Host name → site, for hosts with no site tag and no topology entry (`TELEOPS_SITE_PATTERN`). */
  siteOfHost?: (host: string) => string | null;
  relations?: LearnedRelations;
}

/** A disk, file system, volume or inode table (nearly) out of space, as alarm types name it (signal words). */
const SPACE_EXHAUSTED =
  /\b(?:disk|filesystem|file system|fs|volume|partition|inode\w*|storage|space)\b.*\b(?:full|out of space|almost out|no space|exhausted)\b|\b(?:out of (?:disk )?space|no space left|disk full)\b/;

const OUTAGE_LAYERS: ReadonlySet<Layer> = new Set([
  "power",
  "machine",
  "optical",
  "link",
  "switching",
  "storage",
  "routing",
  "traffic",
  "service",
]);

/** A routing session's loss as alarm types word it ("bgp session down", "ospf neighbor down", "peer idle"). */
const SESSION_LOST = /\b(?:down|idle|lost|hold ?time\w*|expired|closed|dropped)\b/;

/** The site-level evidence key of redundant pairs' state changes (not a layer name, so never mistaken for one). */
const REDUNDANCY_KEY = "pair";

/** Layers whose alarms are about one port: each interface raises its own signal. */
const PORT_LAYERS: ReadonlySet<Layer> = new Set(["optical", "link", "switching"]);

/** An evidence key and the groups indexed under it (the most recent last), one object per key and correlator. */
interface Evidence<Ref> {
  readonly key: string;
  groups: Array<AlertGroup<Ref>> | undefined;
}

/** A correlator's evidence by key text: how stored keys and the keys of alert features find their entry. */
type EvidenceIndex<Ref> = Map<string, Evidence<Ref>>;

function evidenceOf<Ref>(index: EvidenceIndex<Ref>, key: string): Evidence<Ref> {
  let entry = index.get(key);
  if (entry === undefined) {
    entry = { key, groups: undefined };
    index.set(key, entry);
  }
  return entry;
}

/** Evidence keys `kind|a|b` sharing `kind|a|`, each built once. */
class KeyFamily<Ref> {
  private readonly entries = new Map<string, Evidence<Ref>>();
  private readonly lists = new Map<object, ReadonlyArray<Evidence<Ref>>>();
  private readonly reasons = new Map<object, ReadonlyArray<LayersReason>>();
  constructor(
    private readonly prefix: string,
    private readonly index: EvidenceIndex<Ref>,
  ) {}

  key(b: string): string {
    return this.entry(b).key;
  }

  /** The key's entry: probing or recording by it skips the index lookup by text. */
  entry(b: string): Evidence<Ref> {
    let entry = this.entries.get(b);
    if (entry === undefined) {
      entry = evidenceOf(this.index, this.prefix + b);
      this.entries.set(b, entry);
    }
    return entry;
  }

  /** The entries of a constant list of names (layers, or causal partners by layer), in its order; memoized per list. */
  entriesOf(list: ReadonlyArray<string | readonly [string, unknown]>): ReadonlyArray<Evidence<Ref>> {
    let entries = this.lists.get(list);
    if (entries === undefined) {
      entries = list.map((item) => this.entry(typeof item === "string" ? item : item[0]));
      this.lists.set(list, entries);
    }
    return entries;
  }

  /**
   * Per causal partner of an alarm's layer (`causalPartners(mine)`), the reason a link through this family gives:
   * `evidence` and `name` say what the family's keys share ("same host ", "fra1-core-01"). Memoized per list, so a
   * probe allocates none (most are never shown).
   */
  reasonsOf(
    partners: ReadonlyArray<readonly [Layer, Direction]>,
    mine: Layer,
    evidence: string,
    name: string,
  ): ReadonlyArray<LayersReason> {
    let reasons = this.reasons.get(partners);
    if (reasons === undefined) {
      const text = evidence + name;
      reasons = partners.map(([theirs]) => layersReason(text, mine, theirs));
      this.reasons.set(partners, reasons);
    }
    return reasons;
  }
}

/** The evidence keys of one kind: `kind|a` (`one`) and `kind|a|b` (`of(a).key(b)`), each built once. */
class KeyTable<Ref> {
  private readonly families = new Map<string, KeyFamily<Ref>>();
  private readonly singles = new Map<string, Evidence<Ref>>();
  constructor(
    private readonly kind: string,
    private readonly index: EvidenceIndex<Ref>,
  ) {}

  one(a: string): string {
    return this.entry(a).key;
  }

  entry(a: string): Evidence<Ref> {
    let entry = this.singles.get(a);
    if (entry === undefined) {
      entry = evidenceOf(this.index, `${this.kind}|${a}`);
      this.singles.set(a, entry);
    }
    return entry;
  }

  of(a: string): KeyFamily<Ref> {
    let family = this.families.get(a);
    if (!family) {
      family = new KeyFamily(`${this.kind}|${a}|`, this.index);
      this.families.set(a, family);
    }
    return family;
  }
}

/** Groups found by one kind of evidence this close in time to the nearest are all meant by it. */
const CLOSEST_TIE_MS = 15_000;

/** Moves into `found` the links of `candidates` within the tie of the closest one. */
function keepClosest<Ref>(candidates: Map<AlertGroup<Ref>, Link<Ref>>, found: Map<AlertGroup<Ref>, Link<Ref>>): void {
  let closest = Number.POSITIVE_INFINITY;
  for (const link of candidates.values()) closest = Math.min(closest, link.distanceMs);
  for (const [group, link] of candidates) {
    if (link.distanceMs > closest + CLOSEST_TIE_MS) continue;
    const known = found.get(group);
    if (!known || known.rank < link.rank) found.set(group, link);
  }
}

/** Alarms that observe a service or a machine from elsewhere (probes, pollers, scrapes): symptoms of what they cross. */
const SYMPTOM_LAYERS: ReadonlySet<Layer> = new Set(["service", "machine"]);
/** Failures of the infrastructure whose symptoms probes and pollers report elsewhere. */
const SYMPTOM_CAUSE_LAYERS: ReadonlySet<Layer> = new Set([
  "power",
  "hardware",
  "machine",
  "optical",
  "link",
  "switching",
  "storage",
  "routing",
]);
/** Conditions that report a device booting (SNMP coldStart/warmStart, "system restarted", "reloaded"). */
const BOOT =
  /\b(?:cold ?start|warm ?start|system (?:restarted|initialized|reloaded)|restarted|reload(?:ed)?|boot(?:ed|ing)?)\b/;

/** Every layer an alarm that is not chatter can have. */
const ALARM_LAYERS: readonly Layer[] = [
  "power",
  "hardware",
  "optical",
  "link",
  "switching",
  "storage",
  "machine",
  "routing",
  "traffic",
  "system",
  "service",
  "other",
];
const symptomCausesOf = new Map<Layer, readonly Layer[]>();

/**
 * The layers whose beginning failure a symptom of `layer` may show: its causes among the infrastructure, except a
 * machine's for a machine (another machine down is a failure of its own, not what this one shows).
 */
function symptomCauses(layer: Layer): readonly Layer[] {
  let causes = symptomCausesOf.get(layer);
  if (!causes) {
    causes = causesOf(layer).filter(
      (cause) => SYMPTOM_CAUSE_LAYERS.has(cause) && !(cause === "machine" && layer === "machine"),
    );
    symptomCausesOf.set(layer, causes);
  }
  return causes;
}

/**
 * A scrape target down (`up == 0`: InstanceDown, TargetDown) whose target is a machine's own exporter — node_exporter
 * (port 9100 or a `node` job) or windows_exporter (port 9182) — says the machine stopped answering, not one service.
 */
function scrapedMachine(alert: { alertType: string; tags: Readonly<Record<string, string>> }): boolean {
  if (!scrapeDown(alert.alertType)) return false;
  const instance = alert.tags.instance ?? "";
  const job = alert.tags.job ?? "";
  return /:(?:9100|9182)$/.test(instance) || /^(?:node|nodes|node[-_]exporter|windows[-_]exporter)$/i.test(job);
}

const scrapeDownTypes = new Map<string, boolean>();

/** Whether an alarm type is a scrape target down (`InstanceDown`, `target_down`); memoized. */
function scrapeDown(alertType: string): boolean {
  let answer = scrapeDownTypes.get(alertType);
  if (answer === undefined) {
    answer = /^(?:instance|target)_?down$/i.test(alertType.replace(/([a-z])([A-Z])/g, "$1_$2"));
    if (scrapeDownTypes.size > 50_000) scrapeDownTypes.clear();
    scrapeDownTypes.set(alertType, answer);
  }
  return answer;
}

const NON_BRIDGING_LAYERS: ReadonlySet<Layer> = new Set(["system", "hardware", "other"]);

/**
 * Layers whose trouble on one host unfolds over many minutes: power (on battery, battery low, shutdown), hardware
 * (a card failing, then reloading), a machine gone (unreachable, then not ready once the rules' hold times pass).
 */
const SLOW_LAYERS: ReadonlySet<Layer> = new Set(["power", "hardware", "machine"]);

const NO_TOPOLOGY: TopologyView = { siteOf: () => undefined, neighbours: () => undefined };
const NO_RELATIONS: LearnedRelations = { partners: () => [] };
const defaultSiteOfHost = sitePattern();
const compiledPatterns = new Map<string, (host: string) => string | null>();

/** Site patterns compile once per process (each keeps its own host cache). */
function compiledSitePattern(pattern: string): (host: string) => string | null {
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) {
    compiled = sitePattern(pattern);
    if (compiledPatterns.size > 100) compiledPatterns.clear();
    compiledPatterns.set(pattern, compiled);
  }
  return compiled;
}

/** What an alert reads as, computed once (`Correlator.read`): independent of any group, so it can be worked out early. */
export interface AlertFeatures {
  /** When the condition began: the event time less the hold its text states ("for more than 15 minutes"). */
  timeMs: number;
  host: string;
  site: string | null;
  layer: Layer;
  signal: string;
  /** The condition on its host and interface: what a repeat continues and a clear ends. */
  raised: string;
  /** Its evidence keys: raised (`d|…`) and cleared (`c|…`). */
  raisedKey: string;
  clearedKey: string;
  /** The interface the alarm is about, when it names one. */
  iface: string | null;
  chatter: boolean;
  firing: boolean;
  /** Devices and addresses the text names. */
  mentions: string[];
  /** Circuit ids the text names. */
  circuits: string[];
  /** The names this alert's own device goes by. */
  names: string[];
  /** A machine alarm about a redundant pair's state (failover, standby, mate lost): the pair's story takes minutes. */
  redundancy: boolean;
}

interface Link<Ref> {
  group: AlertGroup<Ref>;
  rank: number;
  /** Written out (`reasonText`) only for the link the alert joins by: most links found are never shown. */
  reason: string | LayersReason;
  /** How far the nearest member that gave the evidence lies from the alert (ms). */
  distanceMs: number;
}

// Evidence, strongest first: the rank decides which group an alert joins and which reason it records.
const CLEARS = 7;
const SAME_HOST = 6;
const ENTITY = 5;
const NEIGHBOUR = 4;
const SAME_SITE = 3;

/** How far a start worked out from a rule's hold time may err (Prometheus evaluates rules every 15 s to 1 min). */
const HELD_SLACK_MS = 60_000;
const BURST = 2;
const LEARNED = 1;
const SYMPTOM = 0;

/** Seeded incidents with at least this many evidence keys may be looked up by key instead of indexed key by key. */
const LAZY_INDEX_KEYS = 1_000;
/** At most this many of them: every lookup asks each one. */
const MAX_LAZY_GROUPS = 8;

export class Correlator<Ref> {
  private readonly groups: Array<AlertGroup<Ref>> = [];
  private readonly index: EvidenceIndex<Ref> = new Map();
  /** Seeded incidents not indexed yet: indexed (or made lazy) before the first alert is added. */
  private unindexed: Array<AlertGroup<Ref>> = [];
  /**
   * The largest seeded incidents (a storm's, with tens of thousands of keys): not indexed key by key, which every
   * pass would redo for all their keys, but asked by each lookup whether they hold the key.
   */
  private readonly lazy: Array<AlertGroup<Ref>> = [];
  private readonly lazySet = new Set<AlertGroup<Ref>>();
  private readonly scratch = new Map<AlertGroup<Ref>, Link<Ref>>();
  /** The alert `findLinks` is looking for links of: its tenant, event time and (held-back) start. */
  private probeTenant = "";
  private probeAlertMs = 0;
  private probeMs = 0;
  private probeSlackMs = 0;
  private probeReplayed = false;
  // Evidence keys by kind, each string built once: lookups by them reuse the hash V8 keeps on a string, where a
  // key built per lookup must be flattened and hashed again (the hot path of a storm).
  private readonly keys = {
    d: new KeyTable<Ref>("d", this.index),
    c: new KeyTable<Ref>("c", this.index),
    h: new KeyTable<Ref>("h", this.index),
    m: new KeyTable<Ref>("m", this.index),
    n: new KeyTable<Ref>("n", this.index),
    e: new KeyTable<Ref>("e", this.index),
    N: new KeyTable<Ref>("N", this.index),
    s: new KeyTable<Ref>("s", this.index),
    v: new KeyTable<Ref>("v", this.index),
    b: new KeyTable<Ref>("b", this.index),
    x: new KeyTable<Ref>("x", this.index),
    g: new KeyTable<Ref>("g", this.index),
    l: new KeyTable<Ref>("l", this.index),
    y: new KeyTable<Ref>("y", this.index),
  };
  private readonly topology: TopologyView;
  private readonly siteOfHost: (host: string) => string | null;
  private readonly relations: LearnedRelations;

  constructor(
    private readonly config: CorrelationConfig = DEFAULT_CORRELATION_CONFIG,
    options: CorrelatorOptions | TopologyView = {},
  ) {
    const opts: CorrelatorOptions = "siteOf" in options ? { topology: options } : options;
    this.topology = opts.topology ?? NO_TOPOLOGY;
    const pattern = this.topology.sitePattern ?? config.sitePattern;
    this.siteOfHost = opts.siteOfHost ?? (pattern ? compiledSitePattern(pattern) : defaultSiteOfHost);
    this.relations = opts.relations ?? NO_RELATIONS;
  }

  /** Seeds an incident that is still open so alerts of this pass can continue it. */
  seed(incident: ExistingIncident): AlertGroup<Ref> {
    const group = this.emptyGroup(incident.tenantId, incident.startMs);
    group.incidentId = incident.id;
    group.endMs = incident.endMs;
    group.hosts = new Set(incident.hosts);
    group.services = new Set(incident.services);
    group.sites = new Set(incident.sites);
    group.severity = incident.severity;
    group.priorCount = incident.alertCount;
    this.groups.push(group);
    if (incident.keys && incident.state?.v === 2) {
      group.keys = incident.keys;
      group.dirty = new Set();
    } else if (incident.state?.v === 1) {
      for (const [key, ranges] of Object.entries(incident.state.keys)) group.keys.set(key, [...ranges]);
    }
    if (incident.state) {
      for (const signal of incident.state.signals) group.signals.add(signal);
      // The layers of its members, read back from their per-host keys (`h|host|layer`) unless the caller kept them.
      if (incident.keys && incident.layers) for (const layer of incident.layers) group.layers.add(layer);
      else for (const key of group.keys.keys()) addLayerOfKey(group.layers, key);
      group.pinned = incident.state.pinned === true;
    }
    this.unindexed.push(group);
    return group;
  }

  /** Indexes the seeded incidents' keys, but for the few largest, which lookups ask directly. */
  private indexSeeds(): void {
    const seeds = this.unindexed;
    this.unindexed = [];
    const large = seeds
      .filter((group) => group.keys.size >= LAZY_INDEX_KEYS)
      .sort((a, b) => b.keys.size - a.keys.size)
      .slice(0, MAX_LAZY_GROUPS);
    for (const group of large) {
      this.lazy.push(group);
      this.lazySet.add(group);
    }
    for (const group of seeds) {
      if (this.lazySet.has(group)) continue;
      for (const key of group.keys.keys()) this.indexKey(evidenceOf(this.index, key), group);
    }
  }

  /** The groups that may hold `key`: those indexed under it, and the lazily looked-up incidents holding it. */
  private listed(key: Evidence<Ref> | string): ReadonlyArray<AlertGroup<Ref>> | undefined {
    const entry = typeof key === "string" ? evidenceOf(this.index, key) : key;
    const indexed = entry.groups;
    if (this.lazy.length === 0) return indexed;
    let out: Array<AlertGroup<Ref>> | undefined;
    for (const candidate of this.lazy) {
      const group = this.resolve(candidate);
      if (!group.keys.has(entry.key)) continue;
      if (!out) out = indexed ? [...indexed] : [];
      out.push(group);
    }
    return out ?? indexed;
  }

  /**
   * Rebuilds a seeded incident's state from its member alerts (incidents stored without state, or corrected by
   * an operator): their evidence keys are recorded as if they had joined, without looking for links.
   */
  remember(group: AlertGroup<Ref>, alert: CorrelationInput<Ref>): void {
    if (this.unindexed.length > 0) this.indexSeeds();
    const features = this.read(alert);
    this.record(group, alert, features);
  }

  /** Adds an alert; alerts given in event-time order give the same incidents however they are batched. */
  add(alert: CorrelationInput<Ref>, features: AlertFeatures = this.read(alert)): AlertGroup<Ref> {
    if (this.unindexed.length > 0) this.indexSeeds();
    const links = features.chatter ? [] : this.findLinks(alert, features);
    let target: Link<Ref> | undefined;
    for (const link of links) if (!target || this.prefer(link, target)) target = link;
    let group: AlertGroup<Ref>;
    if (!target) {
      group = this.emptyGroup(alert.tenantId, alert.timeMs);
      this.groups.push(group);
    } else {
      group = target.group;
      // Everything this alert links is one failure: the groups it ties together become one. When it has specific
      // evidence (its host, a named entity, a topology link), mere co-location (same site, a burst, a learned
      // relation) does not merge another group in: a remote peer's alarm belongs with the router it names, not
      // with whatever else happens at its own site.
      // Nor does co-location glue two established failures together: one noisy alarm between them is no proof.
      // Threshold and environment alarms (CPU, memory, disk, fans, temperature) join a failure but never prove two
      // failures are one: busy bystanders raise them all the time.
      const strong = target.rank >= NEIGHBOUR;
      const bridges = !NON_BRIDGING_LAYERS.has(features.layer);
      for (const link of links) {
        if (!bridges) break;
        // Timing alone says which failure a symptom most likely shows, never that two failures are one.
        if (link.rank === SYMPTOM) continue;
        // A host can take part in two failures at once (its own trouble, and an adjacency lost to a failure
        // elsewhere): its alarms' layers relating to both do not make them one. A repeat of one signal still does.
        if (
          link.rank === SAME_HOST &&
          typeof link.reason !== "string" &&
          this.established(group) &&
          this.established(link.group)
        )
          continue;
        if (
          link.rank <= NEIGHBOUR &&
          this.established(group) &&
          (strong || this.established(link.group)) &&
          !(link.rank === SAME_SITE && features.layer === "machine" && onlySymptoms(link.group))
        )
          continue;
        const other = this.resolve(link.group);
        if (other !== group && this.mayMerge(other, group)) {
          group = this.merge(other, group);
        }
      }
    }
    group.members.push(alert);
    group.reasons.push(target ? reasonText(target.reason, target.distanceMs) : "first alarm of the incident");
    this.record(group, alert, features);
    return group;
  }

  /** Groups that qualify as incidents (existing ones always do). */
  incidents(): Array<AlertGroup<Ref>> {
    return this.groups.filter((g) => g.mergedInto === null && (g.incidentId !== null || this.qualifies(g)));
  }

  /** Groups that stay below the incident bar: their alerts remain unassigned. */
  leftovers(): Array<AlertGroup<Ref>> {
    return this.groups.filter((g) => g.mergedInto === null && g.incidentId === null && !this.qualifies(g));
  }

  /** The state to store with a group's incident. */
  stateOf(group: AlertGroup<Ref>): StoredGroupState {
    return encodeState(group.keys, group.signals, group.pinned);
  }

  /** A group with several distinct signals: a failure in its own right. */
  private established(group: AlertGroup<Ref>): boolean {
    return this.resolve(group).signals.size >= this.config.minSignals;
  }

  /**
   * An incident: several distinct signals; or a critical outage of the network or a service (not a resource
   * threshold, which alone is a warning sign); or two signals of which two are at least major (a lone port going
   * down next to a minor notice is chatter).
   */
  private qualifies(group: AlertGroup<Ref>): boolean {
    const signals = group.signals.size;
    if (signals === 0) return false;
    if (signals >= this.config.minSignalsAnySeverity) return true;
    if (group.outage) return true;
    return signals >= this.config.minSignals && group.severeSignals >= this.config.minSignals;
  }

  /**
   * What an alert reads as (host, site, layer, signal, named entities…): the same whatever the correlator has seen,
   * given the same configuration and topology, so callers may work it out before taking a lock and pass it to `add`.
   */
  read(alert: CorrelationInput<Ref>): AlertFeatures {
    // "unknown" (what a mapping writes when a source names no machine) is no host: it must not tie alerts together.
    const named = alert.host.toLowerCase();
    const host = named === "unknown" || named === "" ? "" : named;
    // A cluster or data-centre label names a failure domain; its site code, when it carries one, is the site.
    const domain = alert.tags.datacenter ?? alert.tags.dc ?? alert.tags.cluster;
    const tagSite =
      alert.site ??
      alert.tags.site ??
      alert.tags.region ??
      (domain !== undefined ? (this.siteOfHost(domain.toLowerCase()) ?? domain) : null);
    const site = tagSite?.toLowerCase() ?? this.topology.siteOf(alert.host)?.toLowerCase() ?? this.siteOfHost(host);
    const layer = scrapedMachine(alert) ? "machine" : layerOf(alert.alertType, alert.message);
    const chatter = isChatter(layer);
    const mentions: string[] = [];
    const circuits: string[] = [];
    if (!chatter) {
      for (const entity of entitiesOf(host, alert.message, alert.tags)) {
        if (entity.startsWith("circuit:")) circuits.push(entity.slice(8));
        else mentions.push(entity.slice(entity.indexOf(":") + 1));
      }
    }
    const dot = host.indexOf(".");
    const short = dot < 0 ? host : host.slice(0, dot);
    const names = host === "" ? [] : short !== host ? [host, short] : [host];
    const signal = signalOf(alert.alertType);
    const iface = interfaceOf(alert.message, alert.tags);
    // Ports fail one by one: a port-level alarm on another interface is another signal. Above the ports (a
    // protocol error naming the interface it arrived on), the condition is the device's, whichever port says so.
    const raised = `${host}|${signal}|${PORT_LAYERS.has(layer) ? (iface ?? "") : ""}`;
    return {
      timeMs: alert.timeMs - Math.max(heldForMs(alert.message), alert.detail ? heldForMs(alert.detail) : 0),
      host,
      site,
      layer,
      signal,
      raised,
      raisedKey: this.keys.d.one(raised),
      clearedKey: this.keys.c.one(raised),
      iface,
      chatter,
      firing: alert.status !== "resolved" && !isClearType(alert.alertType) && !endsWithRecovery(alert.message),
      mentions,
      circuits,
      names,
      redundancy: layer === "machine" && namesRedundancy(alert.alertType, alert.message),
    };
  }

  private findLinks(alert: CorrelationInput<Ref>, f: AlertFeatures): Array<Link<Ref>> {
    const found = new Map<AlertGroup<Ref>, Link<Ref>>();
    const t = f.timeMs;
    const c = this.config;
    // What every offer of this alert compares with (fields, not a closure: this runs for every alert of a storm).
    this.probeTenant = alert.tenantId;
    this.probeAlertMs = alert.timeMs;
    this.probeMs = t;
    this.probeReplayed = alert.replayed === true;
    // A start worked out from a rule's hold time is known only to the rule's evaluation and scrape intervals: an
    // effect so dated may seem to begin a little before its cause.
    this.probeSlackMs = t === alert.timeMs ? 0 : HELD_SLACK_MS;
    // A clear joins the latest raise of its condition on its host, however long the outage lasted.
    if (!f.firing && f.host !== "") {
      const key = f.raisedKey;
      let best: AlertGroup<Ref> | undefined;
      let bestTime = Number.NEGATIVE_INFINITY;
      const portKey = PORT_LAYERS.has(f.layer) && f.iface !== null;
      for (const listed of this.listed(key) ?? []) {
        const group = this.resolve(listed);
        const latest = latestBefore(group.keys, key, t);
        // A port already back up is over: its up logged again hours later, with no down between, is a new event,
        // not this failure's end (an up re-announced soon after the first still goes). Only a port's raise names one
        // thing: a device-wide condition's earlier clear may have been another peer's or route's.
        if (portKey && t - latest > c.repeatWindowMs) {
          const cleared = latestBefore(group.keys, f.clearedKey, t);
          if (cleared >= latest && t - cleared > c.repeatWindowMs) continue;
        }
        if (t - latest <= c.clearWindowMs && latest > bestTime) {
          best = group;
          bestTime = latest;
        }
      }
      // A message that reports a recovery in other words than its raise ("FRU power supply A inserted" after "power
      // supply A signal is faulty") ends its host's latest trouble of the same kind (any kind, when its own is unknown).
      if (!best && !isClearType(alert.alertType) && alert.status !== "resolved") {
        const hostKeys = this.keys.h.of(f.host);
        for (const layer of f.layer === "other" ? ALARM_LAYERS : [f.layer]) {
          const layerKey = hostKeys.key(layer);
          for (const listed of this.listed(layerKey) ?? []) {
            const group = this.resolve(listed);
            const latest = latestBefore(group.keys, layerKey, t);
            if (t - latest <= c.clearWindowMs && latest > bestTime && group.tenantId === alert.tenantId) {
              best = group;
              bestTime = latest;
            }
          }
        }
        if (best) {
          const reason = `reports recovery on ${f.host}, its ${f.layer === "other" ? "" : `${f.layer} `}alarm ${ago(t - bestTime)}`;
          return [{ group: best, rank: CLEARS, reason, distanceMs: t - bestTime }];
        }
      }
      // A clear that found the raise it ends goes with it alone: it is no evidence that two failures are one.
      if (best) {
        return [
          {
            group: best,
            rank: CLEARS,
            reason: `clears ${f.signal} raised on ${f.host} ${ago(t - bestTime)}`,
            distanceMs: t - bestTime,
          },
        ];
      }
    }
    // A raise repeated while not cleared (a standing alarm re-announced) continues its occurrence.
    if (f.firing && f.host !== "") {
      const key = f.raisedKey;
      for (const listed of this.listed(key) ?? []) {
        const group = this.resolve(listed);
        const raised = latestBefore(group.keys, key, t);
        if (t - raised > c.repeatWindowMs) continue;
        if (latestBefore(group.keys, f.clearedKey, t) >= raised) continue;
        const known = found.get(group);
        if (!known || known.rank < SAME_HOST) {
          found.set(group, {
            group,
            rank: SAME_HOST,
            reason: `repeats ${f.signal} on ${f.host}, not cleared since ${ago(t - raised)}`,
            distanceMs: t - raised,
          });
        }
      }
    }
    // Same host: when several failures touch the host, the one whose alarms are closest in time is meant.
    const hostFound = this.candidates();
    const hostKeys = this.keys.h.of(f.host);
    const partners = f.host === "" ? NO_PARTNERS : causalPartners(f.layer);
    const hostEntries = hostKeys.entriesOf(partners);
    const hostReasons = hostKeys.reasonsOf(partners, f.layer, "same host ", f.host);
    for (let i = 0; i < partners.length; i++) {
      const [layer, direction] = partners[i] as readonly [Layer, Direction];
      // Power and hardware trouble unfolds slowly (on battery, then battery low, then shutdown).
      const slow = SLOW_LAYERS.has(layer) && SLOW_LAYERS.has(f.layer);
      const window = slow ? c.slowSameHostWindowMs : c.sameHostWindowMs;
      const reason = hostReasons[i] as LayersReason;
      // Two ports of one device fail independently: link alarms on one host tie only on the same interface (a
      // card or power failure ties the others, through its own layer).
      const key =
        layer === "link" && f.layer === "link" && f.iface
          ? hostKeys.entry(`link#${f.iface}`)
          : (hostEntries[i] as Evidence<Ref>);
      this.offer(hostFound, key, window, SAME_HOST, reason, false, direction);
    }
    keepClosest(hostFound, found);
    // Resolved alarms only follow what they clear or their own host; they never pull other devices in.
    if (!f.firing) return [...found.values()];
    // Named entities tie alarms of causally related layers only: a DDoS victim's address in a flood alarm and in
    // an unrelated login line are not one failure.
    const entityFound = this.candidates();
    for (const name of f.mentions) {
      const both = `both name ${name}, {d}`;
      this.offer(entityFound, this.keys.m.entry(name), c.entityWindowMs, ENTITY, both, false, "any", true);
      const names = `names ${name}, which alarmed {d}`;
      this.offer(entityFound, this.keys.n.entry(name), c.entityWindowMs, ENTITY, names, false, "any", true);
    }
    for (const name of f.names) {
      const named = "named by an alarm on another device {d}";
      this.offer(entityFound, this.keys.m.entry(name), c.entityWindowMs, ENTITY, named, false, "any", true);
    }
    for (const circuit of f.circuits)
      this.offer(entityFound, this.keys.e.entry(circuit), c.circuitWindowMs, ENTITY, `same circuit ${circuit}, {d}`);
    const related = relatedLayers(f.layer);
    // A name or address points at one failure: when several groups carry it, the closest in time is meant (a
    // router's noise a minute before its link failure also carries its name).
    for (const group of entityFound.keys()) {
      if (!hasAnyLayer(group, related)) entityFound.delete(group);
    }
    keepClosest(entityFound, found);
    const neighbours = this.topology.neighbours(alert.host);
    if (neighbours) {
      // One probe per neighbour (its alarms of any layer), then the layers are checked on the groups found.
      const neighbourFound = this.candidates();
      for (const neighbour of neighbours) {
        const reason = `linked to ${neighbour} in the topology, {d}`;
        this.offer(neighbourFound, this.keys.N.entry(neighbour.toLowerCase()), c.siteWindowMs, NEIGHBOUR, reason);
      }
      const related = relatedLayers(f.layer);
      for (const [group, link] of neighbourFound) {
        if (!hasAnyLayer(group, related)) continue;
        const known = found.get(group);
        if (!known || known.rank < link.rank) found.set(group, link);
      }
    }
    // Same site: a failure of the network there (power, hardware, optical, link, switching, routing) explains the
    // alarms above it. Two application alarms on different hosts of one site need more: the same service.
    if (f.site !== null) {
      const siteKeys = this.keys.s.of(f.site);
      const sitePartners = causalPartners(f.layer);
      const siteEntries = siteKeys.entriesOf(sitePartners);
      const siteReasons = siteKeys.reasonsOf(sitePartners, f.layer, "same site ", f.site);
      for (let i = 0; i < sitePartners.length; i++) {
        const [layer, direction] = sitePartners[i] as readonly [Layer, Direction];
        if (!isInfrastructure(f.layer) && !isInfrastructure(layer)) continue;
        // A machine lost takes its own workloads down, not other machines' resources: memory or disk pressure on
        // another host of the site is that host's own trouble.
        if ((f.layer === "machine" && layer === "system") || (f.layer === "system" && layer === "machine")) continue;
        // Exhausted resources starve the routing daemon of their own router: another router's sessions at the site
        // fail for reasons of their own.
        if ((f.layer === "routing" && layer === "system") || (f.layer === "system" && layer === "routing")) continue;
        // A power failure's effects on servers and applications surface over minutes (batteries drain, pollers and
        // alert rules wait before alarming); network protocols notice within seconds, so they keep the short window.
        const window = slowToNotice(layer, f.layer) ? c.powerSiteWindowMs : c.siteWindowMs;
        const reason = siteReasons[i] as LayersReason;
        this.offer(found, siteEntries[i] as Evidence<Ref>, window, SAME_SITE, reason, false, direction);
      }
      // The two units of a redundant pair (firewalls, supervisors, cluster nodes) report one failure over the time
      // it takes to repair or reboot the mate: the survivor's "mate lost", then the mate's "switching to standby".
      if (f.redundancy) {
        const reason = `redundant pair at site ${f.site}, {d}`;
        this.offer(found, siteKeys.entry(REDUNDANCY_KEY), c.slowSameHostWindowMs, SAME_SITE, reason);
      }
      // Resource pressure (CPU, memory, disk) is each host's own: a service name shared by hosts does not make their
      // thresholds one failure.
      if (alert.service !== "" && f.layer !== "system") {
        this.offer(
          found,
          this.keys.v.of(f.site).entry(alert.service),
          c.siteWindowMs,
          SAME_SITE,
          `same service ${alert.service} at site ${f.site}, {d}`,
        );
      }
    }
    // One condition on many devices at once: sites must agree where both are known, except for a failure of the
    // network itself within seconds (both ends of a cut span, every link of a failed shelf).
    const burstReason = `${f.signal} on several devices, {d}`;
    if (f.site === null) this.offer(found, this.keys.b.of(f.signal).entry("*"), c.burstWindowMs, BURST, burstReason);
    else {
      this.offer(found, this.keys.b.of(f.signal).entry(f.site), c.burstWindowMs, BURST, burstReason);
      this.offer(found, this.keys.b.of(f.signal).entry("?"), c.burstWindowMs, BURST, burstReason);
      if (isInfrastructure(f.layer)) {
        const reason = `${f.signal} at several sites, {d}`;
        this.offer(found, this.keys.b.of(f.signal).entry("*"), c.crossSiteBurstWindowMs, BURST, reason, true);
      }
    }
    // A failure of the network itself propagates within seconds: an optical loss and the link downs it causes on
    // routers elsewhere (sites unknown or different) arrive together.
    if (isInfrastructure(f.layer)) {
      for (const [layer, direction] of causalPartners(f.layer)) {
        if (!isInfrastructure(layer)) continue;
        const reason = layersReason("network alarms beginning together", f.layer, layer);
        this.offer(found, this.keys.x.entry(layer), c.crossSiteBurstWindowMs, BURST, reason, true, direction);
      }
    }
    // Alertmanager grouped them and they report one condition: its targets may sit anywhere (probes of remote
    // services from one prober), and rules' `for:` delays spread their start times over minutes.
    // Machines down are failures of their own: two in one group (grouped by alert name and job) minutes apart are
    // two machines, unless a shared site or a burst within seconds ties them.
    if (alert.group && f.layer !== "machine") {
      this.offer(
        found,
        this.keys.g.of(alert.group).entry(f.signal),
        c.groupWindowMs,
        BURST,
        `${f.signal} in one Alertmanager group, {d}`,
      );
    }
    // Symptoms of a failure elsewhere: probes and pollers observe a service or a machine through the network, from
    // wherever they run, so the failure they show may lie at another site and name nothing the alarm names. Only
    // a failure that is beginning counts (its first alarm within the window), the closest one is meant, and this
    // evidence never merges two groups: timing alone is the weakest evidence there is.
    if (
      SYMPTOM_LAYERS.has(f.layer) &&
      severityRank(alert.severity) <= severityRank("major") &&
      !this.troubleAtSite(f.site, c.symptomWindowMs)
    ) {
      const symptomFound = this.candidates();
      for (const layer of symptomCauses(f.layer)) {
        const reason = layersReason("a failure beginning just before", f.layer, layer);
        this.offer(symptomFound, this.keys.y.entry(layer), c.symptomWindowMs, SYMPTOM, reason, true, "before");
      }
      let closest: Link<Ref> | undefined;
      for (const link of symptomFound.values()) if (!closest || link.distanceMs < closest.distanceMs) closest = link;
      if (closest && !found.has(closest.group)) found.set(closest.group, closest);
    }
    // A device that boots just after power came back somewhere is most likely one the power fed: it joins the
    // closest restoration, never merging anything (timing is all there is).
    // So does a device that boots after its neighbours reported losing it (a crash, then the reload minutes later).
    if (BOOT.test(f.signal)) {
      const restored = this.candidates();
      const reason = "boots after power was restored, {d}";
      this.offer(restored, this.keys.y.entry("power-restored"), c.symptomWindowMs, SYMPTOM, reason, false, "before");
      for (const name of f.names) {
        const lost = `boots after other devices reported losing ${name}, {d}`;
        this.offer(restored, this.keys.m.entry(name), c.slowSameHostWindowMs, SYMPTOM, lost, false, "before");
      }
      let closest: Link<Ref> | undefined;
      for (const link of restored.values()) if (!closest || link.distanceMs < closest.distanceMs) closest = link;
      if (closest && !found.has(closest.group)) found.set(closest.group, closest);
    }
    for (const [partner, dice] of this.relations.partners(f.signal)) {
      if (dice < c.minLearnedDice) continue;
      const reason = `learned relation ${f.signal} ↔ ${partner} (Dice ${dice.toFixed(2)}), {d}`;
      if (f.site === null) this.offer(found, this.keys.l.of(partner).entry("*"), c.siteWindowMs, LEARNED, reason);
      else {
        this.offer(found, this.keys.l.of(partner).entry(f.site), c.siteWindowMs, LEARNED, reason);
        this.offer(found, this.keys.l.of(partner).entry("?"), c.siteWindowMs, LEARNED, reason);
      }
    }
    return [...found.values()];
  }

  /**
   * Whether `site` raised alarms of its own (any layer but chatter) within `windowMs` before the alert being linked:
   * then a symptom there more likely shows that local trouble (which needs other evidence to tie it) than a failure
   * elsewhere.
   */
  /**
   * The one map the candidates of a kind of evidence are gathered in, emptied: an alert's kinds are looked at one
   * after the other, and a map per kind and alert was most of what a long stream left to collect.
   */
  private candidates(): Map<AlertGroup<Ref>, Link<Ref>> {
    this.scratch.clear();
    return this.scratch;
  }

  private troubleAtSite(site: string | null, windowMs: number): boolean {
    if (site === null) return false;
    const local = this.candidates();
    for (const entry of this.keys.s.of(site).entriesOf(ALARM_LAYERS)) {
      this.offer(local, entry, windowMs, SYMPTOM, "", false, "before");
      if (local.size > 0) return true;
    }
    return false;
  }

  /**
   * Offers the groups listed under `key` as links. `onset`: the evidence only counts while the other failure is
   * beginning (its first alarm within the window), so a busy network's steady alarm stream cannot chain unrelated
   * failures through it. `direction`: only members before the alert (it may be their effect), or only after (it
   * may be their cause). `reason` is a template whose `{d}` becomes the time apart.
   */
  private offer(
    found: Map<AlertGroup<Ref>, Link<Ref>>,
    evidence: Evidence<Ref> | string,
    windowMs: number,
    rank: number,
    reason: string | LayersReason,
    onset = false,
    direction: Direction = "any",
    spanned = false,
  ): void {
    const groups = this.listed(evidence);
    if (!groups) return;
    const key = typeof evidence === "string" ? evidence : evidence.key;
    const tenantId = this.probeTenant;
    const alertTimeMs = this.probeAlertMs;
    const t = this.probeMs;
    for (const listed of groups) {
      const group = this.resolve(listed);
      // Every member's (possibly held-back) start lies at or before the group's last alert.
      if (t - windowMs > group.endMs) continue;
      if (group.tenantId !== tenantId) continue;
      if (onset && Math.abs(group.startMs - alertTimeMs) > windowMs) continue;
      const slack = this.probeSlackMs;
      const d =
        this.probeReplayed && group.incidentId !== null
          ? direction === "after"
            ? Number.POSITIVE_INFINITY
            : Math.max(0, directedDistance(group.keys, key, t + slack, true) - slack)
          : direction === "any"
            ? spanned && t < alertTimeMs
              ? spanDistance(group.keys, key, t, alertTimeMs)
              : distance(group.keys, key, t)
            : slack === 0
              ? directedDistance(group.keys, key, t, direction === "before")
              : Math.max(
                  0,
                  directedDistance(
                    group.keys,
                    key,
                    direction === "before" ? t + slack : t - slack,
                    direction === "before",
                  ) - slack,
                );
      if (d > windowMs) continue;
      const known = found.get(group);
      if (!known || known.rank < rank) found.set(group, { group, rank, reason, distanceMs: d });
    }
  }

  /** Records an alert's evidence keys and summary in its group. */
  private record(group: AlertGroup<Ref>, alert: CorrelationInput<Ref>, f: AlertFeatures): void {
    if (alert.timeMs < group.startMs) group.startMs = alert.timeMs;
    if (alert.timeMs > group.endMs) group.endMs = alert.timeMs;
    if (severityRank(alert.severity) < severityRank(group.severity)) group.severity = alert.severity;
    if (
      severityRank(alert.severity) <= severityRank("minor") &&
      !f.chatter &&
      (group.firstSignal === null || alert.timeMs < group.firstSignal.timeMs)
    ) {
      group.firstSignal = alert;
    }
    group.hosts.add(alert.host);
    if (alert.service !== "") group.services.add(alert.service);
    if (f.site !== null) group.sites.add(f.site);
    if (f.chatter) return;
    if (!f.firing) {
      if (f.host !== "") this.put(group, f.clearedKey, f.timeMs, 0);
      // Power back: the devices it fed boot over the next minutes and say so (cold starts, restarts).
      if (f.layer === "power")
        this.put(group, this.keys.y.entry("power-restored"), f.timeMs, this.config.symptomWindowMs);
      return;
    }
    const signal = f.raised;
    // Informational alerts join their failure but say nothing is wrong: they never make a group an incident.
    if (alert.severity !== "info" && group.signals.size < 4 && !group.signals.has(signal)) {
      group.signals.add(signal);
      if (severityRank(alert.severity) <= severityRank("major")) group.severeSignals += 1;
    }
    if (alert.severity === "critical" && OUTAGE_LAYERS.has(f.layer)) group.outage = true;
    // Storage space running out does not pass by itself the way a CPU or memory peak does: at critical severity
    // someone has to act, whatever else alarms.
    if (alert.severity !== "info" && f.layer === "system" && SPACE_EXHAUSTED.test(` ${f.signal} `)) group.outage = true;
    // A routing session lost (BGP, OSPF, IS-IS, LDP…) at major severity is an outage of its own: traffic moves.
    // Many routers log a peer's loss at notice/warning (Junos `bgp_event`, IOS `%BGP-5-ADJCHANGE`): at minor, a
    // session the type says went down counts too, not a routing daemon's complaint about a packet.
    if (
      f.layer === "routing" &&
      (severityRank(alert.severity) <= severityRank("major") ||
        (alert.severity === "minor" && SESSION_LOST.test(` ${f.signal} ${words(alert.alertType)} `)))
    )
      group.outage = true;
    const c = this.config;
    const t = f.timeMs;
    if (f.host !== "") this.put(group, f.raisedKey, t, 0);
    if (f.host !== "" && this.topology.neighbours(alert.host))
      this.put(group, this.keys.N.entry(f.host), t, c.siteWindowMs);
    if (f.host !== "")
      this.put(
        group,
        this.keys.h.of(f.host).entry(f.layer),
        t,
        SLOW_LAYERS.has(f.layer) ? c.slowSameHostWindowMs : c.sameHostWindowMs,
      );
    if (f.host !== "" && f.layer === "link" && f.iface)
      this.put(group, this.keys.h.of(f.host).entry(`link#${f.iface}`), t, c.sameHostWindowMs);
    group.layers.add(f.layer);
    // A condition known to have held since its worked-out start (a rule's hold) named its things all along: the
    // span is recorded, in steps no wider than the key's joining gap, so later alarms and later passes see it too.
    for (const name of f.mentions) this.putSpan(group, this.keys.m.entry(name), t, alert.timeMs, c.entityWindowMs);
    for (const name of f.names) this.putSpan(group, this.keys.n.entry(name), t, alert.timeMs, c.entityWindowMs);
    for (const circuit of f.circuits) this.put(group, this.keys.e.entry(circuit), t, c.circuitWindowMs);
    if (f.site !== null) {
      if (!(f.layer === "power" && severityRank(alert.severity) > severityRank("minor")))
        this.put(group, this.keys.s.of(f.site).key(f.layer), t, c.siteWindowMs);
      if (f.redundancy) this.put(group, this.keys.s.of(f.site).key(REDUNDANCY_KEY), t, c.slowSameHostWindowMs);
      if (usableService(alert) && f.layer !== "system")
        this.put(group, this.keys.v.of(f.site).key(alert.service), t, c.siteWindowMs);
    }
    if (isInfrastructure(f.layer)) this.put(group, this.keys.x.entry(f.layer), t, c.crossSiteBurstWindowMs);
    if (SYMPTOM_CAUSE_LAYERS.has(f.layer) && severityRank(alert.severity) <= severityRank("major"))
      this.put(group, this.keys.y.entry(f.layer), t, c.symptomWindowMs);
    this.put(group, this.keys.b.of(f.signal).entry(f.site ?? "?"), t, c.burstWindowMs);
    this.put(group, this.keys.b.of(f.signal).entry("*"), t, c.burstWindowMs);
    if (alert.group) this.put(group, this.keys.g.of(alert.group).entry(f.signal), t, c.groupWindowMs);
    this.put(group, this.keys.l.of(f.signal).entry(f.site ?? "?"), t, c.siteWindowMs);
    this.put(group, this.keys.l.of(f.signal).entry("*"), t, c.siteWindowMs);
  }

  /** `put` at every step from `fromMs` to `toMs`, so the key's ranges cover the whole span. */
  private putSpan(
    group: AlertGroup<Ref>,
    evidence: Evidence<Ref>,
    fromMs: number,
    toMs: number,
    windowMs: number,
  ): void {
    this.put(group, evidence, fromMs, windowMs);
    for (let at = fromMs + 2 * windowMs; at < toMs; at += 2 * windowMs) this.put(group, evidence, at, windowMs);
    if (toMs > fromMs) this.put(group, evidence, toMs, windowMs);
  }

  private put(group: AlertGroup<Ref>, evidence: Evidence<Ref> | string, timeMs: number, windowMs: number): void {
    const key = typeof evidence === "string" ? evidence : evidence.key;
    const list = group.keys.get(key);
    if (list) {
      // A time inside the latest range changes nothing (a storm's thousands of alarms stamped with one second).
      const last = list.length - 2;
      if (timeMs >= (list[last] as number) && timeMs <= (list[last + 1] as number)) return;
      extendRanges(list, timeMs, windowMs * 2);
      group.dirty?.add(key);
      return;
    }
    group.keys.set(key, [timeMs, timeMs]);
    group.dirty?.add(key);
    if (!this.lazySet.has(group)) {
      this.indexKey(typeof evidence === "string" ? evidenceOf(this.index, evidence) : evidence, group);
    }
  }

  private prefer(link: Link<Ref>, over: Link<Ref>): boolean {
    if (link.rank !== over.rank) return link.rank > over.rank;
    // Ties go to an existing incident, then to the older group: the same choice whatever the batching.
    const a = link.group;
    const b = over.group;
    if ((a.incidentId === null) !== (b.incidentId === null)) return a.incidentId !== null;
    return a.startMs < b.startMs || (a.startMs === b.startMs && (a.incidentId ?? "") < (b.incidentId ?? ""));
  }

  /** Operators' corrections stand: a pinned incident is never merged with another incident automatically. */
  private mayMerge(a: AlertGroup<Ref>, b: AlertGroup<Ref>): boolean {
    if (a.incidentId !== null && b.incidentId !== null) return !a.pinned && !b.pinned;
    return true;
  }

  /** Merges two groups; the survivor is the existing incident (the older one when both are). */
  private merge(a: AlertGroup<Ref>, b: AlertGroup<Ref>): AlertGroup<Ref> {
    let into = b;
    let from = a;
    const older = a.startMs < b.startMs || (a.startMs === b.startMs && (a.incidentId ?? "") < (b.incidentId ?? ""));
    if ((a.incidentId !== null && b.incidentId === null) || (a.incidentId !== null && older)) {
      into = a;
      from = b;
    }
    from.mergedInto = into;
    // Every key the merged-in side brings may change the survivor's stored evidence.
    if (into.dirty !== null) for (const key of from.keys.keys()) into.dirty.add(key);
    // Union by size: the larger side's collections are kept and the smaller one's are copied in, so a storm's
    // incident absorbing many small groups costs each small group, not the incident, every time. Index entries
    // of either side resolve to `into` through their `mergedInto`.
    if (from.keys.size > into.keys.size) [into.keys, from.keys] = [from.keys, into.keys];
    if (from.members.length > into.members.length) {
      [into.members, from.members] = [from.members, into.members];
      [into.reasons, from.reasons] = [from.reasons, into.reasons];
    }
    if (from.hosts.size > into.hosts.size) [into.hosts, from.hosts] = [from.hosts, into.hosts];
    const gap = (key: string) => 2 * this.windowOf(key);
    mergeRanges(into.keys, from.keys, gap);
    for (const signal of from.signals) if (into.signals.size < 4) into.signals.add(signal);
    for (const layer of from.layers) into.layers.add(layer);
    into.severeSignals += from.severeSignals;
    into.outage ||= from.outage;
    for (const member of from.members) into.members.push(member);
    for (const reason of from.reasons) into.reasons.push(reason);
    into.priorCount += from.priorCount;
    if (from.startMs < into.startMs) into.startMs = from.startMs;
    if (from.endMs > into.endMs) into.endMs = from.endMs;
    if (severityRank(from.severity) < severityRank(into.severity)) into.severity = from.severity;
    for (const host of from.hosts) into.hosts.add(host);
    for (const service of from.services) into.services.add(service);
    for (const site of from.sites) into.sites.add(site);
    if (from.firstSignal && (!into.firstSignal || from.firstSignal.timeMs < into.firstSignal.timeMs)) {
      into.firstSignal = from.firstSignal;
    }
    into.pinned ||= from.pinned;
    if (from.incidentId !== null) into.absorbed.push(from.incidentId, ...from.absorbed);
    from.members = [];
    from.reasons = [];
    return into;
  }

  private windowOf(key: string): number {
    const c = this.config;
    switch (key[0]) {
      case "h":
        return Math.max(c.sameHostWindowMs, c.slowSameHostWindowMs);
      case "s":
        return Math.max(c.siteWindowMs, c.powerSiteWindowMs);
      case "v":
      case "l":
        return c.siteWindowMs;
      case "b":
        return c.burstWindowMs;
      case "g":
        return c.groupWindowMs;
      case "x":
        return c.crossSiteBurstWindowMs;
      case "y":
        return c.symptomWindowMs;
      case "d":
      case "c":
        return 0;
      case "N":
        return c.siteWindowMs;
      case "e":
        return c.circuitWindowMs;
      default:
        return c.entityWindowMs;
    }
  }

  private emptyGroup(tenantId: string, timeMs: number): AlertGroup<Ref> {
    // What a lookup reads of every group listed under a key comes first, in one or two cache lines (V8 lays fields
    // out in this order): a long stream's lookups are bound by fetching groups from memory.
    return {
      incidentId: null,
      mergedInto: null,
      tenantId,
      startMs: timeMs,
      endMs: timeMs,
      keys: new Map(),
      hosts: new Set(),
      services: new Set(),
      sites: new Set(),
      severity: "info",
      priorCount: 0,
      members: [],
      reasons: [],
      firstSignal: null,
      dirty: null,
      signals: new Set(),
      layers: new Set(),
      pinned: false,
      outage: false,
      severeSignals: 0,
      absorbed: [],
    };
  }

  private resolve(group: AlertGroup<Ref>): AlertGroup<Ref> {
    let current = group;
    while (current.mergedInto !== null) current = current.mergedInto;
    if (current !== group) group.mergedInto = current;
    return current;
  }

  private indexKey(entry: Evidence<Ref>, group: AlertGroup<Ref>): void {
    const list = entry.groups;
    if (!list) {
      entry.groups = [group];
      return;
    }
    if (list[list.length - 1] === group) return;
    list.push(group);
    // Long streams: keep the 8 most recent distinct groups per key (merged ones stand for what they merged
    // into), so lookups stay cheap.
    if (list.length > 12) {
      // Groups quiet for longer than any window but a clear's can no longer be linked through this key.
      const kind = entry.key[0];
      const horizon = group.endMs - (kind === "d" || kind === "c" ? this.config.clearWindowMs : 3_600_000);
      const live = [...new Set(list.map((g) => this.resolve(g)))].filter((g) => g.endMs >= horizon).slice(-8);
      list.length = 0;
      for (const g of live) list.push(g);
    }
  }
}

export { decodeState };

/**
 * The layers an alarm can be linked with and in which direction of time: earlier alarms of layers that can cause
 * it, later alarms of layers it can cause (both, for its own layer and mutual ones).
 */
/** A per-host key (`h|host|layer`) names a layer of the group's firing members. */
export function addLayerOfKey(layers: Set<Layer>, key: string): void {
  if (key.startsWith("h|")) layers.add(key.slice(key.lastIndexOf("|") + 1) as Layer);
}

function causalPartners(layer: Layer): ReadonlyArray<readonly [Layer, Direction]> {
  const known = partnersOf.get(layer);
  if (known) return known;
  const causes = new Set(causesOf(layer));
  const effects = new Set(effectsOf(layer));
  const partners: Array<readonly [Layer, Direction]> = [];
  for (const other of new Set([...causes, ...effects])) {
    partners.push([other, causes.has(other) && effects.has(other) ? "any" : causes.has(other) ? "before" : "after"]);
  }
  partnersOf.set(layer, partners);
  return partners;
}

const partnersOf = new Map<Layer, ReadonlyArray<readonly [Layer, Direction]>>();
const NO_PARTNERS: ReadonlyArray<readonly [Layer, Direction]> = [];

/** Whether a group holds alarms of any of `layers`. */
function hasAnyLayer<Ref>(group: AlertGroup<Ref>, layers: readonly Layer[]): boolean {
  for (const layer of layers) if (group.layers.has(layer)) return true;
  return false;
}

/**
 * Whether a group holds only alarms of what runs on the network (services, resources): symptoms with no failure
 * of the network among them, whose cause, when an alarm of one at their site turns up, is that one.
 */
function onlySymptoms<Ref>(group: AlertGroup<Ref>): boolean {
  for (const layer of group.layers) if (isInfrastructure(layer)) return false;
  return true;
}

/** A power alarm and a machine or application alarm: monitoring notices the effect minutes later. */
function slowToNotice(a: Layer, b: Layer): boolean {
  const other = a === "power" ? b : b === "power" ? a : null;
  return other === "power" || other === "machine" || other === "service" || other === "other";
}

/**
 * A service names what the alert is about, unless it is a Prometheus scrape job (Alertmanager alerts carry
 * `job`): one job scrapes unrelated targets, so sharing it says nothing.
 */
function usableService<Ref>(alert: CorrelationInput<Ref>): boolean {
  return alert.service !== "" && alert.tags.job === undefined;
}

function apart(ms: number): string {
  if (ms < 1000) return "within a second";
  if (ms < 120_000) return `${Math.round(ms / 1000)} s apart`;
  return `${Math.round(ms / 60_000)} min apart`;
}

function ago(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s earlier`;
  if (ms < 2 * 3600_000) return `${Math.round(ms / 60_000)} min earlier`;
  return `${(ms / 3600_000).toFixed(1)} h earlier`;
}

type Direction = "any" | "before" | "after";

/** The evidence and the layers it ties, written out only when it links (most offers find nothing). */
interface LayersReason {
  evidence: string;
  mine: Layer;
  theirs: Layer;
}

function layersReason(evidence: string, mine: Layer, theirs: Layer): LayersReason {
  return { evidence, mine, theirs };
}

function reasonText(reason: string | LayersReason, d: number): string {
  if (typeof reason === "string") return reason.replace("{d}", apart(d));
  const layers = reason.mine === reason.theirs ? `${reason.mine} alarms` : `${reason.theirs} → ${reason.mine}`;
  return `${reason.evidence}, ${layers}, ${apart(d)}`;
}
