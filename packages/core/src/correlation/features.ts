/**
 * What the correlator reads from one alert of any source: the network layer its alarm type belongs to, whether
 * it is background chatter, the entities its text names (circuits, addresses, other devices), the signal it
 * raises or clears, and the site its host name carries. Domain knowledge of networks, not any generator's names.
 */

/** Network layers, bottom up, plus the kinds of alarm that describe no failure of their own. */
export type Layer =
  | "power"
  | "hardware"
  | "optical"
  | "link"
  | "switching"
  | "storage"
  | "machine"
  | "routing"
  | "traffic"
  | "system"
  | "service"
  | "security"
  | "config"
  | "housekeeping"
  | "other";

/** Layers whose alarms report no failure by themselves (logins, scans, commits, clocks): never evidence. */
const CHATTER_LAYERS: ReadonlySet<Layer> = new Set(["security", "config", "housekeeping"]);

// Ordered: the first rule whose words occur in the alarm type (or, failing that, the message) wins, so the more
// specific kinds come first ("optical power low" is optical, not power; "bgp auth failure" is routing).
const LAYER_RULES: ReadonlyArray<readonly [Layer, RegExp]> = [
  ["housekeeping", /\b(?:ntp|ptp|clock|time sync|license\w*|backup|syslog|logging)\b/],
  // Performance-monitoring threshold crossings (TCAs): a counter over a 15-minute or 1-day bin passed its threshold.
  // They report measurements of whatever state the line is in (a cut span's bins read low for hours), not a fault
  // of their own; TL1-style condition types spell them `T-<counter>-15-MIN` / `T-<counter>-1-DAY`.
  [
    "housekeeping",
    /\b(?:tca|threshold crossing alert|pm threshold)\b|\b(?:15 ?min(?:ute)?|1 ?day|24 ?h(?:ou)?r?) (?:pm )?(?:bin|interval|pm)\b|^ t (?:\w+ )*(?:15 ?min|1 ?day) $/,
  ],
  ["traffic", /\b(?:ddos|dos|syn flood|flood(?:ing)?|volumetric|amplification|attack|scrubb\w*)\b/],
  [
    "optical",
    /\b(?:los|lof|lom|oof|optic\w*|transceiver|sfp\w*|sff\w*|ddm|qsfp\w*|xfp|dom|rx power|tx power|rx los|laser|ots|oms|och|osc|otu\d*\w*|odu\d*\w*|fec|pre fec|ber|edfa|amplifier|amp|roadm|dwdm|wdm|lambda|wavelength|span loss|fiber|fibre)\b/,
  ],
  [
    "power",
    /\b(?:power supply|psu|pem|ps fail\w*|pwr\w*|ups|mains|battery|rectifier|generator|voltage|input power|power (?:loss|fail\w*|outage|down|module)|on battery)\b/,
  ],
  [
    "hardware",
    /\b(?:cold ?start|warm ?start|fan\w*|temperature|temp|thermal|overheat\w*|chassis\w*|linecard|line card|fpc|pic|mpc|module fail\w*|card|asic|parity|edac|ecc|hardware|hw|memory error|disk fail\w*|smart|ipmi|watchdog|kernel panic|reload|reboot\w*|restart\w*|uptime)\b/,
  ],
  [
    "machine",
    /\b(?:node (?:not ready|unreachable|down|lost)|host (?:down|unreachable|lost)|server down|vm down|hypervisor (?:down|lost)|node down|kube node not ready|kube node unreachable|machine down|failover\w*|switchover|switching to (?:active|standby))\b/,
  ],
  [
    "storage",
    /\b(?:datastore\w*|lun\w*|san|nas|nfs|iscsi|fibre channel|fcoe|hba|multipath\w*|storage (?:path|array|device|controller|pool)\w*|volume (?:inaccessible|offline|degraded)|lost access to volume|path redundancy|raid|disk array|ceph|osd)\b/,
  ],
  [
    "routing",
    /\b(?:bgp|ospf\w*|isis|is is|ldp|mpls|rsvp|lsp|te tunnel|pim|igmp|msdp|vrrp|hsrp|glbp|bfd\w*|rpd|route\w*|routing|tracked|track \d+|prefix\w*|adjacency|adj\w*|neighbou?r|nbr\w*|peer\w*|vrf|rib|fib|evpn|vpls|pseudowire|pw)\b/,
  ],
  [
    "switching",
    /\b(?:stp|rstp|mstp|spanning tree|vlan|mac (?:flap\w*|move)|mac address|loop detect\w*|loop guard|bridging loop|l2 loop|lldp|cdp|vpc|mlag|storm control|err disable\w*|errdisable)\b/,
  ],
  [
    "link",
    /\b(?:link\w*|interface\w*|tunnel\w*|ike|ikev[12]|ipsec|isakmp|crypto|gre|if\w*status|if (?:down|up)|port\w*|lineproto\w*|line protocol|updown|carrier|lacp\w*|lag(?= (?:member|group|interface|port|down|up|\d))|bundle\w*|ae\d+|ethernet|eth|crc|input errors|output errors|discards|duplex|flap\w*|snmp trap link \w+)\b/,
  ],
  [
    "service",
    /\b(?:error budget|burn rate|slo|sli|availability|crash\w*|heartbeat\w*|instance down|target down|down|unreachable|probe\w*|blackbox|http\w*|https|dns|resolver|servfail|nxdomain|latency|packet loss|loss|jitter|timed out|timeout\w*|sla|icmp|ping|5xx|error rate|errors|upstream|backend|endpoint\w*|service\w*|api|web|database|db|postgres\w*|mysql|replication|kube\w*|pod\w*|container\w*|node not ready|not ready|scrape|job failed|queue|voip|sip|call\w*)\b/,
  ],
  [
    "system",
    /\b(?:cpu|memory|mem|ram|swap|oom|disk|filesystem|file system|storage|inode\w*|load|utili[sz]ation|capacity|congest\w*|bandwidth|saturat\w*|process\w*|threshold|high|full)\b/,
  ],
  [
    "security",
    /\b(?:auth\w*|login\w*|logon|logged|ssh|telnet|password|denied|deny|acl|blocked|drop(?:ped)?|scan\w*|brute|intrusion|ips|ids|threat|malware|vpn user|radius|tacacs|snmp authentication\w*|unauthori[sz]ed|certificate|cert)\b/,
  ],
  ["config", /\b(?:config\w*|commit\w*|configuration|changed by|archive|rollback|write memory|ui commit)\b/],
  ["housekeeping", /\b(?:info|notice|informational)\b/],
];

