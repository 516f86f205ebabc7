/** Outages that start in routing: a flapping BGP session, a full peering port, a DDoS, a leaking VRF. */
import type { Device } from "@teleops/schema";
import type { Diagnosis, ScenarioDraft } from "../plan.ts";
import { http5xxRateHigh, httpLatencyHigh, latencyHigh } from "../symptoms.ts";
import {
  ATTACK_VECTORS,
  bgpDownLine,
  bgpUpLine,
  CUSTOMER_VRFS,
  externalPort,
  LOCAL_AS,
  loopback,
  pickPeer,
  ramp,
  routeTarget,
  serviceAddress,
} from "../telemetry.ts";

/** Caches next to the internet edge report slower delivery to their clients. */
function cacheClientsSlow(draft: ScenarioDraft, from: Device, why: string): void {
  for (const cache of draft.spread(from, ["cdn"], 1)) {
    draft.signal(cache, {
      type: "client_latency_high",
      source: "prometheus",
      ladder: ["minor", "major"],
      weight: 2,
      render: ({ progress, rng }) => {
        const ttfb = Math.round(ramp(rng, progress, 140, 620, 0));
        return {
          message: `Time to first byte from ${cache.name} p95 ${ttfb} ms (baseline 60 ms): ${why}`,
          payload: {
            ttfb_p95_ms: ttfb,
            baseline_ms: 60,
            throughput_mbps: Math.round(ramp(rng, progress, 9_000, 4_200, 0)),
            port: 443,
          },
        };
      },
    });
  }
}

