/**
 * Free-text search of incidents: each word must appear in the incident's id or title, or among the words of its
 * alerts (host, type, service, message, tag and label values), which triggers keep per incident in
 * `incident_search`. pg_trgm GIN indexes answer both (migration 0012), so a search reads the index entries of its
 * trigrams, never every incident or alert.
 */
import { type DbOrTx, incidentSearch, incidents } from "@teleops/db";
import { type IncidentSearch, SEARCH_MIN_TERM, searchTerms } from "@teleops/schema";
import { and, eq, gte, ilike, like, lte, or, type SQL, sql } from "drizzle-orm";

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
    const rows =
      word.length < SEARCH_MIN_TERM
        ? await byIncident
        : await byIncident.union(
            db
              .select({ id: incidentSearch.incidentId })
              .from(incidentSearch)
              // The words are stored lower-cased, so a case-sensitive LIKE of the lower-cased word finds the same
              // incidents as ILIKE, and its index recheck over long word lists costs a fraction of ILIKE's.
              .where(and(eq(incidentSearch.tenantId, tenantId), like(incidentSearch.words, pattern.toLowerCase()))),
          );
    const ids = new Set(rows.map((row) => row.id));
    matching = (matching ?? [...ids]).filter((id) => ids.has(id));
    if (matching.length === 0) break;
  }
  return matching ?? [];
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
