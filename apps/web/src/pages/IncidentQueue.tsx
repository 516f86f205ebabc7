/**
 * The incident queue: what is burning now, filtered from the URL, updated live. While the operator reads (scrolled,
 * on a later page, pointing at or focused in the table) new data waits behind a "N new" pill instead of
 * reordering the rows; j/k, Enter, / and Esc work the queue from the keyboard, x (Shift+x for a range) selects
 * incidents for a bulk action.
 */

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { INCIDENT_STATUSES, SEVERITIES } from "@teleops/schema";
import { type ReactNode, useCallback, useMemo, useRef } from "react";
import { statusLabel } from "../components/Badges.tsx";
import { BulkBar } from "../components/BulkBar.tsx";
import { ChipGroup } from "../components/FilterChips.tsx";
import { IncidentTable } from "../components/IncidentTable.tsx";
import { NewItemsPill } from "../components/NewItemsPill.tsx";
import { Pagination } from "../components/Pagination.tsx";
import { RefreshControl } from "../components/RefreshControl.tsx";
import { SearchBox } from "../components/SearchBox.tsx";
import { SearchFilters } from "../components/SearchFilters.tsx";
import { TableSkeleton } from "../components/Skeletons.tsx";
import { EmptyState, ErrorState, NoIncidentsYet } from "../components/StateViews.tsx";
import { useEngagement, useHeldWhileReading } from "../lib/holdWhileReading.ts";
import { usePollingFallback } from "../lib/live.ts";
import {
  ASSIGNEES,
  assigneeInput,
  hasNarrowingFilters,
  PAGE_SIZE,
  type QueueSort,
  searchInput,
  toSearchParams,
  useQueueFilters,
} from "../lib/queueFilters.ts";
import { useQueueKeys } from "../lib/queueKeys.ts";
import { useQueueSelection } from "../lib/selection.ts";
import { useCan, useSession } from "../lib/session.ts";
import { useDocumentTitle } from "../lib/useDocumentTitle.ts";
import { trpc } from "../trpc.ts";

export const REFRESH_MS = 5_000;

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

