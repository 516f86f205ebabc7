import { alerts, incidentSearch, incidents, incidentWords } from "@teleops/db";
import { type SeedAlert, seedIncident, type TestDatabase, testBackends } from "@teleops/db/testing";
import { TRPCError } from "@trpc/server";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "./context.ts";
import { callerFor } from "./testing.ts";

const operator: Actor = { name: "olga", role: "operator", tenantId: "acme" };
const viewer: Actor = { name: "vic", role: "viewer", tenantId: "acme" };
const stranger: Actor = { name: "eve", role: "admin", tenantId: "globex" };

function at(hour: number, minute = 0): string {
  return new Date(Date.UTC(2026, 10, 20, hour, minute)).toISOString();
}

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
    return { code: "OK", message: "" };
  } catch (error) {
    return error instanceof TRPCError
      ? { code: error.code, message: error.message }
      : { code: "NOT_TRPC", message: String(error) };
  }
}

const DDOS: SeedAlert[] = [
  { host: "nyc1-edge-01", alertType: "ddos_detected", timestamp: at(8), severity: "critical", site: "nyc1" },
  { host: "nyc1-edge-01", alertType: "high_cpu", timestamp: at(8, 5), severity: "warning", site: "nyc1" },
];
const LINK: SeedAlert[] = [
  { host: "fra1-rtr-02", alertType: "link_down", timestamp: at(10), service: "backbone", site: "fra1" },
];
const OPTICS: SeedAlert[] = [
  { host: "ams1-opt-07", alertType: "optical_power_low", timestamp: at(14), service: "transport", site: "ams1" },
];

