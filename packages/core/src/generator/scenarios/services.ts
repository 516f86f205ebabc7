/** Outages that start in a service or application: resolvers, caches, firewall policy, databases. */
import type { Diagnosis, ScenarioDraft } from "../plan.ts";
import { http5xxRateHigh, httpLatencyHigh } from "../symptoms.ts";
import { ramp, serviceAddress } from "../telemetry.ts";

export function buildDnsOutage(draft: ScenarioDraft): Diagnosis {
  const { root, rng } = draft;
  const resolverIp = serviceAddress(root);
  const trigger = rng.pick([
    {
      cause: "DNSSEC validation failures after a trust-anchor/KSK rollover",
      detail: "validation failure <. DNSKEY IN>: no valid signature",
    },
    {
      cause: "the recursion worker pool wedged after a config reload",
      detail: "request list exceeded, dropping queries",
    },
    { cause: "loss of reachability to the upstream forwarders", detail: "all forwarders unreachable" },
  ]);

  draft.signal(root, {
    type: "dns_servfail_rate_high",
    source: "dns-probe",
    ladder: ["major", "critical"],
    weight: 3,
    render: ({ progress, rng }) => {
      const servfail = Math.min(100, ramp(rng, progress, 28, 96));
      return {
        message: `${servfail}% SERVFAIL from resolver ${root.name} (${resolverIp}:53): ${trigger.detail}`,
        payload: {
          resolver_ip: resolverIp,
          port: 53,
          rcode: "SERVFAIL",
          servfail_pct: servfail,
          qname: rng.pick(["api.payments.example.net", "login.example.com", "cdn.example.org"]),
          qtype: "A",
          qps: Math.round(ramp(rng, progress, 14_000, 22_000, 0)),
        },
      };
    },
  });
  draft.signal(root, {
    type: "dns_query_timeout",
    source: "dns-probe",
    ladder: ["minor", "major", "critical"],
    weight: 3,
    render: ({ progress, rng }) => {
      const failed = Math.round(ramp(rng, progress, 3, 10, 0));
      return {
        message: `${failed}/10 probe queries to ${resolverIp}:53 timed out after 2000 ms`,
        payload: {
          resolver_ip: resolverIp,
          port: 53,
          transport: "udp",
          timeout_ms: 2000,
          probes_failed: Math.min(10, failed),
          probes_sent: 10,
        },
      };
    },
  });
  draft.signal(root, {
    type: "dns_recursion_queue_full",
    source: "prometheus",
    ladder: ["minor", "major"],
    weight: 2,
    delay: 0.04,
    render: ({ progress, rng }) => {
      const exceeded = Math.round(ramp(rng, progress, 200, 9_000, 0));
      return {
        message: `Unbound on ${root.name}: ${exceeded} queries/s dropped, request list full (num.queries.ip.ratelimited rising)`,
        payload: {
          requestlist_exceeded_per_s: exceeded,
          requestlist_max: 4096,
          cache_hit_ratio: ramp(rng, progress, 0.6, 0.2, 2),
        },
      };
    },
  });

  for (const app of draft.spread(root, ["app"], 2)) {
    draft.signal(app, {
      type: "dns_resolution_failure",
      source: "apm",
      ladder: ["minor", "major", "critical"],
      weight: 2,
      render: ({ progress, rng }) => {
        const failures = Math.round(ramp(rng, progress, 40, 2_400, 0));
        const name = rng.pick([`db-01.${root.site}.internal`, "payments-gw.example.net", "auth.example.com"]);
        return {
          message: `getaddrinfo EAI_AGAIN ${name}: ${failures} lookups/min failing via ${resolverIp}`,
          payload: { hostname: name, error: "EAI_AGAIN", resolver_ip: resolverIp, failures_per_min: failures },
        };
      },
    });
    http5xxRateHigh(draft, app, "dependency lookups failing (EAI_AGAIN)");
  }

  return {
    rootCause: `DNS resolver ${root.name} (${resolverIp}) returning SERVFAIL and timing out: ${trigger.cause}`,
    remediation: [
      `Query ${root.name} directly (dig @${resolverIp}) and check its logs for ${trigger.detail}`,
      `Take ${root.name} out of the anycast/resolver pool so clients fall back to the healthy resolver`,
      "Fix the cause (roll back the reload/config, fix the trust anchor or forwarder reachability) and restart the resolver",
      "Flush the resolver cache and confirm SERVFAIL rate and probe latency are back to baseline",
      "Restart or reconnect application pools that cached failed lookups",
    ],
  };
}

