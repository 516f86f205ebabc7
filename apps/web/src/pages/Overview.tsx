/** Headline numbers: how much alert volume correlation turned into how few incidents. */

import { useQuery } from "@tanstack/react-query";
import { SEVERITIES } from "@teleops/schema";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { RefreshControl } from "../components/RefreshControl.tsx";
import { ErrorState, LoadingState, NoIncidentsYet } from "../components/StateViews.tsx";
import { formatCount, formatDecimal, formatPercent } from "../lib/format.ts";
import { useDocumentTitle } from "../lib/useDocumentTitle.ts";
import { trpc } from "../trpc.ts";

const REFRESH_MS = 10_000;

function StatTile({ label, value, hint, testId }: { label: string; value: string; hint: string; testId: string }) {
  return (
    <div className="tile" data-testid={testId}>
      <span className="tile__label">{label}</span>
      <span className="tile__value">{value}</span>
      <span className="tile__hint">{hint}</span>
    </div>
  );
}

export function Overview() {
  useDocumentTitle("Overview");
  const overview = useQuery(trpc.metrics.overview.queryOptions(undefined, { refetchInterval: REFRESH_MS }));
  // One row is enough: the per-severity counts come with every page of the list.
  const facets = useQuery(trpc.incidents.list.queryOptions({ limit: 1 }, { refetchInterval: REFRESH_MS }));

  let body: ReactNode;
  if (overview.isPending) {
    body = <LoadingState label="Loading metrics…" />;
  } else if (overview.isError) {
    body = (
      <ErrorState
        what="Could not load the overview metrics."
        error={overview.error}
        onRetry={() => void overview.refetch()}
      />
    );
  } else {
    const m = overview.data;
    const bySeverity = facets.data?.bySeverity;
    const maxSeverity = bySeverity ? Math.max(1, ...SEVERITIES.map((s) => bySeverity[s])) : 1;
    body = (
      <>
        <div className="tiles" data-testid="overview-tiles">
          <StatTile
            testId="stat-alerts"
            label="Alerts"
            value={formatCount(m.alerts)}
            hint={`${formatCount(m.unassigned_alerts)} not in any incident`}
          />
          <StatTile
            testId="stat-incidents"
            label="Incidents"
            value={formatCount(m.incidents)}
            hint="correlated groups of alerts"
          />
          <StatTile testId="stat-open" label="Open" value={formatCount(m.open_incidents)} hint="open or acknowledged" />
          <StatTile
            testId="stat-noise-reduction"
            label="Noise reduction"
            value={formatPercent(m.noise_reduction)}
            hint="1 − incidents / alerts"
          />
          <StatTile
            testId="stat-avg-alerts"
            label="Alerts per incident"
            value={formatDecimal(m.avg_alerts_per_incident)}
            hint="average"
          />
        </div>
        {m.incidents === 0 ? (
          <NoIncidentsYet />
        ) : bySeverity ? (
          <section className="card" aria-labelledby="by-severity-title">
            <h2 id="by-severity-title">Incidents by severity</h2>
            <ul className="bars">
              {SEVERITIES.map((severity) => (
                <li key={severity} className="bars__row">
                  <Link className="bars__label" to={`/?severity=${severity}`}>
                    {severity}
                  </Link>
                  <span className="bars__track" aria-hidden="true">
                    <span
                      className={`bars__fill bars__fill--${severity}`}
                      style={{ width: `${(bySeverity[severity] / maxSeverity) * 100}%` }}
                    />
                  </span>
                  <span className="bars__value">{formatCount(bySeverity[severity])}</span>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </>
    );
  }

  return (
    <section className="page" aria-labelledby="overview-title">
      <div className="page__header">
        <h1 id="overview-title">Overview</h1>
        <RefreshControl
          isFetching={overview.isFetching}
          updatedAt={overview.dataUpdatedAt}
          onRefresh={() => {
            void overview.refetch();
            void facets.refetch();
          }}
          intervalMs={REFRESH_MS}
        />
      </div>
      {body}
    </section>
  );
}
