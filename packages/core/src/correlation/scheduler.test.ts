import { describe, expect, it } from "vitest";
import { CorrelationScheduler } from "./scheduler.ts";

function deferredPasses() {
  const started: Array<{ tenant: string; finish: (value: number) => void; fail: (error: Error) => void }> = [];
  const scheduler = new CorrelationScheduler<number>(
    (tenant) =>
      new Promise<number>((resolve, reject) => {
        started.push({ tenant, finish: resolve, fail: reject });
      }),
  );
  return { scheduler, started };
}

describe("correlation scheduler", () => {
  it("runs one follow-up pass for all requests that arrive while a pass is running", async () => {
    const { scheduler, started } = deferredPasses();
    const first = scheduler.request("t");
    const waiting = [scheduler.request("t"), scheduler.request("t"), scheduler.request("t")];
    expect(started).toHaveLength(1);
    started[0]?.finish(1);
    expect(await first).toBe(1);
    await Promise.resolve();
    expect(started).toHaveLength(2);
    started[1]?.finish(2);
    expect(await Promise.all(waiting)).toEqual([2, 2, 2]);
  });

  it("keeps tenants independent", () => {
    const { scheduler, started } = deferredPasses();
    void scheduler.request("a");
    void scheduler.request("b");
    expect(started.map((s) => s.tenant)).toEqual(["a", "b"]);
  });

  it("still runs the follow-up pass when the running one fails", async () => {
    const { scheduler, started } = deferredPasses();
    const first = scheduler.request("t");
    const second = scheduler.request("t");
    started[0]?.fail(new Error("database went away"));
    await expect(first).rejects.toThrow("database went away");
    await Promise.resolve();
    started[1]?.finish(7);
    expect(await second).toBe(7);
  });
});