export function buildCdnCacheStampede(draft: ScenarioDraft): Diagnosis {
  const { root, rng } = draft;
  const trigger = rng.pick([
    {
      cause: "a global purge of /assets/* emptied the cache",
      event: "PURGE /assets/* (ban) issued by deploy pipeline",
    },
    {
      cause: "a cache-key change (new Vary: Accept-Encoding, Cookie) made every object a miss",
      event: "VCL reloaded with new cache key",
    },
    {
      cause: "a popular manifest's TTL expired for all edges at once",
      event: "TTL expiry of /live/manifest.m3u8 across edges",
    },
  ]);

  draft.signal(root, {
    type: "cache_hit_ratio_low",
    source: "prometheus",
    ladder: ["major", "critical"],
    weight: 3,
    render: ({ progress, rng }) => {
      const ratio = Math.max(0.03, ramp(rng, progress, 0.48, 0.09, 2));
      return {
        message: `Cache hit ratio on ${root.name} fell to ${Math.round(ratio * 100)}% (baseline 94%) after ${trigger.event}`,
        payload: {
          hit_ratio: ratio,
          baseline_hit_ratio: 0.94,
          misses_per_s: Math.round(ramp(rng, progress, 4_000, 26_000, 0)),
          trigger: trigger.event,
        },
      };
    },
  });
  draft.signal(root, {
    type: "origin_request_surge",
    source: "prometheus",
    ladder: ["minor", "major", "critical"],
    weight: 3,
    render: ({ progress, rng }) => {
      const rps = Math.round(ramp(rng, progress, 3_500, 24_000, 0));
      return {
        message: `Origin requests from ${root.name} at ${rps}/s (baseline 900/s); request coalescing saturated`,
        payload: { origin_rps: rps, baseline_rps: 900, coalesced_waiters: Math.round(rps * 0.3), port: 443 },
      };
    },
  });
  draft.signal(root, {
    type: "cache_backend_connections_high",
    source: "prometheus",
    ladder: ["minor", "major"],
    weight: 2,
    delay: 0.03,
    render: ({ progress, rng }) => {
      const connections = Math.round(ramp(rng, progress, 600, 1_000, 0));
      return {
        message: `${connections}/1000 backend connections busy on ${root.name}; backend_busy counter increasing`,
        payload: {
          backend_connections: Math.min(1000, connections),
          max_connections: 1000,
          backend_fail_per_s: Math.round(ramp(rng, progress, 0, 300, 0)),
        },
      };
    },
  });

  const [origin] = draft.spread(root, ["app"], 1);
  if (origin) {
    draft.signal(origin, {
      type: "connection_pool_exhausted",
      source: "apm",
      ladder: ["major", "critical"],
      weight: 2,
      render: ({ progress, rng }) => {
        const queued = Math.round(ramp(rng, progress, 150, 4_000, 0));
        return {
          message: `All 512 worker threads busy on ${origin.name}; ${queued} requests queued from ${root.name}`,
          payload: { workers_busy: 512, workers_max: 512, queued_requests: queued, top_client: root.name, port: 8443 },
        };
      },
    });
    httpLatencyHigh(draft, origin, 9_000, "request queue (origin overload)");
    http5xxRateHigh(draft, origin, "503 Service Unavailable (worker pool exhausted)");
    for (const database of draft.spread(origin, ["database"], 1)) {
      draft.signal(database, {
        type: "db_connections_high",
        source: "prometheus",
        ladder: ["warning", "minor", "major"],
        weight: 1,
        render: ({ progress, rng }) => {
          const connections = Math.min(500, Math.round(ramp(rng, progress, 380, 498, 0)));
          return {
            message: `${connections}/500 connections in use on ${database.name} (origin ${origin.name} surge)`,
            payload: { connections, max_connections: 500, port: 5432, top_client: origin.name },
          };
        },
      });
    }
  }

  return {
    rootCause: `Cache stampede on ${root.name}: ${trigger.cause}, collapsing the hit ratio and overloading origin ${origin?.name ?? "servers"}`,
    remediation: [
      `Confirm the trigger on ${root.name} (${trigger.event}) and stop any further purges or deploys`,
      "Enable stale-while-revalidate / serve-stale and request coalescing so misses stop reaching the origin",
      "Rate-limit origin fetches per cache and prewarm the hottest objects",
      "Scale out the origin workers temporarily and watch database connection headroom",
      "Review purge scope and cache-key changes in the CDN change process",
    ],
  };
}

