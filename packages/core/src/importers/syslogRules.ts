/**
 * What vendor syslog messages mean: mnemonics and event names onto alert types, the wording that says a condition
 * ended (a link back up, a session established, an alarm cleared), and message patterns for daemons that log
 * without mnemonics (BIND, Unbound, PostgreSQL, nginx, Varnish). Facts of the vendors' formats; no parsing here.
 */
import { toSnakeCase } from "@teleops/schema";

export interface MnemonicRule {
  alertType: string;
  /** When the message text matches, the event reports the condition ending: an up/clear alert, status `resolved`. */
  clears?: RegExp;
  /** The alert type of that ending (default: `…_down` → `…_up`, anything else `…_cleared`). */
  clearType?: string;
}

/** The alert type that reports `alertType` ending: `bgp_session_down` → `bgp_session_up`, `x_alarm` → `x_alarm_cleared`. */
export function clearTypeOf(alertType: string): string {
  if (alertType.endsWith("_down")) return `${alertType.slice(0, -"_down".length)}_up`;
  return alertType.endsWith("_cleared") ? alertType : `${alertType}_cleared`;
}

const ALWAYS = /./;
const LINK_CLEARS = /changed state to up\b|\bifOperStatus up\b|operational-status="?up/i;
// IOS/IOS-XR/NX-OS write `neighbor X Up`; EOS writes `old state OpenConfirm … new state Established`.
const BGP_ADJ_CLEARS = /\bUp\b|\bnew state Established\b/;
const IS_UP = /\b(?:to|is) up\b|oper(?:ational)? (?:state|status)[^.]{0,20}\bup\b/i;

/**
 * Vendor mnemonics TeleOps knows, keyed `FACILITY-MNEMONIC` (the last facility part for IOS-XR's
 * `PKT_INFRA-LINK`), or the bare mnemonic / Junos tag / SR OS event / `ASA-<number>`. Anything else keeps its
 * mnemonic in snake_case.
 */
