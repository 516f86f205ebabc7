/**
 * Silences and maintenance windows: the list (active, or all with expired ones), each silence's held alerts and an
 * expire button; and the form that creates one, with matcher rows pre-filled from `?match=` links and a live
 * preview of the alerts of the last hour it would have matched.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  formatMatcher,
  MATCHER_OPS,
  type Matcher,
  type MatcherOp,
  parseMatcher,
  SILENCE_FIELDS,
  type Silence,
  type SilenceCreateInput,
  silenceCreateInputSchema,
  WEEKDAYS,
  type WeeklyRange,
} from "@teleops/schema";
import { type FormEvent, useEffect, useId, useMemo, useState } from "react";
import { Link, useLocation, useNavigate, useSearchParams } from "react-router";
import { SeverityBadge, SilencedBadge } from "../components/Badges.tsx";
import { RoleGate } from "../components/RoleGate.tsx";
import { EmptyState, ErrorState, LoadingState } from "../components/StateViews.tsx";
import { failureSentence } from "../lib/errors.ts";
import { formatCount, formatRelative, formatUtc } from "../lib/format.ts";
import { useCan } from "../lib/session.ts";
import { useDocumentTitle } from "../lib/useDocumentTitle.ts";
import { trpc } from "../trpc.ts";
import "../silences.css";

export default function SilencesRoute() {
  const { pathname } = useLocation();
  return pathname.replace(/\/+$/, "").endsWith("/new") ? <NewSilence /> : <SilenceList />;
}

const DAY_LABEL = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

function scheduleText(schedule: readonly WeeklyRange[]): string {
  return schedule
    .map(
      (range) => `${range.days.map((d) => DAY_LABEL[d - 1] ?? "?").join(", ")} ${range.start}–${range.end} ${range.tz}`,
    )
    .join("; ");
}

function StateBadge({ silence }: { silence: Silence }) {
  const label =
    silence.state === "active" && silence.kind === "weekly"
      ? silence.silencing_now
        ? "in window"
        : "waiting for window"
      : silence.state;
  return (
    <span className={`badge badge--silence badge--silence-${silence.state}`} data-testid="silence-state">
      {label}
    </span>
  );
}

function MatcherChips({ matchers }: { matchers: readonly Matcher[] }) {
  return (
    <span className="matcher-chips">
      {matchers.map((matcher) => (
        <code key={formatMatcher(matcher)} className="matcher-chip" data-testid="silence-matcher">
          {formatMatcher(matcher)}
        </code>
      ))}
    </span>
  );
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
  return <AlertList alerts={held.data.alerts} testId="silence-held-alerts" />;
}

type ListedAlert = {
  id: number;
  timestamp: string;
  host: string;
  alert_type: string;
  severity: Parameters<typeof SeverityBadge>[0]["severity"];
  message: string;
  incident_id: string | null;
  silenced_by?: string | null | undefined;
};

function AlertList({ alerts, testId }: { alerts: readonly ListedAlert[]; testId: string }) {
  return (
    <div className="table-wrap">
      <table className="table table--silence-alerts" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">Time (UTC)</th>
            <th scope="col">Severity</th>
            <th scope="col">Host</th>
            <th scope="col">Type</th>
            <th scope="col">Message</th>
            <th scope="col">Incident</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((alert) => (
            <tr key={alert.id} data-testid="silence-alert-row">
              <td className="mono nowrap">{formatUtc(alert.timestamp)}</td>
              <td>
                <SeverityBadge severity={alert.severity} />
              </td>
              <td className="mono nowrap">{alert.host}</td>
              <td className="mono nowrap">{alert.alert_type}</td>
              <td className="col-message">
                {alert.silenced_by ? <SilencedBadge silenceId={alert.silenced_by} /> : null} {alert.message}
              </td>
              <td className="mono nowrap">
                {alert.incident_id ? (
                  <Link to={`/incidents/${encodeURIComponent(alert.incident_id)}`}>{alert.incident_id}</Link>
                ) : (
                  <span className="muted">none</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface MatcherRow {
  key: number;
  name: string;
  op: MatcherOp;
  value: string;
}

let rowKeys = 0;
const blankRow = (): MatcherRow => ({ key: ++rowKeys, name: "host", op: "=", value: "" });

/** Rows from `?match=` (Alertmanager syntax); a link with none starts with one empty `host=` row. */
function rowsFromParams(params: URLSearchParams): MatcherRow[] {
  const rows = params.getAll("match").flatMap((text) => {
    const parsed = parseMatcher(text);
    return "matcher" in parsed ? [{ key: ++rowKeys, ...parsed.matcher }] : [];
  });
  return rows.length > 0 ? rows : [blankRow()];
}

