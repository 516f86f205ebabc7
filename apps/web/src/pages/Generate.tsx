/** Synthesizes a scenario's alerts on the server, then shows what was injected and which incidents formed. */

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  estimateGeneration,
  type GenerateParams,
  type GenerationEstimate,
  type GroundTruth,
  generateParamsSchema,
} from "@teleops/schema";
import { type FormEvent, useId, useMemo, useState } from "react";
import { Link } from "react-router";
import { GroundTruthPanel } from "../components/GroundTruthPanel.tsx";
import { ResetData } from "../components/ResetData.tsx";
import { RoleGate } from "../components/RoleGate.tsx";
import { ErrorState } from "../components/StateViews.tsx";
import { scenarioOptions } from "../lib/catalog.ts";
import { formatCount, humanize } from "../lib/format.ts";
import { useSession } from "../lib/session.ts";
import { useDocumentTitle } from "../lib/useDocumentTitle.ts";
import { type RouterOutputs, trpc } from "../trpc.ts";

type FieldName = "scenario" | "seed" | "durationMinutes" | "ratePerMinute" | "noisePerMinute" | "startTime";
type FormValues = Record<FieldName, string>;

const INITIAL: FormValues = {
  scenario: "mixed",
  seed: "1",
  durationMinutes: "10",
  ratePerMinute: "25",
  noisePerMinute: "2",
  startTime: "",
};

/** `<input type="datetime-local">` has no zone; the form states UTC, like every time in TeleOps. */
function utcIso(local: string): string | undefined {
  if (local.trim() === "") return undefined;
  return local.length === 16 ? `${local}:00Z` : `${local}Z`;
}

function toNumber(value: string): number {
  return value.trim() === "" ? Number.NaN : Number(value);
}

type SchemaIssue = NonNullable<ReturnType<typeof generateParamsSchema.safeParse>["error"]>["issues"][number];

/** Zod's issues in the words of a form: what to type instead. */
function explain(issue: SchemaIssue, raw: string): string {
  switch (issue.code) {
    case "too_small":
      return `At least ${String(issue.minimum)}.`;
    case "too_big":
      return `At most ${String(issue.maximum)}.`;
    case "invalid_type":
      return raw.trim() !== "" && Number.isFinite(Number(raw)) ? "Whole numbers only." : "Enter a number.";
    default:
      return issue.message;
  }
}

/** Validates with the same schema the server uses, so the form explains a mistake before sending it. */
function validate(values: FormValues): { params: GenerateParams } | { errors: Partial<Record<FieldName, string>> } {
  const result = generateParamsSchema.safeParse({
    scenario: values.scenario,
    seed: toNumber(values.seed),
    durationMinutes: toNumber(values.durationMinutes),
    ratePerMinute: toNumber(values.ratePerMinute),
    noisePerMinute: toNumber(values.noisePerMinute),
    startTime: utcIso(values.startTime),
  });
  if (result.success) return { params: result.data };
  const errors: Partial<Record<FieldName, string>> = {};
  for (const issue of result.error.issues) {
    const field = issue.path[0];
    if (typeof field === "string" && field in INITIAL && !errors[field as FieldName]) {
      errors[field as FieldName] = explain(issue, values[field as FieldName]);
    }
  }
  return { errors };
}

/** The request's alert count as the server will compute it; null while a field is not a number yet. */
function estimateOf(values: FormValues): GenerationEstimate | null {
  const durationMinutes = toNumber(values.durationMinutes);
  const ratePerMinute = toNumber(values.ratePerMinute);
  const noisePerMinute = toNumber(values.noisePerMinute);
  if (![durationMinutes, ratePerMinute, noisePerMinute].every(Number.isFinite)) return null;
  return estimateGeneration({ scenario: values.scenario, durationMinutes, ratePerMinute, noisePerMinute });
}

