/**
 * Evidence features: word patterns over alert types (and, as a fallback, messages) that say what a signal is
 * evidence of. Each feature votes for the categories it supports, strongly when it is a root signal of that
 * failure (weight ≥ ROOT_GRADE) and weakly when it is a symptom several failures share.
 */
import type { Layer, RcaCategory } from "@teleops/schema";
import { splitWords, stem } from "../text.ts";

/** A vote at or above this weight means "this is what the failure itself looks like", not a symptom. */
export const ROOT_GRADE = 2;

export type Votes = Partial<Record<RcaCategory, number>>;

/** Every group must be met by one of its words; none of the `none` words may appear. */
interface Pattern {
  all: ReadonlyArray<ReadonlySet<string>>;
  none: ReadonlySet<string>;
}

export interface EvidenceFeature {
  id: string;
  /** What the signal means, in an operator's words, for evidence notes. */
  meaning: string;
  patterns: readonly Pattern[];
  /** The layer a device reporting this signal most likely sits in, when the signal says so. */
  layer?: Layer;
  votes: Votes;
}

function words(list: string): Set<string> {
  return new Set(list.split("|").map((word) => stem(word)));
}

/** `p("bgp", "down|idle")`: the text mentions bgp and one of down/idle. */
function p(...groups: string[]): Pattern {
  return { all: groups.map(words), none: new Set() };
}

function pNot(none: string, ...groups: string[]): Pattern {
  return { all: groups.map(words), none: words(none) };
}

function feature(id: string, meaning: string, patterns: Pattern[], votes: Votes, layer?: Layer): EvidenceFeature {
  return layer === undefined ? { id, meaning, patterns, votes } : { id, meaning, patterns, votes, layer };
}

const DOWN = "down|fail|failed|failure|lost|loss|drop|dropped|expired|expire|timeout|idle|reset|closed";
const CACHE_PROCESS_DIED =
  "crash|crashed|died|exited|panic|restart|restarted|killed|unresponsive|respawn|abort|aborted";
/** Caches that are not an HTTP cache in front of an origin: CPU caches, name-service caches, forwarding tables. */
const NOT_AN_HTTP_CACHE =
  "arp|route|routing|fib|mac|nd|neighbor|dns|resolver|buffer|page|disk|cpu|l1|l2|l3|ecc|mce|parity|nscd|sssd|credential|redis|memcached";

