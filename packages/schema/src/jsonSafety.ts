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
  message: string;
}

/**
 * Whether JSON text nests deeper than `max`, found by scanning brackets outside strings without parsing, so a
 * hostile document is refused before any recursive code sees it.
 */
export function jsonTextTooDeep(text: string | Uint8Array, max: number = MAX_JSON_DEPTH): boolean {
  // UTF-8 bytes of multi-byte characters are all >= 0x80, so scanning bytes finds the same brackets and quotes.
  const codeAt = typeof text === "string" ? (i: number) => text.charCodeAt(i) : (i: number) => text[i] ?? 0;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = codeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/**
 * The first unsafe spot of a parsed JSON value: a string or key holding U+0000 (unless `allowNul`), a forbidden
 * key, or nesting deeper than `maxDepth`. Walks with an explicit stack, so depth cannot overflow it.
 */
export function findUnsafeJson(
  value: unknown,
  options: { allowNul?: boolean; maxDepth?: number } = {},
): JsonProblem | undefined {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value, path: [] }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { value: item, path } = next;
    if (typeof item === "string") {
      if (!options.allowNul && item.includes("\u0000")) return { path, message: "contains \\u0000 (NUL)" };
      if (LONE_SURROGATE.test(item)) return { path, message: LONE_SURROGATE_MESSAGE };
      continue;
    }
    if (item === null || typeof item !== "object") continue;
    if (path.length >= maxDepth) return { path, message: `nested deeper than ${maxDepth} levels` };
    if (Array.isArray(item)) {
      for (let index = item.length - 1; index >= 0; index--) stack.push({ value: item[index], path: [...path, index] });
      continue;
    }
    const keys = Object.keys(item);
    for (let index = keys.length - 1; index >= 0; index--) {
      const key = keys[index] ?? "";
      if (FORBIDDEN_JSON_KEYS.has(key)) return { path: [...path, key], message: `the key "${key}" is not allowed` };
      if (!options.allowNul && key.includes("\u0000"))
        return { path: [...path, key], message: "key contains \\u0000 (NUL)" };
      if (LONE_SURROGATE.test(key)) return { path: [...path, key], message: `key ${LONE_SURROGATE_MESSAGE}` };
      stack.push({ value: (item as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return undefined;
}
