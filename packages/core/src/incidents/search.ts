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
import { and, eq, gte, ilike, lte, or, type SQL, sql } from "drizzle-orm";
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
 * The ids of the tenant's incidents that every word matches. Returns null when the text has no words (no text
 * filter). Words shorter than three characters match ids and titles only: trigrams cannot index them.
 */
export async function incidentsMatchingText(
  db: DbOrTx,
  tenantId: string,
  text: string | undefined,
): Promise<string[] | null> {
  const words = searchTerms(text);
  if (words.length === 0) return null;
  let matching: string[] | null = null;
  for (const word of words) {
    const ids = new Set(await incidentsMatchingWord(db, tenantId, word));
    matching = (matching ?? [...ids]).filter((id) => ids.has(id));
    if (matching.length === 0) break;
  }
  return matching ?? [];
}

/**
 * The incidents one word matches: by title or id, or through the vocabulary: the tenant's words containing it (trigram
 * index over short strings), then the incidents holding those words (`incident_words`' primary key, tenant and word
 * first), in one statement that also says how many words matched. A word inside more than VOCABULARY_MATCHES
 * distinct words is looked for in the lists themselves instead, in a second statement. (That scan used to sit in the
 * first statement behind a one-time filter; planned under a Gather, it started parallel workers for every search
 * even though it read nothing: 50-90 ms a search on 2 busy cores with 10M alerts stored, docs/performance.md.)
 */
async function incidentsMatchingWord(db: DbOrTx, tenantId: string, word: string): Promise<string[]> {
  const pattern = containsPattern(word);
  const byIncident = db
    .select({ id: incidents.id })
    .from(incidents)
    .where(
      and(eq(incidents.tenantId, tenantId), or(ilike(incidents.title, pattern), eq(incidents.id, word.toUpperCase()))),
    );
  if (word.length < SEARCH_MIN_TERM) return (await byIncident).map((row) => row.id);
  // The words are stored lower-cased, so a case-sensitive LIKE of the lower-cased term finds what ILIKE would.
  const lowered = pattern.toLowerCase();
  const [found] = rowsOf<{ words: number; ids: string[] }>(
    await db.execute(sql`
    with vocabulary as (
      select v.word from ${searchVocabulary} v
      where v.tenant_id = ${tenantId} and v.word like ${lowered}
      limit ${VOCABULARY_MATCHES + 1}
    )
    select (select count(*) from vocabulary)::int as words, array(
      select i.id from ${incidents} i
      where i.tenant_id = ${tenantId} and (i.title ilike ${pattern} or i.id = ${word.toUpperCase()})
      union
      select w.incident_id from ${incidentWords} w
      where w.tenant_id = ${tenantId}
        and w.word = any(array(select word from vocabulary))
        and (select count(*) from vocabulary) <= ${VOCABULARY_MATCHES}
    ) as ids`),
  );
  const ids = found?.ids ?? [];
  if ((found?.words ?? 0) <= VOCABULARY_MATCHES) return ids;
  const lists = rowsOf<{ id: string }>(
    await db.execute(sql`
    select s.incident_id as id from ${incidentSearch} s where s.tenant_id = ${tenantId} and s.words like ${lowered}`),
  );
  return [...new Set([...ids, ...lists.map((row) => row.id)])];
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

/** Every search condition for `listIncidents`, text included (as the matching ids). */
export async function incidentSearchConditions(db: DbOrTx, tenantId: string, search: IncidentSearch): Promise<SQL[]> {
  const where = incidentFilterConditions(search);
  const ids = await incidentsMatchingText(db, tenantId, search.text);
  // One text parameter however many incidents match (a list of parameters stops at 65,535); ids hold no commas.
  if (ids !== null) where.push(sql`${incidents.id} = any(string_to_array(${ids.join(",")}, ','))`);
  return where;
}