export function buildBgpFlap(draft: ScenarioDraft): Diagnosis {
  const { root, rng } = draft;
  const peer = pickPeer(rng, root);
  const port = externalPort(root);
  const reason = rng.pick(["Hold Timer Expired", "Cease/Connection Collision", "Peer closed the session"]);
  const fullTable = peer.kind === "transit" ? rng.int(920_000, 990_000) : rng.int(2_000, 60_000);

  draft.signal(root, {
    type: "bgp_session_down",
    source: "syslog",
    ladder: ["minor", "major", "critical"],
    weight: 4,
    render: ({ occurrence }) => {
      const flaps = Math.floor(occurrence / 2) + 1;
      const base = {
        peer_as: peer.asn,
        peer_name: peer.name,
        peer_ip: peer.ipv4,
        peer_ipv6: peer.ipv6,
        local_as: LOCAL_AS,
        interface: port,
        flap_count: flaps,
      };
      // A flapping session alternates: every other firing is the session coming back.
      if (occurrence % 2 === 1) {
        return {
          alertType: "bgp_session_up",
          severity: "info",
          message: bgpUpLine(root, peer.ipv4, peer.asn),
          payload: { ...base, state: "Established", uptime_s: rng.int(20, 240) },
        };
      }
      return {
        message: `${bgpDownLine(root, peer.ipv4, peer.asn, reason)} (flap ${flaps})`,
        payload: { ...base, state: "Idle", last_error: reason },
      };
    },
  });
  draft.signal(root, {
    type: "bgp_routes_withdrawn",
    source: "bmp",
    ladder: ["minor", "major"],
    weight: 2,
    render: ({ rng }) => {
      const withdrawn = Math.round(fullTable * rng.between(0.6, 1));
      return {
        message: `${withdrawn} prefixes withdrawn from AS${peer.asn} (${peer.ipv4}) in one update burst`,
        payload: {
          peer_as: peer.asn,
          peer_ip: peer.ipv4,
          withdrawn_prefixes: withdrawn,
          sample_prefixes: ["198.51.100.0/24", "203.0.113.0/24", "2001:db8:4000::/36"],
        },
      };
    },
  });
  draft.signal(root, {
    type: "bgp_prefix_count_change",
    source: "net-snmp",
    ladder: ["warning", "minor", "major"],
    weight: 2,
    render: ({ occurrence, rng }) => {
      const received = occurrence % 2 === 0 ? rng.int(0, 1_500) : Math.round(fullTable * rng.between(0.97, 1));
      return {
        message: `Accepted prefixes from AS${peer.asn} ${peer.ipv4} now ${received} (normally ${fullTable})`,
        payload: {
          peer_as: peer.asn,
          peer_ip: peer.ipv4,
          accepted_prefixes: received,
          baseline_prefixes: fullTable,
          afi: "ipv4-unicast",
        },
      };
    },
  });
  draft.signal(root, {
    type: "bgp_route_flap_damping",
    source: "syslog",
    ladder: ["major"],
    weight: 1,
    delay: 0.2,
    render: ({ rng }) => {
      const penalty = rng.int(2_100, 5_800);
      return {
        message: `Routes from AS${peer.asn} suppressed by flap damping (penalty ${penalty}, suppress limit 2000)`,
        payload: {
          peer_as: peer.asn,
          peer_ip: peer.ipv4,
          penalty,
          suppress_limit: 2_000,
          half_life_min: 15,
          suppressed_prefixes: rng.int(4_000, 40_000),
        },
      };
    },
  });

  const cores = draft.spread(root, ["core"], 2);
  for (const core of cores) {
    draft.signal(core, {
      type: "bgp_best_path_change",
      source: "syslog",
      ladder: ["minor", "major"],
      weight: 1,
      render: ({ rng }) => {
        const changed = rng.int(20_000, 300_000);
        return {
          message: `${changed} prefixes changed best path away from next-hop ${loopback(root)} (${root.name})`,
          payload: {
            old_next_hop: loopback(root),
            old_next_hop_router: root.name,
            prefixes_changed: changed,
            cause: `AS${peer.asn} session flap`,
          },
        };
      },
    });
  }
  const exit = root.role === "edge" ? root : cores.flatMap((core) => draft.spread(core, ["edge"], 1))[0];
  const shiftHost = exit && exit !== root ? exit : cores[0];
  if (shiftHost) {
    draft.signal(shiftHost, {
      type: "traffic_shift",
      source: "netflow",
      ladder: ["warning", "minor", "major"],
      weight: 2,
      render: ({ occurrence, rng }) => {
        const gbps = rng.round(18, 46);
        return {
          message: `${gbps} Gbps towards AS${peer.asn} ${occurrence % 2 === 0 ? "moved to backup transit" : "moved back to the direct session"} via ${shiftHost.name}`,
          payload: {
            shifted_bps: Math.round(gbps * 1e9),
            destination_as: peer.asn,
            via: shiftHost.name,
            direction: "egress",
          },
        };
      },
    });
  }
  if (exit) cacheClientsSlow(draft, exit, `paths towards AS${peer.asn} keep changing`);

  return {
    rootCause: `BGP session flapping between ${root.name} and AS${peer.asn} ${peer.name} (${peer.ipv4}, ${reason}): repeated route withdrawals and traffic shifts`,
    remediation: [
      `Check the session history and last error on ${root.name} for ${peer.ipv4} and the errors on ${port}`,
      "Look for physical errors or CPU starvation on both ends; ask the peer's NOC for their side of the logs",
      `Shut the session to AS${peer.asn} (or raise MED/prepend) so traffic stays on stable exits`,
      "Tune hold/keepalive timers or enable BFD only once the underlying cause is fixed",
      "Clear flap damping and re-enable the session, then watch prefix counts for 30 minutes",
    ],
  };
}

