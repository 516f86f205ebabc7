/** A device's alerts, newest first (`/alerts?host=<host>`): where the drawer's "Show other alerts of this device" leads. */
import { useInfiniteQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { AlertTable } from "../components/AlertTable.tsx";
import { TableSkeleton } from "../components/Skeletons.tsx";
import { EmptyState, ErrorState } from "../components/StateViews.tsx";
import { useDocumentTitle } from "../lib/useDocumentTitle.ts";
import { trpc } from "../trpc.ts";

const PAGE = 200;

export default function DeviceAlerts() {
  const [params] = useSearchParams();
  const host = params.get("host")?.trim() ?? "";
  useDocumentTitle(host ? `Alerts of ${host}` : "Alerts");
  const query = useInfiniteQuery(
    trpc.alerts.list.infiniteQueryOptions(
      { host: host === "" ? undefined : host, limit: PAGE },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
  );
  const alerts = query.data?.pages.flatMap((page) => page.alerts) ?? [];
  return (
    <section className="page" aria-labelledby="device-alerts-title">
      <div className="page__header">
        <h1 id="device-alerts-title">
          {host ? (
            <>
              Alerts of <span className="mono">{host}</span>
            </>
          ) : (
            "Alerts"
          )}
        </h1>
        <Link to="/">Back to the queue</Link>
      </div>
      <p className="muted small">Newest first, in incidents or not. Open an alert's type for all its fields.</p>
      {query.isPending ? (
        <TableSkeleton rows={10} label="Loading alerts…" />
      ) : query.isError ? (
        <ErrorState what="Could not load the alerts." error={query.error} onRetry={() => void query.refetch()} />
      ) : alerts.length === 0 ? (
        <EmptyState title={host ? `No alerts stored for ${host}.` : "No alerts stored yet."} />
      ) : (
        <>
          <AlertTable alerts={alerts} />
          {query.hasNextPage ? (
            <button
              type="button"
              className="button button--ghost"
              disabled={query.isFetchingNextPage}
              onClick={() => void query.fetchNextPage()}
            >
              {query.isFetchingNextPage ? "Loading…" : `Load ${PAGE} older`}
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}
