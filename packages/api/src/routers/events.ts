/** Live updates: a subscription (server-sent events) telling the SPA that its tenant's data changed. */
import type { ChangeEvent } from "@teleops/db";
import { router, viewerProcedure } from "../trpc.ts";

/** Bursts (a webhook flood) are folded into one message per window so clients refetch at a calm pace. */
const COALESCE_MS = 500;

export interface ChangeSummary {
  kinds: Array<ChangeEvent["kind"]>;
  events: number;
  at: string;
}

export const eventsRouter = router({
  changes: viewerProcedure.subscription(async function* ({ ctx, signal }): AsyncGenerator<ChangeSummary> {
    const feed = ctx.services.changes;
    if (!feed) return;
    const pending: ChangeEvent[] = [];
    let lastArrival = 0;
    let wake: (() => void) | undefined;
    const unsubscribe = feed.subscribe((event) => {
      if (event.tenantId !== ctx.actor.tenantId) return;
      pending.push(event);
      lastArrival = performance.now();
      wake?.();
    });
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    try {
      while (!signal?.aborted) {
        if (pending.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            signal?.addEventListener("abort", () => resolve());
          });
          wake = undefined;
          continue;
        }
        await sleep(COALESCE_MS);
        const batch = pending.splice(0, pending.length);
        if (batch.length === 0) continue;
        // The client refetches when told; with a read replica, it must not be told before the replica has it.
        await ctx.services.readsCaughtUp?.(lastArrival);
        yield { kinds: [...new Set(batch.map((e) => e.kind))], events: batch.length, at: new Date().toISOString() };
      }
    } finally {
      unsubscribe();
    }
  }),
});
