/**
 * The auto-resolver: resolves, as `system`, incidents whose alarms have stayed cleared for the hold
 * (`TELEOPS_AUTO_RESOLVE_AFTER`), on a timer and soon after any change, and tells live views.
 */
import { resolveClearedIncidents } from "@teleops/core";
import type { ChangeFeed, Database } from "@teleops/db";
import type { Logger } from "pino";

export interface AutoResolverDeps {
  db: Database;
  holdMs: number;
  logger: Logger;
  /** Changes to react to (an Alertmanager resolve with a hold of 0 resolves its incident within a moment). */
  changes?: ChangeFeed | undefined;
  /** Tells live views which tenants' incidents it resolved. */
  onResolved?: ((tenantId: string) => void) | undefined;
  /** Clock, for tests. */
  now?: () => Date;
}

export interface AutoResolver {
  /** Runs one sweep now (or after the one in progress). */
  sweep(): Promise<void>;
  stop(): Promise<void>;
}

/** Longest wait between sweeps: an incident resolves at most this late after its hold. */
const MAX_INTERVAL_MS = 15_000;
/** Changes arriving together are answered by one sweep. */
const AFTER_CHANGE_MS = 250;

export function startAutoResolver(deps: AutoResolverDeps): AutoResolver {
  const now = deps.now ?? (() => new Date());
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let soon: NodeJS.Timeout | null = null;

  async function once(): Promise<void> {
    try {
      const resolved = await resolveClearedIncidents(deps.db, { now: now(), holdMs: deps.holdMs });
      if (resolved.length === 0) return;
      deps.logger.info(
        { incidents: resolved.map((r) => r.id), hold_ms: deps.holdMs },
        "incidents resolved by themselves: every alarm cleared",
      );
      for (const tenantId of new Set(resolved.map((r) => r.tenantId))) deps.onResolved?.(tenantId);
    } catch (err) {
      // A database that is down or busy: the next sweep tries again.
      deps.logger.warn({ err }, "auto-resolve sweep failed");
    }
  }

  function sweep(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await once();
      } while (again && !stopped);
      running = null;
    })();
    return running;
  }

  const timer = setInterval(() => void sweep(), Math.min(Math.max(deps.holdMs / 4, 1_000), MAX_INTERVAL_MS));
  timer.unref();
  const unsubscribe = deps.changes?.subscribe(() => {
    if (soon || stopped) return;
    soon = setTimeout(() => {
      soon = null;
      void sweep();
    }, AFTER_CHANGE_MS);
    soon.unref();
  });
  void sweep();

  return {
    sweep,
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (soon) clearTimeout(soon);
      unsubscribe?.();
      await running;
    },
  };
}