/** The browser's own zone, the likeliest one for a maintenance window typed here. */
function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** `<input type="datetime-local">` has no zone; the form states UTC, like every time in TeleOps. */
function utcIso(local: string): string | undefined {
  if (local.trim() === "") return undefined;
  return local.length === 16 ? `${local}:00Z` : `${local}Z`;
}

type EndMode = "duration" | "until";

interface FormState {
  kind: "once" | "weekly";
  endMode: EndMode;
  duration: string;
  until: string;
  comment: string;
  days: number[];
  start: string;
  end: string;
  tz: string;
}

function toInput(state: FormState, rows: readonly MatcherRow[]): SilenceCreateInput {
  const matchers = rows.map(({ name, op, value }) => ({ name: name.trim(), op, value }));
  if (state.kind === "weekly") {
    return {
      kind: "weekly",
      matchers,
      comment: state.comment,
      schedule: [{ days: [...state.days].sort(), start: state.start, end: state.end, tz: state.tz.trim() }],
      ...(state.until ? { ends_at: utcIso(state.until) } : {}),
    };
  }
  return {
    kind: "once",
    matchers,
    comment: state.comment,
    ...(state.endMode === "duration" ? { duration: state.duration.trim() } : { ends_at: utcIso(state.until) }),
  };
}

/** The schema's issues by field path (`matchers.0.value`, `comment`, …), the first one per path. */
function issuesByPath(input: SilenceCreateInput): Record<string, string> {
  const parsed = silenceCreateInputSchema.safeParse(input);
  const issues: Record<string, string> = {};
  if (parsed.success) return issues;
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String).join(".") || "form";
    issues[path] ??= issue.message;
  }
  return issues;
}

