/**
 * The server's split of an alert into search words equals the database's (`teleops_search_words`) wherever the
 * server splits, and the search rows an insert writes with its own words equal those the trigger writes; on PGlite
 * and, with TEST_DATABASE_URL, PostgreSQL.
 */
import { alerts } from "@teleops/db";
import { type TestDatabase, testBackends } from "@teleops/db/testing";
import type { CanonicalAlert } from "@teleops/schema";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestAlerts, insertAlertRows } from "../alerts/ingest.ts";
import { rowsOf } from "../correlation/persist.ts";
import { incidentWordPairs, PART_WORDS_REMEMBERED, searchWordsOf } from "./searchWords.ts";

const base = {
  host: "fra1-cr1",
  alert_type: "link_down",
  service: "transport",
  message: "Interface xe-0/0/1 down",
  tags: { site: "fra1" } as Record<string, unknown>,
};

/** Texts chosen to trip a split that only looks like the database's. */
const TRICKY: Array<Partial<typeof base>> = [
  {},
  { message: "BGP peer 2001:db8::1 (AS64500) went Idle; [neighbor 203.0.113.69,]" },
  { message: "fe80::1%eth0 <-> [2001:DB8:0:0:8:800:200C:417A]:179 {flap}|x" },
  { message: "  leading,, and trailing ;; separators  \t tab\nnewline\r\ncrlf " },
  { message: 'quotes "inside" and \\ backslashes \\" mixed' },
  { message: `${"x".repeat(200)} ${"y".repeat(201)} ${"Z".repeat(250)}` },
  { message: "UPPER Case MiXeD 100% done #1 @ops ~tilde `tick` 'single' a/b c:d e=f" },
  { message: "", host: "", service: "" },
  { tags: {} },
  { tags: { site: "FRA1", ifName: 'Gi1/0/1 "uplink"', note: "a\\b", ctl: "bell\u0007 form\f back\b", nl: "x\ny\tz" } },
  { tags: { a: "1", bb: "2", c: "three words here", longer_key: "[bracketed]", k: "{braced}" } },
  { message: "control \u0001\u001f chars and DEL \u007f" },
  // Not ASCII: the server leaves these to the database.
  { message: "Überlast auf Schnittstelle" },
  { message: "İstanbul ΣΊΣΥΦΟΣ straße" },
  { host: "東京-cr1" },
  { tags: { site: "münchen" } },
  { message: "emoji 🚨 alarm" },
  { tags: { count: 3 } },
];

describe("searchWordsOf", () => {
  it("leaves text that is not all ASCII, and tags that are not all strings, to the database", () => {
    expect(searchWordsOf({ ...base, message: "Überlast" })).toBeNull();
    expect(searchWordsOf({ ...base, tags: { count: 3 } })).toBeNull();
    expect(searchWordsOf(base)).toEqual([
      "fra1-cr1",
      "link_down",
      "transport",
      "interface",
      "xe-0/0/1",
      "down",
      "fra1",
    ]);
  });

  it("gives no pairs when any alert going into an incident needs the database, and skips alerts in none", () => {
    expect(incidentWordPairs([base, { ...base, message: "Ä" }], ["INC-1", "INC-1"])).toBeNull();
    expect(incidentWordPairs([base, { ...base, message: "Ä" }], ["INC-1", null])).toHaveLength(7);
  });

  /** The pairs as `searchWordsOf` gives them, alert by alert: what the part-by-part split must equal. */
  function referencePairs(batch: readonly (typeof base)[], ids: ReadonlyArray<string | null>) {
    const byIncident = new Map<string, Set<string>>();
    for (const [index, alert] of batch.entries()) {
      const id = ids[index];
      if (id == null) continue;
      const words = searchWordsOf(alert);
      if (words === null) return null;
      const set = byIncident.get(id) ?? new Set<string>();
      byIncident.set(id, set);
      for (const word of words) set.add(word);
    }
    return [...byIncident].flatMap(([i, words]) => [...words].map((w) => ({ i, w })));
  }

  it("gives the pairs of searchWordsOf, in its order, from remembered parts as from new ones", () => {
    const batch = TRICKY.map((change) => ({ ...base, ...change }));
    const ascii = batch.filter((alert) => searchWordsOf(alert) !== null);
    const ids = (n: number) => Array.from({ length: n }, (_, i) => (i % 3 === 2 ? null : `INC-${i % 3}`));
    for (let round = 0; round < 2; round++) {
      expect(incidentWordPairs(ascii, ids(ascii.length))).toStrictEqual(referencePairs(ascii, ids(ascii.length)));
      for (const alert of batch) {
        expect(incidentWordPairs([alert], ["INC-1"])).toStrictEqual(referencePairs([alert], ["INC-1"]));
      }
    }
    // A part first seen inside a longer text, then alone; a non-ASCII part remembered as such.
    expect(incidentWordPairs([{ ...base, message: "Gi1/0/1" }], ["X"])).toStrictEqual(
      referencePairs([{ ...base, message: "Gi1/0/1" }], ["X"]),
    );
    expect(incidentWordPairs([{ ...base, host: "東京-cr1" }], ["X"])).toBeNull();
    expect(incidentWordPairs([{ ...base, host: "東京-cr1" }], ["X"])).toBeNull();
  });

  it("forgets its parts when full and still splits the same", () => {
    const many = Array.from({ length: PART_WORDS_REMEMBERED + 50 }, (_, i) => ({
      ...base,
      message: `Port ${i} DOWN,peer ${i % 7}`,
      tags: { port: `et-${i}` },
    }));
    const ids = many.map((_, i) => `INC-${i % 5}`);
    expect(incidentWordPairs(many, ids)).toStrictEqual(referencePairs(many, ids));
    expect(incidentWordPairs(many.slice(0, 100), ids)).toStrictEqual(referencePairs(many.slice(0, 100), ids));
  });
});

