/**
 * Background chatter every NOC sees (full disks, clock drift, expiring certificates): low-severity alerts on
 * devices that have nothing to do with the outages being generated.
 */
import type { Device, Severity } from "@teleops/schema";
import type { SeededRandom } from "./random.ts";
import type { NetworkMap } from "./topology.ts";

export interface NoiseAlert {
  alertType: string;
  sourceSystem: string;
  service: string;
  severity: Severity;
  message: string;
  payload: Record<string, unknown>;
}

type NoiseKind = (device: Device, rng: SeededRandom) => NoiseAlert;

const diskUsageHigh: NoiseKind = (device, rng) => {
  const used = rng.round(85, 94);
  const mount = rng.pick(["/var", "/var/log", "/data", "/"]);
  return {
    alertType: "disk_usage_high",
    sourceSystem: "prometheus",
    service: "os",
    severity: used > 90 ? "warning" : "info",
    message: `Filesystem ${mount} on ${device.name} is ${used}% full`,
    payload: { mountpoint: mount, used_pct: used, free_gb: rng.round(2, 40), device: "/dev/nvme0n1p2" },
  };
};

const memoryUsageHigh: NoiseKind = (device, rng) => {
  const used = rng.round(86, 93);
  return {
    alertType: "memory_usage_high",
    sourceSystem: "prometheus",
    service: "os",
    severity: "warning",
    message: `Memory usage on ${device.name} at ${used}% (page cache excluded)`,
    payload: { used_pct: used, swap_used_mb: rng.int(0, 900) },
  };
};

const serverCpuHigh: NoiseKind = (device, rng) => {
  const cpu = rng.round(82, 95);
  return {
    alertType: "cpu_high",
    sourceSystem: "prometheus",
    service: "os",
    severity: rng.chance(0.3) ? "info" : "warning",
    message: `CPU on ${device.name} at ${cpu}% for 10 minutes`,
    payload: {
      cpu_pct: cpu,
      top_process: rng.pick(["logrotate", "java", "rsync", "node_exporter", "gzip"]),
      window_min: 10,
    },
  };
};

const networkCpuHigh: NoiseKind = (device, rng) => {
  const cpu = rng.round(72, 88);
  return {
    alertType: "cpu_high",
    sourceSystem: "net-snmp",
    service: "system",
    severity: rng.chance(0.4) ? "info" : "warning",
    message: `Routing engine CPU on ${device.name} at ${cpu}% (5 min average)`,
    payload: { cpu_pct: cpu, process: rng.pick(["snmpd", "mgd", "sshd", "telemetry"]), window_min: 5 },
  };
};

const ntpDrift: NoiseKind = (device, rng) => {
  const offset = rng.round(120, 900, 0);
  return {
    alertType: "ntp_drift",
    sourceSystem: "syslog",
    service: "ntp",
    severity: offset > 500 ? "warning" : "info",
    message: `Clock offset on ${device.name} is ${offset} ms against the NTP source`,
    payload: { offset_ms: offset, stratum: rng.int(2, 4), ntp_server: "192.0.2.123" },
  };
};

const certExpiring: NoiseKind = (device, rng) => {
  const days = rng.int(5, 30);
  return {
    alertType: "cert_expiring",
    sourceSystem: "prometheus",
    service: "pki",
    severity: days < 14 ? "warning" : "info",
    message: `TLS certificate for ${device.name} expires in ${days} days`,
    payload: {
      days_left: days,
      subject_cn: `${device.name}.mgmt.example.net`,
      issuer: "Internal Issuing CA 2",
      port: rng.pick([443, 57400, 8443]),
    },
  };
};

const backupJobSlow: NoiseKind = (device, rng) => {
  const minutes = rng.int(95, 240);
  return {
    alertType: "backup_job_slow",
    sourceSystem: "syslog",
    service: "backup",
    severity: "warning",
    message: `Nightly backup job on ${device.name} running ${minutes} min (usual 60 min)`,
    payload: {
      job: rng.pick(["pg-basebackup", "config-archive", "vm-snapshots"]),
      duration_min: minutes,
      baseline_min: 60,
    },
  };
};

const configBackupFailed: NoiseKind = (device, rng) => ({
  alertType: "config_backup_failed",
  sourceSystem: "syslog",
  service: "config-archive",
  severity: "warning",
  message: `Config archive could not fetch the running config of ${device.name} (SSH timeout, will retry)`,
  payload: { collector: "oxidized", attempt: rng.int(1, 3), port: 22 },
});

const fanSpeedHigh: NoiseKind = (device, rng) => {
  const rpm = rng.int(11_000, 14_500);
  return {
    alertType: "fan_speed_high",
    sourceSystem: "net-snmp",
    service: "hardware",
    severity: "info",
    message: `Fan tray 1 on ${device.name} at ${rpm} rpm (inlet ${rng.int(29, 34)} °C)`,
    payload: { fan_tray: 1, rpm, inlet_temp_c: rng.int(29, 34) },
  };
};

const SERVER_NOISE: readonly NoiseKind[] = [diskUsageHigh, memoryUsageHigh, serverCpuHigh, ntpDrift, certExpiring];
const NETWORK_NOISE: readonly NoiseKind[] = [networkCpuHigh, ntpDrift, certExpiring, configBackupFailed, fanSpeedHigh];

const HOST_ROLES = new Set<Device["role"]>(["server", "app", "database", "dns", "cdn"]);

/** Unrelated servers chatter the most; the rest of the network adds an occasional warning. */
const SERVER_WEIGHT = 4;

/**
 * Draws noise from devices that are neither affected by a generated outage nor linked to one, so noise never
 * looks like a symptom to a topology-aware correlator.
 */
export class NoiseSource {
  private readonly hosts: Device[] = [];
  private readonly cumulative: number[] = [];
  private total = 0;

  constructor(net: NetworkMap, affected: ReadonlySet<string>) {
    for (const device of net.topology.devices) {
      if (affected.has(device.name)) continue;
      const neighbours = net.adjacency.get(device.name);
      if (neighbours && [...neighbours].some((name) => affected.has(name))) continue;
      this.total += device.role === "server" ? SERVER_WEIGHT : 1;
      this.hosts.push(device);
      this.cumulative.push(this.total);
    }
  }

  get size(): number {
    return this.hosts.length;
  }

  /** One noise alert on a random eligible device; undefined when no device qualifies. */
  next(rng: SeededRandom): { device: Device; alert: NoiseAlert } | undefined {
    if (this.hosts.length === 0) return undefined;
    const target = rng.next() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.cumulative[mid] ?? 0) > target) high = mid;
      else low = mid + 1;
    }
    const device = this.hosts[low];
    if (!device) return undefined;
    const kinds = HOST_ROLES.has(device.role) ? SERVER_NOISE : NETWORK_NOISE;
    const kind = device.services.includes("backup") && rng.chance(0.4) ? backupJobSlow : rng.pick(kinds);
    return { device, alert: kind(device, rng) };
  }
}
