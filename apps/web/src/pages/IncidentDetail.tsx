/**
 * One incident: its context, the alert timeline with the root alarm marked beside the affected devices, the RCA,
 * linked tickets, and the alerts themselves; all on one page, most telling first.
 */
import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useMemo, useState } from "react";
import { Link, useLocation, useParams } from "react-router";
import { AffectedDevices } from "../components/AffectedDevices.tsx";
import { AlertTable } from "../components/AlertTable.tsx";
import { SeverityBadge, SyntheticBadge } from "../components/Badges.tsx";
import { ContextCard } from "../components/ContextCard.tsx";
import { IncidentCorrections } from "../components/IncidentCorrections.tsx";
import { IncidentTimeline, OwnerControl } from "../components/IncidentWork.tsx";
import { RcaPanel } from "../components/RcaPanel.tsx";
import { RefreshControl } from "../components/RefreshControl.tsx";
import { RootAlarmLine } from "../components/RootAlarmLine.tsx";
import { ChartSkeleton, TableSkeleton } from "../components/Skeletons.tsx";
import { EmptyState, ErrorState, LoadingState } from "../components/StateViews.tsx";
import { StatusActions } from "../components/StatusActions.tsx";
import { TicketsCard } from "../components/TicketsCard.tsx";
import { usePollingFallback } from "../lib/live.ts";
import { findRootAlarm } from "../lib/rootAlarm.ts";
import { useCan } from "../lib/session.ts";
import { incidentSilenceMatchers, silenceFormHref } from "../lib/silenceLinks.ts";
import { useDocumentTitle } from "../lib/useDocumentTitle.ts";
import { useEscapeBack } from "../lib/useEscapeBack.ts";
import { trpc } from "../trpc.ts";

// recharts is the largest dependency; only this page needs it, so it loads with the first incident opened.
const AlertTimeline = lazy(() => import("../components/AlertTimeline.tsx"));

const REFRESH_MS = 5_000;
/** Caption plus the 260 px chart: the timeline's space is kept while it loads. */
const TIMELINE_HEIGHT = 288;
// The most the API returns in one call; the chart needs them all, the table shows the first rows.
const ALERT_LIMIT = 5_000;
const NONE_SELECTED: ReadonlySet<number> = new Set();

function backLink(state: unknown): string {
  const search =
    typeof state === "object" && state !== null && "queueSearch" in state && typeof state.queueSearch === "string"
      ? state.queueSearch
      : "";
  return `/${search}`;
}