export const FEATURES: readonly EvidenceFeature[] = [
  // Optical layer: light is gone or marginal.
  feature(
    "optical_signal_loss",
    "optical loss of signal/frame",
    [
      p("los|lof|lol|oof"),
      p("loss|lost|no", "signal|light|frame|carrier"),
      p(
        "optical|dwdm|otn|otu|otu4|odu|odu4|och|oms|ots|roadm|transponder|muxponder|wavelength|lambda|amplifier|edfa",
        "loss|los|lof|down|fail|failure|dark|alarm|low|lost",
      ),
      p("fiber|fibre", "cut|break|broken|loss|down|fail|failure|damage|damaged"),
    ],
    { fiber_cut: 3 },
    "optical",
  ),
  feature(
    "optical_power",
    "optical receive power out of range",
    [
      pNot("supply|psu|feed|module|unit", "rx|receive|optical|laser", "power|dbm"),
      p("span|fiber|fibre", "loss|attenuation"),
    ],
    { fiber_cut: 2, network_degradation: 1.2 },
  ),

  // Link layer: ports, errors, bundles.
  feature(
    "link_down",
    "interface down",
    [
      pNot(
        "bfd|lag|lacp|member|bundle|bgp|isis|ospf|ldp|session|flap|bounce|admin|administratively|shutdown",
        "link|interface|port|if|ifoper|line|lineproto|updown|phy|ethernet",
        "down|fail|failure|lost|dead",
      ),
      p("linkdown|ifdown|portdown"),
    ],
    { fiber_cut: 1.3, network_degradation: 0.7, router_freeze: 0.3 },
    "link",
  ),
  feature(
    "link_flap",
    "interface flapping",
    [pNot("bgp|bfd|lag|lacp|member", "link|interface|port|if", "flap|flapping|bounce|unstable")],
    { network_degradation: 1.8, fiber_cut: 0.4 },
    "link",
  ),
  feature(
    "crc_errors",
    "CRC / input errors on a port",
    [
      p("crc|fcs|runt|giant|symbol"),
      p("input|in|if|ifin|rx|receive|transmit|interface|port|phy|line|frame|bit|physical", "error|errored|errs"),
      p("duplex|speed|fec", "mismatch"),
      p("ber|fec|prefec", "high|degrade|degraded|error|uncorrected|exceeded|threshold"),
    ],
    { network_degradation: 3, fiber_cut: 0.3 },
    "link",
  ),
  feature(
    "packet_loss",
    "packet loss",
    [
      pNot(
        "output|tail|queue|input|ingress|egress|discard|rx|tx",
        "packet|pkt|probe|twamp|icmp|ping|path",
        "loss|lost",
      ),
      p("packetloss"),
    ],
    { network_degradation: 2.2, isp_peering_congestion: 0.8, ddos_edge: 0.2 },
  ),
  feature(
    "path_latency",
    "latency / jitter on a path",
    [
      pNot(
        "dns|db|database|sql|http|https|origin|query|client|transit|app|request|api|upstream|peer|peering|ttfb|p99|nginx|haproxy|envoy|ingress|apache|varnish|probe|blackbox",
        "latency|rtt|jitter|delay",
      ),
    ],
    { network_degradation: 1.2, isp_peering_congestion: 0.9, fiber_cut: 0.3, ddos_edge: 0.3 },
  ),
  feature(
    "transit_latency",
    "latency towards transit / peers",
    [p("transit|upstream|peer|peering|exit|external", "latency|rtt|delay|jitter")],
    { isp_peering_congestion: 1.5, network_degradation: 0.5, ddos_edge: 0.5 },
  ),
  feature(
    "bfd_down",
    "BFD session down",
    [pNot("flap|flapping", "bfd", DOWN)],
    { router_freeze: 1.0, network_degradation: 0.9, fiber_cut: 0.5 },
    "routing",
  ),
  feature(
    "bfd_flap",
    "BFD session flapping",
    [p("bfd", "flap|flapping|bounce|unstable")],
    { network_degradation: 1.4, router_freeze: 0.5 },
    "routing",
  ),
  feature(
    "lag_member_flap",
    "LAG member flapping",
    [pNot("timeout|partner|defaulted|expired|pdu", "lag|lacp|bundle|portchannel|member", "flap|bounce|degraded|down")],
    { network_degradation: 1.4, router_freeze: 0.3, fiber_cut: 0.3 },
    "link",
  ),
  feature(
    "lacp_timeout",
    "LACP partner stopped talking",
    [p("lacp|lag|bundle", "timeout|partner|defaulted|expired|pdu")],
    { router_freeze: 1.4, network_degradation: 0.5, fiber_cut: 0.3 },
    "link",
  ),

  // Routing: adjacencies, BGP, MPLS VPNs.
  feature(
    "igp_adjacency_down",
    "IGP adjacency lost",
    [pNot("bgp", "isis|ospf|eigrp|rip|igp|adjacency|adj", `${DOWN}|change|flap`)],
    { fiber_cut: 0.9, router_freeze: 1.0, network_degradation: 0.4 },
    "routing",
  ),
  feature(
    "ldp_session_down",
    "LDP / RSVP session lost",
    [pNot("vrf|vpn|leak|bgp", "ldp|rsvp|lsp|mpls|tunnel", `${DOWN}|withdrawn|flap`)],
    { fiber_cut: 0.9, router_freeze: 1.0, network_degradation: 0.3 },
    "routing",
  ),
  feature(
    "bgp_session_down",
    "BGP session down",
    [
      pNot(
        "vpn|vrf|prefix|route|path|up|established|flap|flapping|damping|dampening",
        "bgp|ebgp|ibgp",
        `${DOWN}|active|notification|backward|cease|state|transition|adjchange|neighbor|peer|session`,
      ),
    ],
    { bgp_flap: 1.6, fiber_cut: 0.6, router_freeze: 0.6 },
    "routing",
  ),
  feature(
    "bgp_session_up",
    "BGP session re-established",
    [pNot("vpn|vrf|prefix|route|path|down|idle", "bgp|ebgp|ibgp", "up|established|estab")],
    { bgp_flap: 1.2 },
    "routing",
  ),
  feature(
    "bgp_flapping",
    "BGP session flapping",
    [p("bgp|ebgp|ibgp|peer|neighbor", "flap|flapping|bounce|unstable|oscillating")],
    { bgp_flap: 3.2 },
    "routing",
  ),
  feature(
    "bgp_withdrawals",
    "BGP route withdrawals",
    [p("bgp|route|prefix|nlri|update", "withdraw|withdrawn|withdrawal")],
    { bgp_flap: 2.5, fiber_cut: 0.4, router_freeze: 0.4 },
    "routing",
  ),
  feature(
    "bgp_prefix_swing",
    "accepted prefix count swinging",
    [
      pNot(
        "vrf|vpn|limit|max|maximum|surge|leak|unexpected",
        "prefix|route|routes",
        "count|change|received|accepted|drop",
      ),
    ],
    { bgp_flap: 2 },
    "routing",
  ),
  feature(
    "bgp_damping",
    "route flap damping",
    [p("damping|dampening|dampened|suppressed")],
    { bgp_flap: 3 },
    "routing",
  ),
  feature(
    "best_path_change",
    "best-path churn",
    [p("best|bestpath", "path|change"), pNot("vrf|vpn", "route|path|next", "churn|change|hop")],
    { bgp_flap: 1.2, fiber_cut: 0.3, router_freeze: 0.3 },
    "routing",
  ),
  feature(
    "traffic_shift",
    "traffic shifting between exits",
    [p("traffic|flow", "shift|swing|moved|reroute|rerouted")],
    { bgp_flap: 1.2, isp_peering_congestion: 0.6, fiber_cut: 0.3 },
  ),
  feature(
    "vrf_leak",
    "VRF importing foreign routes",
    [
      p("vrf|vpn|vpnv4|vpnv6|l3vpn|evpn", "leak|leaked|import|export|unexpected|foreign|mismatch|wrong"),
      p("route|rt", "target"),
      p("rt", "mismatch|import|wrong"),
      p("leak|leaked", "route|routes|prefix"),
    ],
    { mpls_vpn_leak: 3.2, bgp_flap: 0.3 },
    "routing",
  ),
  feature(
    "vpn_prefix_surge",
    "VRF / VPNv4 prefix surge or limit",
    [p("vrf|vpn|vpnv4|vpnv6|l3vpn", "prefix|route|routes|limit|max|maximum|surge|threshold|exceeded")],
    { mpls_vpn_leak: 2.4 },
    "routing",
  ),
  feature(
    "max_prefix",
    "maximum-prefix limit",
    [pNot("vrf|vpn", "prefix|maximum|max|maxpfx", "limit|exceeded|exceed|threshold|reached")],
    { mpls_vpn_leak: 1.2, bgp_flap: 1.2 },
    "routing",
  ),
  feature(
    "zone_mismatch",
    "traffic arriving in the wrong zone",
    [p("zone", "mismatch|wrong|unexpected")],
    { mpls_vpn_leak: 1.4, firewall_rule_misconfig: 1.0 },
    "service",
  ),

  // Capacity and attacks.
  feature(
    "port_utilization",
    "port utilisation high",
    [
      p(
        "interface|port|link|uplink|circuit|pni|ix|peering|transit|egress|ingress|if|bandwidth|trunk",
        "utilization|utilisation|util|usage|congestion|congested|load",
      ),
      p("bandwidth|congestion|congested|oversubscribed|oversubscription"),
    ],
    { isp_peering_congestion: 2.6, ddos_edge: 0.8, fiber_cut: 0.5 },
  ),
  feature("port_saturation", "port saturated", [p("saturation|saturated|linerate")], {
    ddos_edge: 2.2,
    isp_peering_congestion: 1.8,
  }),
  feature("output_drops", "output queue drops", [p("output|egress|tail|queue|tx|wred", "drop|discard|loss")], {
    isp_peering_congestion: 2.6,
    network_degradation: 0.3,
  }),
  feature("input_drops", "input discards", [p("input|ingress|policer|overrun", "drop|discard")], {
    ddos_edge: 2.2,
    isp_peering_congestion: 0.3,
    network_degradation: 0.3,
  }),
  feature(
    "port_drops",
    "port drops",
    [pNot("input|ingress|output|egress|tail|queue|zone|policy|rule", "interface|port", "drop|discard")],
    { isp_peering_congestion: 1.2, ddos_edge: 0.8, network_degradation: 0.6 },
  ),
  feature(
    "traffic_anomaly",
    "traffic anomaly",
    [p("traffic|netflow|flow|sflow|ipfix|pps|bps", "anomaly|spike|surge")],
    { ddos_edge: 2, isp_peering_congestion: 0.8 },
  ),
  feature(
    "ddos",
    "attack traffic",
    [p("ddos|dos|attack|flood|amplification|reflection|volumetric|botnet|synflood|scrubbing|rtbh|blackhole|flowspec")],
    { ddos_edge: 3.5 },
  ),
  feature(
    "session_table",
    "firewall session table filling",
    [p("session|conn|connection|state", "table"), p("conntrack"), p("syn", "rate|flood|cookie|high")],
    { ddos_edge: 1.6, firewall_rule_misconfig: 0.4 },
    "service",
  ),

  // Services.
  feature(
    "dns_failure",
    "resolver failing (SERVFAIL / timeouts)",
    [
      p("servfail|nxdomain"),
      pNot(
        "resolution|lookup|getaddrinfo|eai|client|latency|slow",
        "dns|dnssec|resolver|resolv|recursor|recursive|recursion|named|unbound|bind|dnsmasq|coredns",
        "fail|failed|failure|timeout|down|error|unreachable|queue|full|unavailable|drop|overload|unhealthy|refused|requestlist|exhausted|quota|expired",
      ),
    ],
    { dns_outage: 3 },
    "service",
  ),
  feature(
    "dns_client_failure",
    "clients failing name lookups",
    [
      p("resolution|lookup|getaddrinfo|nslookup|resolve|name", "fail|failed|failure|error|timeout|again|cannot|unable"),
      p("eai"),
    ],
    { dns_outage: 1.6 },
    "application",
  ),
  feature(
    "dns_latency",
    "slow name lookups",
    [p("dns|resolver|recursion", "latency|slow|rtt")],
    { dns_outage: 1.4, network_degradation: 0.8 },
    "service",
  ),
  feature(
    "cache_collapse",
    "cache hit ratio collapse / origin surge",
    [
      p("cache|cdn|varnish|nginx", "hit|miss|ratio|purge|ban|stampede|eviction|evicted|cold"),
      p("origin", "surge|request|rps|overload|storm"),
      p(
        "cache|cdn|varnish",
        "backend|upstream",
        "connection|busy|full|exhaust|limit|high|fail|failed|failure|error|sick|unhealthy",
      ),
      p("stampede|thundering|herd"),
    ],
    { cdn_cache_stampede: 3 },
    "service",
  ),
  feature(
    "origin_fetch_slow",
    "slow or failing origin fetches",
    [p("origin", "fetch|latency|error|timeout|slow|5xx")],
    { cdn_cache_stampede: 0.8, network_degradation: 0.4, router_freeze: 0.4, fiber_cut: 0.3 },
    "service",
  ),
  feature(
    "client_latency",
    "clients see slow delivery",
    [p("client|ttfb|viewer|user|eyeball", "latency|slow|ttfb|delay"), p("ttfb")],
    { isp_peering_congestion: 0.6, ddos_edge: 0.5, bgp_flap: 0.4, cdn_cache_stampede: 0.4, fiber_cut: 0.2 },
  ),
  feature(
    "policy_deny",
    "firewall policy denying traffic",
    [
      pNot(
        "zone|session|table",
        "firewall|fw|policy|acl|rule|security|secpolicy|filter",
        "deny|denied|block|blocked|reject|rejected|shadow|shadowed",
      ),
      pNot("zone|session|table|queue|tail|output|input", "firewall|fw|acl", "drop|dropped"),
    ],
    { firewall_rule_misconfig: 3 },
    "service",
  ),
  feature(
    "policy_change",
    "firewall policy change",
    [
      p(
        "policy|rule|acl|firewall|fw|ruleset",
        "commit|change|changed|push|install|update|modified|edit|misconfig|misconfiguration",
      ),
    ],
    { firewall_rule_misconfig: 2.6 },
    "service",
  ),
  feature(
    "health_check_failed",
    "health checks failing",
    [p("health|healthcheck|healthz", "check|fail|failed|down|timeout"), p("healthcheck")],
    { firewall_rule_misconfig: 1.2, ddos_edge: 0.3, database_latency_spike: 0.3, dns_outage: 0.3 },
    "application",
  ),
  feature(
    "upstream_connect_timeout",
    "upstream connections timing out",
    [
      pNot(
        "db|database|pool|sql|dns|client|origin",
        "upstream|connect|connection|tcp|syn",
        "timeout|refused|reset|unanswered|timedout",
      ),
    ],
    { firewall_rule_misconfig: 1.2, ddos_edge: 0.4 },
    "application",
  ),
  feature(
    "client_connection_timeout",
    "client connections timing out",
    [p("client", "connection|connect", "timeout|reset|refused")],
    { mpls_vpn_leak: 0.6, firewall_rule_misconfig: 0.6, ddos_edge: 0.4 },
    "application",
  ),
  feature(
    "http_errors",
    "application latency / errors",
    [
      pNot(
        "dns|db|database|sql|origin|cache|pool",
        "http|https|5xx|4xx|apdex|api|web|response|p99|slo|nginx|haproxy|envoy|ingress|apache",
        "latency|error|rate|high|fail|slow|timeout|breach",
      ),
      p("service|server|backend|upstream", "unavailable"),
    ],
    {
      database_latency_spike: 0.5,
      cdn_cache_stampede: 0.5,
      dns_outage: 0.4,
      ddos_edge: 0.4,
      firewall_rule_misconfig: 0.4,
    },
    "application",
  ),
  feature(
    "db_pool_exhausted",
    "database connection pool exhausted",
    [p("db|database|sql|jdbc|hikari|hikaripool|pgbouncer|postgres|mysql", "pool")],
    { database_latency_spike: 1.8 },
    "application",
  ),
  feature(
    "worker_pool_exhausted",
    "worker / connection pool exhausted",
    [
      pNot(
        "db|database|sql|jdbc|hikari|pgbouncer|nat|pat|snat|napt|cgnat|xlate",
        "worker|thread|connection|pool",
        "pool|exhaust|exhausted|busy|saturated",
      ),
    ],
    { cdn_cache_stampede: 1.0, database_latency_spike: 0.6, ddos_edge: 0.4 },
    "application",
  ),
  feature(
    "db_contention",
    "database locks / slow queries",
    [
      p(
        "db|database|sql|postgres|postgresql|pg|mysql|mariadb|oracle|mongo|mongodb|mssql",
        "lock|deadlock|slow|wait|blocking|blocked|latency|contention|response|time|timeout",
      ),
      p("deadlock|lockwait"),
      p("lock", "wait|contention|timeout|held"),
      p("slow", "query|statement"),
    ],
    { database_latency_spike: 3 },
    "application",
  ),
  feature(
    "db_connections",
    "database connections high",
    [p("db|database|postgres|postgresql|mysql|pg|sql", "connection|session"), p("too", "many", "connection")],
    { database_latency_spike: 1.8, cdn_cache_stampede: 0.3 },
    "application",
  ),
  feature(
    "db_replication_lag",
    "replica falling behind",
    [p("replication|replica|standby|slave", "lag|delay|behind|broken|stopped")],
    { database_latency_spike: 2 },
    "application",
  ),

  // Router control plane.
  feature(
    "management_silent",
    "device stopped answering management (SNMP / telemetry)",
    [
      pNot(
        "trap|link|interface|port|if|linkdown|auth|authentication|authfail|community|login|password|unauthorized",
        "snmp|poll|poller|polling|telemetry|gnmi|netconf|ssh|grpc|mgmt|management|streaming",
        "timeout|stale|unreachable|lost|fail|failed|failure|silent|missing|unresponsive|no|down",
      ),
    ],
    { router_freeze: 2.8, other: 0.3 },
  ),
  feature(
    "control_plane_hung",
    "control plane hung",
    [
      p("control|routing|re|rsp|cpm|supervisor", "plane|engine"),
      p("scheduler|sched", "slip|stall|stalled"),
      p("rpd|re|routing|control|cpm|rsp|supervisor|router", "not|no", "responding|responsive|response"),
      pNot(
        "db|database|sql|dns|resolver|app|cache|child|worker|varnish|nginx|pod|container",
        "hung|hang|freeze|frozen|wedged|stuck|unresponsive",
      ),
    ],
    { router_freeze: 3, other: 0.4 },
    "routing",
  ),
  feature(
    "device_unreachable",
    "device unreachable",
    [
      pNot(
        "dns|db|database|postgres|postgresql|mysql",
        "node|host|device|router|system|chassis|target|instance",
        "down|unreachable|unresponsive|dead",
      ),
      pNot("dns|resolv|resolving", "unreachable"),
    ],
    { router_freeze: 1.2, other: 1.0, fiber_cut: 0.3 },
  ),
  feature(
    "node_not_ready",
    "machine or Kubernetes node not ready",
    [p("node|kubelet|host|server|machine|vm|worker", "notready|notreachable"), p("kubelet", "down|unreachable")],
    { other: 2.2, router_freeze: 0.3 },
  ),
  feature(
    "probe_failed",
    "synthetic probe failing (blackbox, ICMP, IP SLA)",
    [
      p(
        "probe|blackbox|icmp|ping|sla|track|tracked|synthetic",
        "fail|failed|failure|down|timeout|unreachable|slow|loss|lost",
      ),
    ],
    {
      network_degradation: 0.8,
      router_freeze: 0.4,
      firewall_rule_misconfig: 0.4,
      fiber_cut: 0.3,
      dns_outage: 0.3,
      other: 0.5,
    },
    "service",
  ),
  feature(
    "database_down",
    "database down or refusing connections",
    [
      p(
        "postgres|postgresql|mysql|mariadb|db|database|mongo|mongodb|redis|oracle|mssql",
        "down|unreachable|unavailable|crash|crashed|recovery",
      ),
    ],
    { database_latency_spike: 2, other: 1 },
    "application",
  ),
  feature("cpu_high", "CPU high", [p("cpu|cpuutil", "high|spike|util|utilization|exhausted|busy")], {
    router_freeze: 0.6,
    other: 0.6,
  }),
  // A CPU hog is a network OS reporting one process starving the rest (IOS/XE `%SYS-3-CPUHOG`, IOS-XR
  // `WD_SYSMON CPU_HOG`): if it lasts, the control plane stops servicing keepalives, the start of a freeze. A lone
  // hog is often transient (a big `show` or a BGP table walk), so it is a symptom-grade vote: it backs a freeze only
  // with corroboration (neighbours' hold timers expiring on the device, management going silent).
  feature("cpu_hog", "a process hogging the CPU (control plane starved)", [p("cpuhog"), p("cpu", "hog|hogging")], {
    router_freeze: 1.2,
    other: 0.6,
  }),

  // Outside the scenario catalog: hardware, environment, software faults, background hygiene.
  feature(
    "power_environment",
    "power / cooling fault",
    [
      p(
        "psu|powersupply|pem|pdu|ups|battery|rectifier|fan|fantray|blower|temperature|temp|thermal|overheat|overheating|overtemperature|hot|cooling|hvac|voltage|humidity|airflow|smoke",
      ),
      pNot("rx|dbm|optical|signal|laser", "power", "supply|fail|failure|loss|lost|outage|feed|input|module"),
    ],
    { power_or_environment: 2.4 },
  ),
  feature(
    "hardware_fault",
    "hardware fault (card, module, memory, disk)",
    [
      p("edac|mce"),
      p("memory|dimm|ecc", "uncorrectable|correctable|parity|ecc"),
      p(
        "linecard|fpc|pic|asic|npu|hardware|hw|chassis|slot|card|envmon|disk|drive|ssd|raid|fru",
        "fail|failed|failure|offline|fault|error|removed|crash|degraded|absent",
      ),
    ],
    { hardware_failure: 2.4 },
  ),
  feature(
    "software_fault",
    "software crash / leak / unexpected reboot",
    [
      p("crash|crashed|coredump|segfault|panic|oom|oomkill|abort|sigsegv|sigabrt|traceback|bug|mallocfail"),
      p("core", "dump|file"),
      p(
        "process|daemon|service|container|pod|task",
        "crash|died|exit|exited|restart|restarted|killed|respawn|terminated",
      ),
      p("memory", "leak|exhausted|oom|allocation"),
      pNot("config|configuration|vcl|zone", "reboot|rebooted|coldstart|warmstart|reload|reloaded"),
      p("system|chassis|device|router|switch", "restart|restarted"),
      p("child|process|worker|daemon", "unresponsive|hung|hang|stuck|killed"),
      p("watchdog", "timeout|reset|expired|reboot|reload|bite"),
    ],
    { other: 2.4, router_freeze: 0.3 },
  ),
  // A cache server's process that dies comes back empty (Varnish keeps its objects in the child's memory): every
  // request then misses and goes to the origin. The restart is what a stampede starts from, not just a software
  // fault. Only HTTP cache servers count: the bare word "cache" is also a CPU's (an MCE "L3 cache error"), a name
  // service's (nscd, sssd) or a database used as one (Redis), none of which sends its misses to an origin.
  feature(
    "cache_restart",
    "cache server process crashed or restarted (comes back cold)",
    [
      pNot(NOT_AN_HTTP_CACHE, "varnish|varnishd|squid|trafficserver|cdn", CACHE_PROCESS_DIED),
      // A cache server's own process roles: Varnish's child, nginx's cache manager and cache loader.
      pNot(NOT_AN_HTTP_CACHE, "cache", "child|manager|loader", CACHE_PROCESS_DIED),
    ],
    { cdn_cache_stampede: 2.4, other: 1.2 },
    "service",
  ),
  // Writes failing for lack of space, in the kernel's own words: the one resource line that states its cause so
  // plainly that the message alone counts in full (STATED_CAUSES).
  feature(
    "no_space_left",
    "writes failing: no space left on device (ENOSPC)",
    [p("enospc"), p("nospaceleftondevice")],
    { capacity_exhaustion: 2.4 },
  ),
  // A resource that has run out (writes failing, translations refused) is the cause of what follows; one that is
  // running low (below) stays background. "ranout" is set by wordSet only for a final state: "full" or "exhausted"
  // not hedged (almost, nearly, predicted, in 4 days, 91 %), not an adjective ("full volume backup") and not an
  // OSPF adjacency state ("from FULL to DOWN").
  feature(
    "resource_exhausted",
    "a resource exhausted (disk full, no space left, NAT/PAT pool exhausted)",
    [
      p("disk|filesystem|volume|partition|inode|storage|tablespace|wal", "ranout"),
      p("nospaceleft"),
      p("nat|pat|snat|napt|cgnat|xlate|translation", "ranout"),
    ],
    { capacity_exhaustion: 2.4 },
  ),
  feature(
    "resource_running_out",
    "a resource running out (disk, memory, connection tables, quota)",
    [
      p(
        "disk|filesystem|inode|memory|swap|space|volume|persistentvolume|conntrack|quota|pool",
        "full|filling|exhausted|out|almost|low|left",
      ),
    ],
    { capacity_exhaustion: 0.6 },
  ),
  feature(
    "config_commit",
    "a configuration change",
    [pNot("policy|rule|acl|firewall|fw|ruleset|reload|reloading", "config|configuration|configured|commit|committed")],
    { config_change: 0.6 },
  ),
  feature(
    "housekeeping",
    "background housekeeping (disk, memory, clock, certificates, backups)",
    [p("disk|filesystem|inode|memory|swap|ntp|clock|cert|certificate|tls|ssl|backup|license|logrotate|drift|expiring")],
    { other: 0.4 },
  ),

  // Recognised, and evidence of nothing: recoveries, administrative actions and authentication noise. Knowing
  // them keeps them from voting "something unknown".
  feature(
    "condition_cleared",
    "a condition ending (up, established, cleared)",
    [
      pNot(
        "down|fail|failed|failure|high|full|exhausted|loss|lost",
        "up|cleared|clear|restored|recovered|established|healthy|ok",
      ),
    ],
    {},
  ),
  feature("admin_action", "an administrative shutdown", [p("admin|administratively", "down|shutdown|disabled")], {}),
  feature(
    "auth_failure",
    "an authentication failure (someone with the wrong credentials)",
    [p("auth|authentication|authfail|login|logon|password", "fail|failed|failure|denied|invalid")],
    {},
  ),
];

