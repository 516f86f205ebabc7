import { describe, expect, it } from "vitest";
import { IngestBatcher, IngestBusyError } from "./batcher.ts";

class Unavailable extends Error {}

/** A batcher over a fake writer whose flushes the test finishes by hand. */
function harness(options: { maxFlushAlerts?: number; maxQueued?: number } = {}) {
  const flushes: Array<{ tenant: string; items: number[]; finish: () => void; fail: (error: Error) => void }> = [];
  const batcher = new IngestBatcher<number, string>(
    (tenant, items) =>
      new Promise<string[]>((resolve, reject) => {
        flushes.push({
          tenant,
          items,
          // Each item answers with its own value, so a mixed-up answer would show.
          finish: () => resolve(items.map((item) => `stored ${item}`)),
          fail: reject,
        });
      }),
    (item) => item,
    (error) => error instanceof Unavailable,
    options,
  );
  return { batcher, flushes };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("ingest batcher (group commit)", () => {
  it("writes a lone delivery at once, without waiting for company", () => {
    const { batcher, flushes } = harness();
    void batcher.submit("t", 10);
    expect(flushes.map((f) => f.items)).toEqual([[10]]);
  });

  it("lets the deliveries that arrive during a write share the next one, each with its own answer", async () => {
    const { batcher, flushes } = harness();
    const first = batcher.submit("t", 1);
    const later = [batcher.submit("t", 2), batcher.submit("t", 3), batcher.submit("t", 4)];
    expect(flushes).toHaveLength(1);
    flushes[0]?.finish();
    expect(await first).toBe("stored 1");
    await tick();
    expect(flushes.map((f) => f.items)).toEqual([[1], [2, 3, 4]]);
    flushes[1]?.finish();
    expect(await Promise.all(later)).toEqual(["stored 2", "stored 3", "stored 4"]);
  });

  it("keeps tenants apart: one tenant's write never waits for another's", () => {
    const { batcher, flushes } = harness();
    void batcher.submit("a", 1);
    void batcher.submit("b", 2);
    expect(flushes.map((f) => [f.tenant, f.items])).toEqual([
      ["a", [1]],
      ["b", [2]],
    ]);
  });

  it("caps a shared write at maxFlushAlerts alerts and leaves the rest for the next", async () => {
    const { batcher, flushes } = harness({ maxFlushAlerts: 100 });
    void batcher.submit("t", 5);
    const queued = [60, 30, 20].map((size) => batcher.submit("t", size));
    flushes[0]?.finish();
    await tick();
    expect(flushes[1]?.items).toEqual([60, 30]);
    flushes[1]?.finish();
    await tick();
    expect(flushes[2]?.items).toEqual([20]);
    flushes[2]?.finish();
    expect(await Promise.all(queued)).toEqual(["stored 60", "stored 30", "stored 20"]);
  });

  it("retries each delivery alone when a shared write fails, so one bad delivery fails only itself", async () => {
    const { batcher, flushes } = harness();
    void batcher.submit("t", 1);
    const shared = Promise.allSettled([batcher.submit("t", 2), batcher.submit("t", 3)]);
    flushes[0]?.finish();
    await tick();
    flushes[1]?.fail(new Error("value too long for type character varying(255)"));
    await tick();
    expect(flushes.slice(2).map((f) => f.items)).toEqual([[2]]);
    flushes[2]?.fail(new Error("value too long for type character varying(255)"));
    await tick();
    expect(flushes.slice(3).map((f) => f.items)).toEqual([[3]]);
    flushes[3]?.finish();
    const [bad, good] = await shared;
    expect(bad?.status).toBe("rejected");
    expect(good).toEqual({ status: "fulfilled", value: "stored 3" });
  });

  it("fails every delivery of a write at once when the database is unreachable (no retries against a dead server)", async () => {
    const { batcher, flushes } = harness();
    void batcher.submit("t", 1);
    const shared = Promise.allSettled([batcher.submit("t", 2), batcher.submit("t", 3)]);
    flushes[0]?.finish();
    await tick();
    flushes[1]?.fail(new Unavailable("connection refused"));
    const outcomes = await shared;
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    expect(flushes).toHaveLength(2);
  });

  it("refuses new deliveries once maxQueued alerts wait, and takes them again when the queue drains", async () => {
    const { batcher, flushes } = harness({ maxQueued: 100 });
    void batcher.submit("t", 10);
    const waiting = batcher.submit("t", 90);
    await expect(batcher.submit("t", 20)).rejects.toBeInstanceOf(IngestBusyError);
    expect(batcher.queuedAlerts).toBe(90);
    flushes[0]?.finish();
    await tick();
    flushes[1]?.finish();
    expect(await waiting).toBe("stored 90");
    const again = batcher.submit("t", 20);
    await tick();
    flushes[2]?.finish();
    expect(await again).toBe("stored 20");
  });
});