describe.each(testBackends())("incident search on $name", (backend) => {
  let database: TestDatabase;
  const ids = { ddos: "", link: "", optics: "", foreign: "" };
  let ddosAlert = 0;

  beforeAll(async () => {
    database = await backend.open();
    const db = database.db;
    const ddos = await seedIncident(db, "acme", DDOS);
    const link = await seedIncident(db, "acme", LINK);
    const optics = await seedIncident(db, "acme", OPTICS);
    const foreign = await seedIncident(db, "globex", [
      { host: "x-edge-01", alertType: "ddos_detected", timestamp: at(9), site: "x1" },
    ]);
    ids.ddos = ddos.id;
    ids.link = link.id;
    ids.optics = optics.id;
    ids.foreign = foreign.id;
    ddosAlert = ddos.alertIds[0] ?? 0;
    await db
      .update(alerts)
      .set({
        message: "Volumetric DDoS towards 203.0.113.69 (udp/53), 9.1 Gbit/s",
        tags: { site: "nyc1", victim: "customer-ripe" },
        rawPayload: {
          labels: { alertname: "DDoSDetected", instance: "nyc1-edge-01:9100", severity: "critical" },
          annotations: {
            summary: "Volumetric DDoS towards 203.0.113.69",
            runbook_url: "https://runbooks.example.net/ddos#mitigate",
            dashboard: "javascript:alert(1)",
          },
          generatorURL: "http://prometheus.example.net:9090/graph?g0.expr=ddos",
          externalURL: "http://198.51.100.7:9093",
          snmp_community: "public-secret",
        },
      })
      .where(eq(alerts.id, ddosAlert));
    await db
      .update(alerts)
      .set({
        message: "Interface GigabitEthernet0/0/1 changed state to down",
        tags: { site: "fra1", circuit_id: "CID-44817-FRA" },
      })
      .where(eq(alerts.incidentId, link.id));
    await db
      .update(alerts)
      .set({ message: "Rx power -31.2 dBm below threshold", tags: { site: "ams1", interface: "xe-0/0/1" } })
      .where(eq(alerts.incidentId, optics.id));
    // The same address in another tenant's alert: never found from acme.
    await db.update(alerts).set({ message: "DDoS towards 203.0.113.69" }).where(eq(alerts.incidentId, foreign.id));
    await db.update(incidents).set({ owner: "olga" }).where(eq(incidents.id, link.id));
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function found(input: Record<string, unknown>, actor: Actor = operator): Promise<string[]> {
    const page = await callerFor(database.db, actor).incidents.list(input);
    return page.incidents.map((incident) => incident.id).sort();
  }

  it("finds the incident whose alert message holds an IP address, and no other tenant's", async () => {
    expect(await found({ text: "203.0.113.69" })).toEqual([ids.ddos]);
    expect(await found({ text: "203.0.113.69" }, stranger)).toEqual([ids.foreign]);
    expect(await found({ text: "203.0.113.70" })).toEqual([]);
  });

  it("finds interface names in messages and in tag values, whatever the case", async () => {
    expect(await found({ text: "GigabitEthernet0/0/1" })).toEqual([ids.link]);
    expect(await found({ text: "gigabitethernet0/0/1" })).toEqual([ids.link]);
    expect(await found({ text: "xe-0/0/1" })).toEqual([ids.optics]);
  });

  it("finds alert types, hosts, circuit ids and titles", async () => {
    expect(await found({ text: "ddos_detected" })).toEqual([ids.ddos]);
    expect(await found({ text: "fra1-rtr-02" })).toEqual([ids.link]);
    expect(await found({ text: "CID-44817" })).toEqual([ids.link]);
    expect(await found({ text: "customer-ripe" })).toEqual([ids.ddos]);
    expect(await found({ text: "optical_power_low on ams1" })).toEqual([ids.optics]);
    expect(await found({ text: ids.link.toLowerCase() })).toEqual([ids.link]);
  });

  it("needs every word to match, and takes pattern characters literally", async () => {
    expect(await found({ text: "ddos 203.0.113.69" })).toEqual([ids.ddos]);
    expect(await found({ text: "ddos GigabitEthernet" })).toEqual([]);
    expect(await found({ text: "100%" })).toEqual([]);
    expect(await found({ text: "link_down_" })).toEqual([]);
  });

  it("counts the chips under the search", async () => {
    const page = await callerFor(database.db, operator).incidents.list({ text: "203.0.113.69" });
    expect(page.total).toBe(1);
    expect(page.bySeverity.critical).toBe(1);
    expect(page.bySeverity.major).toBe(0);
  });

  it("filters by site, service, owner and time ranges, together with text", async () => {
    expect(await found({ site: "fra1" })).toEqual([ids.link]);
    expect(await found({ service: "transport" })).toEqual([ids.optics]);
    expect(await found({ owner: "olga" })).toEqual([ids.link]);
    expect(await found({ startedFrom: at(9), startedTo: at(12) })).toEqual([ids.link]);
    expect(await found({ lastAlertFrom: at(8, 5), lastAlertTo: at(8, 5) })).toEqual([ids.ddos]);
    expect(await found({ lastAlertFrom: at(12) })).toEqual([ids.optics]);
    expect(await found({ text: "ddos", site: "fra1" })).toEqual([]);
  });

  it("refuses a backwards range or a malformed time with the field's name", async () => {
    const backwards = await failureOf(
      callerFor(database.db, operator).incidents.list({ startedFrom: at(12), startedTo: at(9) }),
    );
    expect(backwards.code).toBe("BAD_REQUEST");
    expect(backwards.message).toContain("startedTo");
    const malformed = await failureOf(callerFor(database.db, operator).incidents.list({ lastAlertFrom: "yesterday" }));
    expect(malformed.code).toBe("BAD_REQUEST");
    expect(malformed.message).toContain("lastAlertFrom");
  });

  it("answers from the vocabulary's trigram index and the word rows' primary key, not by reading every list", async () => {
    const plan = await database.db.transaction(async (tx) => {
      // The tables are tiny, so the planner would rightly scan them; forbidding that shows an index can answer.
      await tx.execute(sql`set local enable_seqscan = off`);
      // Words enough that reading all the tenant's costs more than the trigram index (they match none of the
      // searches here), and another tenant's word lists.
      await tx.execute(
        sql`insert into search_vocabulary select 'acme', 'filler-' || g from generate_series(1, 20000) g`,
      );
      await tx.execute(
        sql`insert into incident_words select 'zz-filler', 'filler-' || g, 'INC-FILL-' || g from generate_series(1, 20000) g`,
      );
      await tx.execute(sql`analyze search_vocabulary`);
      await tx.execute(sql`analyze incident_words`);
      const vocabulary = await tx.execute(
        sql`explain select word from search_vocabulary where tenant_id = 'acme' and word like '%203.0.113.69%'`,
      );
      const lists = await tx.execute(
        sql`explain select incident_id from incident_words
            where tenant_id = 'acme' and word = any(array['203.0.113.69', 'nyc1-edge-01'])`,
      );
      const titles = await tx.execute(sql`explain select id from incidents where title ilike '%link_down%'`);
      return JSON.stringify([vocabulary, lists, titles]);
    });
    expect(plan).toContain("search_vocabulary_word_trgm_idx");
    expect(plan).toContain("incident_words_tenant_id_word_incident_id_pk");
    expect(plan).toContain("incidents_title_trgm_idx");
  });

  it("finds a term inside hundreds of distinct words by reading the word lists instead", async () => {
    // 600 distinct words containing "vlan7" in one incident: more than the vocabulary lookup takes.
    const many = Array.from({ length: 600 }, (_, i) => `vlan7${String(i).padStart(3, "0")}`).join(" ");
    await database.db.insert(alerts).values({
      tenantId: "acme",
      fingerprint: "many-vlans",
      timestamp: new Date(at(14, 6)),
      sourceSystem: "syslog",
      host: "ams1-opt-07",
      service: "transport",
      severity: "minor",
      alertType: "vlan_mismatch",
      message: `native vlan mismatch on ${many}`,
      tags: {},
      rawPayload: {},
      incidentId: ids.optics,
    });
    expect(await found({ text: "vlan7" })).toEqual([ids.optics]);
    expect(await found({ text: "vlan7599" })).toEqual([ids.optics]);
    expect(await found({ text: "vlan7600" })).toEqual([]);
  });

  it("keeps each incident's words once, and finds alerts moved into an incident by an update", async () => {
    const rows = await database.db.select().from(incidentSearch).where(eq(incidentSearch.incidentId, ids.ddos));
    const words = rows[0]?.words.split(" ") ?? [];
    expect(words).toContain("203.0.113.69");
    expect(words).toContain("nyc1-edge-01");
    expect(words.filter((word) => word === "nyc1-edge-01")).toHaveLength(1);
    // One row per word of the incident, none twice.
    const rowsOfWord = await database.db
      .select()
      .from(incidentWords)
      .where(and(eq(incidentWords.incidentId, ids.ddos), eq(incidentWords.word, "nyc1-edge-01")));
    expect(rowsOfWord).toHaveLength(1);
    // Unassigned until the correlator (here, an update) puts it in the optics incident.
    await database.db.insert(alerts).values({
      tenantId: "acme",
      fingerprint: "late-arrival",
      timestamp: new Date(at(14, 5)),
      sourceSystem: "snmp",
      host: "ams1-opt-07",
      service: "transport",
      severity: "minor",
      alertType: "optical_power_low",
      message: "Rx power low on circuit AMS-LON-0042",
      tags: {},
      rawPayload: {},
    });
    expect(await found({ text: "AMS-LON-0042" })).toEqual([]);
    await database.db.update(alerts).set({ incidentId: ids.optics }).where(eq(alerts.fingerprint, "late-arrival"));
    expect(await found({ text: "AMS-LON-0042" })).toEqual([ids.optics]);
  });

  describe("an alert opened in full", () => {
    it("shows an operator every field, the labels, annotations and the http(s) links only", async () => {
      const detail = await callerFor(database.db, operator).alerts.get({ id: ddosAlert });
      expect(detail.redacted).toBe(false);
      expect(detail.alert.message).toContain("203.0.113.69");
      expect(detail.labels).toMatchObject({ alertname: "DDoSDetected" });
      expect(detail.annotations?.runbook_url).toBe("https://runbooks.example.net/ddos#mitigate");
      expect(detail.links.map((link) => [link.kind, link.url])).toEqual([
        ["runbook", "https://runbooks.example.net/ddos#mitigate"],
        ["generator", "http://prometheus.example.net:9090/graph?g0.expr=ddos"],
        ["alertmanager", "http://198.51.100.7:9093/"],
      ]);
      expect(JSON.stringify(detail.links)).not.toContain("javascript:");
    });

    it("redacts for a viewer by the LLM prompt's rules: addresses become tokens, credentials <secret>", async () => {
      const detail = await callerFor(database.db, viewer).alerts.get({ id: ddosAlert });
      expect(detail.redacted).toBe(true);
      const everything = JSON.stringify(detail);
      expect(everything).not.toContain("203.0.113.69");
      expect(everything).not.toContain("public-secret");
      expect(detail.alert.message).toMatch(/<ipv4-\d+>/);
      expect(detail.alert.raw_payload.snmp_community).toBe("<secret>");
      // The token is the same wherever the address appears.
      const token = /<ipv4-\d+>/.exec(detail.alert.message)?.[0];
      expect(detail.annotations?.summary).toContain(token);
      // A link whose address would be redacted is withheld, not broken; the others stay links.
      expect(detail.links.map((link) => link.kind)).toEqual(["runbook", "generator"]);
    });

    it("is not found from another tenant, and a bad id is a clear error", async () => {
      expect((await failureOf(callerFor(database.db, stranger).alerts.get({ id: ddosAlert }))).code).toBe("NOT_FOUND");
      const bad = await failureOf(callerFor(database.db, operator).alerts.get({ id: -3 }));
      expect(bad.code).toBe("BAD_REQUEST");
      expect(bad.message).toContain("id");
    });
  });

  describe("a runbook section cited by RCA", () => {
    it("is returned as Markdown with its runbook's other sections", async () => {
      const section = await callerFor(database.db, viewer).rca.runbook({ runbook: "fiber_cut", section: "diagnosis" });
      expect(section.id).toBe("fiber_cut#diagnosis");
      expect(section.heading).toBe("Diagnosis");
      expect(section.markdown.length).toBeGreaterThan(50);
      expect(section.sections.map((s) => s.section)).toContain("remediation");
    });

    it("is not found when unknown, and a path is refused", async () => {
      const caller = callerFor(database.db, viewer);
      expect((await failureOf(caller.rca.runbook({ runbook: "fiber_cut", section: "nope" }))).code).toBe("NOT_FOUND");
      const traversal = await failureOf(caller.rca.runbook({ runbook: "../../etc/passwd", section: "x" }));
      expect(traversal.code).toBe("BAD_REQUEST");
      expect(traversal.message).toContain("runbook");
    });
  });
});
