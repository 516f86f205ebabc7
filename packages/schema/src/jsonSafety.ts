/**
 * Checks every JSON document from outside passes before it is used: no NUL characters (PostgreSQL cannot store
 * them), no keys that reach an object's prototype, and no nesting deeper than any real payload needs.
 */

/** Deeper than any alert, Alertmanager, Jira or ServiceNow payload; deep enough to exhaust naive recursion. */
export const MAX_JSON_DEPTH = 64;

/** Keys that assign or reach a prototype when code copies objects with `target[key] = value`. */
export const FORBIDDEN_JSON_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** A `\ud800`-style escape without its pair: valid JSON, but no Unicode text, and PostgreSQL refuses it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATE_MESSAGE = "contains an unpaired UTF-16 surrogate (\\ud800–\\udfff), which is not Unicode text";

export interface JsonProblem {
  /** Where the problem is, as keys and indexes from the document's root. */
  path: Array<string | number>;
  /** What is wrong, for callers that answer some problems in their own words. */
  kind: "nul" | "surrogate" | "forbidden_key" | "depth";
  message: string;
}

/**
 * Whether JSON text nests deeper than `max`, found by scanning brackets outside strings without parsing, so a
 * hostile document is refused before any recursive code sees it. Strings are skipped in a tight inner loop:
 * this runs on every webhook body, so it costs about a fifth of parsing the same text.
 */
export function jsonTextTooDeep(text: string | Uint8Array, max: number = MAX_JSON_DEPTH): boolean {
  // UTF-8 bytes of multi-byte characters are all >= 0x80, so scanning bytes finds the same brackets and quotes.
  // The two loops are the same scan, written twice on purpose: each reads one kind of input, so V8 compiles it
  // tight (one loop reading through a callback for either kind ran five times slower).
  return typeof text === "string" ? textTooDeep(text, max) : bytesTooDeep(text, max);
}

function bytesTooDeep(bytes: Uint8Array, max: number): boolean {
  const length = bytes.length;
  let depth = 0;
  for (let i = 0; i < length; i++) {
    const c = bytes[i];
    if (c === 34) {
      // a string: run to its closing quote, stepping over escaped characters
      for (i++; i < length; i++) {
        const d = bytes[i];
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

function textTooDeep(text: string, max: number): boolean {
  const length = text.length;
  let depth = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      for (i++; i < length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** Whether a string is Unicode text: `isWellFormed` (ES2024, Node 20) where there is one, else the pattern. */
const wellFormed: (text: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === "function"
    ? (text) => (text as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (text) => !LONE_SURROGATE.test(text);

/**
 * The first unsafe spot of a parsed JSON value: a string or key holding U+0000 (unless `allowNul`), a forbidden
 * key, an unpaired surrogate, or nesting deeper than `maxDepth`. One walk over the value; recursion stops at
 * `maxDepth`, so no document can overflow the stack, and a path is built only for the problem found.
 */
export function findUnsafeJson(
  value: unknown,
  options: { allowNul?: boolean; maxDepth?: number } = {},
): JsonProblem | undefined {
  const problem = unsafeAt(value, 0, options.maxDepth ?? MAX_JSON_DEPTH, options.allowNul === true);
  if (!problem) return undefined;
  problem.path.reverse();
  return problem;
}

/** `path` comes back leaf first (each level appends its key while unwinding); the caller reverses it. */
function unsafeAt(item: unknown, depth: number, maxDepth: number, allowNul: boolean): JsonProblem | undefined {
  if (typeof item === "string") return unsafeString(item, allowNul, "");
  if (item === null || typeof item !== "object") return undefined;
  if (depth >= maxDepth) return { path: [], kind: "depth", message: `nested deeper than ${maxDepth} levels` };
  if (Array.isArray(item)) {
    for (let index = 0; index < item.length; index++) {
      const found = unsafeAt(item[index], depth + 1, maxDepth, allowNul);
      if (found) {
        found.path.push(index);
        return found;
      }
    }
    return undefined;
  }
  for (const key in item) {
    if (!Object.hasOwn(item, key)) continue;
    const keyProblem = FORBIDDEN_JSON_KEYS.has(key)
      ? { path: [], kind: "forbidden_key" as const, message: `the key "${key}" is not allowed` }
      : unsafeString(key, allowNul, "key ");
    const found = keyProblem ?? unsafeAt((item as Record<string, unknown>)[key], depth + 1, maxDepth, allowNul);
    if (found) {
      found.path.push(key);
      return found;
    }
  }
  return undefined;
}

function unsafeString(text: string, allowNul: boolean, what: string): JsonProblem | undefined {
  if (!allowNul && text.includes("\u0000")) return { path: [], kind: "nul", message: `${what}contains \\u0000 (NUL)` };
  if (!wellFormed(text)) return { path: [], kind: "surrogate", message: `${what}${LONE_SURROGATE_MESSAGE}` };
  return undefined;
}
