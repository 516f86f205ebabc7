/** Downstream symptoms several scenarios share: lost adjacencies, slow paths, unhappy applications. */
import type { Device } from "@teleops/schema";
import type { ScenarioDraft } from "./plan.ts";
import { LOCAL_AS, linkDownLine, loopback, ramp } from "./telemetry.ts";

/** The routing protocol that notices first when a router loses its neighbour, by the router's role. */
export function adjacencyLost(
  draft: ScenarioDraft,
  router: Device,
  neighbour: Device,
  reason: string,
  viaPort?: string,
): void {
  const neighbourIp = loopback(neighbour);
  const port = viaPort ?? (draft.net.linked(router.name, neighbour.name) ? draft.port(router, neighbour) : undefined);
  if (router.role === "core") {
    draft.signal(router, {
      type: "isis_adjacency_down",
      source: "syslog",
      ladder: ["major", "critical"],
      weight: 1,
      render: () => ({
        message: `IS-IS L2 adjacency to ${neighbour.name} (${neighbourIp}) down${port ? ` on ${port}` : ""}: ${reason}`,
        payload: {
          protocol: "isis",
          level: "L2",
          neighbor: neighbour.name,
          neighbor_ip: neighbourIp,
          interface: port ?? null,
          reason,
        },
      }),
    });
    return;
  }
  if (router.role === "pe") {
    draft.signal(router, {
      type: "ldp_session_down",
      source: "syslog",
      ladder: ["major", "critical"],
      weight: 1,
      render: () => ({
        message: `LDP session ${neighbourIp}:0 (${neighbour.name}) went down: ${reason}; labelled paths via it withdrawn`,
        payload: {
          protocol: "ldp",
          neighbor: neighbour.name,
          neighbor_ip: neighbourIp,
          lsr_id: `${neighbourIp}:0`,
          reason,
        },
      }),
    });
    return;
  }
  draft.signal(router, {
    type: "bgp_neighbor_down",
    source: "syslog",
    ladder: ["major", "critical"],
    weight: 1,
    render: () => ({
      message: `iBGP session to ${neighbour.name} (${neighbourIp}, AS ${LOCAL_AS}) down: ${reason}`,
      payload: {
        protocol: "bgp",
        session: "ibgp",
        neighbor: neighbour.name,
        peer_ip: neighbourIp,
        peer_as: LOCAL_AS,
        reason,
      },
    }),
  });
}

/** The port towards a failed neighbour drops (trap from the poller). */
export function portDown(draft: ScenarioDraft, device: Device, towards: Device, cause: string): void {
  const port = draft.port(device, towards);
  draft.signal(device, {
    type: "link_down",
    source: "net-snmp",
    ladder: ["major", "critical"],
    weight: 2,
    render: ({ occurrence }) => ({
      message: `${linkDownLine(device, port)} (towards ${towards.name})`,
      payload: {
        interface: port,
        neighbor: towards.name,
        if_oper_status: "down",
        if_admin_status: "up",
        trap: "linkDown",
        cause,
        repeat: occurrence,
      },
    }),
  });
}

/** Round-trip time from the device's probes towards `target` climbs above its baseline. */
export function latencyHigh(
  draft: ScenarioDraft,
  device: Device,
  target: string,
  baselineMs: number,
  peakMs: number,
  why: string,
): void {
  draft.signal(device, {
    type: "latency_high",
    source: "prometheus",
    ladder: ["minor", "major"],
    weight: 2,
    render: ({ progress, rng }) => {
      const latency = ramp(rng, progress, baselineMs * 1.8, peakMs);
      return {
        message: `RTT from ${device.name} to ${target} is ${latency} ms (baseline ${baselineMs} ms): ${why}`,
        payload: {
          probe: "twamp",
          target,
          latency_ms: latency,
          baseline_ms: baselineMs,
          jitter_ms: ramp(rng, progress, 2, 18),
          loss_pct: ramp(rng, progress, 0, 1.5, 2),
        },
      };
    },
  });
}

/** Application latency seen by APM on an app server. */
export function httpLatencyHigh(draft: ScenarioDraft, app: Device, peakP99Ms: number, dependency: string): void {
  draft.signal(app, {
    type: "http_latency_high",
    source: "apm",
    ladder: ["minor", "major", "critical"],
    weight: 2,
    render: ({ progress, rng }) => {
      const p99 = Math.round(ramp(rng, progress, 650, peakP99Ms, 0));
      return {
        message: `p99 latency of ${app.services[0] ?? app.name} is ${p99} ms (SLO 500 ms); slowest span: ${dependency}`,
        payload: {
          endpoint: "POST /api/v2/orders",
          p50_ms: Math.round(p99 * 0.35),
          p99_ms: p99,
          slo_ms: 500,
          requests_per_s: Math.round(rng.between(800, 1400)),
          slowest_dependency: dependency,
        },
      };
    },
  });
}

/** HTTP 5xx ratio rises on an app server. */
export function http5xxRateHigh(draft: ScenarioDraft, app: Device, error: string): void {
  draft.signal(app, {
    type: "http_5xx_rate_high",
    source: "apm",
    ladder: ["minor", "major", "critical"],
    weight: 2,
    delay: 0.03,
    render: ({ progress, rng }) => {
      const errorPct = ramp(rng, progress, 3, 42);
      return {
        message: `${errorPct}% of requests to ${app.services[0] ?? app.name} fail with 5xx (${error})`,
        payload: {
          error_pct: errorPct,
          status_codes: {
            "502": Math.round(errorPct * 6),
            "503": Math.round(errorPct * 9),
            "504": Math.round(errorPct * 4),
          },
          top_error: error,
          requests_per_s: Math.round(rng.between(800, 1400)),
          port: 8443,
        },
      };
    },
  });
}
