/** Correlation in process: how long `correlateAlerts` takes on 10k, 100k and 1M mixed alerts, and how that grows. */
import { correlateAlerts, loadTopology, pairwiseScores, topologyView } from "@teleops/core";
import { mixedStream } from "./payloads.ts";
import { progress } from "./process.ts";

const view = topologyView(loadTopology());

export interface CorrelationRun {
  alerts: number;
  incidents: number;
  best_ms: number;
  median_ms: number;
  alerts_per_s: number;
  /** Microseconds per alert; flat across sizes means linear growth. */
  us_per_alert: number;
  /** log(t / t_prev) / log(n / n_prev) against the previous size: 1.0 is linear, 2.0 quadratic. */
  growth_exponent: number | null;
  pairwise_precision: number;
  pairwise_recall: number;
}

export function benchCorrelation(sizes: readonly number[]): CorrelationRun[] {
  const runs: CorrelationRun[] = [];
  for (const size of sizes) {
    progress(`correlation in process: ${size} alerts`);
    const { alerts, truth } = mixedStream(size);
    correlateAlerts(alerts.slice(0, 5_000), { topology: view }); // warm-up
    const times: number[] = [];
    let result = correlateAlerts(alerts, { topology: view });
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      result = correlateAlerts(alerts, { topology: view });
      times.push(performance.now() - t0);
    }
    const best = Math.min(...times);
    const scores = pairwiseScores(result.assignment, truth);
    const previous = runs[runs.length - 1];
    runs.push({
      alerts: alerts.length,
      incidents: result.incidents.length,
      best_ms: Math.round(best),
      median_ms: Math.round([...times].sort((a, b) => a - b)[1] ?? 0),
      alerts_per_s: Math.round(alerts.length / (best / 1000)),
      us_per_alert: Math.round((best * 1000 * 100) / alerts.length) / 100,
      growth_exponent: previous
        ? Math.round(
            (Math.log(best / Math.max(previous.best_ms, 1)) / Math.log(alerts.length / previous.alerts)) * 100,
          ) / 100
        : null,
      pairwise_precision: Number(scores.precision.toFixed(4)),
      pairwise_recall: Number(scores.recall.toFixed(4)),
    });
  }
  return runs;
}
