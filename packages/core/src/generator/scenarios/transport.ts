/** Outages that start in the transport: a cut fiber, a degrading link, a frozen router. */
import type { Device } from "@teleops/schema";
import type { Diagnosis, ScenarioDraft } from "../plan.ts";
import { adjacencyLost, latencyHigh, portDown } from "../symptoms.ts";
import { bgpDownLine, loopback, pickPeer, ramp } from "../telemetry.ts";

const ROUTERS: readonly Device["role"][] = ["core", "pe", "edge", "peering"];
/** How often a degrading core link is a long-haul one rather than one inside the site. */
const LONG_HAUL_DEGRADATION = 0.4;

/**
 * The router at `site` a session from `device` crosses to: a linked one of the same role (a long-haul
 * neighbour), else the site's first router of that role (a session over a wavelength the topology does not model).
 */
function counterpartAt(draft: ScenarioDraft, device: Device, site: string | undefined): Device | undefined {
  if (site === undefined) return undefined;
  const peers = draft.net.atSite(site, [device.role]);
  return peers.find((peer) => draft.net.linked(device.name, peer.name)) ?? peers[0];
}

/** The device at another site this one has a long-haul link to, if any: the far end of the span. */
function farEnd(draft: ScenarioDraft, device: Device, roles: readonly Device["role"][]): Device | undefined {
  const names = draft.net.adjacency.get(device.name) ?? new Set<string>();
  for (const name of names) {
    const other = draft.net.devices.get(name);
    if (other && other.site !== device.site && roles.includes(other.role)) return other;
  }
  return undefined;
}

/** A router whose wavelength went dark: its port to the transponder drops and its sessions across the cut expire. */
function wavelengthLost(draft: ScenarioDraft, router: Device, transponder: Device, span: string, otherSite?: string) {
  portDown(draft, router, transponder, `wavelength lost on ${span}`);
  const port = draft.port(router, transponder);
  if (router.role === "peering") {
    const peer = pickPeer(draft.rng, router);
    draft.signal(router, {
      type: "bgp_neighbor_down",
      source: "syslog",
      ladder: ["major", "critical"],
      weight: 1,
      render: () => ({
        message: bgpDownLine(router, peer.ipv4, peer.asn, "Interface down"),
        payload: {
          protocol: "bgp",
          session: "ebgp",
          peer_as: peer.asn,
          peer_name: peer.name,
          peer_ip: peer.ipv4,
          interface: port,
        },
      }),
    });
    return;
  }
  // The other end of the wavelength sits at the other site; the router logs the adjacency it lost there.
  const far = counterpartAt(draft, router, otherSite) ?? farEnd(draft, router, [router.role]);
  if (far) adjacencyLost(draft, router, far, "interface down, hold time expired", port);
}

/** Loss of signal (and frame) on a line port that has no light coming in any more. */
function lossOfSignal(draft: ScenarioDraft, device: Device, port: string, span: string, wavelengths: number): void {
  draft.signal(device, {
    type: "optical_loss_of_signal",
    source: "optical-nms",
    ladder: ["major", "critical"],
    weight: 3,
    render: ({ rng }) => {
      const rxPower = rng.round(-40, -38.5);
      return {
        message: `LOS on ${port} (${span}): received power ${rxPower} dBm, below LOS threshold -28 dBm`,
        payload: {
          port,
          span,
          rx_power_dbm: rxPower,
          los_threshold_dbm: -28,
          tx_power_dbm: rng.round(0.5, 2.5),
          wavelengths_affected: wavelengths,
        },
      };
    },
  });
}

/** A ROADM notices one wavelength missing on the port it enters or leaves through. */
function channelPowerLow(draft: ScenarioDraft, roadm: Device, port: string, from: Device): void {
  draft.signal(roadm, {
    type: "optical_channel_power_low",
    source: "optical-nms",
    ladder: ["minor", "major"],
    weight: 1,
    render: ({ rng }) => ({
      message: `Channel power of the wavelength from ${from.name} on ${port} is ${rng.round(-36, -32)} dBm (threshold -20 dBm)`,
      payload: { port, channel_from: from.name, channel_power_dbm: rng.round(-36, -32), threshold_dbm: -20 },
    }),
  });
}

