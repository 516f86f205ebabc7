/** Turns alert types, messages and runbook prose into the same comparable terms, so both sides match. */

const STOPWORDS = new Set(
  (
    "a an and are as at be been but by can do does for from had has have how if in into is it its no not of on " +
    "or so than that the their them then there these they this to too up was were what when where which while " +
    "who will with you your our we us after before over under again all any each more most other some such only " +
    "own same very just also via per about out off until once here both few nor should now s t"
  ).split(" "),
);
// "up" and "no" mean something in NOC text ("session up", "no input power"); keep them.
STOPWORDS.delete("up");
STOPWORDS.delete("no");

/** Splits on anything that is not a letter or digit, and between camelCase words (`LinkDown` → link, down). */
export function splitWords(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

/** A light stemmer: plural and verb endings only, enough for "errors" to meet "error" and "flaps" "flap". */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith("sses")) return word.slice(0, -2);
  if (word.endsWith("ss") || word.endsWith("us") || word.endsWith("is")) return word;
  if (word.endsWith("s")) return word.slice(0, -1);
  return word;
}

/** The term a word contributes to search, or null for stopwords, single letters and bare numbers. */
export function normalizeTerm(word: string): string | null {
  const lower = word.toLowerCase();
  if (lower.length < 2 || STOPWORDS.has(lower) || /^\d+$/.test(lower)) return null;
  return stem(lower);
}

/** Every search term of a text, in order, with repeats. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const word of splitWords(text)) {
    const term = normalizeTerm(word);
    if (term !== null) out.push(term);
  }
  return out;
}
