/**
 * The notifier: on a short timer and soon after any change, enqueues what notification channels are due to hear
 * (new, grown, acknowledged, resolved incidents) and sends the outbox. Every server process runs one; the outbox
 * claims and the conditional state writes keep them from sending anything twice.
 */
import { type DeliverOptions, deliverDue, planNotifications, type SmtpSettings } from "@teleops/core";
import type { ChangeFeed, Database } from "@teleops/db";
import type { Logger } from "pino";

export interface NotifierDeps {
  db: Database;
  logger: Logger;
  /** Where incident links in messages point. */
  publicUrl: string;
  smtp?: SmtpSettings | undefined;
  changes?: ChangeFeed | undefined;
  /** Longest wait between passes; default 2 s (a new incident is announced within a few seconds). */
  intervalMs?: number;
  /** Retry timing, for tests; unset takes the documented defaults (30 s doubling up to 1 h, 10 attempts). */
  retry?: Pick<DeliverOptions, "retryBaseMs" | "retryMaxMs" | "maxAttempts">;
  now?: () => Date;
}

export interface Notifier {
  /** Runs one pass now (or after the one in progress). */
  sweep(): Promise<void>;
  stop(): Promise<void>;
}

const AFTER_CHANGE_MS = 250;
/** Outbox batches one pass sends at most before yielding to the timer. */
const MAX_ROUNDS = 5;

export function startNotifier(deps: NotifierDeps): Notifier {
  const now = deps.now ?? (() => new Date());
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let soon: NodeJS.Timeout | null = null;

  async function once(): Promise<void> {
    try {
      const enqueued = await planNotifications(deps.db, { now: now(), publicUrl: deps.publicUrl });
      if (enqueued > 0) deps.logger.debug({ enqueued }, "notifications enqueued");
      for (let round = 0; round < MAX_ROUNDS && !stopped; round += 1) {
        const { sent, failed } = await deliverDue(deps.db, { now: now(), smtp: deps.smtp, ...deps.retry });
        if (failed > 0)
          deps.logger.warn({ sent, failed }, "notification deliveries failed; see notifications.deliveries");
        if (sent === 0) break;
      }
    } catch (err) {
      // A database that is down or busy: the next pass tries again, and nothing was lost (the outbox is stored).
      deps.logger.warn({ err }, "notifier pass failed");
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

  const timer = setInterval(() => void sweep(), deps.intervalMs ?? 2_000);
  timer.unref();
  // Webhook deliveries announce "alerts" though their correlation pass opened incidents: any change may matter.
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