export function buildFiberCut(draft: ScenarioDraft): Diagnosis {
  const { root, rng } = draft;
  // A transponder has router ports on its client side; a ROADM only faces other optical gear.
  const isTransponder = draft.net.neighboursAtSite(root, ROUTERS).length > 0;
  // A transponder's wavelengths leave through its ROADM; the ROADM's long-haul span (the seed picks which one is
  // cut) says where they go. Both ends of what is cut lose light and alarm, each at its own site.
  const roadm = isTransponder ? draft.spread(root, ["optical"], 1)[0] : root;
  const remote = roadm ? draft.across(roadm, ["optical"], 1)[0] : undefined;
  const span = isTransponder
    ? `${root.name}–${roadm?.name ?? "ROADM"} line fiber`
    : `${root.site}–${remote?.site ?? "metro"} span`;
  const linePort = isTransponder
    ? roadm
      ? draft.port(root, roadm)
      : "1-5-L1"
    : remote
      ? draft.port(root, remote)
      : "1-5-L2";
  const faultKm = rng.round(3, 180, 1);

  draft.signal(root, {
    type: "optical_loss_of_signal",
    source: "optical-nms",
    ladder: ["major", "critical"],
    weight: 3,
    render: ({ progress, rng }) => {
      const rxPower = rng.round(-40, -38.5);
      return {
        message: `LOS on ${linePort} (${span}): received power ${rxPower} dBm, below LOS threshold -28 dBm`,
        payload: {
          port: linePort,
          span,
          rx_power_dbm: rxPower,
          los_threshold_dbm: -28,
          tx_power_dbm: rng.round(0.5, 2.5),
          wavelengths_affected: isTransponder ? 1 : 40,
          otdr_fault_distance_km: progress > 0.15 ? faultKm : null,
        },
      };
    },
  });
  draft.signal(root, {
    type: "optical_loss_of_frame",
    source: "optical-nms",
    ladder: ["major", "critical"],
    weight: 2,
    render: () => ({
      message: `OTU4 loss of frame on ${linePort}; ODU4 AIS sent downstream`,
      payload: {
        port: linePort,
        layer: "OTU4",
        defect: "LOF",
        downstream: "ODU-AIS",
        fec_uncorrected_blocks: rng.int(10_000, 90_000),
      },
    }),
  });
  if (!isTransponder) {
    draft.signal(root, {
      type: "optical_amplifier_input_low",
      source: "optical-nms",
      ladder: ["minor", "major"],
      weight: 1,
      render: () => ({
        message: `Line amplifier on ${linePort} has no input power; automatic power reduction engaged`,
        payload: { port: linePort, amplifier: "EDFA-pre", input_power_dbm: rng.round(-45, -40), apr: true },
      }),
    });
  }

  const transponders = isTransponder ? [root] : draft.spread(root, ["optical"]);
  for (const transponder of transponders) {
    if (transponder === root) continue;
    transponderLostFrame(draft, transponder, root, root);
  }
  if (isTransponder && roadm) channelPowerLow(draft, roadm, draft.port(roadm, root), root);

  // The far end: the remote ROADM of a cut span loses the whole span; for a cut line fiber only the one
  // wavelength goes missing there, and the transponder at the other end of it loses frame.
  const farTransponders: Device[] = [];
  if (remote && roadm) {
    const remotePort = draft.port(remote, roadm);
    if (isTransponder) {
      channelPowerLow(draft, remote, remotePort, root);
      const local = draft.net.neighboursAtSite(roadm, ["optical"]);
      const candidates = draft.net.neighboursAtSite(remote, ["optical"]);
      const twin = candidates[Math.max(0, local.indexOf(root))] ?? candidates[0];
      if (twin && draft.reach(remote, twin)) farTransponders.push(twin);
    } else {
      lossOfSignal(draft, remote, remotePort, span, 40);
      farTransponders.push(...draft.spread(remote, ["optical"]));
    }
    for (const transponder of farTransponders) {
      transponderLostFrame(draft, transponder, remote, isTransponder ? root : remote);
    }
  }

  const routers = transponders.flatMap((transponder) => {
    const attached = draft.spread(transponder, ROUTERS);
    for (const router of attached) wavelengthLost(draft, router, transponder, span, remote?.site);
    return attached;
  });
  const farRouters = farTransponders.flatMap((transponder) => {
    const attached = draft.spread(transponder, ROUTERS);
    for (const router of attached) wavelengthLost(draft, router, transponder, span, root.site);
    return attached;
  });

  // The surviving core carries what the cut wavelengths used to, and the edge sees the longer path.
  const survivors = routers
    .filter((router) => router.role === "core")
    .flatMap((core) => draft.spread(core, ["core"], 1));
  for (const survivor of survivors) {
    const far = farEnd(draft, survivor, ["core"]);
    const port = far ? draft.port(survivor, far) : "ae0";
    draft.signal(survivor, {
      type: "interface_utilization_high",
      source: "net-snmp",
      ladder: ["warning", "minor", "major"],
      weight: 2,
      render: ({ progress, rng }) => {
        const utilization = Math.min(99.5, ramp(rng, progress, 72, 97));
        return {
          message: `${port} at ${utilization}% of 100G after traffic rerouted off the cut span`,
          payload: {
            interface: port,
            utilization_pct: utilization,
            out_bps: Math.round(utilization * 1e9),
            capacity_bps: 100e9,
          },
        };
      },
    });
  }
  const cores = routers.filter((router) => router.role === "core").concat(survivors);
  const edge = cores.flatMap((core) => draft.spread(core, ["edge"], 1))[0];
  if (edge) {
    latencyHigh(
      draft,
      edge,
      remote ? `${remote.site} PoP` : "remote PoPs",
      14,
      68,
      "traffic takes the protection path",
    );
    for (const cache of draft.spread(edge, ["cdn"], 1)) {
      draft.signal(cache, {
        type: "origin_fetch_latency_high",
        source: "prometheus",
        ladder: ["minor", "major"],
        weight: 2,
        render: ({ progress, rng }) => {
          const latency = Math.round(ramp(rng, progress, 180, 720, 0));
          return {
            message: `Origin fetch p95 ${latency} ms from ${cache.name} (baseline 45 ms)`,
            payload: { origin_fetch_p95_ms: latency, baseline_ms: 45, miss_rate_pct: rng.round(6, 9) },
          };
        },
      });
    }
  }

  const carried = [...routers, ...farRouters].map((router) => router.name).join(", ") || "the router uplinks";
  const farSide = remote ? `, and at the far end on ${remote.name} in ${remote.site}` : "";
  return {
    rootCause: `Fiber cut on the ${span} at ${root.name} (loss of signal on ${linePort}${farSide}); the wavelengths carrying ${carried} went dark`,
    remediation: [
      `Confirm LOS/LOF on ${root.name} ${linePort}${remote ? ` and on ${remote.name}` : ""} and read the OTDR trace (fault about ${faultKm} km out)`,
      "Verify traffic moved to the protection path and that the surviving links are not congested",
      "Dispatch field engineering / open a ticket with the fiber provider with span ID and fault distance",
      "Raise IGP metrics or drain the affected links until the splice is done to avoid flapping on partial repair",
      "After repair, check optical power levels and pre-FEC BER before restoring the original IGP metrics",
    ],
  };
}

