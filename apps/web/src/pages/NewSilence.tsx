/**
 * The form that creates a silence or weekly maintenance window: matcher rows (pre-filled from `?match=` links),
 * a duration or an end, a comment, and a live preview of the alerts of the last hour the matchers match.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { MATCHER_OPS, type MatcherOp, SILENCE_FIELDS, WEEKDAYS } from "@teleops/schema";
import { type FormEvent, useId, useMemo, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { RoleGate } from "../components/RoleGate.tsx";
import { DAY_LABEL, SilenceAlertList } from "../components/SilenceParts.tsx";
import { ErrorState, LoadingState } from "../components/StateViews.tsx";
import { failureSentence } from "../lib/errors.ts";
import { formatCount } from "../lib/format.ts";
import {
  blankRow,
  browserZone,
  type FormState,
  issuesByPath,
  type MatcherRow,
  rowsFromParams,
  toInput,
  useDebounced,
} from "../lib/silenceForm.ts";
import { useDocumentTitle } from "../lib/useDocumentTitle.ts";
import { trpc } from "../trpc.ts";

export function NewSilence() {
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
              <SilenceAlertList alerts={preview.data.alerts} testId="silence-preview-alerts" />
            ) : null}
          </>
        )}
      </section>
    </section>
  );
}