describe.each(testBackends())("search words on $name", (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db.dispose();
  });

  it("equals teleops_search_words for every text the server splits", async () => {
    let split = 0;
    for (const change of TRICKY) {
      const alert = { ...base, ...change };
      const mine = searchWordsOf(alert);
      const result = await db.db.execute(
        sql`select coalesce(array_agg(w order by w), '{}') as words
            from teleops_search_words(${alert.host}, ${alert.alert_type}, ${alert.service}, ${alert.message},
                                      ${JSON.stringify(alert.tags)}::jsonb) as w`,
      );
      const theirs = (rowsOf<{ words: string[] }>(result)[0]?.words ?? []).slice().sort();
      if (mine === null) continue;
      split += 1;
      expect([...mine].sort(), JSON.stringify(change)).toEqual(theirs.sort());
    }
    expect(split).toBe(12);
  });

  async function searchRows(tenantId: string) {
    const words = rowsOf<{ incident_id: string; word: string }>(
      await db.db.execute(
        sql`select incident_id, word from incident_words where tenant_id = ${tenantId} order by incident_id, word`,
      ),
    );
    const lists = rowsOf<{ incident_id: string; words: string }>(
      await db.db.execute(sql`select incident_id, words from incident_search where tenant_id = ${tenantId}`),
    ).map((row) => ({ id: row.incident_id, words: row.words.split(" ").sort() }));
    const vocabulary = rowsOf<{ word: string }>(
      await db.db.execute(sql`select word from search_vocabulary where tenant_id = ${tenantId} order by word`),
    );
    return { words, lists: lists.sort((a, b) => a.id.localeCompare(b.id)), vocabulary };
  }

  function canonical(change: Partial<typeof base>, i: number): CanonicalAlert {
    return {
      ...base,
      ...change,
      timestamp: new Date(Date.parse("2026-05-01T10:00:00Z") + i * 1000).toISOString(),
      fingerprint: `fp-${i}`,
      source_system: "test",
      severity: "major",
      status: "firing",
      raw_payload: {},
    } as CanonicalAlert;
  }

  it("writes the same search rows from the server's words as the trigger does, and none twice", async () => {
    const ascii = TRICKY.filter((change) => searchWordsOf({ ...base, ...change }) !== null);
    const batch = ascii.map(canonical);
    // Incident ids are unique across tenants (incident_search is keyed by the id alone): each tenant its own.
    const ids = (tenant: string) =>
      batch.map((_, i) => (i % 3 === 0 ? `${tenant}-A` : i % 3 === 1 ? `${tenant}-B` : null));
    const incidentIds = ids("app");
    // By the server's words (every alert ASCII), then the same by the trigger (the words setting never set).
    await db.db.transaction((tx) => insertAlertRows(tx, "words-app", batch, { at: new Date(), incidentIds }));
    await db.db.transaction(async (tx) => {
      await ingestAlerts(tx, "words-sql", batch);
      await tx.execute(sql`
        update alerts set incident_id = v.i
        from jsonb_to_recordset(${JSON.stringify(batch.map((a, i) => ({ f: a.fingerprint, i: ids("sql")[i] })))}::jsonb)
             as v(f text, i text)
        where tenant_id = 'words-sql' and fingerprint = v.f and v.i is not null`);
    });
    const app = await searchRows("words-app");
    expect(app.words.length).toBeGreaterThan(20);
    const bySql = await searchRows("words-sql");
    const renamed = (rows: typeof app) => JSON.parse(JSON.stringify(rows).replaceAll('"sql-', '"app-'));
    expect(app).toEqual(renamed(bySql));
    // The next insert of the same transaction without words of its own is indexed by the trigger.
    const more = [canonical({ message: "Überlast later" }, 100), canonical({ message: "second plain" }, 101)];
    await db.db.transaction(async (tx) => {
      await insertAlertRows(tx, "words-app", [canonical({ message: "first plain" }, 102)], {
        at: new Date(),
        incidentIds: ["app-A"],
      });
      await insertAlertRows(tx, "words-app", more, { at: new Date(), incidentIds: ["app-A", "app-B"] });
    });
    const after = await searchRows("words-app");
    const wordsOf = (id: string) => after.words.filter((row) => row.incident_id === id).map((row) => row.word);
    expect(wordsOf("app-A")).toEqual(expect.arrayContaining(["first", "überlast", "later"]));
    expect(wordsOf("app-B")).toEqual(expect.arrayContaining(["second"]));
  });

  it("adds only the stored rows' words when some alerts were stored already", async () => {
    const first = canonical({ message: "already stored one" }, 200);
    await ingestAlerts(db.db, "words-dup", [first]);
    const again = { ...first, message: "already stored one" };
    const fresh = canonical({ message: "brand new" }, 201);
    const inserted = await db.db.transaction((tx) =>
      insertAlertRows(tx, "words-dup", [again, fresh], { at: new Date(), incidentIds: ["dup-D", "dup-D"] }),
    );
    expect(inserted).toBe(1);
    const rows = await searchRows("words-dup");
    expect(rows.words.map((row) => row.word)).toContain("brand");
    expect(rows.words.map((row) => row.word)).not.toContain("already");
    const stored = await db.db.select({ id: alerts.id }).from(alerts).where(eq(alerts.tenantId, "words-dup"));
    expect(stored).toHaveLength(2);
  });
});
