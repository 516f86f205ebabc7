/**
 * What the baseline knows about each failure category: how to say what broke, with the details the evidence
 * carries, and the first concrete step to take. The rest of the remediation comes from the retrieved runbook.
 */
import type { DeviceRole, RcaCategory } from "@teleops/schema";
import { type Facts, formatDuration, formatNumber } from "./facts.ts";

/** What the hypothesis text and first step are written from. */
export interface Story {
  host: string | null;
  noun: string;
  /** Alerts supporting the category on the blamed device. */
  root: Facts;
  /** Alerts supporting the category anywhere in the incident. */
  all: Facts;
  /** Other devices with supporting alarms (symptoms). */
  otherDevices: number;
  /** Time from the first to the last supporting alarm on the blamed device. */
  rootSpanMs: number;
  /** Session-down events on the blamed device (BGP flaps). */
  downEvents: number;
  /** Alert types on the blamed device that support the category, most frequent first. */
  rootTypes: string[];
  /** Meanings of the features that matched on the blamed device. */
  meanings: string[];
}

interface CategoryKnowledge {
  /** What to call the blamed device when the topology does not know its role. */
  noun: string;
  /** Words that find this failure's runbook. */
  concept: string;
  failure(story: Story): string;
  firstStep(story: Story): string;
}

export const ROLE_NOUNS: Readonly<Record<DeviceRole, string>> = {
  core: "core router",
  edge: "edge router",
  aggregation: "aggregation switch",
  peering: "peering router",
  pe: "PE router",
  optical: "optical node",
  dns: "DNS resolver",
  cdn: "CDN cache",
  firewall: "firewall",
  database: "database",
  app: "app server",
  switch: "switch",
  server: "server",
};

const on = (story: Story) => story.host ?? "the device";
const num = (value: number | undefined) => (value === undefined ? undefined : formatNumber(value));
const join = (parts: Array<string | undefined | false>) => parts.filter(Boolean).join(", ");