/** Lower-cased, stemmed words of an alert type or message. */
export function wordSet(text: string): Set<string> {
  const list = splitWords(text).map(stem);
  const set = new Set(list);
  // Two-word spellings of one idea: "timed out" is a timeout, "not ready" one state, "dead locks" deadlocks.
  for (let i = 1; i < list.length; i++) {
    const joined = COMPOUNDS.get(`${list[i - 1]} ${list[i]}`);
    if (joined) set.add(joined);
  }
  // Phrases whose words mean something only in that order ("no route to host; space reserved; left …" is not
  // "no space left").
  const spaced = ` ${list.join(" ")} `;
  for (const [phrase, token] of PHRASES) if (spaced.includes(phrase)) set.add(token);
  if (set.has("full") || set.has("exhausted") || set.has("depleted")) {
    if (ranOut(text)) set.add("ranout");
  }
  return set;
}

const COMPOUNDS = new Map([
  ["timed out", "timeout"],
  ["time out", "timeout"],
  ["not ready", "notready"],
  ["not reachable", "notreachable"],
  ["dead lock", "deadlock"],
  ["health check", "healthcheck"],
  ["traffic server", "trafficserver"],
]);

/** Stemmed word sequences read as one token (space-padded, so they match whole words only). */
const PHRASES: ReadonlyArray<[string, string]> = [
  [" no space left on device ", "nospaceleftondevice"],
  [" no space left ", "nospaceleft"],
];

