/**
 * The labelled correlation corpus in fixtures/correlation is well formed: every line is one record of one kind,
 * truth has the right shape, syslog lines parse with the syslog importer, Alertmanager bodies pass the webhook
 * schema and map to canonical alerts, canonical alert lines pass import validation. It checks the data, not the
 * correlator.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { alertmanagerWebhookSchema } from "@teleops/schema";
import { describe, expect, it } from "vitest";
import { parseSyslogLine, YearResolver } from "../importers/syslog.ts";
import { validateRecord } from "../importers/validate.ts";
import { alertmanagerToCanonical } from "../integrations/alertmanager.ts";

const DIR = fileURLToPath(new URL("../../../../fixtures/correlation/", import.meta.url));
const NOW = Date.parse("2026-12-31T00:00:00Z");
const FIRST = Date.parse("2026-01-01T00:00:00Z");
const LAST = Date.parse("2026-11-30T23:59:59Z");
/** The data_samples copy keeps its original dates (Dec 31 2025 → Jan 1 2026). */
const KEEPS_OWN_DATES = new Set(["syslog-lis-mad-fibre-cut.jsonl"]);
const STORMS = new Set(["storm-fra2-dc-power.jsonl"]);
const KINDS = ["stream", "syslog", "alertmanager", "alert"] as const;
/** IPv4 literals must come from the documentation ranges (masks and the default route aside). */
const IPV4 = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![.\d])/g;
const DOC_NET = /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$|^0\.0\.0\.0$|^255\.|^127\.0\.0\.1$/;

const files = readdirSync(DIR)
  .filter((f) => f.endsWith(".jsonl"))
  .sort();

interface Parsed {
  alerts: { timestamp: string; host: string; truth: string | null }[];
}

function readStream(file: string): Parsed {
  const text = readFileSync(`${DIR}${file}`, "utf8");
  const lines = text.split("\n");
  expect(lines.at(-1), `${file}: ends with a newline`).toBe("");
  lines.pop();
  let year = 2026;
  let years: YearResolver | undefined;
  const alerts: Parsed["alerts"] = [];
  lines.forEach((raw, index) => {
    const where = `${file}:${index + 1}`;
    const record = JSON.parse(raw) as Record<string, unknown>;
    const kinds = KINDS.filter((k) => k in record);
    expect(kinds, `${where}: exactly one kind`).toHaveLength(1);
    const kind = kinds[0];
    const extra = Object.keys(record).filter((k) => k !== kind && k !== "truth");
    expect(extra, `${where}: no other fields`).toEqual([]);
    for (const ip of raw.match(IPV4) ?? []) expect(ip, `${where}: documentation address`).toMatch(DOC_NET);
    if (kind === "stream") {
      expect(index, `${where}: the stream header is the first line`).toBe(0);
      const header = record.stream as { name?: unknown; description?: unknown; year?: unknown };
      expect(typeof header.name).toBe("string");
      expect(typeof header.description).toBe("string");
      if (typeof header.year === "number") year = header.year;
      return;
    }
    years ??= new YearResolver(year, NOW);
    const truth = record.truth;
    if (kind === "alertmanager") {
      expect(Array.isArray(truth), `${where}: alertmanager truth is an array`).toBe(true);
      const body = alertmanagerWebhookSchema.safeParse(record.alertmanager);
      if (!body.success) throw new Error(`${where}: ${body.error.message}`);
      const list = truth as unknown[];
      expect(list, `${where}: one truth per alert`).toHaveLength(body.data.alerts.length);
      body.data.alerts.forEach((alert, i) => {
        const t = list[i];
        expect(t === null || (typeof t === "string" && t !== ""), `${where}[${i}]: truth`).toBe(true);
        const canonical = alertmanagerToCanonical(alert, {
          receiver: body.data.receiver,
          groupKey: body.data.groupKey,
        });
        expect(canonical.alert_type, `${where}[${i}]: alertname`).not.toBe("alertmanager_alert");
        expect(canonical.status).toBe(alert.status);
        alerts.push({ timestamp: canonical.timestamp, host: canonical.host, truth: t as string | null });
      });
      return;
    }
    expect(truth === null || (typeof truth === "string" && truth !== ""), `${where}: truth`).toBe(true);
    if (kind === "syslog") {
      expect(typeof record.syslog).toBe("string");
      const parsed = parseSyslogLine(record.syslog as string, years);
      if (typeof parsed === "string") throw new Error(`${where}: ${parsed}`);
      expect(parsed.host, `${where}: host`).not.toBe("");
      alerts.push({ timestamp: parsed.timestamp, host: parsed.host, truth: truth as string | null });
      return;
    }
    const validated = validateRecord(index + 1, record.alert, NOW);
    if ("error" in validated) throw new Error(`${where}: ${validated.error}`);
    alerts.push({ timestamp: validated.alert.timestamp, host: validated.alert.host, truth: truth as string | null });
  });
  return { alerts };
}

describe("labelled correlation corpus (fixtures/correlation)", () => {
  it("has at least 13 streams, one of them a storm", () => {
    expect(files.length).toBeGreaterThanOrEqual(13);
    for (const storm of STORMS) expect(files).toContain(storm);
  });

  it("lists every stream in the README", () => {
    const readme = readFileSync(`${DIR}README.md`, "utf8");
    for (const file of files) expect(readme, file).toContain(file);
  });

  it.each(files)("%s is well formed and parses with the importers", (file) => {
    const { alerts } = readStream(file);
    if (STORMS.has(file)) {
      expect(alerts.length).toBeGreaterThanOrEqual(3000);
      expect(alerts.length).toBeLessThanOrEqual(6000);
    } else {
      expect(alerts.length).toBeGreaterThanOrEqual(40);
      expect(alerts.length).toBeLessThanOrEqual(600);
    }
    const incidents = new Set(alerts.flatMap((a) => (a.truth === null ? [] : [a.truth])));
    expect(incidents.size, "at least one incident").toBeGreaterThan(0);
    expect(
      alerts.some((a) => a.truth === null),
      "some noise",
    ).toBe(true);
    if (!KEEPS_OWN_DATES.has(file)) {
      for (const a of alerts) {
        const ms = Date.parse(a.timestamp);
        expect(ms >= FIRST && ms <= LAST, `${file}: ${a.timestamp} within 2026-01-01 … 2026-11-30`).toBe(true);
      }
    }
  });

  it("delivers the fra1 LinkDown case: three core routers in one notification within a second, one incident", () => {
    const text = readFileSync(`${DIR}am-fra1-core-transport.jsonl`, "utf8");
    const found = text
      .split("\n")
      .filter(Boolean)
      .map(
        (l) =>
          JSON.parse(l) as {
            alertmanager?: { alerts: { labels: Record<string, string>; startsAt: string }[] };
            truth?: unknown;
          },
      )
      .find((r) => r.alertmanager?.alerts.filter((a) => a.labels.alertname === "LinkDown").length === 3);
    expect(found).toBeDefined();
    const alerts = found?.alertmanager?.alerts ?? [];
    expect(alerts.map((a) => a.labels.instance?.split(":")[0] ?? a.labels.device).sort()).toEqual([
      "core-rtr-01",
      "core-rtr-02",
      "core-rtr-03",
    ]);
    expect(new Set(alerts.map((a) => a.labels.site))).toEqual(new Set(["fra1"]));
    const starts = alerts.map((a) => Date.parse(a.startsAt));
    expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(1000);
    const truth = found?.truth as (string | null)[];
    expect(new Set(truth).size).toBe(1);
    expect(truth[0]).not.toBeNull();
  });
});