/** Waits until typing pauses before the preview asks the server. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

function NewSilence() {
  useDocumentTitle("New silence");
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const formId = useId();
  const [rows, setRows] = useState<MatcherRow[]>(() => rowsFromParams(params));
  const [state, setState] = useState<FormState>({
    kind: "once",
    endMode: "duration",
    duration: "2h",
    until: "",
    comment: "",
    days: [1, 2, 3, 4, 5],
    start: "22:00",
    end: "02:00",
    tz: browserZone(),
  });
  const [shown, setShown] = useState<Record<string, string>>({});
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setState((s) => ({ ...s, [key]: value }));
  const setRow = (key: number, change: Partial<MatcherRow>) =>
    setRows((current) => current.map((row) => (row.key === key ? { ...row, ...change } : row)));

  const create = useMutation(
    trpc.silences.create.mutationOptions({
      onSuccess: (silence) => {
        void queryClient.invalidateQueries({ queryKey: trpc.silences.pathKey() });
        navigate(`/silences?created=${encodeURIComponent(silence.id)}`);
      },
    }),
  );

  // The preview asks only with matchers the server would take; until then it says what is missing.
  const previewMatchers = useMemo(() => {
    const matchers = rows.map(({ name, op, value }) => ({ name: name.trim(), op, value }));
    const issues = issuesByPath({ kind: "once", matchers, comment: "x", duration: "1h" });
    return Object.keys(issues).some((path) => path.startsWith("matchers")) ? null : matchers;
  }, [rows]);
  const settled = useDebounced(previewMatchers, 300);
  const preview = useQuery({
    ...trpc.silences.preview.queryOptions({ matchers: settled ?? [], limit: 10 }),
    enabled: settled !== null,
    placeholderData: keepPreviousData,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input = toInput(state, rows);
    const issues = issuesByPath(input);
    setShown(issues);
    if (Object.keys(issues).length > 0) return;
    create.mutate(input);
  };
  const fieldError = (path: string) => shown[path];

  return (
    <section className="page" aria-labelledby="new-silence-title">
      <Link to="/silences" className="back-link">
        ← Silences
      </Link>
      <div className="page__header">
        <h1 id="new-silence-title">New silence</h1>
      </div>
      <p className="lead">
        Every matcher must hold, as in Alertmanager: <code>=</code> equals, <code>!=</code> differs, <code>=~</code>{" "}
        matches a regular expression over the whole value, <code>!~</code> does not. Names are{" "}
        {SILENCE_FIELDS.join(", ")} or any tag or Alertmanager label.
      </p>
      <RoleGate min="operator" action="Creating silences">
        <form className="card form silence-form" onSubmit={submit} noValidate data-testid="silence-form">
          <fieldset className="field field--wide silence-matchers">
            <legend>Matchers</legend>
            <datalist id={`${formId}-names`}>
              {SILENCE_FIELDS.map((field) => (
                <option key={field} value={field} />
              ))}
            </datalist>
            {rows.map((row, index) => (
              <div className="matcher-row" key={row.key} data-testid="silence-matcher-row">
                <input
                  aria-label={`Matcher ${index + 1} name`}
                  list={`${formId}-names`}
                  value={row.name}
                  onChange={(event) => setRow(row.key, { name: event.target.value })}
                  aria-invalid={fieldError(`matchers.${index}.name`) ? true : undefined}
                  data-testid={`silence-match-name-${index}`}
                />
                <select
                  aria-label={`Matcher ${index + 1} operator`}
                  value={row.op}
                  onChange={(event) => setRow(row.key, { op: event.target.value as MatcherOp })}
                  data-testid={`silence-match-op-${index}`}
                >
                  {MATCHER_OPS.map((op) => (
                    <option key={op} value={op}>
                      {op}
                    </option>
                  ))}
                </select>
                <input
                  aria-label={`Matcher ${index + 1} value`}
                  className="mono"
                  value={row.value}
                  placeholder={row.op === "=~" || row.op === "!~" ? "regex, e.g. core-.*" : "value"}
                  onChange={(event) => setRow(row.key, { value: event.target.value })}
                  aria-invalid={fieldError(`matchers.${index}.value`) ? true : undefined}
                  data-testid={`silence-match-value-${index}`}
                />
                <button
                  type="button"
                  className="button button--ghost"
                  onClick={() => setRows((current) => current.filter((r) => r.key !== row.key))}
                  disabled={rows.length === 1}
                  aria-label={`Remove matcher ${index + 1}`}
                >
                  Remove
                </button>
                {fieldError(`matchers.${index}.name`) || fieldError(`matchers.${index}.value`) ? (
                  <span className="field__error matcher-row__error" role="alert">
                    {fieldError(`matchers.${index}.name`) ?? fieldError(`matchers.${index}.value`)}
                  </span>
                ) : null}
              </div>
            ))}
            {fieldError("matchers") ? (
              <span className="field__error" role="alert">
                {fieldError("matchers")}
              </span>
            ) : null}
            <button
              type="button"
              className="link-button"
              onClick={() => setRows((current) => [...current, blankRow()])}
              data-testid="silence-add-matcher"
            >
              Add a matcher
            </button>
          </fieldset>

          <fieldset className="field field--wide">
            <legend>Kind</legend>
            <label className="radio radio--plain">
              <input
                type="radio"
                name="kind"
                checked={state.kind === "once"}
                onChange={() => set("kind", "once")}
                data-testid="silence-kind-once"
              />{" "}
              For a while (planned work)
            </label>
            <label className="radio radio--plain">
              <input
                type="radio"
                name="kind"
                checked={state.kind === "weekly"}
                onChange={() => set("kind", "weekly")}
                data-testid="silence-kind-weekly"
              />{" "}
              Weekly maintenance window
            </label>
          </fieldset>

          {state.kind === "once" ? (
            <>
              <div className="field">
                <label className="radio">
                  <input
                    type="radio"
                    name="end-mode"
                    checked={state.endMode === "duration"}
                    onChange={() => set("endMode", "duration")}
                  />{" "}
                  Duration
                </label>
                <input
                  aria-label="Duration"
                  value={state.duration}
                  onChange={(event) => {
                    set("duration", event.target.value);
                    set("endMode", "duration");
                  }}
                  aria-invalid={fieldError("duration") ? true : undefined}
                  data-testid="silence-duration"
                />
                <span className={fieldError("duration") ? "field__error" : "field__hint"}>
                  {fieldError("duration") ?? "From now: 90m, 2h, 1d or 1h30m."}
                </span>
              </div>
              <div className="field">
                <label className="radio">
                  <input
                    type="radio"
                    name="end-mode"
                    checked={state.endMode === "until"}
                    onChange={() => set("endMode", "until")}
                  />{" "}
                  Or until (UTC)
                </label>
                <input
                  aria-label="Ends at (UTC)"
                  type="datetime-local"
                  value={state.until}
                  onChange={(event) => {
                    set("until", event.target.value);
                    set("endMode", "until");
                  }}
                  aria-invalid={fieldError("ends_at") ? true : undefined}
                  data-testid="silence-until"
                />
                <span className={fieldError("ends_at") ? "field__error" : "field__hint"}>
                  {fieldError("ends_at") ?? "When the silence ends."}
                </span>
              </div>
            </>
          ) : (
            <>
              <fieldset className="field field--wide">
                <legend>Days</legend>
                <div className="weekday-picks">
                  {WEEKDAYS.map((day, index) => (
                    <label key={day} className="radio">
                      <input
                        type="checkbox"
                        checked={state.days.includes(index + 1)}
                        onChange={(event) =>
                          set(
                            "days",
                            event.target.checked
                              ? [...state.days, index + 1]
                              : state.days.filter((d) => d !== index + 1),
                          )
                        }
                        data-testid={`silence-day-${day}`}
                      />{" "}
                      {DAY_LABEL[index]}
                    </label>
                  ))}
                </div>
                {fieldError("schedule.0.days") ? (
                  <span className="field__error">{fieldError("schedule.0.days")}</span>
                ) : null}
              </fieldset>
              <div className="field">
                <label htmlFor={`${formId}-start`}>From (local time)</label>
                <input
                  id={`${formId}-start`}
                  type="time"
                  value={state.start}
                  onChange={(event) => set("start", event.target.value)}
                  data-testid="silence-window-start"
                />
              </div>
              <div className="field">
                <label htmlFor={`${formId}-end`}>To</label>
                <input
                  id={`${formId}-end`}
                  type="time"
                  value={state.end}
                  onChange={(event) => set("end", event.target.value)}
                  data-testid="silence-window-end"
                />
                <span className="field__hint">An end before the start runs past midnight.</span>
              </div>
              <div className="field">
                <label htmlFor={`${formId}-tz`}>Time zone</label>
                <input
                  id={`${formId}-tz`}
                  value={state.tz}
                  onChange={(event) => set("tz", event.target.value)}
                  aria-invalid={fieldError("schedule.0.tz") ? true : undefined}
                  data-testid="silence-window-tz"
                />
                <span className={fieldError("schedule.0.tz") ? "field__error" : "field__hint"}>
                  {fieldError("schedule.0.tz") ?? "IANA name, e.g. Europe/Berlin."}
                </span>
              </div>
              <div className="field">
                <label htmlFor={`${formId}-until`}>Recurs until (UTC, optional)</label>
                <input
                  id={`${formId}-until`}
                  type="datetime-local"
                  value={state.until}
                  onChange={(event) => set("until", event.target.value)}
                />
                <span className="field__hint">Empty: for a year.</span>
              </div>
            </>
          )}

          <div className="field field--wide">
            <label htmlFor={`${formId}-comment`}>Comment</label>
            <textarea
              id={`${formId}-comment`}
              rows={2}
              value={state.comment}
              onChange={(event) => set("comment", event.target.value)}
              aria-invalid={fieldError("comment") ? true : undefined}
              data-testid="silence-comment"
            />
            <span className={fieldError("comment") ? "field__error" : "field__hint"}>
              {fieldError("comment") ?? "Why: the change number or the planned work."}
            </span>
          </div>

          {create.isError ? (
            <p className="notice notice--error field--wide" role="alert" data-testid="silence-error">
              {failureSentence(create.error)}
            </p>
          ) : null}
          <div className="form__actions">
            <button
              type="submit"
              className="button button--primary"
              disabled={create.isPending}
              data-testid="silence-submit"
            >
              {create.isPending ? "Creating…" : "Create silence"}
            </button>
            <Link to="/silences" className="button button--ghost">
              Cancel
            </Link>
          </div>
        </form>
      </RoleGate>

      <section className="card silence-preview" aria-labelledby="preview-title" aria-live="polite">
        <h2 id="preview-title">Alerts of the last hour it would have matched</h2>
        {settled === null ? (
          <p className="muted">Complete the matchers to see what they match.</p>
        ) : preview.isPending ? (
          <LoadingState label="Looking at the last hour…" />
        ) : preview.isError ? (
          <ErrorState what="Could not preview the matchers." error={preview.error} />
        ) : (
          <>
            <p data-testid="silence-preview-count">
              <strong>{formatCount(preview.data.count)}</strong> {preview.data.count === 1 ? "alert" : "alerts"} of the
              last hour match
              {preview.data.truncated ? ` (of the newest ${formatCount(preview.data.scanned)} looked at)` : ""}.
            </p>
            {preview.data.alerts.length > 0 ? (
              <AlertList alerts={preview.data.alerts} testId="silence-preview-alerts" />
            ) : null}
          </>
        )}
      </section>
    </section>
  );
}
