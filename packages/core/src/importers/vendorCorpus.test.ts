/**
 * The vendor corpus (fixtures/vendor): every syslog line goes through the production syslog parser, every
 * Alertmanager webhook body through the receiver's schema and mapping, and each resulting alert through the RCA
 * engine's signal reading and fact extraction, and the correlator's layer. Each must mean what the file says.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Alert, alertmanagerWebhookSchema } from "@teleops/schema";
import { describe, expect, it } from "vitest";
import { layerOf } from "../correlation/features.ts";
import { alertmanagerToCanonical } from "../integrations/alertmanager.ts";
import { Facts } from "../rca/baseline/facts.ts";
import { ROOT_GRADE, readSignals } from "../rca/baseline/features.ts";
import { parseSyslogLine, YearResolver } from "./syslog.ts";

const CORPUS = fileURLToPath(new URL("../../../../fixtures/vendor/", import.meta.url));

/** What a line or alert must produce; a key left out is not checked. */
interface Expectation {
  alertname?: string;
  alert_type: string;
  status?: "firing" | "resolved";
  severity?: string;
  host?: string;
  /** The interface tag the importer sets (syslog) and the interface the RCA facts read. */
  interface?: string;
  /** The neighbour tag the importer sets (syslog). */
  neighbor?: string;
  /** The BGP peer address the RCA facts read. */
  peer?: string;
  /** A feature id the engine must recognise, or null: evidence of no failure (no root-grade vote). */
  signal?: string | null;
  /** The correlator's layer for the alert. */
  layer?: string;
}

type AlertLike = Pick<Alert, "alert_type" | "status" | "severity" | "host" | "message" | "tags" | "raw_payload">;

function asAlert(draft: AlertLike): Alert {
  return {
    id: 1,
    fingerprint: "corpus",
    timestamp: "2026-11-12T00:00:00.000Z",
    source_system: "corpus",
    service: "",
    tenant_id: null,
    incident_id: null,
    ...draft,
  };
}

function checkMeaning(draft: AlertLike, expected: Expectation): void {
  const alert = asAlert(draft);
  expect(alert.alert_type).toBe(expected.alert_type);
  expect(alert.status).toBe(expected.status ?? "firing");
  if (expected.severity) expect(alert.severity).toBe(expected.severity);
  if (expected.host) expect(alert.host).toBe(expected.host);
  const facts = new Facts([alert]);
  if (expected.interface) expect(facts.interface()).toBe(expected.interface);
  if (expected.peer) expect(facts.peerIp()).toBe(expected.peer);
  if (expected.signal !== undefined) {
    const signals = readSignals(alert.alert_type, alert.message);
    const ids = signals.features.map((f) => f.id);
    if (expected.signal === null) {
      const strongest = Math.max(0, ...signals.votes.values());
      expect(strongest, `features ${ids.join(", ")}`).toBeLessThan(ROOT_GRADE);
    } else {
      expect(ids).toContain(expected.signal);
    }
  }
  if (expected.layer) expect(layerOf(alert.alert_type, alert.message)).toBe(expected.layer);
}

function files(dir: string, ext: string): string[] {
  return readdirSync(`${CORPUS}${dir}`)
    .filter((name) => name.endsWith(ext))
    .sort();
}

describe("vendor syslog corpus", () => {
  const years = new YearResolver(2026, Date.parse("2026-12-01T00:00:00Z"));
  for (const file of files("syslog", ".jsonl")) {
    const cases = readFileSync(`${CORPUS}syslog/${file}`, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as { line: string; expect: Expectation });
    describe(file, () => {
      it.each(cases.map((c, i) => [i + 1, c.expect.alert_type, c] as const))("line %i → %s", (_n, _type, c) => {
        const draft = parseSyslogLine(c.line, years);
        if (typeof draft === "string") throw new Error(`rejected: ${draft}`);
        if (c.expect.interface) expect(draft.tags.interface).toBe(c.expect.interface);
        if (c.expect.neighbor) expect(draft.tags.neighbor).toBe(c.expect.neighbor);
        checkMeaning(draft, c.expect);
      });
    });
  }
});

describe("vendor Alertmanager corpus", () => {
  for (const file of files("alertmanager", ".json")) {
    const { webhook, expect: expectations } = JSON.parse(readFileSync(`${CORPUS}alertmanager/${file}`, "utf8")) as {
      webhook: { alerts: unknown[] };
      expect: Expectation[];
    };
    describe(file, () => {
      it("is a webhook body the receiver accepts, with one expectation per alert", () => {
        expect(alertmanagerWebhookSchema.safeParse(webhook).success).toBe(true);
        expect(expectations).toHaveLength(webhook.alerts.length);
      });
      const envelope = alertmanagerWebhookSchema.parse(webhook);
      it.each(envelope.alerts.map((alert, i) => [alert.labels.alertname ?? "", expectations[i], alert, i] as const))(
        "%s",
        (alertname, expected, alert, index) => {
          if (!expected) throw new Error("no expectation");
          expect(expected.alertname).toBe(alertname);
          const mapped = alertmanagerToCanonical(alert, envelope, { raw: webhook.alerts[index] });
          checkMeaning(mapped, expected);
        },
      );
    });
  }
});
