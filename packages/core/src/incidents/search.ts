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

/**
 * The conditions the text puts on the tenant's incidents, one per word (null when the text has no words). A word
 * matching fewer than `listed` incidents becomes the list of their ids, which the lookup gets whole; a word matching
 * more becomes a subquery over its incidents' words, so that neither its lookup nor the reads carry every match
 * (a 200 kB list of 19,000 ids cost the page 25 ms with 10M alerts stored). Words shorter than three characters
 * match ids and titles only: trigrams cannot index them.
 */
export async function textConditions(
  db: DbOrTx,
  tenantId: string,
  text: string | undefined,
  listed: number,
): Promise<SQL[] | null> {
  const words = searchTerms(text);
  if (words.length === 0) return null;
  const matches = await Promise.all(words.map((word) => incidentsMatchingWord(db, tenantId, word, listed)));
  const conditions: SQL[] = [];
  let listedIds: string[] | null = null;
  for (const match of matches) {
    if (match.kind === "condition") conditions.push(match.condition);
    else {
      const ids = match.ids;
      listedIds = listedIds === null ? [...ids] : listedIds.filter((id) => ids.has(id));
    }
  }
  // One text parameter however many incidents match (a list of parameters stops at 65,535); ids hold no commas.
  if (listedIds !== null) conditions.push(sql`${incidents.id} = any(string_to_array(${listedIds.join(",")}, ','))`);
  return conditions;
}

type WordMatch = { kind: "ids"; ids: Set<string> } | { kind: "condition"; condition: SQL };

/**
 * The incidents one word matches: by title or id, or through the vocabulary: the tenant's words containing it (trigram
 * index over short strings), then the incidents holding those words (`incident_words`' primary key, tenant and word
 * first), in one statement that stops at `listed` ids and also says how many words matched. A word inside more than
 * VOCABULARY_MATCHES distinct words is looked for in the lists themselves instead, in a second statement. (That scan
 * used to sit in the first statement behind a one-time filter; planned under a Gather, it started parallel workers
 * for every search even though it read nothing: 50-90 ms a search on 2 busy cores with 10M alerts stored,
 * docs/performance.md.)
 */
async function incidentsMatchingWord(db: DbOrTx, tenantId: string, word: string, listed: number): Promise<WordMatch> {
  const pattern = containsPattern(word);
  const byTitle = sql`(${incidents.title} ilike ${pattern} or ${incidents.id} = ${word.toUpperCase()})`;
  if (word.length < SEARCH_MIN_TERM) return { kind: "condition", condition: byTitle };
  // The words are stored lower-cased, so a case-sensitive LIKE of the lower-cased term finds what ILIKE would.
  const lowered = pattern.toLowerCase();
  const titled = sql`select i.id from ${incidents} i
    where i.tenant_id = ${tenantId} and (i.title ilike ${pattern} or i.id = ${word.toUpperCase()})`;
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
  // Vocabulary words hold no commas (the split cuts at them), so they travel as one text parameter too.
  const holding =
    vocabulary !== null
      ? sql`select w.incident_id as id from ${incidentWords} w
        where w.tenant_id = ${tenantId} and w.word = any(string_to_array(${vocabulary.join(",")}, ','))`
      : sql`select s.incident_id as id from ${incidentSearch} s where s.tenant_id = ${tenantId} and s.words like ${lowered}`;
  const ids =
    vocabulary !== null
      ? (found?.ids ?? [])
      : rowsOf<{ id: string }>(await db.execute(sql`${holding} union all ${titled} limit ${listed}`)).map(
          (row) => row.id,
        );
  if (ids.length < listed) return { kind: "ids", ids: new Set(ids) };
  return { kind: "condition", condition: sql`${incidents.id} in (${holding} union all ${titled})` };
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
 * Every search condition for `listIncidents`, text included, and whether there was text: a word's matches are
 * listed by id when fewer than `listed` (see `textConditions`).
 */
export async function incidentSearchConditions(
  db: DbOrTx,
  tenantId: string,
  search: IncidentSearch,
  listed: number,
): Promise<{ where: SQL[]; text: boolean }> {
  const text = await textConditions(db, tenantId, search.text, listed);
  return { where: [...incidentFilterConditions(search), ...(text ?? [])], text: text !== null };
}