/** A hedge: the resource is filling or forecast to fill, or the line is about a backup; not a resource that ran out. */
const NOT_YET =
  /\b(?:almost|nearly|near|approaching|predicted|predict|prediction|forecast|projected|soon|fill|fills|filling|backup|backups)\b|\bwill\s+(?:be\s+|soon\s+)?(?:full|exhausted|fill|run)\b|\bin\s+(?:\d+|an?|one|two|three|four|five|six|seven|few|several)\s+(?:mins?|minutes?|hrs?|hours?|days?|weeks?)\b/i;
/** OSPF's FULL is an adjacency state ("from FULL to DOWN", "FULL/DR"), not a full resource. */
const ADJACENCY_FULL = /\b(?:from|to)\s+full\b|\bfull\s*(?:\bto\b|\/)/i;
/** "full" as a final state: after a verb or the resource's name, or ending its clause; never an adjective before a noun. */
const FULL_STATE =
  /\b(?:is|are|was|were|became|becomes|now|got|completely|totally|disk|drive|filesystem|fs|volume|partition|inodes?|storage|tablespace|wal)\s+full\b|\bfull\s*(?:$|[^\w\s/])/i;
const EXHAUSTED = /\b(?:exhausted|depleted)\b/i;
const PERCENT = /(\d+(?:\.\d+)?)\s*(?:%|percent\b|pct\b)\s*(\w*)/gi;

