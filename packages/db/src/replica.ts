/**
 * A PostgreSQL streaming replica for reads that may lag: its own pool, and a check every second of whether it is
 * up, still following the primary and how far behind it is. Callers read from it only while it is `serving`;
 * otherwise reads go to the primary, so a replica that goes down or falls behind never takes the product down.
 */
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { within } from "./availability.ts";
import type { Database } from "./client.ts";
import { preparingMarked } from "./prepared.ts";
import * as schema from "./schema.ts";

/**
 * `streaming`: serving reads. `lagging`: more than `maxLagMs` behind. `disconnected`: no WAL receiver (it does not
 * follow the primary right now). `not a standby`: not in recovery (promoted, or a primary by mistake). `down`: does
 * not answer. Only `streaming` serves reads.
 */
export type ReplicaStatus = "starting" | "streaming" | "lagging" | "disconnected" | "not a standby" | "down";

export interface ReplicaState {
  status: ReplicaStatus;
  /** Whether reads that may lag go to the replica now (else to the primary). */
  serving: boolean;
  /** Time since the newest transaction it replayed, 0 when it has replayed all it received; null when unknown. */
  lag_ms: number | null;
  /** WAL replay paused on the replica (`pg_wal_replay_pause()`). */
  replay_paused: boolean;
  checked_at: string | null;
  /** Why it does not serve, when it does not. */
  reason?: string;
}

export interface ReadReplica {
  db: Database;
  /** The last check's outcome (checked every `checkEveryMs`). */
  state(): ReplicaState;
  /** Checks now and returns the new state. */
  check(): Promise<ReplicaState>;
  /**
   * Resolves true once the replica has replayed everything the primary had committed when `since` (a
   * `performance.now()` time) had passed, false after `timeoutMs`. Concurrent callers share one check.
   */
  caughtUp(since: number, timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface ReplicaOptions {
  poolSize: number;
  connectTimeoutMs: number;
  /** Reads of the primary's current WAL position (`pg_current_wal_lsn()`), for `caughtUp`. */
  primaryLsn: () => Promise<string>;
  /** Beyond this lag reads go to the primary (default 30 s). */
  maxLagMs?: number;
  checkEveryMs?: number;
  onStateChange?: (state: ReplicaState, previous: ReplicaState) => void;
}

/** A replica further behind than this serves no reads: a queue half a minute old misleads more than it helps. */
export const DEFAULT_MAX_REPLICA_LAG_MS = 30_000;

export function openReadReplica(url: string, options: ReplicaOptions): ReadReplica {
  const maxLagMs = options.maxLagMs ?? DEFAULT_MAX_REPLICA_LAG_MS;
  const client = postgres(url, {
    max: options.poolSize,
    connect_timeout: options.connectTimeoutMs / 1000,
    onnotice: () => {},
  });
  // The checks use a connection of their own, as readiness does: a pool busy with reads is not a replica down.
  const probe = postgres(url, { max: 1, connect_timeout: options.connectTimeoutMs / 1000, onnotice: () => {} });
  const db = drizzle({ client: preparingMarked(client), schema, casing: "snake_case" }) as unknown as Database;
  let current: ReplicaState = {
    status: "starting",
    serving: false,
    lag_ms: null,
    replay_paused: false,
    checked_at: null,
  };

  async function measure(): Promise<ReplicaState> {
    const checked_at = new Date().toISOString();
    try {
      const [recovery] = await probe<Array<{ standby: boolean }>>`select pg_is_in_recovery() as standby`;
      if (!recovery?.standby) {
        return {
          status: "not a standby",
          serving: false,
          lag_ms: null,
          replay_paused: false,
          checked_at,
          reason: "not in recovery",
        };
      }
      // pid is visible to every role (the other columns of pg_stat_wal_receiver need pg_read_all_stats).
      const [row] = await probe<Array<{ receiving: boolean; lag_ms: number | null; paused: boolean }>>`
        select exists (select 1 from pg_stat_wal_receiver where pid is not null) as receiving,
               case when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
                    else (extract(epoch from clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::float8
               end as lag_ms,
               pg_is_wal_replay_paused() as paused`;
      const lag_ms = row?.lag_ms === null || row?.lag_ms === undefined ? null : Math.max(0, Math.round(row.lag_ms));
      const replay_paused = row?.paused === true;
      if (!row?.receiving) {
        return { status: "disconnected", serving: false, lag_ms, replay_paused, checked_at, reason: "no WAL receiver" };
      }
      if (lag_ms !== null && lag_ms > maxLagMs) {
        return {
          status: "lagging",
          serving: false,
          lag_ms,
          replay_paused,
          checked_at,
          reason: `more than ${maxLagMs} ms behind`,
        };
      }
      return { status: "streaming", serving: true, lag_ms, replay_paused, checked_at };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { status: "down", serving: false, lag_ms: null, replay_paused: false, checked_at, reason };
    }
  }

  async function check(): Promise<ReplicaState> {
    const next = (await within(measure(), options.connectTimeoutMs)) ?? {
      status: "down" as const,
      serving: false,
      lag_ms: null,
      replay_paused: false,
      checked_at: new Date().toISOString(),
      reason: `did not answer within ${options.connectTimeoutMs} ms`,
    };
    const previous = current;
    current = next;
    if (previous.status !== next.status) options.onStateChange?.(next, previous);
    return next;
  }

  // A check that outlasts the interval (a hung replica, up to the connect timeout) is not started again meanwhile.
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    void check().finally(() => {
      checking = false;
    });
  }, options.checkEveryMs ?? 1_000);
  timer.unref();

  // One shared wait: a caller whose changes committed before the running wait read the primary's position joins it.
  let waiting: { startedAt: number; done: Promise<boolean> } | undefined;
  let confirmedUpTo = -1;
  async function waitForReplay(timeoutMs: number): Promise<boolean> {
    const startedAt = performance.now();
    const target = await options.primaryLsn();
    for (;;) {
      const [row] = await probe<Array<{ replayed: boolean }>>`
        select coalesce(pg_last_wal_replay_lsn() >= ${target}::pg_lsn, false) as replayed`;
      if (row?.replayed) {
        confirmedUpTo = Math.max(confirmedUpTo, startedAt);
        return true;
      }
      if (performance.now() - startedAt > timeoutMs) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  return {
    db,
    state: () => current,
    check,
    async caughtUp(since, timeoutMs) {
      if (!current.serving || confirmedUpTo >= since) return true;
      if (!waiting || waiting.startedAt < since) {
        const startedAt = performance.now();
        const done = waitForReplay(timeoutMs).catch(() => false);
        waiting = { startedAt, done };
        void done.finally(() => {
          if (waiting?.done === done) waiting = undefined;
        });
      }
      return waiting.done;
    },
    async close() {
      clearInterval(timer);
      await Promise.all([client.end({ timeout: 5 }), probe.end({ timeout: 5 })]);
    },
  };
}
