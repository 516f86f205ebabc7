/**
 * Validation of large bodies in slices: the server's one thread also finishes database round trips of writes in
 * flight, and a 10,000-alert body validated in one go would hold those answers back for tens of milliseconds.
 * Between slices the event loop runs whatever is ready (socket reads first), then validation resumes.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import type { z } from "zod";

/** Items validated between two turns of the event loop: about a millisecond of work for alerts. */
export const SLICE_ITEMS = 100;

export type SliceResult<T> = { success: true; data: T[] } | { success: false; issues: z.core.$ZodIssue[] };

/**
 * Parses every item of `items` with `schema`, yielding to the event loop between slices. Issues carry the
 * item's index first in their path, as parsing the whole array with `z.array(schema)` would give.
 */
export async function parseInSlices<S extends z.ZodType>(
  schema: S,
  items: readonly unknown[],
  each?: (value: z.output<S>, index: number) => void,
): Promise<SliceResult<z.output<S>>> {
  const data: Array<z.output<S>> = [];
  const issues: z.core.$ZodIssue[] = [];
  for (let start = 0; start < items.length; start += SLICE_ITEMS) {
    if (start > 0) await nextTurn();
    const end = Math.min(items.length, start + SLICE_ITEMS);
    for (let index = start; index < end; index++) {
      const parsed = schema.safeParse(items[index]);
      if (parsed.success) {
        if (issues.length === 0) {
          data.push(parsed.data);
          each?.(parsed.data, index);
        }
      } else {
        for (const issue of parsed.error.issues) issues.push({ ...issue, path: [index, ...issue.path] });
      }
    }
  }
  return issues.length > 0 ? { success: false, issues } : { success: true, data };
}