export const MNEMONIC_RULES: Readonly<Record<string, MnemonicRule>> = {
  // Cisco IOS / IOS-XE / IOS-XR / NX-OS and Arista EOS share most facility-mnemonic pairs.
  "LINK-UPDOWN": { alertType: "link_down", clears: LINK_CLEARS },
  "LINK-CHANGED": { alertType: "interface_admin_down", clears: /changed state to up\b/i },
  "LINEPROTO-UPDOWN": { alertType: "line_protocol_down", clears: LINK_CLEARS },
  "ETHPORT-IF_DOWN_LINK_FAILURE": { alertType: "link_down" },
  "ETHPORT-IF_DOWN_INTERFACE_REMOVED": { alertType: "link_down" },
  "ETHPORT-IF_DOWN_ADMIN_DOWN": { alertType: "interface_admin_down" },
  "ETHPORT-IF_DOWN_ERROR_DISABLED": { alertType: "port_err_disabled" },
  "ETHPORT-IF_UP": { alertType: "link_down", clears: ALWAYS },
  "ETH_PORT_CHANNEL-PORT_DOWN": { alertType: "lag_member_down" },
  "ETH_PORT_CHANNEL-PORT_UP": { alertType: "lag_member_down", clears: ALWAYS },
  "BM-ACTIVE": { alertType: "lag_member_down", clears: /\bis Active as part of\b/ },
  "PM-ERR_DISABLE": { alertType: "port_err_disabled" },
  "SPANTREE-BLOCK_BPDUGUARD": { alertType: "port_err_disabled" },
  "STP-BLOCK_BPDUGUARD": { alertType: "port_err_disabled" },
  "SW_MATM-MACFLAP_NOTIF": { alertType: "mac_flap" },
  "CDP-NATIVE_VLAN_MISMATCH": { alertType: "native_vlan_mismatch" },
  "VPC-PEER_KEEP_ALIVE_RECV_FAIL": { alertType: "vpc_peer_keepalive_failed" },
  SNMP_TRAP_LINK_DOWN: { alertType: "link_down" },
  SNMP_TRAP_LINK_UP: { alertType: "link_down", clears: ALWAYS },
  "BGP-ADJCHANGE": { alertType: "bgp_session_down", clears: BGP_ADJ_CLEARS },
  "BGP_SESSION-ADJCHANGE": { alertType: "bgp_session_down" },
  "BGP-NOTIFICATION": { alertType: "bgp_notification" },
  "BGP-MAXPFX": { alertType: "bgp_prefix_threshold_reached" },
  "BGP-MAXPFXEXCEED": { alertType: "bgp_prefix_limit_exceeded" },
  RPD_BGP_NEIGHBOR_STATE_CHANGED: { alertType: "bgp_session_down", clears: /\bto Established\b/i },
  BGP_PREFIX_THRESH_EXCEEDED: { alertType: "bgp_prefix_threshold_reached" },
  BGP_PREFIX_LIMIT_EXCEEDED: { alertType: "bgp_prefix_limit_exceeded" },
  "OSPF-ADJCHG": { alertType: "ospf_neighbor_down", clears: /\bto FULL\b/i },
  "OSPF-ADJCHANGE": { alertType: "ospf_neighbor_down", clears: /\b(?:to|went) FULL\b/i },
  "OSPF-ERRRCV": { alertType: "ospf_packet_error" },
  "OSPF-BADLSATYPE": { alertType: "ospf_packet_error" },
  "OSPF-CONFLICTING_LSAID": { alertType: "ospf_lsa_conflict" },
  "CLNS-ADJCHANGE": { alertType: "isis_adjacency_down", clears: /\bUp\b/ },
  "ISIS-ADJCHANGE": { alertType: "isis_adjacency_down", clears: /\bUp\b/ },
  "LDP-NBRCHG": { alertType: "ldp_session_down", clears: /\bis UP\b/i },
  "LDP-NBR_CHANGE": { alertType: "ldp_session_down", clears: /\bis UP\b/i },
  "DUAL-NBRCHANGE": { alertType: "eigrp_neighbor_down", clears: /\bis up\b/i },
  "BFD-ADJCHANGE": { alertType: "bfd_session_down", clears: /\bUp\b/ },
  "BFD-SESSION_STATE_DOWN": { alertType: "bfd_session_down" },
  "BFD-SESSION_STATE_UP": { alertType: "bfd_session_down", clears: ALWAYS },
  "BFDFSM-BFD_SESS_DOWN": { alertType: "bfd_session_down" },
  "BFDFSM-BFD_SESS_UP": { alertType: "bfd_session_down", clears: ALWAYS },
  "HSRP-STATECHANGE": { alertType: "hsrp_state_change" },
  "TRACK-STATE": { alertType: "tracked_object_down", clears: /->\s*Up\b/i },
  "SYS-RESTART": { alertType: "system_restart" },
  "SYS-RELOAD": { alertType: "system_reload_requested" },
  "SYS-CPUHOG": { alertType: "cpu_hog" },
  "SYS-MALLOCFAIL": { alertType: "memory_allocation_failure" },
  "SYS-CONFIG_I": { alertType: "config_change" },
  "CONFIG-DB_COMMIT": { alertType: "config_change" },
  "SNMP-AUTHFAIL": { alertType: "snmp_authentication_failure" },
  "SEC_LOGIN-LOGIN_FAILED": { alertType: "user_login_failed" },
  "SEC_LOGIN-LOGIN_SUCCESS": { alertType: "user_login" },
  "LOGIN-AUTHEN_FAILED": { alertType: "user_login_failed" },
  PS_FAIL: { alertType: "power_supply_failure" },
  "PWR_MGMT-MODULE_FAILURE": { alertType: "power_supply_failure" },
  "ENVMON-TEMP_CRITICAL": { alertType: "temperature_critical" },
  FAN_FAIL: { alertType: "fan_failure" },
  // Junos.
  RPD_OSPF_NBRDOWN: { alertType: "ospf_neighbor_down" },
  RPD_OSPF_NBRUP: { alertType: "ospf_neighbor_down", clears: ALWAYS },
  RPD_ISIS_ADJDOWN: { alertType: "isis_adjacency_down" },
  RPD_ISIS_ADJUP: { alertType: "isis_adjacency_down", clears: ALWAYS },
  RPD_LDP_SESSIONDOWN: { alertType: "ldp_session_down" },
  RPD_LDP_SESSIONUP: { alertType: "ldp_session_down", clears: ALWAYS },
  RPD_RSVP_NBRDOWN: { alertType: "rsvp_neighbor_down" },
  RPD_RSVP_NBRUP: { alertType: "rsvp_neighbor_down", clears: ALWAYS },
  RPD_MPLS_LSP_DOWN: { alertType: "mpls_lsp_down" },
  RPD_MPLS_LSP_UP: { alertType: "mpls_lsp_down", clears: ALWAYS },
  RPD_MPLS_LSP_CHANGE: { alertType: "mpls_lsp_path_change" },
  BFDD_STATE_UP_TO_DOWN: { alertType: "bfd_session_down" },
  BFDD_TRAP_SHOP_STATE_DOWN: { alertType: "bfd_session_down" },
  BFDD_TRAP_SHOP_STATE_UP: { alertType: "bfd_session_down", clears: ALWAYS },
  BFDD_TRAP_MHOP_STATE_DOWN: { alertType: "bfd_session_down" },
  BFDD_TRAP_MHOP_STATE_UP: { alertType: "bfd_session_down", clears: ALWAYS },
  LACPD_TIMEOUT: { alertType: "lacp_partner_timeout" },
  DDOS_PROTOCOL_VIOLATION_SET: { alertType: "ddos_protocol_violation" },
  DDOS_PROTOCOL_VIOLATION_CLEAR: { alertType: "ddos_protocol_violation", clears: ALWAYS },
  CHASSISD_PEM_INPUT_BAD: { alertType: "power_supply_failure" },
  CHASSISD_PEM_INPUT_GOOD: { alertType: "power_supply_failure", clears: ALWAYS },
  CHASSISD_FAN_FAILED: { alertType: "fan_failure" },
  CHASSISD_FRU_OFFLINE_NOTICE: { alertType: "fru_offline" },
  CHASSISD_FRU_ONLINE: { alertType: "fru_offline", clears: ALWAYS },
  UI_COMMIT: { alertType: "config_change" },
  UI_COMMIT_COMPLETED: { alertType: "config_change" },
  UI_LOGIN_EVENT: { alertType: "user_login" },
  SSHD_LOGIN_FAILED: { alertType: "user_login_failed" },
  // Nokia SR OS events (TMNX: lines), keyed by event name.
  linkDown: { alertType: "link_down" },
  linkUp: { alertType: "link_down", clears: ALWAYS },
  linkup: { alertType: "link_down", clears: ALWAYS },
  etherAlarmSet: { alertType: "ethernet_port_alarm" },
  etherAlarmClear: { alertType: "ethernet_port_alarm", clears: ALWAYS },
  tmnxVRtrIfOperStateChange: {
    alertType: "interface_oper_state_down",
    clears: /\b(?:to|is) up\b|operational state.{0,20}\bup\b/i,
  },
  vRtrLdpNgSessionStateChange: {
    alertType: "ldp_session_down",
    clears: /\b(?:to|is) (?:up|operational|established)\b/i,
  },
  vRtrIsisAdjacencyChange: { alertType: "isis_adjacency_down", clears: /\b(?:to|is) up\b|\bstate up\b/i },
  tmnxOspfNbrStateChange: { alertType: "ospf_neighbor_down", clears: /\bto full\b/i },
  vRtrOspfNbrStateChange: { alertType: "ospf_neighbor_down", clears: /\bto full\b/i },
  tBgpPeerNgBackwardTransition: { alertType: "bgp_session_down" },
  tBgpPeerNgEstablished: { alertType: "bgp_session_down", clears: ALWAYS },
  sdpBindStatusChanged: { alertType: "sdp_binding_down", clears: IS_UP },
  sapStatusChanged: { alertType: "service_access_point_down", clears: IS_UP },
  tmnxEqCardFailure: { alertType: "card_failure" },
  tmnxEqCardRemoved: { alertType: "card_removed" },
  tmnxEqCardInserted: { alertType: "card_removed", clears: ALWAYS, clearType: "card_inserted" },
  tmnxEqPowerSupplyFailure: { alertType: "power_supply_failure" },
  tmnxEqFanFailure: { alertType: "fan_failure" },
  tmnxEqPortSFPDDMLowWarning: { alertType: "optical_power_low_warning" },
  tmnxNtpServerChange: { alertType: "ntp_server_change" },
  ssiSaveConfigSucceeded: { alertType: "config_saved" },
  cli_user_login: { alertType: "user_login" },
  cli_user_login_failed: { alertType: "user_login_failed" },
  // Cisco ASA / FTD, keyed by message number.
  "ASA-104001": { alertType: "failover_state_change" },
  "ASA-104002": { alertType: "failover_state_change" },
  "ASA-105005": { alertType: "failover_communication_lost" },
  "ASA-105008": { alertType: "failover_interface_test" },
  "ASA-105009": { alertType: "failover_interface_test" },
  "ASA-106001": { alertType: "acl_deny" },
  "ASA-106006": { alertType: "acl_deny" },
  "ASA-106015": { alertType: "acl_deny" },
  "ASA-106023": { alertType: "acl_deny" },
  "ASA-106100": { alertType: "acl_log" },
  "ASA-111008": { alertType: "config_command" },
  "ASA-111010": { alertType: "config_command" },
  "ASA-113019": { alertType: "vpn_session_disconnected" },
  "ASA-201008": { alertType: "connection_limit_reached" },
  "ASA-202010": { alertType: "nat_pool_exhausted" },
  "ASA-302013": { alertType: "connection_log" },
  "ASA-302014": { alertType: "connection_log" },
  "ASA-302015": { alertType: "connection_log" },
  "ASA-302016": { alertType: "connection_log" },
  "ASA-321001": { alertType: "resource_limit_exceeded" },
  "ASA-411001": { alertType: "line_protocol_down", clears: ALWAYS },
  "ASA-411002": { alertType: "line_protocol_down" },
  "ASA-411003": { alertType: "interface_admin_down", clears: ALWAYS },
  "ASA-411004": { alertType: "interface_admin_down" },
  // Object tracking (SLA-monitored routes): "Removing tracked route …" when the probe fails, "Adding …" when back.
  "ASA-622001": { alertType: "tracked_route_down", clears: /\bAdding tracked route\b/i },
  // The 713xxx messages are IKE's: 713259 "Session is being torn down. Reason: …" ends a VPN peer's session.
  "ASA-713259": { alertType: "ike_session_down" },
  "ASA-605004": { alertType: "user_login_failed" },
  "ASA-605005": { alertType: "user_login" },
  "ASA-611101": { alertType: "user_login" },
  "ASA-611102": { alertType: "user_login_failed" },
  "ASA-733100": { alertType: "threat_detection_rate_exceeded" },
  "ASA-733101": { alertType: "threat_detection_host_attacking" },
  // Optical line systems that name the standard condition (GR-833 style) as the message id.
  LOS: { alertType: "optical_loss_of_signal" },
  LOS_CLEAR: { alertType: "optical_loss_of_signal", clears: ALWAYS },
  LOF: { alertType: "optical_loss_of_frame" },
  LOF_CLEAR: { alertType: "optical_loss_of_frame", clears: ALWAYS },
  OPR_LOW: { alertType: "optical_power_low" },
  OPR_LOW_CLEAR: { alertType: "optical_power_low", clears: ALWAYS },
  AMP_INPUT_LOW: { alertType: "optical_amplifier_input_low" },
};