/** The alarm type and message as lower-case words, so `LinkDown`, `link_down` and `%LINK-3-UPDOWN` all read "link down". */
export function words(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

// Types a parser gives when it knows nothing better: the message has to speak.
const GENERIC_TYPE =
  /^ (?:syslog message|syslog|message|log|event|alert|alarm|notification|trap|snmp trap|alertmanager alert|generic|unknown|other) $/;

// Words that name a layer in an alarm type but mean little in free text ("reloaded the VCL", "errors high").
const VAGUE_IN_TEXT =
  /\b(?:reload\w*|reboot\w*|restart\w*|crash\w*|uptime|card|hw|high|full|load|down|up|errors|loss|process\w*|threshold|service\w*|api|web|info|notice|logging|port\w*|peer\w*|route\w*|link\w*|interface\w*|amp|dom|ber|fec|call\w*|queue|capacity)\b/g;

/**
 * The layer of an alarm: from its type first (the source's own classification), else from the first words of its
 * message with vague words left out.
 */
export function layerOf(alertType: string, message: string): Layer {
  const fromType = layerOfType(alertType);
  if (fromType !== null) return fromType;
  let layer = textLayers.get(message);
  if (layer === undefined) {
    layer = layerOfText(message);
    if (textLayers.size > TEXT_MEMO_SIZE) textLayers.clear();
    textLayers.set(message, layer);
  }
  return layer;
}

/** The layer a message's words name is remembered for this many messages at a time: feeds repeat a message. */
const TEXT_MEMO_SIZE = 10_000;
const textLayers = new Map<string, Layer>();

function layerOfText(message: string): Layer {
  const text = ` ${words(message).slice(0, 200).replace(VAGUE_IN_TEXT, " ")} `;
  for (const [layer, pattern] of LAYER_RULES) if (pattern.test(text)) return layer;
  return "other";
}

const typeLayers = new Map<string, Layer | null>();

/** The layer an alarm type names, or null when the type says nothing (generic, or no rule matches); memoized. */
function layerOfType(alertType: string): Layer | null {
  let layer = typeLayers.get(alertType);
  if (layer !== undefined) return layer;
  layer = null;
  const type = ` ${words(alertType)} `;
  if (!GENERIC_TYPE.test(type)) {
    for (const [candidate, pattern] of LAYER_RULES) {
      if (pattern.test(type)) {
        layer = candidate;
        break;
      }
    }
  }
  if (typeLayers.size > 50_000) typeLayers.clear();
  typeLayers.set(alertType, layer);
  return layer;
}

/** Layers of the network itself, whose failure takes down what sits on it; same-site evidence needs one of them. */
const INFRASTRUCTURE: ReadonlySet<Layer> = new Set([
  "power",
  "machine",
  "hardware",
  "optical",
  "link",
  "switching",
  "storage",
  "routing",
]);

export function isInfrastructure(layer: Layer): boolean {
  return INFRASTRUCTURE.has(layer);
}

export function isChatter(layer: Layer): boolean {
  return CHATTER_LAYERS.has(layer);
}

/**
 * What a failure at each layer can cause on other devices, as time runs: a power loss takes everything down, an
 * optical loss takes links down, a link down drops routing sessions and services, a flood saturates links and
 * starves routers, exhausted resources starve routing daemons and services. A later alarm joins an earlier one only
 * as its possible effect: an attack that starts next to a link failure is not caused by it.
 */
const EFFECTS: Readonly<Record<Layer, readonly Layer[]>> = {
  power: [
    "power",
    "machine",
    "hardware",
    "optical",
    "link",
    "switching",
    "storage",
    "routing",
    "system",
    "service",
    "other",
  ],
  hardware: ["hardware", "machine", "optical", "link", "switching", "storage", "routing", "system", "service", "other"],
  machine: ["machine", "link", "routing", "storage", "system", "service", "other"],
  optical: ["optical", "link", "switching", "routing", "service"],
  link: ["link", "switching", "storage", "routing", "service"],
  switching: ["switching", "link", "storage", "routing", "service"],
  storage: ["storage", "machine", "system", "service", "other"],
  routing: ["routing", "service"],
  traffic: ["traffic", "link", "routing", "system", "service"],
  system: ["system", "machine", "routing", "service"],
  service: ["service"],
  other: ["other", "service"],
  security: [],
  config: [],
  housekeeping: [],
};

const CAUSES: Readonly<Record<Layer, readonly Layer[]>> = (() => {
  const causes = Object.fromEntries(Object.keys(EFFECTS).map((layer) => [layer, [] as Layer[]])) as Record<
    Layer,
    Layer[]
  >;
  for (const [cause, effects] of Object.entries(EFFECTS) as Array<[Layer, readonly Layer[]]>) {
    for (const effect of effects) causes[effect].push(cause);
  }
  return causes;
})();

/** The layers whose earlier alarms can explain an alarm of `layer`. */
export function causesOf(layer: Layer): readonly Layer[] {
  return CAUSES[layer];
}

/** The layers whose later alarms an alarm of `layer` can explain. */
export function effectsOf(layer: Layer): readonly Layer[] {
  return EFFECTS[layer];
}

const RELATED = new Map<Layer, readonly Layer[]>();

/** Layers whose alarms can be cause or effect of an alarm of `layer`, in either order of time (itself included). */
export function relatedLayers(layer: Layer): readonly Layer[] {
  let related = RELATED.get(layer);
  if (!related) {
    related = [...new Set([...EFFECTS[layer], ...CAUSES[layer]])];
    RELATED.set(layer, related);
  }
  return related;
}

// "up" ends a condition only after the thing that came back ("link up", "bgp session up"), not in "filling up".
const CLEAR_WORDS =
  /\b(?:clear(?:ed)?|restored?|recovered|resolved|established|falling|normal|added|inserted)\b|\b(?:link|port|interface|if|session|neighbou?r|nbr|peer|bgp|ospf|isis|ldp|bfd|tunnel|lsp|adjacency|adj|protocol|lineproto|instance|target|node|host|service|power|psu|fan|probe|trap link)\s+up$|\s+ok$/;

// A message whose last word says the thing is fine again: "Failover cable OK.", "FRU power supply A inserted",
// "Monitoring on interface folink normal". Only the end of the text counts: "from Established to Idle" is a loss.
const RECOVERY_AT_END =
  /(?<!\bnot |\bno longer )\b(?:ok|okay|normal|inserted|restored|recovered|cleared|resolved)[\s.!]*$/i;

/** True when the message ends by reporting a recovery, whatever the alarm type says (many types name no state). */
export function endsWithRecovery(message: string): boolean {
  // The last words are all it reads: a tail keeps the search short on long messages (every alert passes here).
  return RECOVERY_AT_END.test(message.length > 48 ? message.slice(-48) : message);
}

// A redundant pair's own vocabulary across vendors: ASA and F5 failover, IOS-XR/SR OS switchover, Junos chassis
// cluster redundancy groups, PAN-OS HA peers, "mate" and "other unit" for the partner.
const REDUNDANCY = /\b(?:failover\w*|switchover|standby|redundan\w*|mate|ha (?:peer|state|link)|(?:peer|other) unit)\b/;

/** True when a machine alarm is about a redundant pair's state (failover, standby, the mate lost). */
export function namesRedundancy(alertType: string, message: string): boolean {
  return (
    REDUNDANCY.test(words(alertType)) || REDUNDANCY.test(words(message.length > 300 ? message.slice(0, 300) : message))
  );
}

/** True when the alarm type itself reports a condition ending ("CPU falling threshold", "link up"). */
export function isClearType(alertType: string): boolean {
  return typeFacts(alertType).clears;
}

const typeFactsCache = new Map<string, { signal: string; clears: boolean }>();

function typeFacts(alertType: string): { signal: string; clears: boolean } {
  let facts = typeFactsCache.get(alertType);
  if (!facts) {
    facts = { signal: computeSignal(alertType), clears: CLEAR_WORDS.test(words(alertType)) };
    if (typeFactsCache.size > 50_000) typeFactsCache.clear();
    typeFactsCache.set(alertType, facts);
  }
  return facts;
}

/** The condition an alarm raises or clears: its type without the state words, so a "link up" clears a "link down". */
export function signalOf(alertType: string): string {
  return typeFacts(alertType).signal;
}

function computeSignal(alertType: string): string {
  const stripped = words(alertType)
    .replace(
      /\b(?:up|down|clear(?:ed)?|restored?|recovered|resolved|established|fail(?:ed|ure)?|lost|alarm|changed|state|rising|falling|normal|ok|back|added|removed|inserted)\b/g,
      " ",
    )
    .replace(/\s+/g, " ")
    .trim();
  return stripped.length > 0 ? stripped : words(alertType);
}

// Circuit ids as carriers and NOCs write them: "CID LIS-MAD-0001", "circuit: 12/KQGN/123456", "ckt_id=XR-44".
const MAY_NAME_CIRCUIT = /cid|ckt|circuit|cct|svc|span/i;
const CIRCUIT =
  /\b(?:cid|ckt|circuit(?:[ _-]?id)?|cct|svc[ _-]?id|span)\b\s*(?:id)?\s*[:=#]?\s*["']?([A-Za-z0-9][A-Za-z0-9/._-]{2,40})/gi;
const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
const MAY_HOLD_IPV6 = /[0-9a-f]:[0-9a-f]*:/i;
const IPV6 =
  /\b(?:[0-9a-f]{1,4}:){2,7}(?::|[0-9a-f]{1,4})(?::[0-9a-f]{1,4})*\b|\b(?:[0-9a-f]{1,4}:)+:(?:[0-9a-f]{1,4}:?)*\b/gi;
// Names that look like devices: at least one hyphen or dot and a digit or a known separator, e.g. mad-cr1, pe2.lis.
const DEVICE_NAME = /\b[a-z][a-z0-9]*(?:[-.][a-z0-9]+)+\b(?![/:]\d)/gi;
// Interface names (xe-0/0/1, Gi0/1, ae12, Bundle-Ether10) and software versions repeat on every device.
const NOT_A_DEVICE =
  /^(?:xe|ge|et|ae|te|gi|fa|hu|fo|tw|eth|ethernet|gigabitethernet|tengige|tengigabitethernet|hundredgige|fortygige|bundle|port|lo|irb|vlan|ve|mgmt|management|em|fxp|ifd|ifl|lag|po|version|ios|junos|eos|sr|release|v)(?:[-.]|\d|$)/i;

/** Tag and label names whose values never name a shared thing (they describe the alert or its sender). */
const NON_ENTITY_TAGS = new Set([
  // The alert's own machine and the exporter or pod that reported it are not things two failures share.
  "instance",
  "host",
  "hostname",
  "node",
  "device",
  "endpoint",
  "container",
  "pod",
  "namespace",
  "metrics_path",
  "scheme",
  "receiver",
  "program",
  "severity",
  "alertname",
  "job",
  "site",
  "region",
  "service",
  "team",
  "env",
  "environment",
  "cluster",
  "prometheus",
  "monitor",
  "status",
  "priority",
  "category",
  "source",
]);

const tagNamesEntities = new Map<string, boolean>();

/** Whether a tag or label of this name can name a shared thing (not in NON_ENTITY_TAGS, any case); memoized. */
function namesEntities(name: string): boolean {
  let answer = tagNamesEntities.get(name);
  if (answer === undefined) {
    answer = !NON_ENTITY_TAGS.has(name.toLowerCase());
    if (tagNamesEntities.size > 10_000) tagNamesEntities.clear();
    tagNamesEntities.set(name, answer);
  }
  return answer;
}

/**
 * Entities an alarm names that another device's alarm can name too: circuit ids, IP addresses (a BGP peer, a
 * probed target) and other devices' names (an interface description "to mad-cr1", an LLDP neighbour). The host
 * itself is excluded: sharing a host is its own, stronger evidence.
 */
/**
 * The /30 a point-to-point link's two ends share, for an address that is one of them (x.x.x.4k+1 or 4k+2): a router
 * naming its upstream gateway (…1) and a peer naming that router's address on the link (…2) name one link. Null for
 * the subnet's own and broadcast addresses.
 */
export function pointToPointLink(address: string): string | null {
  const last = address.lastIndexOf(".");
  const octet = Number(address.slice(last + 1));
  if (octet % 4 !== 1 && octet % 4 !== 2) return null;
  return `${address.slice(0, last)}.${octet - (octet % 4)}/30`;
}

export function entitiesOf(host: string, message: string, tags: Readonly<Record<string, string>>): string[] {
  const found = new Set<string>();
  if (host.includes("/")) for (const owner of kubernetesOwners(host)) found.add(`device:${owner}`);
  const self = host.toLowerCase();
  const texts = [message];
  for (const name in tags) {
    const value = tags[name];
    if (typeof value === "string" && value !== "" && namesEntities(name)) texts.push(value);
  }
  for (const text of texts) {
    if (text.length === 0) continue;
    const sample = text.length > 2000 ? text.slice(0, 2000) : text;
    const mayNameCircuit = MAY_NAME_CIRCUIT.test(sample);
    // `exec` loops rather than `matchAll`, which copies the expression on every call (a storm's hottest line).
    if (mayNameCircuit) {
      for (let match = first(CIRCUIT, sample); match; match = CIRCUIT.exec(sample)) {
        const id = match[1]?.toLowerCase();
        if (id && /\d/.test(id)) found.add(`circuit:${id}`);
      }
    }
    for (let match = first(IPV4, sample); match; match = IPV4.exec(sample)) {
      found.add(`ip:${match[0]}`);
      const link = pointToPointLink(match[0]);
      if (link) found.add(`ip:${link}`);
    }
    // The IPv6 pattern is costly: only text with two hex groups around a colon can hold an address.
    if (MAY_HOLD_IPV6.test(sample)) {
      for (let match = first(IPV6, sample); match; match = IPV6.exec(sample)) {
        if (match[0].replace(/:/g, "").length >= 4) found.add(`ip:${match[0].toLowerCase()}`);
      }
    }
    for (let match = first(DEVICE_NAME, sample); match; match = DEVICE_NAME.exec(sample)) {
      // Capitals are vendor mnemonics (%PLATFORM-2-PS_FAIL, LINK-3-UPDOWN), not device names.
      const word = match[0];
      if (word === word.toUpperCase()) continue;
      const name = word.toLowerCase();
      if (name !== self && name.length >= 5 && /\d/.test(name) && !NOT_A_DEVICE.test(name)) found.add(`device:${name}`);
    }
  }
  // The host's own addresses and names in its own text are not links to anything else.
  found.delete(`device:${self}`);
  found.delete(`ip:${self}`);
  return [...found];
}

/** The first match of a global expression in `text`, starting over (its `lastIndex` is shared state). */
function first(pattern: RegExp, text: string): RegExpExecArray | null {
  pattern.lastIndex = 0;
  return pattern.exec(text);
}

/**
 * A Kubernetes pod named `namespace/owner-replicaset-hash` (or `namespace/statefulset-N`) belongs to its
 * deployment or stateful set: alarms about the owner and about its pods concern one thing.
 */
function kubernetesOwners(host: string): string[] {
  const match = /^([a-z0-9-]+)\/([a-z0-9-]+)$/.exec(host);
  if (!match) return [];
  const [, namespace, name = ""] = match;
  const owners: string[] = [];
  const replicaSet = /^(.+)-[a-z0-9]{8,10}-[a-z0-9]{5}$/.exec(name)?.[1];
  if (replicaSet) owners.push(`${namespace}/${replicaSet}`);
  const ordinal = /^(.+)-\d+$/.exec(name)?.[1];
  if (ordinal) owners.push(`${namespace}/${ordinal}`);
  return owners;
}

/**
 * The default site pattern: a leading site code (three letters, optionally digits, e.g. `fra1-`, `lis-`, `ams2.`)
 * unless the code is a device-role word, or the site label of a four-label name (`mx1.ams.example.net`, `pe1.lisbon.example.net`).
 */
export const DEFAULT_SITE_PATTERN = buildDefaultSitePattern();

/**
 * The default site pattern: a site code (three letters, optionally digits: `fra1-`, `lis-`, `ams2.`) leading the
 * name or following one device-role prefix (`k8s-fra2-w103`, `br-lyn-rtr1`, `ols-ams-t1`), unless the code is
 * itself a role or environment word; else the site label of a four-label name (`mx1.ams.example.net`).
 */
function buildDefaultSitePattern(): string {
  const roles =
    "cor|edg|acc|agg|dis|rtr|sw|swi|fw|lb|web|app|api|dns|db|sql|srv|ser|vm|hst|nod|olt|ols|ila|roa|otn|amp|bng|cpe|mux|ups|pdu|pe|ce|p|br|hv|esx|kvm|k8s|nas|san|bmc|ilo|drac|mgm|mgmt|oob|ap|wlc|log|mon|ntp|git|ci|wiki";
  const environments = "prd|prod|dev|stg|tst|uat|qa|lab|int|ext";
  const notSite = `(?!(?:${roles}|${environments})[0-9]*[-.])`;
  return `^(?:(?:${roles})[0-9]*-)?${notSite}(?<site>[a-z]{3}[0-9]{0,2})[-.]|^[a-z0-9-]+\\.(?<site2>[a-z]{3,12}[0-9]{0,2})\\.[a-z0-9-]+\\.[a-z]{2,}$`;
}

/** Builds the host → site function from a pattern with a named group `site` (or `site2`, `site3`… alternatives). */
export function sitePattern(pattern: string = DEFAULT_SITE_PATTERN): (host: string) => string | null {
  const regex = new RegExp(pattern, "i");
  const cache = new Map<string, string | null>();
  return (host) => {
    const known = cache.get(host);
    if (known !== undefined) return known;
    const groups = regex.exec(host)?.groups;
    let site: string | null = null;
    if (groups) {
      for (const [name, value] of Object.entries(groups)) {
        if (name.startsWith("site") && value) {
          site = value.toLowerCase();
          break;
        }
      }
    }
    if (cache.size > 100_000) cache.clear();
    cache.set(host, site);
    return site;
  };
}

/** Checks a site pattern: it must compile and name a `site` group. Returns the problem, or null. */
export function sitePatternProblem(pattern: string): string | null {
  try {
    new RegExp(pattern);
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
  return /\(\?<site\d*>/.test(pattern) ? null : "needs a named group (?<site>…)";
}

// Interface names as vendors print them: Gi1/0/14, xe-0/0/1, HundredGigE0/0/0/0, et-1/0/3, Port 1/1/3, ae12.
const INTERFACE_IN_TEXT =
  /\b((?:(?:[A-Z][A-Za-z-]*?)?(?:Ethernet|GigE|Gig|Gi|Te|Fa|Hu|Fo|Tw|Et|Eth|Port-channel|Bundle-Ether|Po)\s?|(?:xe|ge|et|ae|so|fe|gr|lt|irb)-|Port\s)\d+(?:[/.:]\d+)*)\b/;

/** The interface an alarm is about, from the source's labels or its text: several ports down are several signals. */
export function interfaceOf(message: string, tags: Readonly<Record<string, string>>): string | null {
  const labelled = tags.interface ?? tags.ifName ?? tags.ifDescr ?? tags.port;
  if (labelled) return labelled.toLowerCase();
  const found = INTERFACE_IN_TEXT.exec(message)?.[1];
  return found ? found.toLowerCase().replace(/\s+/g, "") : null;
}

// "for more than 15 minutes", "for 5m", "has been down for 10 minutes": how long the condition held before the
// alert fired (a Prometheus rule's `for:` clause, a poller's hold-down).
const HELD_FOR =
  /\bfor (?:more than |longer than |over |at least |the last )?(\d{1,4}(?:\.\d+)?) ?(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h)\b/i;

/** How long the alert's condition had held when it fired, as its text says (ms), or 0. At most a day. */
export function heldForMs(message: string): number {
  const match = HELD_FOR.exec(message);
  if (!match) return 0;
  const amount = Number(match[1]);
  const unit = (match[2] ?? "").toLowerCase();
  const scale = unit.startsWith("h") ? 3_600_000 : unit.startsWith("m") ? 60_000 : 1000;
  return Math.min(amount * scale, 86_400_000);
}