export const KNOWLEDGE: Readonly<Record<RcaCategory, CategoryKnowledge>> = {
  fiber_cut: {
    noun: "optical node",
    concept: "fiber cut optical loss of signal LOS LOF span OTDR rx power wavelength",
    failure(s) {
      const port = s.root.text("port", "interface", "line_port") ?? s.root.interface();
      const span = s.root.circuit();
      const rx =
        s.root.min("rx_power_dbm", "rx_power", "input_power_dbm") ?? s.root.minFromMessages(/(-\d+(?:\.\d+)?)\s?dBm/i);
      const km = s.all.max("otdr_fault_distance_km", "fault_distance_km", "distance_km");
      const where = port ? `loss of signal on ${port}${span ? ` (${span})` : ""}` : "loss of optical signal";
      const details = join([
        rx !== undefined && `rx power ${num(rx)} dBm`,
        km !== undefined && `OTDR fault at ${num(km)} km`,
      ]);
      const impact =
        s.otherDevices > 0
          ? `; ${s.otherDevices} device${s.otherDevices === 1 ? "" : "s"} riding it lost links or adjacencies`
          : "";
      return `${where}${details ? `, ${details}` : ""}${impact}`;
    },
    firstStep(s) {
      const port = s.root.text("port", "interface") ?? s.root.interface();
      const km = s.all.max("otdr_fault_distance_km", "fault_distance_km", "distance_km");
      return `Confirm LOS/LOF on ${on(s)}${port ? ` ${port}` : ""} and read the OTDR trace${km !== undefined ? ` (fault about ${num(km)} km out)` : ""}; dispatch field engineering or the fiber provider with the span ID`;
    },
  },
  network_degradation: {
    noun: "device",
    concept: "link degradation CRC errors packet loss latency optic dirty connector BFD flap",
    failure(s) {
      const port = s.root.interface();
      const neighbor = s.root.text("neighbor", "neighbour", "remote_device", "peer_device");
      const crc = s.root.max("crc_errors_per_min", "crc_errors", "input_errors_per_min", "input_errors");
      const loss = s.root.percent(["loss_pct", "packet_loss_pct", "packet_loss"], /loss/i);
      const latency = s.root.max("latency_ms", "rtt_ms", "rtt");
      const rx = s.root.min("rx_power_dbm", "rx_power");
      const details = join([
        crc !== undefined && `CRC errors up to ${num(crc)}/min`,
        loss !== undefined && `packet loss up to ${num(loss)}%`,
        latency !== undefined && `latency up to ${num(latency)} ms`,
        rx !== undefined && `rx power ${num(rx)} dBm`,
      ]);
      return `degraded link${port ? ` on ${port}` : ""}${neighbor ? ` towards ${neighbor}` : ""} (${details || "errors, loss and latency rising"})`;
    },
    firstStep(s) {
      const port = s.root.interface();
      return `Cost out ${port ? `${port} on ${on(s)}` : `the degraded link on ${on(s)}`} (raise the IGP metric or disable the LAG member) and read DOM levels and error counters on both ends`;
    },
  },
  router_freeze: {
    noun: "router",
    concept: "router control plane freeze hung routing engine SNMP timeout telemetry stale scheduler slip",
    failure(s) {
      const process = s.root.text("process", "daemon", "task");
      const slip = s.root.max("slip_s", "slip_seconds");
      const hung = process ? ` (${process}${slip !== undefined ? ` stalled ${num(slip)} s` : " hung"})` : "";
      const impact =
        s.otherDevices > 0
          ? `; ${s.otherDevices} neighbour${s.otherDevices === 1 ? "" : "s"} lost BFD/LACP/IGP/BGP sessions to it`
          : "";
      const silent = s.rootSpanMs >= 60_000 ? ` for ${formatDuration(s.rootSpanMs)}` : "";
      return `control plane hung${hung}, management (SNMP/telemetry/SSH) silent${silent}${impact}`;
    },
    firstStep(s) {
      return `Reach ${on(s)} over console/out-of-band, confirm the routing engine is hung, and set IS-IS overload or drain its BGP sessions so neighbours route around it`;
    },
  },
  bgp_flap: {
    noun: "router",
    concept: "BGP session flap peer down up established idle hold timer withdrawn prefixes damping",
    failure(s) {
      const as = s.root.peerAs();
      const ip = s.root.peerIp();
      const name = s.root.text("peer_name", "peer_description", "description");
      const flaps = Math.max(s.root.max("flap_count", "flaps") ?? 0, s.downEvents);
      const lastError =
        s.root.text("last_error", "reason", "error") ??
        s.root.fromMessages(
          /\b(hold ?time(?:r)? expired|holdtimer expired|peer closed the session|notification (?:sent|received)|cease)\b/i,
        );
      const prefixes =
        s.root.max("accepted_prefixes", "prefixes_received", "received_prefixes", "bgpPeerAcceptedPrefixes") ??
        s.root.minFromMessages(/\b(\d+) exceeds limit\b/i) ??
        s.root.minFromMessages(/\bnlri: (\d+)/i);
      const withdrawn = s.root.max("withdrawn_prefixes", "withdrawn", "prefixes_withdrawn");
      const damped = s.rootTypes.some((type) => /damp|suppress/i.test(type));
      const peer = as ? `AS${as}${ip ? ` (${ip})` : ""}` : (ip ?? "its peer");
      const what =
        flaps > 1
          ? `flapping ${flaps} times in ${formatDuration(s.rootSpanMs)}`
          : `down${s.rootSpanMs > 0 ? ` for ${formatDuration(s.rootSpanMs)}` : ""}`;
      const details = join([
        lastError && `last error ${lastError}`,
        withdrawn !== undefined && `${num(withdrawn)} prefixes withdrawn`,
        prefixes !== undefined && `${num(prefixes)} prefixes received`,
        damped && "flap damping suppressing its routes",
      ]);
      return `BGP session to ${peer}${name ? ` ${name}` : ""} ${what}${details ? ` (${details})` : ""}`;
    },
    firstStep(s) {
      const as = s.root.peerAs();
      const ip = s.root.peerIp();
      return `Check the session history and last error for ${ip ?? (as ? `AS${as}` : "the peer")} on ${on(s)}, then shut or de-prefer the session${as ? ` to AS${as}` : ""} until the cause is fixed`;
    },
  },
  isp_peering_congestion: {
    noun: "router",
    concept: "peering congestion interface utilization output drops tail drop capacity PNI IX latency",
    failure(s) {
      const port = s.root.interface();
      const as = s.root.peerAs();
      const util = s.root.percent(
        ["utilization_pct", "util_pct", "utilization", "bandwidth_pct"],
        /util|congest|outbound|egress|%\s+of/i,
      );
      const drops = s.root.max("drops_per_s", "output_drops_per_s", "tail_drops_per_s", "drops");
      const latency = s.all.max("latency_ms", "rtt_ms");
      const details = join([
        drops !== undefined && `${num(drops)} output drops/s`,
        latency !== undefined && `latency up to ${num(latency)} ms`,
      ]);
      const circuit = s.root.circuit();
      return `${port ?? "peering port"}${circuit ? ` (${circuit})` : ""}${as ? ` towards AS${as}` : ""} congested${util !== undefined ? ` at ${num(util)}% utilisation` : ""}${details ? ` (${details})` : ""}`;
    },
    firstStep(s) {
      const port = s.root.interface();
      const as = s.root.peerAs();
      return `Confirm utilisation and output drops on ${on(s)}${port ? ` ${port}` : ""} and move traffic${as ? ` for AS${as}` : ""} to other exits (prepend or lower local-preference)`;
    },
  },
  ddos_edge: {
    noun: "edge router",
    concept: "DDoS attack volumetric reflection amplification flood edge saturation FlowSpec scrubbing RTBH",
    failure(s) {
      const vector = s.all.text("attack_vector", "vector", "attack_type");
      const victim = s.all.text("target_ip", "victim_ip", "victim", "dst_ip", "destination_ip");
      const bps = s.all.max("bps", "in_bps", "attack_bps");
      const port = s.root.interface();
      const util = s.root.max("utilization_pct", "util_pct");
      const size = join([
        bps !== undefined && `${num(bps / 1e9)} Gbps`,
        port && `ingress on ${port}`,
        util !== undefined && `${num(util)}% utilised`,
      ]);
      return `${vector ?? "volumetric attack"}${victim ? ` towards ${victim}` : ""}${size ? ` (${size})` : ""} saturating the internet edge`;
    },
    firstStep(s) {
      const vector = s.all.text("attack_vector", "vector", "attack_type");
      const victim = s.all.text("target_ip", "victim_ip", "victim", "dst_ip");
      return `Confirm the ${vector ?? "attack"} signature${victim ? ` towards ${victim}` : ""} in flow data and apply FlowSpec or an ACL on ${on(s)}; divert to scrubbing or RTBH if the port stays full`;
    },
  },
  mpls_vpn_leak: {
    noun: "PE router",
    concept: "MPLS VPN route leak VRF route target import policy maximum prefix PE",
    failure(s) {
      const vrf = s.root.text("vrf", "vrf_name", "routing_instance") ?? s.root.fromMessages(/\bVRF\s+([\w-]+)/i);
      const rt =
        s.root.text("route_target", "imported_rt", "rt") ?? s.root.fromMessages(/\b(target:\d+:\d+|RT\s?\d+:\d+)/i);
      const from = s.root.text("leaked_from_vrf", "source_vrf");
      const leaked = s.root.max("leaked_prefixes", "prefixes", "delta_prefixes");
      const change = s.all.text("change_ticket", "change", "ticket");
      const limit = s.rootTypes.some((type) => /limit|max/i.test(type));
      const details = join([
        leaked !== undefined && `${num(leaked)} leaked prefixes`,
        limit && "maximum-prefix limit exceeded",
        change && `since change ${change}`,
      ]);
      return `VRF ${vrf ?? "(unnamed)"} imports ${rt ? `route target ${rt}` : "a foreign route target"}${from ? ` of ${from}` : ""}${details ? ` (${details})` : ""}`;
    },
    firstStep(s) {
      const vrf = s.root.text("vrf", "vrf_name") ?? s.root.fromMessages(/\bVRF\s+([\w-]+)/i);
      const rt = s.root.text("route_target", "imported_rt", "rt");
      const change = s.all.text("change_ticket", "change");
      return `Diff the ${vrf ?? "VRF"} import policy on ${on(s)} against the last good config${change ? ` (change ${change})` : ""} and remove ${rt ?? "the wrong route target"} with commit confirmed`;
    },
  },
  dns_outage: {
    noun: "DNS resolver",
    concept: "DNS resolver outage SERVFAIL query timeout recursion EAI_AGAIN name resolution",
    failure(s) {
      const ip = s.root.text("resolver_ip", "server_ip", "resolver");
      const servfail = s.root.percent(["servfail_pct", "servfail_rate", "error_pct"], /servfail/i);
      const timeouts = s.rootTypes.some((type) => /timeout|time_out|unreachable/i.test(type));
      const clients = s.otherDevices;
      const at = ip ? ` on ${ip}` : "";
      const what =
        servfail !== undefined
          ? `answering SERVFAIL${at} for up to ${num(servfail)}% of queries${timeouts ? " and timing out" : ""}`
          : timeouts
            ? `timing out on queries${at}`
            : `failing to resolve${at}`;
      return `${what}${clients > 0 ? `; ${clients} client${clients === 1 ? "" : "s"} failing lookups` : ""}`;
    },
    firstStep(s) {
      const ip = s.root.text("resolver_ip", "server_ip");
      return `Query ${on(s)} directly (dig @${ip ?? on(s)}) and take it out of the resolver pool so clients fall back to a healthy resolver`;
    },
  },
  cdn_cache_stampede: {
    noun: "CDN cache",
    concept: "CDN cache stampede hit ratio purge origin request surge coalescing serve stale",
    failure(s) {
      const ratio = s.root.min("hit_ratio", "cache_hit_ratio");
      const pct = ratio === undefined ? undefined : ratio <= 1 ? ratio * 100 : ratio;
      const baseline = s.root.max("baseline_hit_ratio");
      const basePct = baseline === undefined ? undefined : baseline <= 1 ? baseline * 100 : baseline;
      const trigger = s.root.text("trigger", "cause");
      const rps = s.root.max("origin_rps", "origin_requests_per_s");
      const collapse =
        pct !== undefined
          ? `cache hit ratio collapsed to ${num(pct)}%${basePct !== undefined ? ` (baseline ${num(basePct)}%)` : ""}`
          : "cache working set lost, misses stampeding to the origin";
      return `${collapse}${trigger ? ` after ${trigger}` : ""}${rps !== undefined ? `; origin requests ${num(rps)}/s` : ""}`;
    },
    firstStep(s) {
      return `Stop further purges and deploys on ${on(s)}, enable serve-stale and request coalescing, and rate-limit origin fetches`;
    },
  },
  firewall_rule_misconfig: {
    noun: "firewall",
    concept: "firewall rule misconfiguration policy commit deny shadowed rule health check",
    failure(s) {
      const version = s.root.text("config_version", "version", "commit_id");
      const change = s.root.text("change_ticket", "change", "ticket");
      const rule = s.root.text("moved_rule", "shadowed_rule");
      const denied = s.root.max("denied_per_s", "denies_per_s", "deny_rate");
      const port = s.root.text("dst_port", "destination_port");
      const commit = version ? `policy commit ${version}` : "a policy change";
      const details = join([
        denied !== undefined && `denied flows up to ${num(denied)}/s`,
        port && `destination port ${port}`,
      ]);
      return `${commit}${change ? ` (${change})` : ""}${rule ? ` shadows ${rule}` : " blocks legitimate traffic"}${details ? `; ${details}` : ""}`;
    },
    firstStep(s) {
      const version = s.root.text("config_version", "version");
      const rule = s.root.text("moved_rule", "shadowed_rule");
      return `Diff ${version ? `config version ${version}` : "the last commit"} on ${on(s)} against the previous one and roll back, or move ${rule ?? "the allow rule"} back above the deny`;
    },
  },
  database_latency_spike: {
    noun: "database",
    concept: "database latency lock wait slow query blocking pid connections replication lag pool exhausted",
    failure(s) {
      const relation = s.root.text("relation", "table", "datname");
      const pid = s.root.text("blocking_pid");
      const waiting = s.root.max("waiting_sessions", "lock_waits");
      const duration = s.root.durationMs("duration_ms", "query_ms", "max_wait_ms");
      const details = join([
        waiting !== undefined && `${num(waiting)} sessions waiting`,
        duration !== undefined && `slow statements up to ${formatDuration(duration)}`,
      ]);
      return `lock contention and slow queries${relation ? ` on ${relation}` : ""}${pid ? ` (blocking pid ${pid})` : ""}${details ? `, ${details}` : ""}`;
    },
    firstStep(s) {
      const pid = s.root.text("blocking_pid");
      return `Find the blocker in pg_stat_activity / pg_locks on ${on(s)}${pid ? ` (pid ${pid})` : ""} and cancel or terminate it`;
    },
  },
  hardware_failure: {
    noun: "device",
    concept: "hardware failure line card module memory ECC disk RAID chassis alarm replace RMA",
    failure(s) {
      const part =
        s.root.text("card", "slot", "fru", "module", "controller", "dimm") ??
        s.root.fromMessages(/\b((?:Card|slot|FPC|PIC|module|controller) \d+|md\d+)\b/i);
      const types = s.rootTypes.slice(0, 3).join(", ");
      return `${s.meanings[0] ?? "hardware fault"}${part ? ` on ${part}` : ""}${types ? ` (${types})` : ""}`;
    },
    firstStep(s) {
      return `Read the chassis alarms and hardware logs on ${on(s)} (show chassis alarms, show environment, show platform), fail over to the redundant part and open an RMA for the failed one`;
    },
  },
  power_or_environment: {
    noun: "device",
    concept: "power supply UPS feed PDU cooling fan temperature HVAC environment site",
    failure(s) {
      const part =
        s.root.text("psu", "power_supply", "sensor", "fan") ??
        s.root.fromMessages(/\b((?:Power supply|PEM|PSU|Fan(?: tray)?) ?\d+)\b/i);
      const types = s.rootTypes.slice(0, 3).join(", ");
      const others =
        s.otherDevices > 0 ? `; ${s.otherDevices} other device${s.otherDevices === 1 ? "" : "s"} alarmed alike` : "";
      return `${s.meanings[0] ?? "power or cooling fault"}${part ? ` on ${part}` : ""}${types ? ` (${types})` : ""}${others}`;
    },
    firstStep(s) {
      return `Check the power feeds, supplies and cooling of ${on(s)} and its room (show environment, UPS/PDU status, temperature) and send facilities if a feed or cooling unit is down`;
    },
  },
  config_change: {
    noun: "device",
    concept: "configuration change commit rollback diff compare",
    failure(s) {
      const by = s.root.text("user", "admin") ?? s.root.fromMessages(/\bby (?:user )?'?([\w.-]+)/i);
      const change = s.all.text("change_ticket", "change", "ticket");
      return `configuration change${by ? ` by ${by}` : ""}${change ? ` (${change})` : ""} before the failure`;
    },
    firstStep(s) {
      return `Diff the last commit on ${on(s)} against the previous configuration and roll it back if the failure started with it`;
    },
  },
  capacity_exhaustion: {
    noun: "server",
    concept: "capacity exhausted disk full filesystem memory quota volume connection table",
    failure(s) {
      const what = s.root.text("mountpoint", "persistentvolumeclaim", "volume", "filesystem");
      const left = s.root.percent(["free_pct", "available_pct"], /\b(?:left|free|available)\b/i);
      const types = s.rootTypes.slice(0, 3).join(", ");
      return `${what ?? "a resource"} running out${left !== undefined ? ` (${num(left)}% left)` : ""}${types ? ` (${types})` : ""}`;
    },
    firstStep(s) {
      return `Free or grow the exhausted resource on ${on(s)} (clean up, extend the volume, raise the limit) and find what consumed it`;
    },
  },
  other: {
    noun: "device",
    concept: "hardware power supply fan temperature crash core dump reboot triage",
    failure(s) {
      const types = s.rootTypes.slice(0, 3).join(", ");
      const meaning = s.meanings[0];
      return meaning
        ? `${meaning} (${types}), outside the known network failure signatures`
        : `no known failure signature matched${types ? ` (${types})` : ""}`;
    },
    firstStep(s) {
      return `Check chassis alarms, environment and logs on ${on(s)} (show chassis alarms, show environment, show log) to tell hardware, power and software faults apart`;
    },
  },
};