export function buildIspPeeringCongestion(draft: ScenarioDraft): Diagnosis {
  const { root, rng } = draft;
  const peer = pickPeer(rng, root);
  const port = externalPort(root);

  draft.signal(root, {
    type: "interface_utilization_high",
    source: "net-snmp",
    ladder: ["minor", "major", "critical"],
    weight: 3,
    render: ({ progress, rng }) => {
      const utilization = Math.min(100, ramp(rng, progress, 91, 99.8));
      return {
        message: `${port} to AS${peer.asn} ${peer.name} at ${utilization}% of 100G outbound`,
        payload: {
          interface: port,
          peer_as: peer.asn,
          peer_ip: peer.ipv4,
          utilization_pct: utilization,
          out_bps: Math.round(utilization * 1e9),
          capacity_bps: 100e9,
          direction: "egress",
        },
      };
    },
  });
  draft.signal(root, {
    type: "interface_output_drops",
    source: "net-snmp",
    ladder: ["minor", "major"],
    weight: 2,
    render: ({ progress, rng }) => {
      const drops = Math.round(ramp(rng, progress, 4_000, 180_000, 0));
      return {
        message: `Output drops on ${port}: ${drops} pkts/s in queue best-effort (tail drop)`,
        payload: { interface: port, drops_per_s: drops, queue: "best-effort", queue_depth_pct: 100, peer_as: peer.asn },
      };
    },
  });
  latencyHigh(draft, root, `AS${peer.asn} ${peer.ipv4}`, 6, 85, `queueing on ${port}`);

  const cores = draft.spread(root, ["core"], 2);
  for (const core of cores.slice(0, 1)) {
    draft.signal(core, {
      type: "transit_latency_high",
      source: "prometheus",
      ladder: ["minor", "major"],
      weight: 2,
      render: ({ progress, rng }) => {
        const latency = ramp(rng, progress, 25, 110);
        return {
          message: `Transit RTT from ${core.name} via ${root.name} to AS${peer.asn} destinations ${latency} ms (baseline 18 ms)`,
          payload: {
            probe: "twamp",
            via: root.name,
            destination_as: peer.asn,
            latency_ms: latency,
            baseline_ms: 18,
            jitter_ms: ramp(rng, progress, 3, 25),
          },
        };
      },
    });
  }
  const edge = root.role === "edge" ? root : cores.flatMap((core) => draft.spread(core, ["edge"], 1))[0];
  if (edge && edge !== root) {
    draft.signal(edge, {
      type: "packet_loss",
      source: "prometheus",
      ladder: ["minor", "major"],
      weight: 2,
      render: ({ progress, rng }) => {
        const loss = ramp(rng, progress, 0.4, 4.5, 2);
        return {
          message: `Packet loss ${loss}% on paths from ${edge.name} through AS${peer.asn}`,
          payload: { loss_pct: loss, destination_as: peer.asn, via: root.name, probe: "twamp" },
        };
      },
    });
  }
  if (edge) cacheClientsSlow(draft, edge, `eyeball traffic via AS${peer.asn} is congested`);

  return {
    rootCause: `Congestion on ${root.name} ${port} towards AS${peer.asn} ${peer.name}: the peering port runs at line rate, dropping packets and adding latency on transit paths`,
    remediation: [
      `Confirm utilization and output drops on ${root.name} ${port} and the top destination prefixes from flow data`,
      `Move traffic off the port: prepend or lower local-preference for AS${peer.asn} prefixes towards alternate exits`,
      "Ask the peer to add capacity or augment the LAG; bring up an additional PNI/IX port if available",
      "Check CDN/load-balancer steering so big content flows prefer uncongested sites",
      "Add a capacity-planning ticket with the 95th percentile trend for this interconnect",
    ],
  };
}