/**
 * True when the text says a resource has run out ("is full", "disk full", "pool exhausted"), false when it only
 * warns that one is running out: hedged (almost, nearly, predicted, will, in 4 days, filling), a percentage short
 * of it ("91% full", "10% left"), an adjective ("Full volume backup completed") or an OSPF state ("FULL to DOWN").
 */
export function ranOut(text: string): boolean {
  // Types arrive as `db_disk_full` or `KubePersistentVolumeFullInFourDays`: read them as words.
  const spaced = text.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/_/g, " ");
  if (NOT_YET.test(spaced) || ADJACENCY_FULL.test(spaced)) return false;
  for (const match of spaced.matchAll(PERCENT)) {
    const value = Number(match[1]);
    const left = /^(?:free|left|available|avail|remaining)$/i.test(match[2] ?? "");
    if (left ? value > 0 : value < 100) return false;
  }
  return FULL_STATE.test(spaced) || EXHAUSTED.test(spaced);
}

function matches(pattern: Pattern, tokens: ReadonlySet<string>): boolean {
  for (const word of pattern.none) if (tokens.has(word)) return false;
  for (const group of pattern.all) {
    let hit = false;
    for (const word of group) {
      if (tokens.has(word)) {
        hit = true;
        break;
      }
    }
    if (!hit) return false;
  }
  return true;
}