function EstimateNote({ estimate }: { estimate: GenerationEstimate | null }) {
  if (!estimate) return null;
  const over = estimate.refusal !== null;
  return (
    <p
      className={over ? "field__error" : "field__hint"}
      role={over ? "alert" : undefined}
      data-testid="generate-estimate"
    >
      {over
        ? `Too large: up to ${formatCount(estimate.total)} alerts; the limit is ${formatCount(estimate.limit)} per request. Shorten the duration or lower the rate or noise.`
        : `Up to ${formatCount(estimate.total)} alerts (limit ${formatCount(estimate.limit)} per request).`}
    </p>
  );
}

function NumberField({
  name,
  label,
  hint,
  values,
  errors,
  onChange,
  step,
}: {
  name: FieldName;
  label: string;
  hint: string;
  values: FormValues;
  errors: Partial<Record<FieldName, string>>;
  onChange: (name: FieldName, value: string) => void;
  step?: string;
}) {
  const id = useId();
  const error = errors[name];
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="number"
        inputMode="numeric"
        step={step ?? "1"}
        value={values[name]}
        onChange={(event) => onChange(name, event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint`}
        data-testid={`generate-${name}`}
      />
      <span id={`${id}-hint`} className={error ? "field__error" : "field__hint"}>
        {error ?? hint}
      </span>
    </div>
  );
}

function asList(truth: GroundTruth | GroundTruth[]): GroundTruth[] {
  return Array.isArray(truth) ? truth : [truth];
}

function GenerateResult({
  result,
  titleFor,
}: {
  result: RouterOutputs["scenarios"]["generate"];
  titleFor: (scenario: string) => string;
}) {
  return (
    <div className="generate-result" data-testid="generate-result">
      <section className="card" aria-labelledby="created-title">
        <h2 id="created-title">Stored and correlated</h2>
        <div className="tiles tiles--compact">
          <div className="tile">
            <span className="tile__value">{formatCount(result.alerts_inserted)}</span>
            <span className="tile__label">alerts stored</span>
          </div>
          <div className="tile">
            <span className="tile__value">{formatCount(result.noise_alerts)}</span>
            <span className="tile__label">of them noise</span>
          </div>
          <div className="tile">
            <span className="tile__value">{formatCount(result.duplicates)}</span>
            <span className="tile__label">duplicates skipped</span>
          </div>
          <div className="tile">
            <span className="tile__value">{formatCount(result.incidents.length)}</span>
            <span className="tile__label">incidents created or updated</span>
          </div>
        </div>
        {result.incidents.length > 0 ? (
          <ul className="created-list" data-testid="generated-incidents">
            {result.incidents.map((incident) => (
              <li key={incident.id}>
                <Link
                  to={`/incidents/${encodeURIComponent(incident.id)}`}
                  className="mono"
                  data-testid="generated-incident"
                >
                  {incident.id}
                </Link>
                <span className="muted"> · {incident.alert_count} alerts</span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">No incident formed: every alert was a duplicate or stayed unassigned.</p>
        )}
        <Link to="/" className="button">
          Open the incident queue
        </Link>
      </section>
      <GroundTruthPanel truths={asList(result.ground_truth)} titleFor={titleFor} />
    </div>
  );
}

export function Generate() {
  useDocumentTitle("Lab");
  const session = useSession();
  const queryClient = useQueryClient();
  const catalog = useQuery(trpc.scenarios.list.queryOptions(undefined, { staleTime: Number.POSITIVE_INFINITY }));
  const options = useMemo(() => scenarioOptions(catalog.data), [catalog.data]);
  const [values, setValues] = useState<FormValues>(INITIAL);
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const mutation = useMutation(
    trpc.scenarios.generate.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.incidents.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.metrics.pathKey() });
      },
    }),
  );

  // Shown as the operator types, and the same count the server refuses on.
  const estimate = estimateOf(values);
  const overLimit = estimate !== null && estimate.refusal !== null;
  const onChange = (name: FieldName, value: string) => {
    setValues((current) => ({ ...current, [name]: value }));
    setErrors((current) => ({ ...current, [name]: undefined }));
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (overLimit) return;
    const checked = validate(values);
    if ("errors" in checked) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    mutation.mutate(checked.params);
  };
  const selected = options.find((option) => option.type === values.scenario);
  const titleFor = (scenario: string) =>
    options.find((option) => option.type === scenario)?.title ?? humanize(scenario);
  const fieldProps = { values, errors, onChange };

  return (
    <section className="page" aria-labelledby="generate-title">
      <div className="page__header">
        <h1 id="generate-title">Lab: generate a scenario</h1>
      </div>
      <p className="lead">
        Synthesizes a realistic alert storm for one NOC failure scenario, stores it and correlates it like any other
        source. The same seed always produces the same alerts. Everything made here is marked{" "}
        <span className="badge badge--synthetic">synthetic</span> wherever it is shown, so a drill is never taken for an
        outage.
      </p>
      {session !== null && !session.lab ? (
        <p className="notice" data-testid="lab-off">
          The Lab is off on this server (production). Start the server with <code>TELEOPS_LAB=1</code> to generate demo
          data or reset a tenant.
        </p>
      ) : null}
      <RoleGate min="admin" action="Generating scenarios">
        <form className="card form" onSubmit={submit} noValidate data-testid="generate-form">
          <div className="field field--wide">
            <label htmlFor="scenario">Scenario</label>
            <select
              id="scenario"
              name="scenario"
              value={values.scenario}
              onChange={(event) => onChange("scenario", event.target.value)}
              aria-describedby="scenario-hint"
              data-testid="generate-scenario"
            >
              {options.map((option) => (
                <option key={option.type} value={option.type}>
                  {option.type === "mixed" ? "Mixed — several scenarios at once" : `${option.title} (${option.type})`}
                </option>
              ))}
            </select>
            <span id="scenario-hint" className={errors.scenario ? "field__error" : "field__hint"}>
              {errors.scenario ??
                ([selected?.layer ? `${humanize(selected.layer)} layer.` : "", selected?.description ?? ""]
                  .join(" ")
                  .trim() ||
                  "Failure scenario to synthesize.")}
            </span>
          </div>
          <div className="field">
            <NumberField name="seed" label="Seed" hint="Same seed, same alerts." {...fieldProps} />
            <button
              type="button"
              className="link-button"
              onClick={() => onChange("seed", String(Math.floor(Math.random() * 1_000_000)))}
            >
              Random seed
            </button>
          </div>
          <NumberField name="durationMinutes" label="Duration (minutes)" hint="1 to 1440." {...fieldProps} />
          <NumberField
            name="ratePerMinute"
            label="Alert rate (per minute)"
            hint="Scenario alerts per minute."
            {...fieldProps}
          />
          <NumberField
            name="noisePerMinute"
            label="Noise (per minute)"
            hint="Unrelated alerts per minute; 0 for none."
            {...fieldProps}
          />
          <div className="field">
            <label htmlFor="start-time">Start time (UTC, optional)</label>
            <input
              id="start-time"
              name="startTime"
              type="datetime-local"
              value={values.startTime}
              onChange={(event) => onChange("startTime", event.target.value)}
              aria-describedby="start-time-hint"
              data-testid="generate-startTime"
            />
            <span id="start-time-hint" className={errors.startTime ? "field__error" : "field__hint"}>
              {errors.startTime ?? "Empty: the scenario ends now."}
            </span>
          </div>
          <EstimateNote estimate={estimate} />
          <div className="form__actions">
            <button
              type="submit"
              className="button button--primary"
              disabled={mutation.isPending || overLimit}
              data-testid="generate-submit"
            >
              {mutation.isPending ? "Generating…" : "Generate"}
            </button>
            <button
              type="button"
              className="button button--ghost"
              onClick={() => {
                setValues(INITIAL);
                setErrors({});
              }}
            >
              Reset form
            </button>
          </div>
        </form>
      </RoleGate>
      {mutation.isError ? (
        <ErrorState what="The scenario was not generated." error={mutation.error} onRetry={() => mutation.reset()} />
      ) : null}
      {mutation.isSuccess ? <GenerateResult result={mutation.data} titleFor={titleFor} /> : null}
      <ResetData />
    </section>
  );
}