/** The alert type (and whether it ends a condition) of a mnemonic rule for one message. */
export function applyRule(rule: MnemonicRule, text: string): { alertType: string; clears: boolean } {
  if (rule.clears?.test(text)) return { alertType: rule.clearType ?? clearTypeOf(rule.alertType), clears: true };
  return { alertType: rule.alertType, clears: false };
}

/**
 * Alarms that carry their condition in the text rather than the mnemonic: IOS-XR fault manager
 * (`%PKT_INFRA-FM-3-FAULT_MAJOR : ALARM_MAJOR :OPTICS RX LOS :DECLARE :0/0/CPU0: Optics0/0/0/1`) and Junos chassis
 * traps (`CHASSISD_SNMP_TRAP7: SNMP trap generated: Power Supply failed …`). The condition words decide the type.
 */
const ALARM_TEXT_RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(?:RX[ _])?LOS\b|loss of signal/i, "optical_loss_of_signal"],
  [/\bLOF\b|loss of frame/i, "optical_loss_of_frame"],
  [/\b(?:rx|receive|input) (?:optical )?power\b.*\blow\b|\blow (?:rx|receive) power\b/i, "optical_power_low"],
  [/power (?:supply|module)|\bPEM\b|\bPSU\b|input voltage|PM_VIN/i, "power_supply_failure"],
  [/\bfan\b|blower/i, "fan_failure"],
  [/temperature|thermal|overheat/i, "temperature_critical"],
  [/\bFRU\b.*(?:removal|offline|power off)/i, "fru_offline"],
];