export interface FeatureMatch {
  features: EvidenceFeature[];
  /** Per category, the strongest vote among the matched features (overlapping features do not add up). */
  votes: Map<RcaCategory, number>;
  /** The highest layer the matched features imply (a router reporting both link and BGP alarms is a router). */
  layer: Layer | undefined;
}

const LAYER_ORDER: readonly Layer[] = ["optical", "link", "routing", "service", "application"];

/** Features by the words of their patterns' first group: a feature can only match text holding one of them. */
const BY_FIRST_WORD = new Map<string, Set<EvidenceFeature>>();
for (const f of FEATURES) {
  for (const pattern of f.patterns) {
    for (const word of pattern.all[0] ?? []) {
      let set = BY_FIRST_WORD.get(word);
      if (!set) {
        set = new Set();
        BY_FIRST_WORD.set(word, set);
      }
      set.add(f);
    }
  }
}

export function matchFeatures(tokens: ReadonlySet<string>): FeatureMatch {
  const candidates = new Set<EvidenceFeature>();
  for (const token of tokens) for (const f of BY_FIRST_WORD.get(token) ?? []) candidates.add(f);
  // FEATURES order, so the result does not depend on the order of the words.
  const features =
    candidates.size === 0
      ? []
      : FEATURES.filter((f) => candidates.has(f) && f.patterns.some((pattern) => matches(pattern, tokens)));
  const votes = new Map<RcaCategory, number>();
  let layer: Layer | undefined;
  for (const f of features) {
    for (const [category, weight] of Object.entries(f.votes) as Array<[RcaCategory, number]>) {
      votes.set(category, Math.max(votes.get(category) ?? 0, weight));
    }
    if (f.layer && (layer === undefined || LAYER_ORDER.indexOf(f.layer) > LAYER_ORDER.indexOf(layer))) {
      layer = f.layer;
    }
  }
  return { features, votes, layer };
}

