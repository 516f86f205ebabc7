import { type TestDatabase, testBackends } from "@teleops/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseHold } from "./config.ts";
import { postJson, trpcQuery } from "./http/webhookTesting.ts";
import { startTestServer, type TestServer } from "./testing.ts";

const ZERO_TIME = "0001-01-01T00:00:00Z";

/** Alertmanager's webhook with the given alerts of one router, all in one state. */
function delivery(status: "firing" | "resolved", startsAt: string, endsAt = ZERO_TIME) {
  return {
    receiver: "teleops",
    status,
    alerts: ["LinkDown", "BGPSessionDown"].map((alertname, i) => ({
      status,
      labels: { alertname, instance: "fra1-core-1:9100", job: "snmp", severity: "critical" },
      annotations: { summary: `${alertname} on fra1-core-1` },
      startsAt,
      endsAt,
      generatorURL: "http://prometheus.example:9090/graph",
      fingerprint: `auto-${i}`,
    })),
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://alertmanager.example:9093",
    version: "4",
    groupKey: "{}:{}",
    truncatedAlerts: 0,
  };
}

/** Opens the SSE change feed; `until(kind)` reads it until a message names that kind and returns its kinds. */
async function openChanges(url: string, signal: AbortSignal) {
  const response = await fetch(`${url}/trpc/events.changes`, { headers: { accept: "text/event-stream" }, signal });
  const reader = response.body?.getReader();
  if (!reader) throw new Error("no event stream");
  const decoder = new TextDecoder();
  let text = "";
  return {
    async until(kind: string): Promise<string[]> {
      for (;;) {
        for (const match of text.matchAll(/^data: (\{.*"kinds".*\})$/gm)) {
          const kinds = (JSON.parse(match[1] as string) as { kinds: string[] }).kinds;
          if (kinds.includes(kind)) return kinds;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        text += decoder.decode(value, { stream: true });
      }
    },
  };
}

interface Page {
  incidents: Array<{ id: string; status: string; cleared_at?: string | null }>;
}

describe("TELEOPS_AUTO_RESOLVE_AFTER", () => {
  it("reads 0 and durations with a unit, and refuses anything else naming the variable", () => {
    expect(parseHold("0")).toBe(0);
    expect(parseHold("90s")).toBe(90_000);
    expect(parseHold("5m")).toBe(300_000);
    expect(parseHold("1h")).toBe(3_600_000);
    expect(parseHold("5")).toBeNull();
    expect(parseHold("-1m")).toBeNull();
    expect(loadConfig({}).TELEOPS_AUTO_RESOLVE_AFTER).toBe(300_000);
    expect(loadConfig({ TELEOPS_AUTO_RESOLVE_AFTER: "0" }).TELEOPS_AUTO_RESOLVE_AFTER).toBe(0);
    expect(() => loadConfig({ TELEOPS_AUTO_RESOLVE_AFTER: "soon" })).toThrow(ConfigError);
    expect(() => loadConfig({ TELEOPS_AUTO_RESOLVE_AFTER: "soon" })).toThrow(
      /TELEOPS_AUTO_RESOLVE_AFTER: "soon" is no duration/,
    );
  });
});

describe.each(testBackends())("incidents resolving by themselves over HTTP on $name", (backend) => {
  let database: TestDatabase;
  let atOnce: TestServer;
  beforeAll(async () => {
    database = await backend.open();
    atOnce = await startTestServer(database, { autoResolveAfterMs: 0 });
  });
  afterAll(async () => {
    await atOnce?.close();
    await database?.dispose();
  });

  it("resolves the incident and tells live views once Alertmanager resolves its alerts, with a hold of 0", async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    expect((await postJson(`${atOnce.url}/webhooks/alertmanager`, delivery("firing", startsAt))).status).toBe(202);
    const [incident] = (await trpcQuery<Page>(atOnce, "incidents.list", {})).incidents;
    expect(incident?.status).toBe("open");

    const abort = new AbortController();
    // Subscribed before the resolve: the delivery's own change names alerts only; the system's names incidents.
    const changes = await openChanges(atOnce.url, abort.signal);
    await new Promise((r) => setTimeout(r, 200));
    const resolvedAt = new Date().toISOString();
    const resolve = await postJson(`${atOnce.url}/webhooks/alertmanager`, delivery("resolved", startsAt, resolvedAt));
    expect(resolve.status).toBe(202);
    let status = "open";
    for (let i = 0; i < 40 && status !== "resolved"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await trpcQuery<{ status: string }>(atOnce, "incidents.byId", { id: incident?.id })).status;
    }
    expect(status).toBe("resolved");
    expect(await changes.until("incidents")).toContain("incidents");
    abort.abort();
    const timeline = await trpcQuery<Array<{ kind: string; actor: string; summary: string }>>(
      atOnce,
      "incidents.timeline",
      { id: incident?.id },
    );
    expect(timeline.at(-1)).toMatchObject({
      kind: "status",
      actor: "system",
      summary: "open → resolved (every alarm cleared)",
    });
  });
});