export function buildFirewallRuleMisconfig(draft: ScenarioDraft): Diagnosis {
  const { root, rng } = draft;
  const change = `CHG${rng.int(10_000, 99_999)}`;
  const blocked = rng.pick([
    { rule: "allow-web-to-app", port: 8443, flow: "web tier to app tier", zone: "dmz" },
    { rule: "allow-app-to-payments", port: 443, flow: "apps to payments gateway", zone: "partners" },
    { rule: "allow-lb-healthchecks", port: 8080, flow: "load balancer health checks", zone: "lb" },
  ]);
  const version = rng.int(1_200, 4_800);

  draft.signal(root, {
    type: "firewall_policy_commit",
    source: "syslog",
    ladder: ["warning"],
    weight: 0,
    render: () => ({
      message: `Commit ${version} by netops-automation (${change}): 3 security rules changed, rule ${blocked.rule} moved below deny-legacy-any`,
      payload: {
        config_version: version,
        admin: "netops-automation",
        change_ticket: change,
        rules_changed: 3,
        moved_rule: blocked.rule,
      },
    }),
  });
  draft.signal(root, {
    type: "policy_deny_rate_high",
    source: "syslog",
    ladder: ["major", "critical"],
    weight: 4,
    render: ({ progress, rng }) => {
      const denied = Math.round(ramp(rng, progress, 900, 14_000, 0));
      return {
        message: `Denied flows ${denied}/s on rule deny-legacy-any (baseline 12/s): ${blocked.flow}, dst port ${blocked.port}`,
        payload: {
          rule: "deny-legacy-any",
          shadowed_rule: blocked.rule,
          src_zone: blocked.zone,
          dst_zone: "app",
          dst_ip: serviceAddress(root),
          dst_port: blocked.port,
          protocol: "tcp",
          denied_per_s: denied,
          baseline_per_s: 12,
        },
      };
    },
  });
  draft.signal(root, {
    type: "firewall_rule_shadowed",
    source: "syslog",
    ladder: ["minor"],
    weight: 0,
    delay: 0.02,
    render: () => ({
      message: `Policy analyzer: rule ${blocked.rule} is fully shadowed by deny-legacy-any since commit ${version}`,
      payload: {
        rule: blocked.rule,
        shadowed_by: "deny-legacy-any",
        config_version: version,
        hit_count_since_commit: 0,
      },
    }),
  });

  for (const app of draft.spread(root, ["app"], 2)) {
    draft.signal(app, {
      type: "health_check_failed",
      source: "apm",
      ladder: ["major", "critical"],
      weight: 2,
      render: ({ occurrence }) => ({
        message: `GET https://${app.name}:${blocked.port}/healthz timed out (check ${occurrence + 1}, pool member marked down)`,
        payload: {
          check: "GET /healthz",
          port: blocked.port,
          timeout_ms: 3000,
          consecutive_failures: occurrence + 3,
          pool_state: "down",
        },
      }),
    });
    draft.signal(app, {
      type: "upstream_connect_timeout",
      source: "apm",
      ladder: ["minor", "major", "critical"],
      weight: 2,
      delay: 0.02,
      render: ({ progress, rng }) => {
        const failures = Math.round(ramp(rng, progress, 30, 1_800, 0));
        return {
          message: `${failures} connects/min to ${blocked.flow} on port ${blocked.port} time out (SYN not answered)`,
          payload: { failures_per_min: failures, dst_port: blocked.port, error: "ETIMEDOUT", via: root.name },
        };
      },
    });
  }

  return {
    rootCause: `Firewall rule misconfiguration on ${root.name}: commit ${version} (${change}) moved ${blocked.rule} below deny-legacy-any, so ${blocked.flow} on port ${blocked.port} is denied`,
    remediation: [
      `Check the commit log on ${root.name} and diff config version ${version} against the previous one`,
      `Roll back to the previous configuration or move ${blocked.rule} above deny-legacy-any and commit`,
      `Confirm denied-flow counters on deny-legacy-any drop and hit counts on ${blocked.rule} resume`,
      "Verify application health checks pass and the pool members return to service",
      "Add a policy-shadowing check to the firewall change pipeline",
    ],
  };
}