const typeCache = new Map<string, FeatureMatch>();
const TYPE_CACHE_LIMIT = 5_000;

/** Feature match of an alert type; alert types repeat endlessly, so the answer is cached. */
export function matchAlertType(alertType: string): FeatureMatch {
  let match = typeCache.get(alertType);
  if (!match) {
    match = matchFeatures(wordSet(alertType));
    if (typeCache.size >= TYPE_CACHE_LIMIT) typeCache.clear();
    typeCache.set(alertType, match);
  }
  return match;
}

/** Features that read a condition ending; the only ones a recovery alert can match. */
const RECOVERY_FEATURES = new Set(["bgp_session_up", "condition_cleared"]);
const RECOVERY_WORDS = new Set(["up", "cleared", "clear", "restored", "recovered", "established", "ok", "healthy"]);

/** True when the alert type's last word says the condition ended (`bgp_session_up`, `los_cleared`). */
export function reportsRecovery(alertType: string): boolean {
  const words = splitWords(alertType);
  const last = words[words.length - 1] ?? "";
  // "filling up" and "backing up" are conditions, not a thing coming back up.
  if (last === "up" && (words[words.length - 2] ?? "").endsWith("ing")) return false;
  return RECOVERY_WORDS.has(last);
}

/**
 * Features that say what happened more precisely than others matching the same line: a line that says the disk is
 * full or the cache child died is read as that, and its generic words ("PANIC", "died", "memory") do not also vote
 * for an unexplained software fault or background housekeeping.
 */
