/** The queue's filters beside the search text: site, service, owner and time ranges (UTC), applied together. */
import type { FormEvent } from "react";
import { type QueueFilters, SEARCH_FILTERS, type SearchFilterKey, TIME_FILTERS } from "../lib/queueFilters.ts";

const LABELS: Record<SearchFilterKey, string> = {
  site: "Site",
  service: "Service",
  owner: "Owner",
  startedFrom: "Started from (UTC)",
  startedTo: "Started until (UTC)",
  lastAlertFrom: "Last alert from (UTC)",
  lastAlertTo: "Last alert until (UTC)",
};

/** `datetime-local` shows and returns `YYYY-MM-DDTHH:mm`; the queue means UTC by it, as everywhere else. */
const toInput = (iso: string) => (iso ? iso.slice(0, 16) : "");
const fromInput = (value: string) => (value ? new Date(`${value}:00Z`).toISOString() : "");

export function SearchFilters({
  filters,
  onApply,
}: {
  filters: QueueFilters;
  onApply: (change: Partial<QueueFilters>) => void;
}) {
  const active = SEARCH_FILTERS.filter(({ key }) => filters[key] !== "").length;
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const change: Partial<QueueFilters> = {};
    for (const { key } of SEARCH_FILTERS) {
      const raw = String(form.get(key) ?? "").trim();
      change[key] = TIME_FILTERS.includes(key) ? fromInput(raw) : raw;
    }
    onApply(change);
  };
  // Keyed on the URL's values, so back/forward and "Clear filters" reset the inputs.
  const key = SEARCH_FILTERS.map(({ key: k }) => filters[k]).join("|");
  return (
    <details className="search-filters" open={active > 0} data-testid="search-filters">
      <summary className="small">More filters{active > 0 ? ` (${active})` : ""}</summary>
      <form key={key} className="search-filters__form" onSubmit={onSubmit}>
        {SEARCH_FILTERS.map(({ key: name }) => (
          <label key={name} className="small">
            {LABELS[name]}
            <input
              name={name}
              type={TIME_FILTERS.includes(name) ? "datetime-local" : "text"}
              defaultValue={TIME_FILTERS.includes(name) ? toInput(filters[name]) : filters[name]}
              data-testid={`filter-${name}`}
            />
          </label>
        ))}
        <button type="submit" className="button" data-testid="filters-apply">
          Apply
        </button>
      </form>
    </details>
  );
}