export function buildDatabaseLatencySpike(draft: ScenarioDraft): Diagnosis {
  const { root, rng } = draft;
  const databases = draft.net.atSite(root.site, ["database"]);
  // The first database of the site is its primary; the others replicate from it.
  const isPrimary = databases[0]?.name === root.name;
  const relation = rng.pick(["orders", "payments", "sessions", "inventory"]);
  const trigger = rng.pick([
    {
      cause: `a long-running migration holding an ACCESS EXCLUSIVE lock on ${relation}`,
      query: `ALTER TABLE ${relation} ADD COLUMN …`,
    },
    {
      cause: `a missing index turning the hot ${relation} lookup into sequential scans`,
      query: `SELECT * FROM ${relation} WHERE customer_id = $1`,
    },
    {
      cause: `autovacuum blocked on ${relation} and row-lock contention from a batch job`,
      query: `UPDATE ${relation} SET status = $1 WHERE id = $2`,
    },
  ]);
  const blockingPid = rng.int(10_000, 60_000);

  draft.signal(root, {
    type: "db_lock_wait_high",
    source: "prometheus",
    ladder: ["minor", "major", "critical"],
    weight: 3,
    render: ({ progress, rng }) => {
      const waiting = Math.round(ramp(rng, progress, 12, 180, 0));
      return {
        message: `${waiting} sessions waiting on locks on ${relation} (blocking pid ${blockingPid}) on ${root.name}`,
        payload: {
          relation,
          waiting_sessions: waiting,
          blocking_pid: blockingPid,
          max_wait_ms: Math.round(ramp(rng, progress, 2_000, 45_000, 0)),
          port: 5432,
        },
      };
    },
  });
  draft.signal(root, {
    type: "db_slow_queries",
    source: "syslog",
    ladder: ["minor", "major"],
    weight: 3,
    render: ({ progress, rng }) => {
      const duration = Math.round(ramp(rng, progress, 1_800, 38_000, 0));
      return {
        message: `LOG: duration: ${duration} ms statement: ${trigger.query}`,
        payload: { duration_ms: duration, query: trigger.query, relation, rows: rng.int(1, 5_000), database: "shop" },
      };
    },
  });
  draft.signal(root, {
    type: "db_active_connections_high",
    source: "prometheus",
    ladder: ["warning", "minor", "major"],
    weight: 2,
    delay: 0.05,
    render: ({ progress, rng }) => {
      const active = Math.min(500, Math.round(ramp(rng, progress, 260, 495, 0)));
      return {
        message: `${active}/500 connections active on ${root.name}, most waiting`,
        payload: { active_connections: active, max_connections: 500, state: "active (lock wait)", port: 5432 },
      };
    },
  });

  if (isPrimary) {
    for (const replica of draft.spread(root, ["database"], 1)) {
      draft.signal(replica, {
        type: "db_replication_lag_high",
        source: "prometheus",
        ladder: ["warning", "minor", "major"],
        weight: 2,
        render: ({ progress, rng }) => {
          const lag = Math.round(ramp(rng, progress, 15, 420, 0));
          return {
            message: `Replica ${replica.name} is ${lag} s behind ${root.name} (replay blocked by conflicting lock)`,
            payload: { lag_s: lag, primary: root.name, replay_paused: false, port: 5432 },
          };
        },
      });
    }
  }
  for (const app of draft.spread(root, ["app"], 2)) {
    draft.signal(app, {
      type: "db_connection_pool_exhausted",
      source: "apm",
      ladder: ["minor", "major", "critical"],
      weight: 2,
      render: ({ progress, rng }) => {
        const waitMs = Math.round(ramp(rng, progress, 800, 30_000, 0));
        return {
          message: `HikariPool-1 - Connection is not available, request timed out after ${waitMs} ms (pool 50/50 active, ${root.name})`,
          payload: { pool: "HikariPool-1", active: 50, max: 50, wait_ms: waitMs, database_host: root.name, port: 5432 },
        };
      },
    });
    httpLatencyHigh(draft, app, 12_000, `postgres ${root.name} (${relation})`);
    http5xxRateHigh(draft, app, "database timeout");
  }

  return {
    rootCause: `Database latency spike on ${root.name}: ${trigger.cause}`,
    remediation: [
      `Inspect pg_stat_activity / pg_locks on ${root.name} and identify blocking pid ${blockingPid}`,
      `Cancel or terminate the blocking session (pg_cancel_backend / pg_terminate_backend ${blockingPid})`,
      `Check the plan of "${trigger.query}" and add the missing index or reschedule the migration/batch job`,
      "Let application pools drain and confirm p99 latency and 5xx rates return to baseline",
      "Verify the replica catches up and add a lock_timeout/statement_timeout guard for the job",
    ],
  };
}
