/**
 * Background chatter every NOC sees (full disks, clock drift, expiring certificates, a failed power supply):
 * alerts unrelated to the outages being generated. Most are warning/info on quiet devices, but as in a real feed
 * some are minor or major and some land on the very devices an outage affects or on their neighbours.
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

/** `loud` asks for the worse reading of the same condition, at minor or major. */
type NoiseKind = (device: Device, rng: SeededRandom, loud: boolean) => NoiseAlert;

const diskUsageHigh: NoiseKind = (device, rng, loud) => {
  const used = loud ? rng.round(95, 99.5) : rng.round(85, 94);
  const mount = rng.pick(["/var", "/var/log", "/data", "/"]);
  return {
    alertType: "disk_usage_high",
    sourceSystem: "prometheus",
    service: "os",
    severity: loud ? (used > 98 ? "major" : "minor") : used > 90 ? "warning" : "info",
    message: `Filesystem ${mount} on ${device.name} is ${used}% full`,
    payload: { mountpoint: mount, used_pct: used, free_gb: rng.round(2, 40), device: "/dev/nvme0n1p2" },
  };
};

const memoryUsageHigh: NoiseKind = (device, rng, loud) => {
  const used = loud ? rng.round(95, 99) : rng.round(86, 93);
  return {
    alertType: "memory_usage_high",
    sourceSystem: "prometheus",
    service: "os",
    severity: loud ? "minor" : "warning",
    message: `Memory usage on ${device.name} at ${used}% (page cache excluded)`,
    payload: { used_pct: used, swap_used_mb: rng.int(0, 900) },
  };
};

const serverCpuHigh: NoiseKind = (device, rng, loud) => {
  const cpu = loud ? rng.round(96, 100) : rng.round(82, 95);
  return {
    alertType: "cpu_high",
    sourceSystem: "prometheus",
    service: "os",
    severity: loud ? "minor" : rng.chance(0.3) ? "info" : "warning",
    message: `CPU on ${device.name} at ${cpu}% for 10 minutes`,
    payload: {
      cpu_pct: cpu,
      top_process: rng.pick(["logrotate", "java", "rsync", "node_exporter", "gzip"]),
      window_min: 10,
    },
  };
};

const networkCpuHigh: NoiseKind = (device, rng, loud) => {
  const cpu = loud ? rng.round(90, 98) : rng.round(72, 88);
  return {
    alertType: "cpu_high",
    sourceSystem: "net-snmp",
    service: "system",
    severity: loud ? (cpu > 95 ? "major" : "minor") : rng.chance(0.4) ? "info" : "warning",
    message: `Routing engine CPU on ${device.name} at ${cpu}% (5 min average)`,
    payload: { cpu_pct: cpu, process: rng.pick(["snmpd", "mgd", "sshd", "telemetry"]), window_min: 5 },
  };
};

const ntpDrift: NoiseKind = (device, rng, loud) => {
  const offset = loud ? rng.round(2_000, 9_000, 0) : rng.round(120, 900, 0);
  return {
    alertType: "ntp_drift",
    sourceSystem: "syslog",
    service: "ntp",
    severity: loud ? "minor" : offset > 500 ? "warning" : "info",
    message: `Clock offset on ${device.name} is ${offset} ms against the NTP source`,
    payload: { offset_ms: offset, stratum: rng.int(2, 4), ntp_server: "192.0.2.123" },
  };
};

const certExpiring: NoiseKind = (device, rng, loud) => {
  const days = loud ? rng.int(0, 3) : rng.int(5, 30);
  return {
    alertType: "cert_expiring",
    sourceSystem: "prometheus",
    service: "pki",
    severity: loud ? (days === 0 ? "major" : "minor") : days < 14 ? "warning" : "info",
    message: `TLS certificate for ${device.name} expires in ${days} days`,
    payload: {
      days_left: days,
      subject_cn: `${device.name}.mgmt.example.net`,
      issuer: "Internal Issuing CA 2",
      port: rng.pick([443, 57400, 8443]),
    },
  };
};

const backupJobSlow: NoiseKind = (device, rng, loud) => {
  const minutes = loud ? rng.int(300, 600) : rng.int(95, 240);
  return {
    alertType: "backup_job_slow",
    sourceSystem: "syslog",
    service: "backup",
    severity: loud ? "minor" : "warning",
    message: `Nightly backup job on ${device.name} running ${minutes} min (usual 60 min)`,
    payload: {
      job: rng.pick(["pg-basebackup", "config-archive", "vm-snapshots"]),
      duration_min: minutes,
      baseline_min: 60,
    },
  };
};