/**
 * A transponder downstream of the loss: the line port towards `roadm` loses frame and it squelches its client
 * ports; `upstream` is the device whose signal went missing.
 */
function transponderLostFrame(draft: ScenarioDraft, transponder: Device, roadm: Device, upstream: Device): void {
  const port = draft.port(transponder, roadm);
  draft.signal(transponder, {
    type: "optical_loss_of_frame",
    source: "optical-nms",
    ladder: ["major", "critical"],
    weight: 2,
    render: () => ({
      message: `OTU4 LOF on line port ${port} (upstream ${upstream.name} LOS); client ports squelched`,
      payload: { port, layer: "OTU4", defect: "LOF", upstream: upstream.name, client_action: "laser-off" },
    }),
  });
}

export function buildNetworkDegradation(draft: ScenarioDraft): Diagnosis {
  const { root, rng } = draft;
  const partnerRoles: readonly Device["role"][] =
    root.role === "aggregation" ? ["core"] : ["aggregation", "core", "pe"];
  // A core router's degrading link is sometimes a long-haul one, whose far end sits at another site.
  const longHaul = root.role === "core" && rng.chance(LONG_HAUL_DEGRADATION) ? draft.across(root, ["core"], 1) : [];
  const [partner] = longHaul.length > 0 ? longHaul : draft.spread(root, partnerRoles, 1);
  const port = partner ? draft.port(root, partner) : "et-0/0/3";
  const target = partner ? partner.name : "next hop";
  const rxPower = rng.round(-13.5, -11.5);

  draft.signal(root, {
    type: "interface_crc_errors",
    source: "net-snmp",
    ladder: ["warning", "minor", "major"],
    weight: 3,
    render: ({ progress, rng }) => {
      const crc = Math.round(ramp(rng, progress, 120, 9_500, 0));
      return {
        message: `CRC errors on ${port} towards ${target}: ${crc}/min (rx power ${rxPower} dBm, marginal)`,
        payload: {
          interface: port,
          neighbor: target,
          crc_errors_per_min: crc,
          input_errors_per_min: Math.round(crc * 1.1),
          rx_power_dbm: rxPower,
        },
      };
    },
  });
  draft.signal(root, {
    type: "packet_loss",
    source: "prometheus",
    ladder: ["minor", "major", "critical"],
    weight: 3,
    render: ({ progress, rng }) => {
      const loss = ramp(rng, progress, 0.8, 14, 2);
      return {
        message: `Packet loss ${loss}% on ${port} (${root.name} → ${target})`,
        payload: { interface: port, neighbor: target, loss_pct: loss, probe: "twamp", packets_sent: 1000 },
      };
    },
  });
  latencyHigh(draft, root, target, 0.4, 9, `retransmissions over degraded ${port}`);

  if (partner) {
    const partnerPort = draft.port(partner, root);
    if (partner.layer === "link") {
      draft.signal(partner, {
        type: "lag_member_flap",
        source: "syslog",
        ladder: ["minor", "major"],
        weight: 2,
        render: ({ occurrence }) => ({
          message: `LACP member ${partnerPort} towards ${root.name} flapped (${occurrence + 1} times), bundle running degraded`,
          payload: { interface: partnerPort, neighbor: root.name, flaps: occurrence + 1, bundle_members_up: "1/2" },
        }),
      });
    } else {
      draft.signal(partner, {
        type: "bfd_session_flap",
        source: "syslog",
        ladder: ["minor", "major"],
        weight: 2,
        render: ({ occurrence }) => ({
          message: `BFD session to ${root.name} (${loopback(root)}) on ${partnerPort} flapped: detection time expired (${occurrence + 1} times)`,
          payload: {
            interface: partnerPort,
            neighbor: root.name,
            neighbor_ip: loopback(root),
            flaps: occurrence + 1,
            detect_multiplier: 3,
            interval_ms: 300,
          },
        }),
      });
    }
  }

  // Whatever hangs off the switch on the degraded link feels it; without a switch the edge sees slow paths.
  const fabric = [root, partner].find((device) => device?.layer === "link");
  if (fabric) {
    for (const service of draft.spread(fabric, ["dns", "cdn"], 2)) {
      if (service.role === "dns") {
        draft.signal(service, {
          type: "dns_query_latency_high",
          source: "dns-probe",
          ladder: ["minor", "major"],
          weight: 2,
          render: ({ progress, rng }) => {
            const latency = Math.round(ramp(rng, progress, 90, 850, 0));
            return {
              message: `Recursive lookups via ${service.name} take ${latency} ms (baseline 12 ms)`,
              payload: { qname: "api.example.net", qtype: "A", latency_ms: latency, baseline_ms: 12, port: 53 },
            };
          },
        });
      } else {
        draft.signal(service, {
          type: "origin_fetch_latency_high",
          source: "prometheus",
          ladder: ["minor", "major"],
          weight: 2,
          render: ({ progress, rng }) => {
            const latency = Math.round(ramp(rng, progress, 150, 900, 0));
            return {
              message: `Origin fetches from ${service.name} slow: p95 ${latency} ms`,
              payload: { origin_fetch_p95_ms: latency, baseline_ms: 40, retransmit_pct: ramp(rng, progress, 1, 9) },
            };
          },
        });
      }
    }
  } else {
    const core = [root, partner].find((device) => device?.role === "core");
    const edge = core ? draft.spread(core, ["edge", "peering"], 1)[0] : undefined;
    if (edge) latencyHigh(draft, edge, `${root.name} ${port}`, 3, 35, "path through the degraded link");
  }

  return {
    rootCause: `Physical-layer degradation on ${root.name} ${port} towards ${target} (dirty or failing optic, marginal rx power): CRC errors causing packet loss and latency`,
    remediation: [
      `Check DOM readings and error counters on ${root.name} ${port} and on the far end`,
      `Cost out the link (raise IGP metric or disable the LAG member) so traffic avoids ${port}`,
      "Clean the connectors and swap the optic; replace the patch cord if errors persist",
      "Clear counters and watch CRC/loss for 15 minutes before returning the link to service",
    ],
  };
}

