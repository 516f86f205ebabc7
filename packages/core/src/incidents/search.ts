/**
 * Free-text search of incidents: each word must appear in the incident's id or title, or among the words of its
 * alerts (host, type, service, message, tag and label values), which triggers keep per incident in
 * `incident_search` and, once per tenant, in `search_vocabulary` (migrations 0012 and 0016). A term is looked up
 * among the vocabulary's short words through a trigram index, then the incidents holding those words through a GIN
 * index over each incident's word list: a search never reads every incident's words.
 */
import { type DbOrTx, incidentSearch, incidents, searchVocabulary } from "@teleops/db";
import { type IncidentSearch, SEARCH_MIN_TERM, searchTerms } from "@teleops/schema";
import { and, eq, gte, ilike, like, lte, or, type SQL, sql } from "drizzle-orm";

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
    const pattern = containsPattern(word);
    const byIncident = db
      .select({ id: incidents.id })
      .from(incidents)
      .where(
        and(
          eq(incidents.tenantId, tenantId),
          or(ilike(incidents.title, pattern), eq(incidents.id, word.toUpperCase())),
        ),
      );
    const lowered = pattern.toLowerCase();
    const vocabulary = word.length < SEARCH_MIN_TERM ? [] : await vocabularyMatches(db, tenantId, lowered);
    const rows =
      vocabulary.length === 0
        ? await byIncident
        : await byIncident.union(incidentsHoldingWords(db, tenantId, lowered, vocabulary));
    const ids = new Set(rows.map((row) => row.id));
    matching = (matching ?? [...ids]).filter((id) => ids.has(id));
    if (matching.length === 0) break;
  }
  return matching ?? [];
}

/** Up to VOCABULARY_MATCHES + 1 of the tenant's words that contain the term (`pattern`, lower-cased `%term%`). */
async function vocabularyMatches(db: DbOrTx, tenantId: string, pattern: string): Promise<string[]> {
  const rows = await db
    .select({ word: searchVocabulary.word })
    .from(searchVocabulary)
    .where(and(eq(searchVocabulary.tenantId, tenantId), like(searchVocabulary.word, pattern)))
    .limit(VOCABULARY_MATCHES + 1);
  return rows.map((row) => row.word);
}

/** The incidents holding any of the vocabulary's words that matched, through the word lists' array index. */
function incidentsHoldingWords(db: DbOrTx, tenantId: string, pattern: string, vocabulary: readonly string[]) {
  const holders = db.select({ id: incidentSearch.incidentId }).from(incidentSearch);
  if (vocabulary.length > VOCABULARY_MATCHES) {
    // The words are stored lower-cased, so a case-sensitive LIKE of the lower-cased term finds what ILIKE would.
    return holders.where(and(eq(incidentSearch.tenantId, tenantId), like(incidentSearch.words, pattern)));
  }
  const words = JSON.stringify(vocabulary);
  // The expression is the index's own (migration 0016): the separator is a literal, not a parameter.
  return holders.where(
    and(
      eq(incidentSearch.tenantId, tenantId),
      sql`string_to_array(${incidentSearch.words}, ' ') && array(select jsonb_array_elements_text(${words}::jsonb))`,
    ),
  );
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
