/**
 * Group commit per tenant: deliveries that arrive while the tenant's previous write is in flight wait for it
 * and then share one transaction (one lock, one correlation pass, one insert, one commit), so N concurrent
 * deliveries cost about two transactions instead of N. A lone delivery is written at once: batching never adds
 * latency when there is nothing to share. The wait is bounded: past `maxQueued` waiting alerts a tenant's new
 * deliveries are refused with `IngestBusyError` (the webhook answers 503 with Retry-After) instead of queueing
 * without limit.
 */

export class IngestBusyError extends Error {
  constructor(readonly tenantId: string) {
    super(`ingest for tenant ${tenantId} is saturated; retry later`);
  }
}

export interface BatcherOptions {
  /** Alerts one shared transaction takes at most; more wait for the next. */
  maxFlushAlerts?: number;
  /** Alerts a tenant may have waiting before new deliveries are refused. */
  maxQueued?: number;
}

interface Waiting<Item, Result> {
  item: Item;
  size: number;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

interface TenantQueue<Item, Result> {
  waiting: Array<Waiting<Item, Result>>;
  queued: number;
  running: boolean;
}

export class IngestBatcher<Item, Result> {
  private readonly tenants = new Map<string, TenantQueue<Item, Result>>();
  private readonly maxFlushAlerts: number;
  private readonly maxQueued: number;

  /**
   * `flush` writes one group in one transaction and answers per item, in order; `size` counts an item's
   * alerts. When a shared flush fails for a reason other than the database being unreachable, each item is
   * retried alone, so one delivery's problem never fails the others that happened to share its transaction.
   */
  constructor(
    private readonly flush: (tenantId: string, items: Item[]) => Promise<Result[]>,
    private readonly size: (item: Item) => number,
    private readonly isUnavailable: (error: unknown) => boolean,
    options: BatcherOptions = {},
  ) {
    this.maxFlushAlerts = options.maxFlushAlerts ?? 10_000;
    this.maxQueued = options.maxQueued ?? 100_000;
  }

  submit(tenantId: string, item: Item): Promise<Result> {
    let queue = this.tenants.get(tenantId);
    if (!queue) {
      queue = { waiting: [], queued: 0, running: false };
      this.tenants.set(tenantId, queue);
    }
    const size = this.size(item);
    if (queue.queued > 0 && queue.queued + size > this.maxQueued) {
      return Promise.reject(new IngestBusyError(tenantId));
    }
    const target = queue;
    const done = new Promise<Result>((resolve, reject) => {
      target.waiting.push({ item, size, resolve, reject });
    });
    target.queued += size;
    if (!target.running) void this.drain(tenantId, target);
    return done;
  }

  /** Alerts waiting (not yet in a transaction) across tenants, for the metrics endpoint. */
  get queuedAlerts(): number {
    let total = 0;
    for (const queue of this.tenants.values()) total += queue.queued;
    return total;
  }

  private async drain(tenantId: string, queue: TenantQueue<Item, Result>): Promise<void> {
    queue.running = true;
    try {
      while (queue.waiting.length > 0) {
        const group: Array<Waiting<Item, Result>> = [];
        let alerts = 0;
        while (queue.waiting.length > 0) {
          const next = queue.waiting[0] as Waiting<Item, Result>;
          if (group.length > 0 && alerts + next.size > this.maxFlushAlerts) break;
          queue.waiting.shift();
          group.push(next);
          alerts += next.size;
        }
        queue.queued -= alerts;
        await this.write(tenantId, group);
      }
    } finally {
      queue.running = false;
      if (queue.waiting.length === 0) this.tenants.delete(tenantId);
    }
  }

  private async write(tenantId: string, group: Array<Waiting<Item, Result>>): Promise<void> {
    try {
      const results = await this.flush(
        tenantId,
        group.map((entry) => entry.item),
      );
      for (const [index, entry] of group.entries()) entry.resolve(results[index] as Result);
    } catch (error) {
      if (group.length === 1 || this.isUnavailable(error)) {
        for (const entry of group) entry.reject(error);
        return;
      }
      for (const entry of group) {
        try {
          const [result] = await this.flush(tenantId, [entry.item]);
          entry.resolve(result as Result);
        } catch (alone) {
          entry.reject(alone);
        }
      }
    }
  }
}
