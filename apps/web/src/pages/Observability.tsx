/**
 * How the NOC is doing over a window: alert volume, compression, root causes, RCA acceptance, time to the
 * first hypothesis and the engines' evaluation trend. The window lives in the URL (`?range=7d`).
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { OBSERVABILITY_RANGES, type ObservabilityRange } from "@teleops/schema";
import { lazy, type ReactNode, Suspense } from "react";
import { useSearchParams } from "react-router";
import { RefreshControl } from "../components/RefreshControl.tsx";
import { ChartSkeleton } from "../components/Skeletons.tsx";
import { EmptyState, ErrorState, NoIncidentsYet } from "../components/StateViews.tsx";
import { formatCount, formatDuration, formatPercent, formatUtc } from "../lib/format.ts";
import { usePollingFallback } from "../lib/live.ts";
import { useDocumentTitle } from "../lib/useDocumentTitle.ts";
import { trpc } from "../trpc.ts";
import "../ux.css";

// recharts is the largest dependency: it loads with the first page that draws a chart.
const ObservabilityCharts = lazy(() => import("../components/ObservabilityCharts.tsx"));

const REFRESH_MS = 15_000;
const DEFAULT_RANGE: ObservabilityRange = "7d";
const RANGE_LABEL: Record<ObservabilityRange, string> = {
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  all: "All time",
};
/** The charts' total height while they load: two rows of 220–260 px charts plus captions. */
const CHARTS_HEIGHT = 1_020;

function parseRange(value: string | null): ObservabilityRange {
  return (OBSERVABILITY_RANGES as readonly string[]).includes(value ?? "")
    ? (value as ObservabilityRange)
    : DEFAULT_RANGE;
}

function Tile({ label, value, hint, testId }: { label: string; value: string; hint: string; testId: string }) {
  return (
    <div className="tile" data-testid={testId}>
      <span className="tile__label">{label}</span>
      <span className="tile__value">{value}</span>
      <span className="tile__hint">{hint}</span>
    </div>
  );
}

export function Observability() {
  useDocumentTitle("Observability");
  const [params, setParams] = useSearchParams();
  const range = parseRange(params.get("range"));
  const pollMs = usePollingFallback(REFRESH_MS);
  const query = useQuery(
    trpc.metrics.observability.queryOptions({ range }, { refetchInterval: pollMs, placeholderData: keepPreviousData }),
  );
  const evaluations = useQuery(trpc.evaluation.list.queryOptions({ limit: 50 }, { refetchInterval: pollMs }));
  const setRange = (next: ObservabilityRange) =>
    setParams(next === DEFAULT_RANGE ? new URLSearchParams() : new URLSearchParams({ range: next }));

  let body: ReactNode;
  if (query.isPending) {
    body = (
      <>
        <div className="tiles" aria-hidden="true">
          {["alerts", "incidents", "compression", "acceptance", "latency"].map((tile) => (
            <div key={tile} className="tile">
              <span className="tile__label">&nbsp;</span>
              <span className="tile__value">&nbsp;</span>
              <span className="tile__hint">&nbsp;</span>
            </div>
          ))}
        </div>
        <ChartSkeleton height={CHARTS_HEIGHT} label="Loading the charts…" />
      </>
    );
  } else if (query.isError && !query.data) {
    body = (
      <ErrorState
        what="Could not load the observability metrics."
        error={query.error}
        onRetry={() => void query.refetch()}
      />
    );
  } else {
    const data = query.data;
    const t = data.totals;
    const latency = data.time_to_first_hypothesis;
    if (data.first_alert === null) {
      body = <NoIncidentsYet />;
    } else {
      body = (
        <>
          <div className="tiles" data-testid="observability-tiles">
            <Tile
              testId="stat-alerts"
              label="Alerts"
              value={formatCount(t.alerts)}
              hint={`${formatCount(t.unassigned_alerts)} not in any incident`}
            />
            <Tile
              testId="stat-incidents"
              label="Incidents"
              value={formatCount(t.incidents)}
              hint={`${formatCount(t.open_incidents)} still open or acknowledged`}
            />
            <Tile
              testId="stat-compression"
              label="Compression"
              value={t.compression === null ? "—" : t.compression.toFixed(1)}
              hint={
                t.unassigned_share === null
                  ? "alerts per incident"
                  : `alerts per incident; ${formatPercent(t.unassigned_share)} of alerts in none`
              }
            />
            <Tile
              testId="stat-acceptance"
              label="RCA acceptance"
              value={t.acceptance_rate === null ? "—" : formatPercent(t.acceptance_rate)}
              hint={`${formatCount(t.rca_accepted)} of ${formatCount(t.rca_reviewed)} reviewed results`}
            />
            <Tile
              testId="stat-latency"
              label="First hypothesis"
              value={latency.median_ms === null ? "—" : formatDuration(latency.median_ms)}
              hint="median, incident formed → first RCA"
            />
          </div>
          {t.alerts === 0 && t.incidents === 0 ? (
            <EmptyState title={`No alerts or incidents in the ${RANGE_LABEL[range].toLowerCase()}.`}>
              <p>
                The stored alerts run from <span className="mono">{formatUtc(data.first_alert, false)}</span> to{" "}
                <span className="mono">{formatUtc(data.last_alert ?? data.first_alert, false)}</span> UTC.
              </p>
              <div className="actions">
                <button type="button" className="button button--primary" onClick={() => setRange("all")}>
                  Show all time
                </button>
              </div>
            </EmptyState>
          ) : null}
          <Suspense fallback={<ChartSkeleton height={CHARTS_HEIGHT} label="Loading the charts…" />}>
            <ObservabilityCharts data={data} evaluations={evaluations.data} evaluationsError={evaluations.isError} />
          </Suspense>
        </>
      );
    }
  }

  return (
    <section className="page" aria-labelledby="observability-title">
      <div className="page__header">
        <h1 id="observability-title">Observability</h1>
        <RefreshControl
          isFetching={query.isFetching}
          updatedAt={query.dataUpdatedAt}
          onRefresh={() => {
            void query.refetch();
            void evaluations.refetch();
          }}
          intervalMs={REFRESH_MS}
        />
      </div>
      <fieldset className="chips" data-testid="observability-range">
        <legend className="chips__legend">Window</legend>
        {OBSERVABILITY_RANGES.map((option) => (
          <button
            key={option}
            type="button"
            className={`chip${option === range ? " chip--active" : ""}`}
            aria-pressed={option === range}
            onClick={() => setRange(option)}
            data-testid={`range-${option}`}
          >
            <span className="chip__label">{RANGE_LABEL[option]}</span>
          </button>
        ))}
      </fieldset>
      {query.isError && query.data ? (
        <div className="notice notice--error" role="alert">
          Refresh failed — showing the last data received.
        </div>
      ) : null}
      {body}
    </section>
  );
}
