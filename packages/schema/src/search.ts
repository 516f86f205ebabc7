/** Search of the incident queue: free text over incidents and their alerts, and the filters beside it. */
import { z } from "zod";

const instant = z.iso.datetime({ offset: true });

/**
 * The queue's search filters, shared by `incidents.list`, the CLI's `incidents --text` and the SPA's URL; a
 * list input extends this object and applies `checkSearchRanges`. Time bounds are inclusive.
 */
export const incidentSearchSchema = z.object({
  /**
   * Words that must each appear (case-insensitive, anywhere) in the incident's id or title, or in one of its
   * alerts' host, type, service, message or tag/label values: IPs, interface names, circuit ids included.
   */
  text: z.string().max(200).optional(),
  /** An incident whose sites include this one. */
  site: z.string().min(1).max(128).optional(),
  /** An incident whose services include this one. */
  service: z.string().min(1).max(255).optional(),
  /** The incident's owner (a user name). */
  owner: z.string().min(1).max(128).optional(),
  startedFrom: instant.optional(),
  startedTo: instant.optional(),
  /** Bounds on the time of the incident's last alert. */
  lastAlertFrom: instant.optional(),
  lastAlertTo: instant.optional(),
});

/** A range given backwards is an error naming its upper bound. */
export function checkSearchRanges(value: Partial<IncidentSearch>, ctx: z.RefinementCtx): void {
  for (const [from, to] of [
    ["startedFrom", "startedTo"],
    ["lastAlertFrom", "lastAlertTo"],
  ] as const) {
    const start = value[from];
    const end = value[to];
    if (start && end && Date.parse(start) > Date.parse(end)) {
      ctx.addIssue({ code: "custom", path: [to], message: `must not be before ${from}` });
    }
  }
}
export type IncidentSearch = z.infer<typeof incidentSearchSchema>;

/** Search terms shorter than this only match incident ids and titles: trigram indexes need three characters. */
export const SEARCH_MIN_TERM = 3;
/**
 * A text search counts its matches exactly up to this many; past it, `total` is this number as a lower bound
 * (`totalExact: false`) and the severity and status counts cover this many of the matches. Counting every match
 * of a common word took 50-60 ms alone with 10M alerts stored (docs/performance.md).
 */
export const SEARCH_TOTAL_CAP = 1_000;
/** At most this many words of a query are used (each costs one index lookup). */
export const SEARCH_MAX_TERMS = 6;

/** The words of a search query: split on whitespace, quotes stripped, at most `SEARCH_MAX_TERMS`. */
export function searchTerms(text: string | undefined): string[] {
  if (!text) return [];
  return [
    ...new Set(
      text
        .split(/\s+/)
        .map((word) => word.replace(/^["']+|["']+$/g, ""))
        .filter((word) => word !== ""),
    ),
  ].slice(0, SEARCH_MAX_TERMS);
}