const SUPERSEDES: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ["no_space_left", new Set(["software_fault", "housekeeping"])],
  ["resource_exhausted", new Set(["software_fault", "housekeeping"])],
  ["cache_restart", new Set(["software_fault"])],
  ["hardware_fault", new Set(["housekeeping"])],
]);
/**
 * Causes stated in so many words count in full even when only the message says so: ENOSPC ("No space left on
 * device") and a cache server's process dying. Other resource lines ("disk full" in free text) count at the
 * message weight like any other message: free text is where forecasts and other devices' states are written.
 */
const STATED_CAUSES: ReadonlySet<string> = new Set(["no_space_left", "cache_restart"]);

function explainedBy(features: readonly EvidenceFeature[]): Set<string> | undefined {
  let explained: Set<string> | undefined;
  for (const f of features) {
    for (const id of SUPERSEDES.get(f.id) ?? []) {
      explained ??= new Set();
      explained.add(id);
    }
  }
  return explained;
}

function strongestVotes(features: readonly EvidenceFeature[]): Map<RcaCategory, number> {
  const votes = new Map<RcaCategory, number>();
  for (const f of features) {
    for (const [category, vote] of Object.entries(f.votes) as Array<[RcaCategory, number]>) {
      votes.set(category, Math.max(votes.get(category) ?? 0, vote));
    }
  }
  return votes;
}

/** A message counts for less than the alert type: it is free text and often mentions other devices. */
const MESSAGE_WEIGHT = 0.6;
/** Alert types no feature recognizes are weak evidence of something outside the catalog. */
export const UNRECOGNIZED_VOTE = 0.3;

/**
 * What one alert is evidence of, as the engine reads it: the features of its type, those of its message at a
 * lower weight, and a weak "other" when nothing is recognised at all.
 */
export function readSignals(alertType: string, message: string): FeatureMatch {
  const byType = matchAlertType(alertType);
  // An alert type that reports a condition ending (`link_up`, `…_cleared`) is evidence of the ending only, never
  // of the failure its other words name; its message repeats those words and is not read either.
  if (reportsRecovery(alertType)) {
    const features = byType.features.filter((f) => RECOVERY_FEATURES.has(f.id));
    return { features, votes: strongestVotes(features), layer: byType.layer };
  }
  const byMessage = message ? matchFeatures(wordSet(message)) : undefined;
  let typeFeatures = byType.features;
  let messageFeatures = byMessage?.features ?? [];
  let votes = new Map(byType.votes);
  let messageVotes = byMessage?.votes ?? new Map<RcaCategory, number>();
  const explained = explainedBy([...typeFeatures, ...messageFeatures]);
  if (explained) {
    typeFeatures = typeFeatures.filter((f) => !explained.has(f.id));
    messageFeatures = messageFeatures.filter((f) => !explained.has(f.id));
    votes = strongestVotes(typeFeatures);
    messageVotes = strongestVotes(messageFeatures);
  }
  for (const [category, vote] of messageVotes) {
    votes.set(category, Math.max(votes.get(category) ?? 0, vote * MESSAGE_WEIGHT));
  }
  for (const f of messageFeatures) {
    if (!STATED_CAUSES.has(f.id)) continue;
    for (const [category, vote] of Object.entries(f.votes) as Array<[RcaCategory, number]>) {
      votes.set(category, Math.max(votes.get(category) ?? 0, vote));
    }
  }
  const features = [...typeFeatures, ...messageFeatures.filter((f) => !typeFeatures.includes(f))];
  // Recognised signals that are evidence of nothing (recoveries, logins) vote nothing; unknown ones vote "other".
  if (votes.size === 0 && features.length === 0) votes.set("other", UNRECOGNIZED_VOTE);
  return { features, votes, layer: byType.layer ?? byMessage?.layer };
}

export function layerIndex(layer: Layer | undefined): number {
  return layer === undefined ? -1 : LAYER_ORDER.indexOf(layer);
}