export function buildRouterFreeze(draft: ScenarioDraft): Diagnosis {
  const { root, rng } = draft;
  const hungProcess = root.vendor === "cisco" ? "bgp" : root.vendor === "nokia" ? "CPM" : "rpd";
  draft.signal(root, {
    type: "control_plane_scheduler_slip",
    source: "syslog",
    ladder: ["major"],
    weight: 0,
    render: () => {
      const slip = rng.int(6, 19);
      const line =
        root.vendor === "cisco"
          ? `%OS-SYSMGR-3-ERROR : ${hungProcess}[1052] (jid 1052) hung, not responding for ${slip}s`
          : root.vendor === "nokia"
            ? `CHASSIS-MAJOR-cpmHwFailure: ${hungProcess} task scheduler stalled for ${slip}s`
            : `RPD_SCHED_SLIP: ${slip} sec scheduler slip, user: 0 sec 12133 usec, system: 0 sec, 0 usec`;
      return {
        message: line,
        payload: { process: hungProcess, slip_s: slip, routing_engine: "re0", cpu_pct: rng.int(97, 100) },
      };
    },
  });
  draft.signal(root, {
    type: "snmp_timeout",
    source: "net-snmp",
    ladder: ["major", "critical"],
    weight: 3,
    render: ({ occurrence }) => ({
      message: `No SNMP response from ${root.name} (${loopback(root)}) after 3 retries`,
      payload: {
        poller: "nms-poll-01",
        target_ip: loopback(root),
        oid: "1.3.6.1.2.1.1.3.0",
        retries: 3,
        timeout_ms: 5000,
        consecutive_failures: occurrence + 1,
      },
    }),
  });
  draft.signal(root, {
    type: "telemetry_stale",
    source: "gnmi-collector",
    ladder: ["major", "critical"],
    weight: 2,
    render: ({ progress }) => ({
      message: `No gNMI updates from ${root.name} for ${Math.round(30 + progress * 900)} s`,
      payload: {
        subscription: "/interfaces/interface/state/counters",
        last_update_s: Math.round(30 + progress * 900),
        port: 57400,
      },
    }),
  });
  draft.signal(root, {
    type: "control_plane_unresponsive",
    source: "prometheus",
    ladder: ["major", "critical"],
    weight: 2,
    render: () => ({
      message: `${root.name} answers ICMP on its loopback but SSH and NETCONF time out: routing engine hung`,
      payload: { probe: "blackbox", icmp: "ok", ssh_port: 22, ssh: "timeout", netconf_port: 830, netconf: "timeout" },
    }),
  });

  for (const fabric of draft.spread(root, ["aggregation", "switch"], 2)) {
    const port = draft.port(fabric, root);
    draft.signal(fabric, {
      type: "lacp_partner_timeout",
      source: "syslog",
      ladder: ["major", "critical"],
      weight: 1,
      render: () => ({
        message: `LACP partner ${root.name} stopped sending PDUs on ${port}; member moved to defaulted state`,
        payload: { interface: port, partner: root.name, lacp_rate: "fast", timeout_s: 3, state: "defaulted" },
      }),
    });
  }
  // Long-haul neighbours at other sites lose it as well: both ends of every span it terminates alarm.
  const neighbours = [...draft.spread(root, ROUTERS, 4), ...draft.across(root, ["core"])];
  for (const router of neighbours) {
    const port = draft.port(router, root);
    draft.signal(router, {
      type: "bfd_session_down",
      source: "syslog",
      ladder: ["major", "critical"],
      weight: 1,
      render: () => ({
        message: `BFD session to ${loopback(root)} (${root.name}) on ${port} down: control detection time expired`,
        payload: {
          interface: port,
          neighbor: root.name,
          neighbor_ip: loopback(root),
          diag: "control-detection-time-expired",
          interval_ms: 300,
          multiplier: 3,
        },
      }),
    });
    adjacencyLost(draft, router, root, "hold timer expired");
  }

  const affectedFabric = draft.affected.filter((device) => device.layer === "link" || device.role === "edge");
  const service = affectedFabric.flatMap((device) => draft.spread(device, ["cdn", "dns"], 1))[0];
  if (service) {
    draft.signal(service, {
      type: service.role === "dns" ? "dns_recursion_timeouts_high" : "origin_fetch_errors_high",
      source: "prometheus",
      ladder: ["minor", "major"],
      weight: 2,
      render: ({ progress, rng }) => {
        const rate = ramp(rng, progress, 4, 22);
        return {
          message: `${rate}% of upstream requests from ${service.name} time out while paths via ${root.name} black-hole`,
          payload: { timeout_pct: rate, upstream_via: root.name, retries: rng.int(2, 5) },
        };
      },
    });
  }

  return {
    rootCause: `Control-plane freeze on ${root.name}: the ${hungProcess} process hung, so SNMP, telemetry, LACP, BFD and routing adjacencies timed out while the forwarding plane black-holed traffic`,
    remediation: [
      `Confirm via console/out-of-band that ${root.name}'s routing engine is hung (CPU, process state)`,
      `Isolate ${root.name}: set IGP overload / max-metric and drain BGP so neighbours route around it`,
      "Fail over to the backup routing engine (GRES/NSR) or restart the hung process",
      "If it does not recover, reload the router in a maintenance window and collect a core dump",
      "Open a vendor TAC case with the core dump and logs before returning the router to service",
    ],
  };
}