export function buildDdosEdge(draft: ScenarioDraft): Diagnosis {
  const { root, rng } = draft;
  const vector = rng.pick(ATTACK_VECTORS);
  const victim = `203.0.113.${rng.int(10, 250)}`;
  const port = externalPort(root);
  const peakGbps = rng.int(60, 240);

  draft.signal(root, {
    type: "ddos_attack_detected",
    source: "netflow",
    ladder: ["major", "critical"],
    weight: 3,
    render: ({ progress, rng }) => {
      const gbps = ramp(rng, progress, peakGbps * 0.35, peakGbps);
      return {
        message: `${vector.name} towards ${victim}: ${gbps} Gbps / ${Math.round(gbps * 0.09)} Mpps ingress on ${port}`,
        payload: {
          target_ip: victim,
          attack_vector: vector.name,
          protocol: vector.protocol,
          src_port: vector.sourcePort,
          dst_port: vector.destinationPort,
          bps: Math.round(gbps * 1e9),
          pps: Math.round(gbps * 0.09 * 1e6),
          unique_sources: rng.int(20_000, 400_000),
          top_source_asns: [64496, 64502, 65540],
          ingress_interface: port,
        },
      };
    },
  });
  draft.signal(root, {
    type: "interface_saturation",
    source: "net-snmp",
    ladder: ["major", "critical"],
    weight: 3,
    render: ({ progress, rng }) => {
      const utilization = Math.min(100, ramp(rng, progress, 93, 100));
      return {
        message: `${port} inbound at ${utilization}% of 100G`,
        payload: {
          interface: port,
          utilization_pct: utilization,
          in_bps: Math.round(utilization * 1e9),
          capacity_bps: 100e9,
          direction: "ingress",
        },
      };
    },
  });
  draft.signal(root, {
    type: "interface_input_drops",
    source: "net-snmp",
    ladder: ["minor", "major"],
    weight: 2,
    render: ({ progress, rng }) => {
      const drops = Math.round(ramp(rng, progress, 50_000, 2_400_000, 0));
      return {
        message: `Input discards on ${port}: ${drops} pkts/s`,
        payload: { interface: port, discards_per_s: drops, reason: "policer/overrun" },
      };
    },
  });

  for (const core of draft.spread(root, ["core"], 1)) {
    latencyHigh(draft, core, `upstream via ${root.name}`, 4, 60, `ingress saturation on ${root.name}`);
  }
  const [firewall] = draft.spread(root, ["firewall"], 1);
  if (firewall) {
    draft.signal(firewall, {
      type: "firewall_session_table_high",
      source: "net-snmp",
      ladder: ["minor", "major", "critical"],
      weight: 2,
      render: ({ progress, rng }) => {
        const used = Math.min(100, ramp(rng, progress, 78, 99));
        const cps = Math.round(ramp(rng, progress, 60_000, 240_000, 0));
        return {
          message: `Session table ${used}% full on ${firewall.name}; new sessions/s ${cps}`,
          payload: { session_utilization_pct: used, max_sessions: 4_000_000, cps, target_ip: victim },
        };
      },
    });
    const apps = draft.spread(firewall, ["app"], 2);
    for (const app of apps) httpLatencyHigh(draft, app, 6_500, `${firewall.name} session setup`);
    const [first] = apps;
    if (first) http5xxRateHigh(draft, first, "upstream connect timeout behind the firewall");
  }
  cacheClientsSlow(draft, root, `${root.name} ingress saturated by the attack`);

  return {
    rootCause: `Volumetric DDoS (${vector.name}) against ${victim} saturating ${root.name} ${port} on the internet edge`,
    remediation: [
      `Confirm the attack signature (${vector.protocol}${vector.sourcePort ? ` source port ${vector.sourcePort}` : ""}) and victim ${victim} in flow data`,
      `Apply a FlowSpec rule or ACL on ${root.name} to drop/rate-limit the attack vector`,
      "Divert the victim prefix to the scrubbing service or signal RTBH upstream if the link stays saturated",
      "Raise firewall session protections (SYN cookies, per-source limits) for the targeted service",
      "Withdraw mitigation once traffic is back to baseline and record the attack in the security log",
    ],
  };
}

