/** The queue's filters live in the URL, so a filtered view can be bookmarked, shared and reloaded. */
import { INCIDENT_STATUSES, type IncidentStatus, SEVERITIES, type Severity } from "@teleops/schema";
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";

export const SORTABLE = ["severity", "start_time", "alert_count"] as const;
export type QueueSort = (typeof SORTABLE)[number];
export type Direction = "asc" | "desc";

export const PAGE_SIZE = 25;

/** Search filters beside the text, each kept in the URL under its own name ("" = not set). */
export const SEARCH_FILTERS = [
  { key: "site", param: "site" },
  { key: "service", param: "service" },
  { key: "owner", param: "owner" },
  { key: "startedFrom", param: "started_from" },
  { key: "startedTo", param: "started_to" },
  { key: "lastAlertFrom", param: "last_from" },
  { key: "lastAlertTo", param: "last_to" },
] as const;
export type SearchFilterKey = (typeof SEARCH_FILTERS)[number]["key"];
export const TIME_FILTERS: readonly SearchFilterKey[] = ["startedFrom", "startedTo", "lastAlertFrom", "lastAlertTo"];

/** Whose incidents: everyone's, the signed-in user's, or nobody's. */
export const ASSIGNEES = ["mine", "unassigned"] as const;
export type Assignee = (typeof ASSIGNEES)[number];

export interface QueueFilters extends Record<SearchFilterKey, string> {
  assignee: Assignee | "";
  severity: Severity[];
  status: IncidentStatus[];
  text: string;
  sort: QueueSort;
  direction: Direction;
  /** 1-based. */
  page: number;
}

const DEFAULTS: QueueFilters = {
  assignee: "",
  severity: [],
  status: [],
  text: "",
  site: "",
  service: "",
  owner: "",
  startedFrom: "",
  startedTo: "",
  lastAlertFrom: "",
  lastAlertTo: "",
  sort: "start_time",
  direction: "desc",
  page: 1,
};

/** A time from the URL as the API takes it (ISO 8601 in UTC), or "" when it is not a time. */
function timeParam(value: string | null): string {
  if (!value) return "";
  const millis = Date.parse(/[zZ]|[+-]\d{2}:\d{2}$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(millis) ? "" : new Date(millis).toISOString();
}

/** The owner filter as `incidents.list` takes it: "mine" is the owner named `me`. */
export function assigneeInput(filters: QueueFilters, me: string | undefined): { owner?: string; unassigned?: true } {
  if (filters.assignee === "unassigned") return { unassigned: true };
  if (filters.assignee === "mine" && me) return { owner: me };
  return {};
}

/** The search filters as `incidents.list` takes them: only those set. */
export function searchInput(filters: QueueFilters): Partial<Record<SearchFilterKey, string>> {
  const input: Partial<Record<SearchFilterKey, string>> = {};
  for (const { key } of SEARCH_FILTERS) {
    const value = filters[key].trim();
    if (value !== "") input[key] = value;
  }
  return input;
}

function oneOf<T extends string>(allowed: readonly T[], value: string): value is T {
  return (allowed as readonly string[]).includes(value);
}

function listParam<T extends string>(params: URLSearchParams, key: string, allowed: readonly T[]): T[] {
  const values = params
    .getAll(key)
    .flatMap((v) => v.split(","))
    .map((v) => v.trim().toLowerCase());
  // Keep the canonical order (most severe first) whatever order the URL had.
  return allowed.filter((a) => values.includes(a));
}

export function parseQueueFilters(params: URLSearchParams): QueueFilters {
  const sort = params.get("sort") ?? "";
  const dir = params.get("dir") ?? "";
  const page = Number.parseInt(params.get("page") ?? "", 10);
  const assignee = params.get("assignee") ?? "";
  return {
    assignee: oneOf(ASSIGNEES, assignee) ? assignee : "",
    severity: listParam(params, "severity", SEVERITIES),
    status: listParam(params, "status", INCIDENT_STATUSES),
    text: params.get("text") ?? "",
    ...(Object.fromEntries(
      SEARCH_FILTERS.map(({ key, param }) => [
        key,
        TIME_FILTERS.includes(key) ? timeParam(params.get(param)) : (params.get(param) ?? "").trim(),
      ]),
    ) as Record<SearchFilterKey, string>),
    sort: oneOf(SORTABLE, sort) ? sort : DEFAULTS.sort,
    direction: dir === "asc" || dir === "desc" ? dir : DEFAULTS.direction,
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

export function toSearchParams(filters: QueueFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.severity.length > 0) params.set("severity", filters.severity.join(","));
  if (filters.status.length > 0) params.set("status", filters.status.join(","));
  if (filters.text.trim() !== "") params.set("text", filters.text);
  if (filters.assignee !== "") params.set("assignee", filters.assignee);
  for (const { key, param } of SEARCH_FILTERS) {
    if (filters[key].trim() !== "") params.set(param, filters[key].trim());
  }
  if (filters.sort !== DEFAULTS.sort || filters.direction !== DEFAULTS.direction) {
    params.set("sort", filters.sort);
    params.set("dir", filters.direction);
  }
  if (filters.page > 1) params.set("page", String(filters.page));
  return params;
}

export function hasNarrowingFilters(filters: QueueFilters): boolean {
  return (
    filters.severity.length > 0 ||
    filters.status.length > 0 ||
    filters.text.trim() !== "" ||
    filters.assignee !== "" ||
    SEARCH_FILTERS.some(({ key }) => filters[key].trim() !== "")
  );
}

/** Reads the filters from the URL; `update` merges a change and goes back to page 1 unless it sets a page. */
export function useQueueFilters(): {
  filters: QueueFilters;
  update: (change: Partial<QueueFilters>) => void;
  clear: () => void;
} {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => parseQueueFilters(params), [params]);
  const update = useCallback(
    (change: Partial<QueueFilters>) => {
      setParams(
        (current) => {
          const next = { ...parseQueueFilters(current), page: 1, ...change };
          return toSearchParams(next);
        },
        // Typing in the search box should not flood the history with one entry per keystroke.
        { replace: change.text !== undefined },
      );
    },
    [setParams],
  );
  const clear = useCallback(() => setParams(toSearchParams(DEFAULTS)), [setParams]);
  return { filters, update, clear };
}
