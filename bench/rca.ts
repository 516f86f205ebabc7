/** RCA speed targets: the baseline engine on a 1,000-alert incident, and runbook retrieval per query. */
import {
  generateScenario,
  incidentQuery,
  loadRunbookIndex,
  loadTopology,
  type RcaInput,
  rankRootCauses,
} from "@teleops/core";
import { type Alert, SCENARIO_TYPES } from "@teleops/schema";
import { percentile } from "./machine.ts";

const INCIDENT_ALERTS = 1_000;

function incident(scenario: (typeof SCENARIO_TYPES)[number], seed: number, alerts: number): RcaInput {
  const generated = generateScenario(
    { scenario, seed, durationMinutes: 20, ratePerMinute: alerts / 20, noisePerMinute: 0 },
    loadTopology(),
    new Date("2026-04-01T00:00:00Z"),
  );
  return {
    incidentId: "INC-BENCH",
    summary: null,
    alerts: generated.alerts.slice(0, alerts).map(
      (alert, index): Alert => ({
        ...alert,
        id: index + 1,
        tags: { site: alert.tags.site ?? "" },
        incident_id: "INC-BENCH",
      }),
    ),
  };
}

function timed(runs: number, work: () => void): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    work();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export async function benchRca(): Promise<{
  baseline_p50_ms: number;
  baseline_p99_ms: number;
  alerts: number;
  retrieval_p50_ms: number;
  retrieval_p99_ms: number;
}> {
  const topology = loadTopology();
  const runbooks = loadRunbookIndex();
  const big = incident("fiber_cut", 7, INCIDENT_ALERTS);
  const deps = { runbooks, topology };
  timed(20, () => rankRootCauses(big, deps)); // warm-up: JIT and the alert-type cache
  const baseline = timed(200, () => rankRootCauses(big, deps));

  const queries = SCENARIO_TYPES.map((scenario, i) => incidentQuery(incident(scenario, i + 1, 250), topology));
  timed(50, () => runbooks.search(queries[0] ?? ""));
  let next = 0;
  const retrieval = timed(1_100, () => runbooks.search(queries[next++ % queries.length] ?? ""));

  return {
    baseline_p50_ms: round(percentile(baseline, 50)),
    baseline_p99_ms: round(percentile(baseline, 99)),
    alerts: big.alerts.length,
    retrieval_p50_ms: round(percentile(retrieval, 50)),
    retrieval_p99_ms: round(percentile(retrieval, 99)),
  };
}
