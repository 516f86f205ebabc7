/**
 * An alert's searchable words worked out in the server, as the database's `teleops_search_words` (migration 0012)
 * works them out: host, type, service, message and the tag values as the JSON array PostgreSQL prints, lower-cased,
 * cut at white space and at `,;"()[]{}<>|`, tab, newline and carriage return, words of 1 to 200 characters. Only
 * for text all in ASCII, where lower-casing is the same in Node and in every database locale but the Turkish ones:
 * anything else (and tags that are not all strings) gives null, and the database splits that alert itself.
 * The insert that stores correlated alerts adds these words in its own statement (ingest.ts, migration 0021).
 */

interface Searchable {
  host: string;
  alert_type: string;
  service: string;
  message: string;
  tags: Readonly<Record<string, unknown>>;
}

const SEPARATORS = /[,;"()[\]{}<>|\t\n\r]/g;

/** The alert's words (repeats included, as the SQL function gives them), or null where the database must split. */
export function searchWordsOf(alert: Searchable): string[] | null {
  const { host, alert_type, service, message, tags } = alert;
  if (typeof host !== "string" || typeof alert_type !== "string" || typeof service !== "string") return null;
  if (typeof message !== "string" || typeof tags !== "object" || tags === null || Array.isArray(tags)) return null;
  // jsonb_path_query_array(tags, '$.*')::text: the values as a JSON array, `", "` between them. Their order (jsonb
  // orders keys by length) changes no word: each value is cut off from the next by the comma.
  const values: string[] = [];
  for (const value of Object.values(tags)) {
    if (typeof value !== "string") return null;
    values.push(JSON.stringify(value));
  }
  return splitWords(`${host} ${alert_type} ${service} ${message} [${values.join(", ")}]`);
}

/**
 * The distinct (incident, word) pairs of alerts going into incidents, or null when one of them needs the database
 * to split it (then the trigger does them all, as for any other writer). The words are those of `searchWordsOf`,
 * in its order, worked out part by part (host, type, service, message, each tag value as JSON): every part is
 * bounded by separators in the whole text, so its words are the same, and a storm repeats its hosts, types,
 * services and tag values, whose words are remembered.
 */
export function incidentWordPairs(
  alerts: readonly Searchable[],
  incidentIds: ReadonlyArray<string | null>,
): Array<{ i: string; w: string }> | null {
  const byIncident = new Map<string, Set<string>>();
  for (const [index, alert] of alerts.entries()) {
    const incidentId = incidentIds[index] ?? null;
    if (incidentId === null) continue;
    const { host, alert_type, service, message, tags } = alert;
    if (typeof host !== "string" || typeof alert_type !== "string" || typeof service !== "string") return null;
    if (typeof message !== "string" || typeof tags !== "object" || tags === null || Array.isArray(tags)) return null;
    let set = byIncident.get(incidentId);
    if (!set) {
      set = new Set();
      byIncident.set(incidentId, set);
    }
    if (!addWords(set, host) || !addWords(set, alert_type) || !addWords(set, service) || !addWords(set, message))
      return null;
    for (const value of Object.values(tags)) {
      if (typeof value !== "string" || !addWords(set, JSON.stringify(value))) return null;
    }
  }
  const pairs: Array<{ i: string; w: string }> = [];
  for (const [i, words] of byIncident) for (const w of words) pairs.push({ i, w });
  return pairs;
}

/** Parts remembered with their words (null: not ASCII), all forgotten when full; longer parts are split each time. */
export const PART_WORDS_REMEMBERED = 4_000;
const PART_REMEMBERED_LENGTH = 512;
const partWords = new Map<string, readonly string[] | null>();

/** Adds the words of one part of an alert's search text; false when the part is not ASCII. */
function addWords(set: Set<string>, part: string): boolean {
  let words = partWords.get(part);
  if (words === undefined) {
    words = splitWords(part);
    if (part.length <= PART_REMEMBERED_LENGTH) {
      if (partWords.size >= PART_WORDS_REMEMBERED) partWords.clear();
      partWords.set(part, words);
    }
  }
  if (words === null) return false;
  for (const word of words) set.add(word);
  return true;
}

/** The words of ASCII text as `searchWordsOf` cuts them, or null for text that is not all ASCII. */
function splitWords(text: string): string[] | null {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return null;
  const words: string[] = [];
  for (const word of text.toLowerCase().replace(SEPARATORS, " ").split(" ")) {
    if (word !== "" && word.length <= 200) words.push(word);
  }
  return words;
}