function alarmFromText(text: string): string | undefined {
  for (const [pattern, alertType] of ALARM_TEXT_RULES) if (pattern.test(text)) return alertType;
  return undefined;
}

/** Keys whose alarm is described in the text (see `alarmFromText`), with the wording of a clear. */
const TEXT_ALARM_KEYS: ReadonlyArray<readonly [RegExp, RegExp]> = [
  [/^FM-FAULT_(?:CRITICAL|MAJOR|MINOR)$/, /:\s*CLEAR\s*:/],
  [/^CHASSISD_SNMP_TRAP\d+$/, /\b(?:cleared|restored|recovered|ok)\b/i],
  [/^SFF8472-THRESHOLD_VIOLATION$/, /\bcleared\b/i],
];

interface MessageRule {
  pattern: RegExp;
  alertType: string;
  clears?: boolean;
}

const rule = (pattern: RegExp, alertType: string, clears = false): MessageRule => ({ pattern, alertType, clears });

/** Daemons that log plain sentences, by the program name in the syslog tag. First matching rule wins. */
const PROGRAM_RULES: ReadonlyArray<{ program: RegExp; fallback: string; rules: readonly MessageRule[] }> = [
  {
    program: /^(?:named|bind9?)$/i,
    fallback: "dns_server_message",
    rules: [
      rule(/\bno more recursive clients\b|recursive-clients (?:soft )?limit/i, "dns_recursion_quota_exhausted"),
      rule(/\btimed out resolving\b/i, "dns_upstream_timeout"),
      rule(/\b(?:network|host) unreachable resolving\b/i, "dns_upstream_unreachable"),
      rule(/\bSERVFAIL\b/, "dns_servfail"),
      rule(
        /\b(?:no valid (?:signature|RRSIG|DS)|verify failed|broken trust chain|DNSKEY\b.*\b(?:failed|timed out))/i,
        "dnssec_validation_failed",
      ),
      rule(/\btransfer of\b.*\bfailed\b|\bfailed while receiving responses\b/i, "dns_zone_transfer_failed"),
      rule(/\bzone \S+: expired\b/i, "dns_zone_expired"),
      rule(/\brefresh:.*(?:retry limit|timed out|failure|failed)/i, "dns_zone_refresh_failed"),
      rule(/\b(?:query|update)(?: \([^)]*\))? '[^']*' denied\b/i, "dns_query_denied"),
      rule(/\b(?:loading configuration|reloading configuration succeeded|reconfiguring)\b/i, "dns_config_reload"),
      rule(/\bshutting down\b|\bexiting\b/i, "dns_server_down"),
      rule(/^running$|\bstarting BIND\b/i, "dns_server_down", true),
    ],
  },
  {
    program: /^unbound$/i,
    fallback: "dns_server_message",
    rules: [
      rule(/\bSERVFAIL\b/, "dns_servfail"),
      rule(/\bvalidation failure\b|failed to prime trust anchor/i, "dnssec_validation_failed"),
      rule(
        /\b(?:udp|tcp) connect failed\b|\bsendto failed\b|\bremote address is\b.*unreachable/i,
        "dns_upstream_unreachable",
      ),
      rule(/\bratelimit exceeded\b/i, "dns_rate_limited"),
      rule(/\bcould not (?:open|bind)\b|\bcan't bind\b/i, "dns_server_down"),
      rule(/\bservice stopped\b/i, "dns_server_down"),
      rule(/\bstart of service\b/i, "dns_server_down", true),
    ],
  },
  {
    program: /^(?:postgres|postgresql|postmaster)(?:[-_]\w+)?$/i,
    fallback: "postgres_message",
    rules: [
      rule(/\btoo many clients already\b|\bremaining connection slots are reserved\b/i, "db_too_many_connections"),
      rule(/\bdeadlock detected\b/i, "db_deadlock_detected"),
      rule(/\bstill waiting for \w*Lock\b|\bcanceling statement due to lock timeout\b/i, "db_lock_wait"),
      rule(/\bcanceling statement due to statement timeout\b/i, "db_statement_timeout"),
      rule(/\bduration: \d+(?:\.\d+)? ms\b/i, "db_slow_query"),
      rule(/\bNo space left on device\b/i, "db_disk_full"),
      rule(
        /\bterminated by signal\b|\bterminating connection because of crash\b|\bserver process \(PID \d+\) (?:exited|was terminated)/i,
        "db_backend_crash",
      ),
      rule(
        /\bcould not receive data from WAL stream\b|\bcould not connect to the primary server\b|\breplication terminated\b/i,
        "db_replication_broken",
      ),
      rule(/\bcheckpoints are occurring too frequently\b/i, "db_checkpoints_too_frequent"),
      rule(/\bpassword authentication failed\b|\bno pg_hba\.conf entry\b/i, "db_authentication_failed"),
      rule(/\bcould not serialize access\b/i, "db_serialization_failure"),
      rule(
        /\bdatabase system is (?:in recovery mode|starting up|shutting down|shut down)\b|\bthe database system is not yet accepting\b/i,
        "database_down",
      ),
      rule(/\bdatabase system is ready to accept (?:read-only )?connections\b/i, "database_down", true),
    ],
  },
  {
    program: /^nginx$/i,
    fallback: "nginx_error",
    rules: [
      rule(/\bupstream timed out\b/i, "upstream_timeout"),
      rule(
        /\bconnect\(\) failed \(111: Connection refused\) while connecting to upstream\b/i,
        "upstream_connection_refused",
      ),
      rule(/\bno live upstreams\b/i, "upstream_unavailable"),
      rule(/\bupstream prematurely closed connection\b/i, "upstream_closed_connection"),
      rule(/\bworker_connections are not enough\b/i, "worker_connections_exhausted"),
      rule(/\bToo many open files\b/i, "too_many_open_files"),
      rule(/\blimiting (?:requests|connections)\b/i, "rate_limited"),
      rule(/\bcould not be resolved\b|\bwhile resolving\b/i, "dns_resolution_failed"),
      rule(
        /\bSSL_do_handshake\(\) failed\b|\bSSL_read\(\) failed\b|\bcertificate\b.*\b(?:expired|verify)/i,
        "tls_handshake_failed",
      ),
      rule(/\bopen\(\) "[^"]*" failed \(2: No such file or directory\)/i, "file_not_found"),
    ],
  },
  {
    // Junos alarmd announces chassis and system alarms as "Alarm set: <FRU> color=…, class=…, reason=…" and ends
    // them with the same text after "Alarm cleared:".
    program: /^alarmd$/i,
    fallback: "syslog_message",
    rules: [rule(/^Alarm set:/i, "chassis_alarm"), rule(/^Alarm cleared:/i, "chassis_alarm", true)],
  },
  {
    program: /^varnishd$/i,
    fallback: "cache_server_message",
    rules: [
      rule(/\bChild \(\d+\) not responding to CLI\b/i, "cache_child_unresponsive"),
      rule(/\bChild \(\d+\) (?:died|Panic)\b/i, "cache_child_crashed"),
    ],
  },
];

/** The alert type of a line from a daemon that logs without mnemonics, or undefined for other programs. */
export function classifyProgramMessage(
  program: string | undefined,
  message: string,
): { alertType: string; clears: boolean } | undefined {
  if (!program) return undefined;
  const family = PROGRAM_RULES.find((entry) => entry.program.test(program));
  if (!family) return undefined;
  for (const candidate of family.rules) {
    if (candidate.pattern.test(message)) {
      const clears = candidate.clears === true;
      return { alertType: clears ? clearTypeOf(candidate.alertType) : candidate.alertType, clears };
    }
  }
  return { alertType: family.fallback, clears: false };
}

/** A free-text condition as an alert type, for vendor keys that describe the alarm in the text. */
export function alarmTypeFromKey(key: string, text: string): { alertType: string; clears: boolean } | undefined {
  for (const [keyPattern, clearPattern] of TEXT_ALARM_KEYS) {
    if (!keyPattern.test(key)) continue;
    const alertType = alarmFromText(text) ?? toSnakeCase(key);
    if (clearPattern.test(text)) return { alertType: clearTypeOf(alertType), clears: true };
    return { alertType, clears: false };
  }
  return undefined;
}
