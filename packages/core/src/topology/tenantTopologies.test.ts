import { type TestDatabase, testBackends } from "@teleops/db/testing";
import type { NetworkTopology } from "@teleops/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replaceTopology } from "./store.ts";
import { TenantTopologies } from "./tenantTopologies.ts";

const twoRouters = (b: string): NetworkTopology => ({
  sites: [],
  devices: [
    { name: "r1", site: "fra1", services: [] },
    { name: b, site: "ams1", services: [] },
  ],
  links: [{ a: "r1", b }],
});

describe.each(testBackends())("tenant topologies cache on $name", (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await backend.open();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("knows no host for a tenant without a topology", async () => {
    const view = await new TenantTopologies().view(database.db, "empty");
    expect([view.siteOf("r1"), view.neighbours("r1")]).toEqual([undefined, undefined]);
  });

  it("serves the cached copy within the TTL, sees another replica's import after it, and reloads at once when invalidated", async () => {
    let now = 1_000_000;
    const cache = new TenantTopologies({ ttlMs: 5_000, now: () => now });
    const store = (b: string) =>
      replaceTopology(database.db, {
        tenantId: "t",
        actor: "olga",
        topology: twoRouters(b),
        format: "teleops",
        source: "x",
      });
    await store("r2");
    expect([...((await cache.view(database.db, "t")).neighbours("r1") ?? [])]).toEqual(["r2"]);

    // Another replica imports: this one keeps its copy until the TTL ends, then compares updated_at and reloads.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store("r3");
    now += 1_000;
    expect([...((await cache.view(database.db, "t")).neighbours("r1") ?? [])]).toEqual(["r2"]);
    now += 5_000;
    expect([...((await cache.view(database.db, "t")).neighbours("r1") ?? [])]).toEqual(["r3"]);

    // An import through this process invalidates its entry: the next read has the new topology.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store("r4");
    cache.invalidate(database.db, "t");
    expect((await cache.topology(database.db, "t"))?.links).toEqual([{ a: "r1", b: "r4" }]);
    expect((await cache.view(database.db, "t")).siteOf("r4")).toBe("ams1");
  });

  it("loads a tenant once for concurrent readers", async () => {
    const cache = new TenantTopologies();
    const [a, b] = await Promise.all([cache.get(database.db, "t"), cache.get(database.db, "t")]);
    expect(a).toBe(b);
  });
});
