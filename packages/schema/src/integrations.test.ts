import { afterEach, describe, expect, it, vi } from "vitest";
import { alertmanagerWebhookSchema, parseAlertmanagerWebhook } from "./integrations.ts";

const alert = (overrides: Record<string, unknown> = {}) => ({
  status: "firing",
  fingerprint: "ee80dff3111a76d1",
  labels: { alertname: "LinkDown", host: "fra1-sw-000", severity: "major", ifName: "Gi1/0/1" },
  annotations: { summary: "Interface Gi1/0/1 down" },
  startsAt: "2026-01-01T00:00:00.000Z",
  endsAt: "0001-01-01T00:00:00Z",
  generatorURL: "http://prometheus:9090/graph",
  ...overrides,
});

const delivery = (alerts: unknown[], overrides: Record<string, unknown> = {}) => ({
  version: "4",
  groupKey: '{}:{alertname=~".*"}',
  truncatedAlerts: 0,
  status: "firing",
  receiver: "teleops",
  groupLabels: {},
  commonLabels: { job: "snmp" },
  commonAnnotations: {},
  externalURL: "http://alertmanager:9093",
  alerts,
  ...overrides,
});

// Deliveries the fast path reads itself, and ones it hands to the schema (numbers as labels, refusals).
const bodies: Record<string, unknown> = {
  plain: delivery([alert(), alert({ fingerprint: "a2", labels: { alertname: "CpuHigh", host: "h2" } })]),
  "optional fields missing": {
    status: "resolved",
    receiver: "r",
    alerts: [{ status: "resolved", fingerprint: " f1 ", labels: { a: "b" }, startsAt: "2026-01-01 00:00:00+02:00" }],
  },
  "end and update times": delivery([
    alert({ status: "resolved", endsAt: "2026-01-01T01:00:00+01:00", updatedAt: "2026-01-01T00:30:00Z" }),
    alert({ endsAt: null }),
    alert({ endsAt: "0001-01-01T00:00:00.000000000Z" }),
  ]),
  "fields it does not name": delivery([alert({ extra: { nested: [1] }, silencedBy: [] })], { custom: true }),
  "a number label": delivery([alert({ labels: { alertname: "A", port: 8080, up: false } })]),
  "receivers listed": delivery([alert({ receivers: [{ name: "x" }] })]),
  "own __proto__ label": JSON.parse(
    JSON.stringify(delivery([alert()])).replace('"labels":{', '"labels":{"__proto__":"x",'),
  ),
  "blank fingerprint": delivery([alert({ fingerprint: "   " })]),
  "missing fingerprint": delivery([alert({ fingerprint: undefined })]),
  "missing labels": delivery([alert({ labels: undefined })]),
  "start without zone": delivery([alert({ startsAt: "2026-01-01T00:00:00" })]),
  "start far in the future": delivery([alert({ startsAt: "2999-01-01T00:00:00Z" })]),
  "bad end": delivery([alert({ endsAt: "soon" })]),
  "bad update, same text as a good start": delivery([alert({ updatedAt: "nope" }), alert({ startsAt: "nope" })]),
  "unknown status": delivery([alert({ status: "pending" })]),
  "no alerts": delivery([]),
  "negative truncation": delivery([alert()], { truncatedAlerts: -1 }),
  "fractional truncation": delivery([alert()], { truncatedAlerts: 1.5 }),
  "number receiver": delivery([alert()], { receiver: 7 }),
  "label map as an array": delivery([alert({ annotations: ["x"] })]),
  "not an object": [alert()],
  null: null,
};

describe("parseAlertmanagerWebhook", () => {
  afterEach(() => vi.restoreAllMocks());

  for (const [name, body] of Object.entries(bodies)) {
    it(`answers as the schema does: ${name}`, () => {
      const fast = parseAlertmanagerWebhook(body);
      const schema = alertmanagerWebhookSchema.safeParse(body);
      expect(fast.success).toBe(schema.success);
      if (fast.success && schema.success) {
        expect(fast.data).toStrictEqual(schema.data);
        expect(JSON.stringify(fast.data)).toBe(JSON.stringify(schema.data));
      } else {
        expect(fast.error?.issues).toStrictEqual(schema.error?.issues);
      }
    });
  }

  it("reads a plain delivery without the schema, and a number label with it", () => {
    const safeParse = vi.spyOn(alertmanagerWebhookSchema, "safeParse");
    expect(parseAlertmanagerWebhook(bodies.plain).success).toBe(true);
    expect(parseAlertmanagerWebhook(bodies["end and update times"]).success).toBe(true);
    expect(safeParse).not.toHaveBeenCalled();
    expect(parseAlertmanagerWebhook(bodies["a number label"]).success).toBe(true);
    expect(safeParse).toHaveBeenCalledTimes(1);
  });

  it("copies the maps it returns", () => {
    const body = delivery([alert()]);
    const parsed = parseAlertmanagerWebhook(body);
    if (!parsed.success) throw parsed.error;
    expect(parsed.data.alerts[0]?.labels).not.toBe(body.alerts[0] && (body.alerts[0] as { labels: unknown }).labels);
    expect(parsed.data.commonLabels).not.toBe(body.commonLabels);
  });
});