export function IncidentQueue() {
  useDocumentTitle("Incidents");
  const { filters, update, clear } = useQueueFilters();
  const pollMs = usePollingFallback(REFRESH_MS);
  const me = useSession()?.name;
  const canAct = useCan("operator");
  const query = useQuery(
    trpc.incidents.list.queryOptions(
      {
        severity: filters.severity.length > 0 ? filters.severity : undefined,
        status: filters.status.length > 0 ? filters.status : undefined,
        text: filters.text.trim() === "" ? undefined : filters.text.trim(),
        ...searchInput(filters),
        ...assigneeInput(filters, me),
        sort: filters.sort,
        direction: filters.direction,
        limit: PAGE_SIZE,
        offset: (filters.page - 1) * PAGE_SIZE,
      },
      // Keep showing the previous page while the next filter or page loads, instead of flashing a spinner.
      { refetchInterval: pollMs, placeholderData: keepPreviousData },
    ),
  );
  const onSearch = useCallback((text: string) => update({ text }), [update]);
  const onSort = useCallback((sort: QueueSort, direction: "asc" | "desc") => update({ sort, direction }), [update]);
  const narrowed = hasNarrowingFilters(filters);

  const listRef = useRef<HTMLDivElement>(null);
  const engagement = useEngagement(filters.page);
  const view = toSearchParams(filters).toString();
  const held = useHeldWhileReading(view, query.data, !query.isPlaceholderData, engagement.engaged);
  const data = held.shown;
  const waiting = held.waiting;
  const onEscape = useCallback(() => {
    if (narrowed) clear();
  }, [narrowed, clear]);
  useQueueKeys({ listRef, searchId: "queue-search", onEscape });
  const pageIds = useMemo(() => data?.incidents.map((incident) => incident.id) ?? [], [data]);
  // A search that matched more than the server counts: its total is a lower bound, its chips a sample.
  const countedMatches = data && !data.countsExact ? sum(Object.values(data.bySeverity)).toLocaleString("en-US") : null;
  const countsNote = countedMatches ? `counted over the first ${countedMatches} matches` : undefined;
  const totalShown = data ? `${data.total.toLocaleString("en-US")}${data.totalExact ? "" : "+"}` : "";
  const selection = useQueueSelection(pageIds, listRef);

  let body: ReactNode;
  if (query.isPending) {
    body = <TableSkeleton rows={PAGE_SIZE} label="Loading incidents…" />;
  } else if (query.isError && !data) {
    body = (
      <ErrorState what="Could not load the incident queue." error={query.error} onRetry={() => void query.refetch()} />
    );
  } else if (data && data.total === 0 && !narrowed) {
    body = <NoIncidentsYet />;
  } else if (data && data.incidents.length === 0) {
    body = (
      <EmptyState
        title={
          data.total === 0
            ? "No incidents match these filters."
            : data.totalExact
              ? `Page ${filters.page} is past the end: ${data.total} incidents in all.`
              : `Page ${filters.page} is past the ${totalShown} incidents counted.`
        }
      >
        {data.total === 0 ? (
          <button type="button" className="button" onClick={clear}>
            Clear filters
          </button>
        ) : (
          <button type="button" className="button" onClick={() => update({ page: 1 })}>
            Back to the first page
          </button>
        )}
      </EmptyState>
    );
  } else if (data) {
    body = (
      <>
        <BulkBar selection={selection} />
        {/* The pill sits inside the region that holds the list still: moving the pointer from the rows to the pill
            must not count as leaving them, or the list would update and the pill vanish under the pointer. */}
        <div ref={listRef} {...engagement.handlers}>
          {waiting ? (
            <NewItemsPill count={Math.max(0, waiting.total - data.total)} onShow={() => held.apply()} />
          ) : null}
          <IncidentTable
            incidents={data.incidents}
            sort={filters.sort}
            direction={filters.direction}
            onSort={onSort}
            selection={canAct ? selection : undefined}
          />
        </div>
        <Pagination
          page={filters.page}
          pageSize={PAGE_SIZE}
          total={data.total}
          exact={data.totalExact}
          onPage={(page) => update({ page })}
        />
        {data.totalExact ? null : (
          <p className="muted small" data-testid="search-capped">
            {totalShown} incidents match: the count stops there, and so do the pages. Narrow the search (site, time,
            status, another word) to see the rest.
          </p>
        )}
      </>
    );
  }

  return (
    <section className="page" aria-labelledby="queue-title">
      <div className="page__header">
        <h1 id="queue-title">Incidents</h1>
        <RefreshControl
          isFetching={query.isFetching}
          updatedAt={query.dataUpdatedAt}
          onRefresh={() => {
            // Asking for a refresh is asking to see it, even while reading.
            void query.refetch().then((result) => held.apply(result.data));
          }}
          intervalMs={REFRESH_MS}
        />
      </div>
      {query.isError && data ? (
        <div className="notice notice--error" role="alert">
          Refresh failed — showing the last data received. Cannot reach the TeleOps server — is <code>pnpm start</code>{" "}
          running?
        </div>
      ) : null}
      <div className="toolbar" data-testid="queue-filters">
        <SearchBox
          value={filters.text}
          onSearch={onSearch}
          label="Search incidents"
          placeholder="Search title, host, type, message, IP, interface, tag…"
        />
        <ChipGroup
          label="Severity"
          kind="severity"
          values={SEVERITIES}
          counts={data?.bySeverity}
          countsNote={countsNote}
          selected={filters.severity}
          onChange={(severity) => update({ severity })}
          classFor={(value) => `chip--${value}`}
        />
        <ChipGroup
          label="Status"
          kind="status"
          values={INCIDENT_STATUSES}
          counts={data?.byStatus}
          countsNote={countsNote}
          selected={filters.status}
          onChange={(status) => update({ status })}
          labelFor={statusLabel}
        />
        <fieldset className="chips assignee-filter" data-testid="filter-assignee">
          <legend className="chips__legend">Owner</legend>
          {(["", ...ASSIGNEES] as const).map((value) => (
            <button
              key={value || "all"}
              type="button"
              className={`chip${filters.assignee === value ? " chip--active" : ""}`}
              aria-pressed={filters.assignee === value}
              onClick={() => update({ assignee: value })}
              data-testid={`assignee-${value || "all"}`}
            >
              {value === "" ? "All" : value === "mine" ? "Mine" : "Unassigned"}
            </button>
          ))}
        </fieldset>
        <SearchFilters filters={filters} onApply={update} />
        {narrowed ? (
          <button type="button" className="button button--ghost" onClick={clear} data-testid="clear-filters">
            Clear filters
          </button>
        ) : null}
      </div>
      <p className="keys muted small" id="queue-keys">
        Keys: <kbd>j</kbd> / <kbd>k</kbd> move between incidents · <kbd>Enter</kbd> opens · <kbd>/</kbd> searches ·{" "}
        <kbd>Esc</kbd> clears
        {canAct ? (
          <>
            {" "}
            · <kbd>x</kbd> selects (<kbd>Shift</kbd>+<kbd>x</kbd> a range) for a bulk action
          </>
        ) : null}
      </p>
      {body}
    </section>
  );
}