export function buildMplsVpnLeak(draft: ScenarioDraft): Diagnosis {
  const { root, rng } = draft;
  const [leakedFrom, leakedInto] = rng.shuffle(CUSTOMER_VRFS);
  const source = leakedFrom ?? "CUST-ACME";
  const target = leakedInto ?? "CUST-GLOBEX";
  const wrongTarget = routeTarget(source);
  const change = `CHG${rng.int(10_000, 99_999)}`;
  const leaked = rng.int(800, 14_000);

  draft.signal(root, {
    type: "vrf_route_leak",
    source: "syslog",
    ladder: ["major", "critical"],
    weight: 3,
    render: ({ progress, rng }) => ({
      message: `VRF ${target} imported ${Math.round(leaked * Math.min(1, 0.3 + progress))} prefixes belonging to ${source} (RT ${wrongTarget})`,
      payload: {
        vrf: target,
        leaked_from_vrf: source,
        route_target: wrongTarget,
        route_distinguisher: `${LOCAL_AS}:${rng.int(100, 999)}`,
        leaked_prefixes: Math.round(leaked * Math.min(1, 0.3 + progress)),
        sample_prefixes: ["203.0.113.0/26", "198.51.100.128/25", "192.0.2.64/27"],
      },
    }),
  });
  draft.signal(root, {
    type: "route_target_mismatch",
    source: "syslog",
    ladder: ["minor", "major"],
    weight: 1,
    render: () => ({
      message: `VRF ${target} import policy accepts ${wrongTarget} (expected ${routeTarget(target)}) since commit ${change}`,
      payload: {
        vrf: target,
        imported_rt: wrongTarget,
        expected_rt: routeTarget(target),
        change_ticket: change,
        policy: `${target}-IMPORT`,
      },
    }),
  });
  draft.signal(root, {
    type: "vrf_prefix_limit_exceeded",
    source: "syslog",
    ladder: ["warning", "major", "critical"],
    weight: 2,
    delay: 0.05,
    render: ({ progress, rng }) => {
      const routes = rng.int(12_000, 20_000);
      return {
        message: `VRF ${target} has ${routes} routes, over its maximum-prefix threshold of 10000`,
        payload: {
          vrf: target,
          routes,
          max_prefix: 10_000,
          threshold_pct: 80,
          action: progress > 0.5 ? "reject" : "warn",
        },
      };
    },
  });

  const reflectors = draft.spread(root, ["core"], 1);
  for (const reflector of reflectors) {
    draft.signal(reflector, {
      type: "bgp_vpn_prefix_surge",
      source: "syslog",
      ladder: ["minor", "major"],
      weight: 2,
      render: ({ rng }) => {
        const delta = rng.int(800, 14_000);
        return {
          message: `VPNv4 prefixes from ${root.name} (${loopback(root)}) jumped by ${delta} in 60 s`,
          payload: {
            afi_safi: "vpnv4-unicast",
            neighbor: root.name,
            neighbor_ip: loopback(root),
            delta_prefixes: delta,
            route_target: wrongTarget,
          },
        };
      },
    });
  }
  const [otherPe] = reflectors.flatMap((reflector) => draft.spread(reflector, ["pe"], 1));
  if (otherPe) {
    draft.signal(otherPe, {
      type: "unexpected_vrf_prefixes",
      source: "syslog",
      ladder: ["minor", "major"],
      weight: 2,
      render: ({ rng }) => {
        const prefixes = rng.int(500, 9_000);
        return {
          message: `VRF ${target} on ${otherPe.name} learned ${prefixes} prefixes with RT ${wrongTarget} via ${root.name}`,
          payload: { vrf: target, route_target: wrongTarget, originator: root.name, prefixes },
        };
      },
    });
  }
  const [firewall] = draft.spread(root, ["firewall"], 1);
  if (firewall) {
    draft.signal(firewall, {
      type: "firewall_zone_mismatch_drops",
      source: "syslog",
      ladder: ["minor", "major"],
      weight: 2,
      render: ({ progress, rng }) => {
        const dropped = Math.round(ramp(rng, progress, 300, 9_000, 0));
        return {
          message: `Traffic from ${source} prefixes arriving in zone VPN-${target}: ${dropped} flows/s dropped (no matching policy)`,
          payload: {
            src_zone: `VPN-${target}`,
            expected_zone: `VPN-${source}`,
            src_prefix: "198.51.100.128/25",
            dst_ip: serviceAddress(firewall),
            dst_port: 443,
            dropped_flows_per_s: dropped,
          },
        };
      },
    });
    for (const app of draft.spread(firewall, ["app"], 1)) {
      draft.signal(app, {
        type: "client_connection_timeouts",
        source: "apm",
        ladder: ["minor", "major"],
        weight: 2,
        render: ({ progress, rng }) => {
          const timeouts = ramp(rng, progress, 2, 18);
          return {
            message: `${timeouts}% of ${target} client connections to ${app.services[0] ?? app.name} time out (return path in wrong VRF)`,
            payload: { timeout_pct: timeouts, client_vrf: target, port: 443 },
          };
        },
      });
    }
  }

  return {
    rootCause: `MPLS VPN route leak on ${root.name}: VRF ${target} imports route target ${wrongTarget} of ${source} after change ${change}`,
    remediation: [
      `Compare the ${target} import policy on ${root.name} with the last known good config (change ${change})`,
      `Remove ${wrongTarget} from the ${target} import policy and commit with confirm`,
      `Verify ${target} on all PEs drops the ${source} prefixes and the prefix limits clear`,
      "Notify both customers, check the firewall logs for cross-tenant flows during the leak window",
      "Add an RT import pre-check to the change pipeline so the policy is validated before commit",
    ],
  };
}
