/** What the generator actually broke: the answer an RCA should reach, shown after a run. */
import type { GroundTruth } from "@teleops/schema";
import { formatUtc, humanize } from "../lib/format.ts";

export function GroundTruthPanel({
  truths,
  titleFor = humanize,
}: {
  truths: GroundTruth[];
  /** The scenario's name as the catalog spells it ("DNS outage", not "Dns outage"). */
  titleFor?: (scenario: string) => string;
}) {
  return (
    <section className="card ground-truth" aria-labelledby="ground-truth-title" data-testid="ground-truth">
      <h2 id="ground-truth-title">Ground truth</h2>
      <p className="muted small">
        What the generator injected. Correlation never reads it; it is here to check the incidents and RCA against.
      </p>
      <ol className="ground-truth__list">
        {truths.map((truth) => (
          <li key={`${truth.scenario}-${truth.root_component}-${truth.start_time}`} className="ground-truth__item">
            <h3 className="ground-truth__scenario">{titleFor(truth.scenario)}</h3>
            <dl className="kv">
              <dt>Scenario</dt>
              <dd className="mono" data-testid="ground-truth-scenario">
                {truth.scenario}
              </dd>
              <dt>Root cause</dt>
              <dd data-testid="ground-truth-root-cause">{truth.root_cause}</dd>
              <dt>Root component</dt>
              <dd className="mono" data-testid="ground-truth-root-component">
                {truth.root_component}
              </dd>
              {truth.site ? (
                <>
                  <dt>Site</dt>
                  <dd className="mono">{truth.site}</dd>
                </>
              ) : null}
              {truth.start_time ? (
                <>
                  <dt>Starts (UTC)</dt>
                  <dd className="mono">{formatUtc(truth.start_time)}</dd>
                </>
              ) : null}
              <dt>Alerts</dt>
              <dd>{truth.alert_count}</dd>
            </dl>
            <h4 className="ground-truth__steps-title">Remediation steps</h4>
            {truth.remediation_steps.length > 0 ? (
              <ol className="steps">
                {truth.remediation_steps.map((step) => (
                  <li key={step}>{step}</li>
                ))}
              </ol>
            ) : (
              <p className="muted">None given.</p>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
