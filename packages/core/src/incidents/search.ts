/**
 * Free-text search of incidents: each word must appear in the incident's id or title, or among the words of its
 * alerts (host, type, service, message, tag and label values), which triggers keep per incident in
 * `incident_search`, one row per word and incident in `incident_words`, and once per tenant in `search_vocabulary`
 * (migrations 0012, 0016 and 0018). A term is looked up among the vocabulary's short words through a trigram index,
 * then the incidents holding those words by `incident_words`' primary key: a search never reads every incident's
 * words.
 */
import { type DbOrTx, incidentSearch, incidents, incidentWords, searchVocabulary } from "@teleops/db";
import { type IncidentSearch, SEARCH_MIN_TERM, searchTerms } from "@teleops/schema";
import { eq, gte, lte, type SQL, sql } from "drizzle-orm";
import { rowsOf } from "../correlation/persist.ts";

/**
 * Vocabulary words a term may match before the search reads word lists instead: a term inside thousands of
 * distinct words ("rtr", a number) is cheaper to find by scanning the lists than by looking each word up.
 */
const VOCABULARY_MATCHES = 500;

/** `%word%` for LIKE and ILIKE, with the pattern characters of the word taken literally. */
export function containsPattern(word: string): string {
  return `%${word.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
}

/** What the text puts on the tenant's incidents. */
export interface TextConditions {
  /** One condition per word (the listed words' ids intersected into one). */
  where: SQL[];
  /**
   * With a single word that matched `listed` incidents or more: `listed` of them, as found. Without other filters,
   * counting these is counting the first matches, which is all a capped count needs.
   */
  sample: string[] | null;
}

/**
 * The conditions the text puts on the tenant's incidents (null when the text has no words). A word matching fewer
 * than `listed` incidents becomes the list of their ids, which the lookup gets whole. A word matching more becomes a
 * test of each incident read, so that a page walks its order's index and stops after its rows, instead of every match
 * travelling to the server and back (a 200 kB list of 19,000 ids cost the page 25 ms with 10M alerts stored, and
 * planning over it 8 ms). Words shorter than three characters match ids and titles only: trigrams cannot index them.
 */
export async function textConditions(
  db: DbOrTx,
  tenantId: string,
  text: string | undefined,
  listed: number,
): Promise<TextConditions | null> {
  const words = searchTerms(text);
  if (words.length === 0) return null;
  const matches = await Promise.all(words.map((word) => incidentsMatchingWord(db, tenantId, word, listed)));
  const where: SQL[] = [];
  let listedIds: string[] | null = null;
  for (const match of matches) {
    if (match.ids === null || match.ids.length >= listed) where.push(match.condition);
    else {
      const ids = new Set(match.ids);
      listedIds = listedIds === null ? match.ids : listedIds.filter((id) => ids.has(id));
    }
  }
  // One text parameter however many incidents match (a list of parameters stops at 65,535); ids hold no commas.
  if (listedIds !== null) where.push(sql`${incidents.id} = any(string_to_array(${listedIds.join(",")}, ','))`);
  const [only] = matches;
  const sample = matches.length === 1 && only?.ids && only.ids.length >= listed ? only.ids : null;
  return { where, sample };
}

/**
 * A word's matches: `ids` distinct, in the order found, at most `listed` (all of them when fewer; null when unknown:
 * the lookup stopped at `listed` rows holding repeats), and `condition`, the per-incident test.
 */
interface WordMatch {
  ids: string[] | null;
  condition: SQL;
}

/**
 * The incidents one word matches: by title or id, or through the vocabulary: the tenant's words containing it (trigram
 * index over short strings), then the incidents holding those words (`incident_words`' primary key, tenant and word
 * first), in one statement that stops at `listed` rows and also returns the vocabulary's words. A word inside more
 * than VOCABULARY_MATCHES distinct words is looked for in the lists themselves instead, in a second statement. (That
 * scan used to sit in the first statement behind a one-time filter; planned under a Gather, it started parallel
 * workers for every search even though it read nothing: 50-90 ms a search on 2 busy cores with 10M alerts stored,
 * docs/performance.md.)
 */
async function incidentsMatchingWord(db: DbOrTx, tenantId: string, word: string, listed: number): Promise<WordMatch> {
  const pattern = containsPattern(word);
  const upper = word.toUpperCase();
  const byTitle = sql`${incidents.title} ilike ${pattern} or ${incidents.id} = ${upper}`;
  if (word.length < SEARCH_MIN_TERM) return { ids: null, condition: sql`(${byTitle})` };
  // The words are stored lower-cased, so a case-sensitive LIKE of the lower-cased term finds what ILIKE would.
  const lowered = pattern.toLowerCase();
  const titled = sql`select i.id from ${incidents} i
    where i.tenant_id = ${tenantId} and (i.title ilike ${pattern} or i.id = ${upper})`;
  // `union all` so that the limit stops the lookup early; the ids are made distinct here.
  const [found] = rowsOf<{ words: string[] | null; ids: string[] }>(
    await db.execute(sql`
    with vocabulary as (
      select v.word from ${searchVocabulary} v
      where v.tenant_id = ${tenantId} and v.word like ${lowered}
      limit ${VOCABULARY_MATCHES + 1}
    )
    select case when (select count(*) from vocabulary) <= ${VOCABULARY_MATCHES}
             then array(select word from vocabulary) end as words,
           array(
      select w.incident_id from ${incidentWords} w
      where w.tenant_id = ${tenantId}
        and w.word = any(array(select word from vocabulary))
        and (select count(*) from vocabulary) <= ${VOCABULARY_MATCHES}
      union all
      ${titled}
      limit ${listed}
    ) as ids`),
  );
  const vocabulary = found?.words ?? null;
  // `offset 0` keeps each test per incident (an index probe) rather than a hash of every match built first: a page
  // then stops after its rows. Vocabulary words hold no commas (the split cuts at them): one text parameter.
  const holding =
    vocabulary !== null
      ? sql`exists (select from ${incidentWords} w where w.tenant_id = ${incidents.tenantId}
          and w.word = any(string_to_array(${vocabulary.join(",")}, ',')) and w.incident_id = ${incidents.id} offset 0)`
      : sql`exists (select from ${incidentSearch} s where s.incident_id = ${incidents.id} and s.words like ${lowered}
          offset 0)`;
  const rows =
    vocabulary !== null
      ? (found?.ids ?? [])
      : rowsOf<{ id: string }>(
          await db.execute(sql`select s.incident_id as id from ${incidentSearch} s
            where s.tenant_id = ${tenantId} and s.words like ${lowered} union all ${titled} limit ${listed}`),
        ).map((row) => row.id);
  const ids = [...new Set(rows)];
  const condition = sql`(${byTitle} or ${holding})`;
  return { ids: rows.length < listed || ids.length === rows.length ? ids : null, condition };
}

/** The SQL conditions of the search filters other than text. */
export function incidentFilterConditions(filters: Omit<IncidentSearch, "text">): SQL[] {
  const where: SQL[] = [];
  if (filters.site) where.push(sql`${incidents.sites} @> array[${filters.site}]::text[]`);
  if (filters.service) where.push(sql`${incidents.services} @> array[${filters.service}]::text[]`);
  if (filters.owner) where.push(eq(incidents.owner, filters.owner));
  if (filters.startedFrom) where.push(gte(incidents.startTime, new Date(filters.startedFrom)));
  if (filters.startedTo) where.push(lte(incidents.startTime, new Date(filters.startedTo)));
  if (filters.lastAlertFrom) where.push(gte(incidents.endTime, new Date(filters.lastAlertFrom)));
  if (filters.lastAlertTo) where.push(lte(incidents.endTime, new Date(filters.lastAlertTo)));
  return where;
}

/**
 * Every search condition for `listIncidents`, text included, whether there was text, and the text's sample (see
 * `textConditions`).
 */
export async function incidentSearchConditions(
  db: DbOrTx,
  tenantId: string,
  search: IncidentSearch,
  listed: number,
): Promise<{ where: SQL[]; text: boolean; sample: string[] | null }> {
  const text = await textConditions(db, tenantId, search.text, listed);
  return {
    where: [...incidentFilterConditions(search), ...(text?.where ?? [])],
    text: text !== null,
    sample: text?.sample ?? null,
  };
}