const configBackupFailed: NoiseKind = (device, rng, loud) => ({
  alertType: "config_backup_failed",
  sourceSystem: "syslog",
  service: "config-archive",
  severity: loud ? "minor" : "warning",
  message: loud
    ? `Config archive has not fetched the running config of ${device.name} for ${rng.int(3, 9)} days (SSH auth failure)`
    : `Config archive could not fetch the running config of ${device.name} (SSH timeout, will retry)`,
  payload: { collector: "oxidized", attempt: loud ? rng.int(20, 60) : rng.int(1, 3), port: 22 },
});

const fanSpeedHigh: NoiseKind = (device, rng, loud) => {
  const rpm = loud ? rng.int(15_500, 17_000) : rng.int(11_000, 14_500);
  const inlet = loud ? rng.int(38, 44) : rng.int(29, 34);
  return {
    alertType: "fan_speed_high",
    sourceSystem: "net-snmp",
    service: "hardware",
    severity: loud ? "minor" : "info",
    message: `Fan tray 1 on ${device.name} at ${rpm} rpm (inlet ${inlet} °C)`,
    payload: { fan_tray: 1, rpm, inlet_temp_c: inlet },
  };
};

/** A redundant power supply fails: the box keeps running on the other one, which an operator must still fix. */
const powerSupplyFailed: NoiseKind = (device, rng, loud) => {
  const slot = rng.int(0, 1);
  return {
    alertType: "power_supply_failed",
    sourceSystem: "net-snmp",
    service: "hardware",
    severity: loud ? "major" : "warning",
    message: loud
      ? `PSU ${slot} on ${device.name} failed (no output); running on a single supply, redundancy lost`
      : `PSU ${slot} on ${device.name} reports input voltage out of range (${rng.int(180, 195)} V)`,
    payload: { psu: slot, redundancy: loud ? "lost" : "ok", trap: "entSensorThresholdNotification" },
  };
};

const SERVER_NOISE: readonly NoiseKind[] = [diskUsageHigh, memoryUsageHigh, serverCpuHigh, ntpDrift, certExpiring];
const NETWORK_NOISE: readonly NoiseKind[] = [
  networkCpuHigh,
  ntpDrift,
  certExpiring,
  configBackupFailed,
  fanSpeedHigh,
  powerSupplyFailed,
];

const HOST_ROLES = new Set<Device["role"]>(["server", "app", "database", "dns", "cdn"]);

/** Unrelated servers chatter the most; the rest of the network adds an occasional warning. */
const SERVER_WEIGHT = 4;
/** Share of noise that lands on a device an outage affects, or on one of its neighbours. */
const NEAR_SHARE = 0.2;
/** Share of noise at minor or major rather than warning or info. */
const LOUD_SHARE = 0.2;

/** Devices drawn from with weights, by a binary search over the running total. */
class WeightedDevices {
  private readonly devices: Device[] = [];
  private readonly cumulative: number[] = [];
  private total = 0;

  add(device: Device, weight: number): void {
    this.total += weight;
    this.devices.push(device);
    this.cumulative.push(this.total);
  }

  get size(): number {
    return this.devices.length;
  }

  draw(rng: SeededRandom): Device | undefined {
    const target = rng.next() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.cumulative[mid] ?? 0) > target) high = mid;
      else low = mid + 1;
    }
    return this.devices[low];
  }
}

/**
 * Draws noise: mostly from devices that are neither affected by a generated outage nor linked to one, and a
 * share (`NEAR_SHARE`) from the affected devices and their neighbours, where unrelated chatter is hardest to
 * tell from a symptom.
 */
export class NoiseSource {
  private readonly quiet = new WeightedDevices();
  private readonly near = new WeightedDevices();

  constructor(net: NetworkMap, affected: ReadonlySet<string>) {
    for (const device of net.topology.devices) {
      const neighbours = net.adjacency.get(device.name);
      const touched = affected.has(device.name) || (neighbours && [...neighbours].some((name) => affected.has(name)));
      if (touched) this.near.add(device, 1);
      else this.quiet.add(device, device.role === "server" ? SERVER_WEIGHT : 1);
    }
  }

  get size(): number {
    return this.quiet.size + this.near.size;
  }

  /** One noise alert on a random device; undefined when the topology has none. */
  next(rng: SeededRandom): { device: Device; alert: NoiseAlert } | undefined {
    const pool = this.quiet.size === 0 || (this.near.size > 0 && rng.chance(NEAR_SHARE)) ? this.near : this.quiet;
    if (pool.size === 0) return undefined;
    const device = pool.draw(rng);
    if (!device) return undefined;
    const kinds = HOST_ROLES.has(device.role) ? SERVER_NOISE : NETWORK_NOISE;
    const kind = device.services.includes("backup") && rng.chance(0.4) ? backupJobSlow : rng.pick(kinds);
    return { device, alert: kind(device, rng, rng.chance(LOUD_SHARE)) };
  }
}