export function IncidentDetail() {
  const { id = "" } = useParams();
  const location = useLocation();
  const pollMs = usePollingFallback(REFRESH_MS);
  const incidentQuery = useQuery(trpc.incidents.byId.queryOptions({ id }, { refetchInterval: pollMs }));
  const alertsQuery = useQuery(
    trpc.incidents.alerts.queryOptions(
      { id, limit: ALERT_LIMIT },
      // The alert list can be megabytes: poll it less often than the incident's status.
      { refetchInterval: pollMs === false ? false : pollMs * 6, enabled: incidentQuery.isSuccess },
    ),
  );
  // The same queries the RCA panel makes (one request each): they point at the root alarm.
  const baselineRca = useQuery(
    trpc.rca.latest.queryOptions({ incidentId: id, engine: "baseline" }, { enabled: incidentQuery.isSuccess }),
  );
  const llmRca = useQuery(
    trpc.rca.latest.queryOptions({ incidentId: id, engine: "llm" }, { enabled: incidentQuery.isSuccess }),
  );
  const root = useMemo(
    () => (alertsQuery.data ? findRootAlarm(alertsQuery.data, [baselineRca.data, llmRca.data]) : null),
    [alertsQuery.data, baselineRca.data, llmRca.data],
  );
  useEscapeBack(backLink(location.state));
  useDocumentTitle(incidentQuery.data ? `${id} · ${incidentQuery.data.title}` : id);
  // Alerts the RCA panel points at, highlighted in the timeline and table; the table can narrow to them.
  const [cited, setCited] = useState<ReadonlySet<number>>(() => new Set());
  const [citedOnly, setCitedOnly] = useState(false);
  // Alerts ticked for a split or a move, kept with their incident so another incident opens with none ticked.
  const [ticked, setTicked] = useState<{ incidentId: string; alerts: ReadonlySet<number> }>(() => ({
    incidentId: id,
    alerts: new Set(),
  }));
  const selected = ticked.incidentId === id ? ticked.alerts : NONE_SELECTED;
  const setSelected = (alerts: ReadonlySet<number>) => setTicked({ incidentId: id, alerts });
  const canCorrect = useCan("operator");
  const back = (
    <Link className="back-link" to={backLink(location.state)}>
      ← Incidents
    </Link>
  );

  if (incidentQuery.isPending) {
    return (
      <section className="page">
        {back}
        <LoadingState label={`Loading incident ${id}…`} />
      </section>
    );
  }
  if (incidentQuery.isError) {
    return (
      <section className="page">
        {back}
        <ErrorState
          what={`Could not load incident ${id}.`}
          error={incidentQuery.error}
          onRetry={() => void incidentQuery.refetch()}
        />
      </section>
    );
  }

  const incident = incidentQuery.data;
  const alerts = alertsQuery.data;
  return (
    <section className="page" aria-labelledby="incident-title">
      {back}
      <div className="page__header page__header--detail">
        <div>
          <p className="eyebrow">
            <span className="mono">{incident.id}</span> <SeverityBadge severity={incident.severity} />
            {incident.synthetic ? (
              <>
                {" "}
                <SyntheticBadge />
              </>
            ) : null}
          </p>
          <h1 id="incident-title" className="incident-title">
            {incident.title}
          </h1>
        </div>
        <div className="detail-actions">
          {incident.merged_into === null ? <StatusActions incident={incident} /> : null}
          {canCorrect ? (
            <Link
              className="button button--ghost"
              to={silenceFormHref(incidentSilenceMatchers(incident))}
              data-testid="incident-silence-like"
            >
              Silence alerts like this
            </Link>
          ) : null}
        </div>
      </div>
      {incident.merged_into !== null ? (
        <p className="notice merged-banner" role="status" data-testid="merged-into">
          Merged into{" "}
          <Link className="mono" to={`/incidents/${incident.merged_into}`}>
            {incident.merged_into}
          </Link>
          ; its alerts are listed there.
        </p>
      ) : null}
      {incident.merged_into === null ? <OwnerControl incident={incident} /> : null}
      <ContextCard incident={incident} />
      <div className="detail-grid">
        <section className="card" aria-labelledby="timeline-title" data-testid="timeline-card">
          <div className="card__header">
            <h2 id="timeline-title">Alert timeline</h2>
            <RefreshControl
              isFetching={incidentQuery.isFetching || alertsQuery.isFetching}
              updatedAt={Math.max(incidentQuery.dataUpdatedAt, alertsQuery.dataUpdatedAt)}
              onRefresh={() => {
                void incidentQuery.refetch();
                void alertsQuery.refetch();
              }}
              intervalMs={REFRESH_MS}
            />
          </div>
          <RootAlarmLine root={root} loading={alertsQuery.isPending} />
          {alertsQuery.isPending ? (
            <ChartSkeleton height={TIMELINE_HEIGHT} label="Loading the timeline…" />
          ) : alertsQuery.isError ? (
            <ErrorState
              what="Could not load this incident's alerts."
              error={alertsQuery.error}
              onRetry={() => void alertsQuery.refetch()}
            />
          ) : alerts && alerts.length === 0 ? (
            <EmptyState title="This incident has no alerts left.">
              <p>
                {incident.merged_into !== null
                  ? `They moved to ${incident.merged_into} when this incident was merged into it.`
                  : "They may have been removed by a reset."}{" "}
                The incident stays for the record.
              </p>
            </EmptyState>
          ) : alerts ? (
            <Suspense fallback={<ChartSkeleton height={TIMELINE_HEIGHT} label="Loading the timeline…" />}>
              <AlertTimeline alerts={alerts} highlighted={cited} root={root?.alert} />
            </Suspense>
          ) : null}
        </section>
        <AffectedDevices incident={incident} alerts={alerts} rootHost={root?.alert.host} />
      </div>
      <RcaPanel key={incident.id} incident={incident} highlighted={cited} onHighlight={setCited} />
      <TicketsCard incident={incident} />
      <IncidentTimeline incident={incident} />

      <section className="card" aria-labelledby="alerts-title">
        <div className="card__header">
          <h2 id="alerts-title">Alerts</h2>
        </div>
        {incident.merged_into === null ? (
          <IncidentCorrections incident={incident} selected={selected} onDone={() => setSelected(new Set())} />
        ) : null}
        {alertsQuery.isPending ? (
          <TableSkeleton rows={8} label="Loading alerts…" />
        ) : alertsQuery.isError ? (
          <ErrorState
            what="Could not load this incident's alerts."
            error={alertsQuery.error}
            onRetry={() => void alertsQuery.refetch()}
          />
        ) : alerts && alerts.length === 0 ? (
          <EmptyState title="No alerts to list.">
            {incident.merged_into !== null ? (
              <p>
                They are listed in <Link to={`/incidents/${incident.merged_into}`}>{incident.merged_into}</Link>.
              </p>
            ) : (
              <p>
                Alerts that arrive for this incident's hosts will be listed here. <Link to="/">Back to the queue</Link>
              </p>
            )}
          </EmptyState>
        ) : alerts ? (
          <>
            {alerts.length >= ALERT_LIMIT ? (
              <p className="notice">
                Showing the first {ALERT_LIMIT} of {incident.alert_count} alerts.
              </p>
            ) : null}
            {cited.size > 0 ? (
              <label className="small">
                <input type="checkbox" checked={citedOnly} onChange={(event) => setCitedOnly(event.target.checked)} />{" "}
                Show only the {cited.size} alerts the RCA cites
              </label>
            ) : null}
            <AlertTable
              alerts={citedOnly && cited.size > 0 ? alerts.filter((alert) => cited.has(alert.id)) : alerts}
              highlighted={cited}
              {...(canCorrect && incident.merged_into === null
                ? { selection: { selected, onChange: setSelected } }
                : {})}
            />
          </>
        ) : null}
      </section>
    </section>
  );
}
