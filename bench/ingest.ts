/**
 * Webhook ingest: `POST /webhooks/alerts` on a TeleOps server process (PostgreSQL and PGlite) and the same
 * alerts posted to a real Alertmanager's `/api/v2/alerts`, at batch 1, 50 and 500 with 1, 4 and 16 clients.
 * Every request carries alerts the receiver has not seen, so deduplication never makes a cell cheap.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningAlertmanager, startAlertmanager } from "./alertmanager.ts";
import { type LoadResult, postLoad } from "./load.ts";
import { AlertReplay, mixedStream, type PayloadFormat, stormStream } from "./payloads.ts";
import {
  type BenchDatabase,
  freshDatabase,
  progress,
  rssMib,
  sampleRss,
  startTeleops,
  type TeleopsProcess,
} from "./process.ts";

/**
 * A users file with one webhook token per tenant, as a multi-tenant deployment has: the token decides where
 * alerts go. Rate limits are off for the benchmark, whose clients all share one address and one token.
 */
function benchCredentials(tenants: string[]) {
  const dir = mkdtempSync(join(tmpdir(), "teleops-bench-users-"));
  const tokens = new Map(tenants.map((tenant) => [tenant, randomBytes(16).toString("hex")]));
  const file = join(dir, "users.json");
  writeFileSync(
    file,
    JSON.stringify({
      users: [],
      webhook_tokens: [...tokens].map(([tenant, token]) => ({
        name: `bench ${tenant}`,
        tenant,
        token_sha256: createHash("sha256").update(token).digest("hex"),
      })),
    }),
  );
  return {
    env: { TELEOPS_USERS_FILE: file, TELEOPS_RATE_LIMIT_PER_MIN: "0", TELEOPS_TOKEN_RATE_LIMIT_PER_MIN: "0" },
    token: (tenant: string) => tokens.get(tenant) ?? "",
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface IngestOptions {
  backends: Array<"pglite" | "postgres">;
  adminUrl: string | undefined;
  seconds: number;
  batches: readonly number[];
  clients: readonly number[];
  /** Extra cells where requests rotate over this many tenants (0: none). */
  tenants: number;
  /** Adds the storm cells (500 devices, one second, no fingerprints; canonical and Alertmanager webhook bodies). */
  storm: boolean;
  /**
   * Also runs the storm cells on a second server with `TELEOPS_WORKERS` at this count on the same PostgreSQL
   * database (1 or less: not run). Every other cell runs one server process (`TELEOPS_WORKERS=1`).
   */
  stormWorkers: number;
}

export interface IngestCell extends LoadResult {
  receiver: "teleops" | "alertmanager";
  database: "pglite" | "postgres" | "memory";
  /** `mixed`: the generator's busy day; `storm`: 500 devices at 7 sites, one second, no fingerprints. */
  stream: "mixed" | "storm";
  /** The route posted to. */
  route: string;
  /** TeleOps HTTP worker processes (`TELEOPS_WORKERS`); 1 for Alertmanager. */
  workers: number;
  tenants: number;
  /** Alerts sent but not newly stored (should be 0: every alert is distinct). */
  duplicates: number | null;
}

export interface IngestReport {
  alertmanager_version: string | null;
  cells: IngestCell[];
  /** TeleOps alerts/s over Alertmanager alerts/s, per database, batch and client count (single tenant). */
  ratios: Array<{ database: string; batch: number; clients: number; ratio: number }>;
  /** The storm cells' TeleOps alerts/s over Alertmanager's on the same storm, per database and route. */
  storm_ratios: Array<{ database: string; route: string; workers: number; ratio: number }>;
  /** Server RSS during the matrix, per database. */
  server_rss_mib: Record<string, { start: number; peak: number; end: number; alerts_stored: number }>;
}

const POOL = 120_000;
/** Batch and client counts of the multi-tenant cells. */
const MULTI_TENANT_CELLS = [
  [50, 16],
  [500, 4],
] as const;

export async function benchIngest(options: IngestOptions, alertmanagerVersion: string | null): Promise<IngestReport> {
  const { alerts } = mixedStream(POOL);
  const cells: IngestCell[] = [];
  // Every cell starts past the laps the previous one could use (at up to 100,000 alerts/s), so no two cells or
  // receivers ever share an alert identity.
  const lapsPerCell = Math.ceil((options.seconds * 100_000) / POOL) + 1;
  let lap = 0;
  const replay = (format: "teleops" | "alertmanager") => {
    lap += lapsPerCell;
    return new AlertReplay(alerts, format).skipLaps(lap);
  };
  const tenants = Array.from({ length: Math.max(1, options.tenants) }, (_, t) => `tenant-${t}`);
  const credentials = benchCredentials(["bench", ...tenants]);
  const single = () => [{ replay: replay("teleops"), token: credentials.token("bench") }];

  // Both servers run for the whole matrix and each cell runs on PostgreSQL, PGlite and Alertmanager back to back,
  // so the three see the same machine (other jobs share it) within seconds of each other.
  const servers: Array<{ kind: "pglite" | "postgres"; server: TeleopsProcess; database: BenchDatabase }> = [];
  const samplers = new Map<string, ReturnType<typeof sampleRss>>();
  const stored = new Map<string, number>();
  const rss: IngestReport["server_rss_mib"] = {};
  try {
    for (const kind of options.backends) {
      const database = await freshDatabase(kind, options.adminUrl, "ingest");
      const server = await startTeleops({ ...database.env, ...credentials.env });
      servers.push({ kind, server, database });
      progress(`ingest on ${kind}: warm-up`);
      await postLoad({
        url: server.url,
        path: "/webhooks/alerts",
        seconds: Math.min(3, options.seconds),
        connections: 4,
        batch: 50,
        senders: single(),
      });
      rss[kind] = { start: rssMib(server.child.pid), peak: 0, end: 0, alerts_stored: 0 };
      samplers.set(kind, sampleRss(server.child.pid, 1_000));
    }
    const teleops = async (
      kind: "pglite" | "postgres",
      url: string,
      batch: number,
      clients: number,
      multi: boolean,
    ) => {
      progress(`ingest on ${kind}: batch ${batch}, ${clients} client(s)${multi ? `, ${tenants.length} tenants` : ""}`);
      const result = await postLoad({
        url,
        path: "/webhooks/alerts",
        seconds: options.seconds,
        connections: clients,
        batch,
        senders: multi
          ? tenants.map((tenant) => ({ replay: replay("teleops"), token: credentials.token(tenant) }))
          : single(),
        countAccepted: true,
      });
      stored.set(kind, (stored.get(kind) ?? 0) + (result.accepted ?? 0));
      cells.push(teleopsCell(kind, multi ? tenants.length : 1, result, "mixed", "/webhooks/alerts", 1));
    };
    for (const batch of options.batches) {
      for (const clients of options.clients) {
        for (const { kind, server } of servers) await teleops(kind, server.url, batch, clients, false);
        if (!alertmanagerVersion) continue;
        progress(`ingest on Alertmanager ${alertmanagerVersion}: batch ${batch}, ${clients} client(s)`);
        // A fresh Alertmanager per cell: it keeps every alert in memory until the alert resolves.
        const am: RunningAlertmanager | null = await startAlertmanager();
        if (!am) continue;
        try {
          const result = await postLoad({
            url: am.url,
            path: "/api/v2/alerts",
            seconds: options.seconds,
            connections: clients,
            batch,
            senders: [{ replay: replay("alertmanager") }],
          });
          cells.push({
            ...result,
            receiver: "alertmanager",
            database: "memory",
            stream: "mixed",
            route: "/api/v2/alerts",
            workers: 1,
            tenants: 1,
            duplicates: null,
          });
        } finally {
          await am.stop();
        }
      }
    }
    // The storm as real senders deliver it (issue 20): canonical bodies and Alertmanager webhook bodies into
    // TeleOps, the same alerts into Alertmanager's own API, back to back, 4 clients × 500 alerts.
    if (options.storm) {
      const storm = stormStream();
      const stormReplay = (format: PayloadFormat) => {
        lap += lapsPerCell;
        return new AlertReplay(storm, format).skipLaps(lap);
      };
      const stormCells = async (kind: "pglite" | "postgres", url: string, workers: number) => {
        for (const [route, format] of [
          ["/webhooks/alerts", "teleops"],
          ["/webhooks/alertmanager", "alertmanager-webhook"],
        ] as const) {
          progress(`ingest on ${kind}${workers > 1 ? ` with ${workers} workers` : ""}: storm through ${route}`);
          const result = await postLoad({
            url,
            path: route,
            seconds: options.seconds,
            connections: 4,
            batch: 500,
            senders: [{ replay: stormReplay(format), token: credentials.token("bench") }],
            countAccepted: true,
          });
          stored.set(kind, (stored.get(kind) ?? 0) + (result.accepted ?? 0));
          cells.push(teleopsCell(kind, 1, result, "storm", route, workers));
        }
      };
      for (const { kind, server } of servers) await stormCells(kind, server.url, 1);
      // Several workers on the very database the one-process server has filled, so both see the same tables.
      const postgres = servers.find((s) => s.kind === "postgres");
      if (postgres && options.stormWorkers > 1) {
        const workers = await startTeleops({
          ...postgres.database.env,
          ...credentials.env,
          TELEOPS_WORKERS: String(options.stormWorkers),
        });
        try {
          progress(`ingest on postgres with ${options.stormWorkers} workers: warm-up`);
          await postLoad({
            url: workers.url,
            path: "/webhooks/alerts",
            seconds: Math.min(3, options.seconds),
            connections: 4,
            batch: 50,
            senders: single(),
          });
          await stormCells("postgres", workers.url, options.stormWorkers);
        } finally {
          await workers.stop();
        }
      }
      const am: RunningAlertmanager | null = alertmanagerVersion ? await startAlertmanager() : null;
      if (am) {
        try {
          progress(`ingest on Alertmanager ${alertmanagerVersion}: storm`);
          const result = await postLoad({
            url: am.url,
            path: "/api/v2/alerts",
            seconds: options.seconds,
            connections: 4,
            batch: 500,
            senders: [{ replay: stormReplay("alertmanager") }],
          });
          cells.push({
            ...result,
            receiver: "alertmanager",
            database: "memory",
            stream: "storm",
            route: "/api/v2/alerts",
            workers: 1,
            tenants: 1,
            duplicates: null,
          });
        } finally {
          await am.stop();
        }
      }
    }
    if (options.tenants > 1) {
      for (const [batch, clients] of MULTI_TENANT_CELLS) {
        for (const { kind, server } of servers) await teleops(kind, server.url, batch, clients, true);
      }
    }
    for (const { kind, server } of servers) {
      const samples = samplers.get(kind)?.stop() ?? [];
      const entry = rss[kind];
      if (entry) {
        entry.peak = Math.max(entry.start, ...samples.map((sample) => sample.rss_mib));
        entry.end = rssMib(server.child.pid);
        entry.alerts_stored = stored.get(kind) ?? 0;
      }
    }
  } finally {
    for (const sampler of samplers.values()) sampler.stop();
    for (const { server, database } of servers) {
      await server.stop();
      await database.drop();
    }
    credentials.remove();
  }

  const ratios: IngestReport["ratios"] = [];
  const stormRatios: IngestReport["storm_ratios"] = [];
  const stormPeer = cells.find((c) => c.receiver === "alertmanager" && c.stream === "storm");
  for (const cell of cells) {
    if (cell.receiver !== "teleops" || cell.stream !== "storm" || !stormPeer || stormPeer.alerts_per_s <= 0) continue;
    stormRatios.push({
      database: cell.database,
      route: cell.route,
      workers: cell.workers,
      ratio: Math.round((cell.alerts_per_s / stormPeer.alerts_per_s) * 1000) / 1000,
    });
  }
  for (const cell of cells) {
    if (cell.receiver !== "teleops" || cell.tenants !== 1 || cell.stream !== "mixed") continue;
    const peer = cells.find(
      (c) =>
        c.receiver === "alertmanager" &&
        c.stream === "mixed" &&
        c.batch === cell.batch &&
        c.connections === cell.connections,
    );
    if (peer && peer.alerts_per_s > 0) {
      ratios.push({
        database: cell.database,
        batch: cell.batch,
        clients: cell.connections,
        ratio: Math.round((cell.alerts_per_s / peer.alerts_per_s) * 1000) / 1000,
      });
    }
  }
  return { alertmanager_version: alertmanagerVersion, cells, ratios, storm_ratios: stormRatios, server_rss_mib: rss };
}

function teleopsCell(
  kind: "pglite" | "postgres",
  tenants: number,
  result: LoadResult,
  stream: IngestCell["stream"],
  route: string,
  workers: number,
): IngestCell {
  const sent = result.requests * result.batch;
  return {
    ...result,
    receiver: "teleops",
    database: kind,
    stream,
    route,
    workers,
    tenants,
    duplicates: result.accepted === null ? null : Math.max(0, sent - result.accepted),
  };
}
