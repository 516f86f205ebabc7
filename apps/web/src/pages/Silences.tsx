/**
 * Silences and maintenance windows: the list (active, or all with expired ones), each silence's held alerts and
 * an expire button; `/silences/new` is the form (NewSilence.tsx).
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Silence } from "@teleops/schema";
import { useState } from "react";
import { Link, useLocation, useSearchParams } from "react-router";
import { MatcherChips, SilenceAlertList, StateBadge, scheduleText } from "../components/SilenceParts.tsx";
import { EmptyState, ErrorState, LoadingState } from "../components/StateViews.tsx";
import { failureSentence } from "../lib/errors.ts";
import { formatRelative, formatUtc } from "../lib/format.ts";
import { useCan } from "../lib/session.ts";
import { useDocumentTitle } from "../lib/useDocumentTitle.ts";
import { trpc } from "../trpc.ts";
import { NewSilence } from "./NewSilence.tsx";
import "../silences.css";

export default function SilencesRoute() {
  const { pathname } = useLocation();
  return pathname.replace(/\/+$/, "").endsWith("/new") ? <NewSilence /> : <SilenceList />;
}

function SilenceList() {
  useDocumentTitle("Silences");
  const [params, setParams] = useSearchParams();
  const showAll = params.get("show") === "all";
  const created = params.get("created");
  const canWrite = useCan("operator");
  const queryClient = useQueryClient();
  const list = useQuery({
    ...trpc.silences.list.queryOptions({ all: showAll }),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
  const expire = useMutation(
    trpc.silences.expire.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.silences.pathKey() }),
    }),
  );
  const [openId, setOpenId] = useState<string | null>(null);

  return (
    <section className="page" aria-labelledby="silences-title">
      <div className="page__header">
        <h1 id="silences-title">Silences</h1>
        {canWrite ? (
          <Link to="/silences/new" className="button button--primary" data-testid="silence-new">
            New silence
          </Link>
        ) : null}
      </div>
      <p className="lead">
        Alerts a silence matches are stored and marked as silenced, but open no incident, grow none and notify nobody.
        When it ends, new alerts flow into incidents again. Alertmanager's own silences are not read here.
      </p>
      <fieldset className="chips">
        <legend className="chips__legend">Show</legend>
        <button
          type="button"
          className={showAll ? "chip" : "chip chip--active"}
          aria-pressed={!showAll}
          onClick={() => setParams({})}
          data-testid="silences-active"
        >
          Active and pending
        </button>
        <button
          type="button"
          className={showAll ? "chip chip--active" : "chip"}
          aria-pressed={showAll}
          onClick={() => setParams({ show: "all" })}
          data-testid="silences-all"
        >
          All, expired too
        </button>
      </fieldset>
      {expire.isError ? (
        <p className="notice notice--error" role="alert">
          Could not expire the silence: {failureSentence(expire.error)}
        </p>
      ) : null}
      {list.isPending ? (
        <LoadingState label="Loading silences…" />
      ) : list.isError ? (
        <ErrorState what="Could not load the silences." error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.length === 0 ? (
        <EmptyState title={showAll ? "No silences yet." : "No active silences."}>
          <p className="muted">
            Silence a device during planned work from here, or with “Silence alerts like this” on an incident or an
            alert.
          </p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table table--silences" data-testid="silence-table">
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">Matchers</th>
                <th scope="col">When</th>
                <th scope="col">Created by</th>
                <th scope="col">Comment</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((silence) => (
                <SilenceRow
                  key={silence.id}
                  silence={silence}
                  highlighted={silence.id === created}
                  open={openId === silence.id}
                  onToggle={() => setOpenId(openId === silence.id ? null : silence.id)}
                  onExpire={
                    canWrite && silence.state !== "expired" ? () => expire.mutate({ id: silence.id }) : undefined
                  }
                  expiring={expire.isPending && expire.variables?.id === silence.id}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function SilenceRow({
  silence,
  highlighted,
  open,
  onToggle,
  onExpire,
  expiring,
}: {
  silence: Silence;
  highlighted: boolean;
  open: boolean;
  onToggle: () => void;
  onExpire?: (() => void) | undefined;
  expiring: boolean;
}) {
  return (
    <>
      <tr data-testid="silence-row" data-silence-id={silence.id} className={highlighted ? "row--new" : undefined}>
        <td>
          <StateBadge silence={silence} />
        </td>
        <td>
          <MatcherChips matchers={silence.matchers} />
          <div className="muted small mono">{silence.id}</div>
        </td>
        <td className="small">
          {silence.kind === "weekly" && silence.schedule ? (
            <div data-testid="silence-schedule">Weekly: {scheduleText(silence.schedule)}</div>
          ) : null}
          <div>
            {formatUtc(silence.starts_at, false)} → {formatUtc(silence.ends_at, false)}
          </div>
          <div className="muted">
            {silence.state === "expired"
              ? `ended ${formatRelative(silence.ends_at)}${silence.expired_by ? ` (expired by ${silence.expired_by})` : ""}`
              : silence.state === "pending"
                ? `starts ${formatRelative(silence.starts_at)}`
                : `ends ${formatRelative(silence.ends_at)}`}
          </div>
        </td>
        <td>{silence.created_by}</td>
        <td className="col-message">{silence.comment}</td>
        <td className="nowrap">
          <button
            type="button"
            className="button button--ghost"
            aria-expanded={open}
            onClick={onToggle}
            data-testid="silence-held-toggle"
          >
            Held alerts
          </button>{" "}
          {onExpire ? (
            <button
              type="button"
              className="button"
              onClick={onExpire}
              disabled={expiring}
              data-testid="silence-expire"
            >
              {expiring ? "Expiring…" : "Expire"}
            </button>
          ) : null}
        </td>
      </tr>
      {open ? (
        <tr className="silence-held">
          <td colSpan={6}>
            <HeldAlerts id={silence.id} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function HeldAlerts({ id }: { id: string }) {
  const held = useQuery({ ...trpc.silences.alerts.queryOptions({ id, limit: 50 }), refetchInterval: 10_000 });
  if (held.isPending) return <LoadingState label="Loading the alerts it held…" />;
  if (held.isError) return <ErrorState what="Could not load the alerts it held." error={held.error} />;
  if (held.data.alerts.length === 0) return <p className="muted small">No alert has matched it yet.</p>;
  return <SilenceAlertList alerts={held.data.alerts} testId="silence-held-alerts" />;
}
