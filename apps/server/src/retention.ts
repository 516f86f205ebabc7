/**
 * The retention scheduler: applies `TELEOPS_RETENTION_DAYS` / `TELEOPS_EVENTS_RETENTION_DAYS` at start and every
 * hour (one replica at a time, under the retention advisory lock), logs each partition dropped, and keeps the
 * `/metrics` gauge of the oldest day kept.
 */
import {
  applyRetention,
  DEFAULT_RETENTION,
  oldestKeptDay,
  RetentionExportError,
  type RetentionPolicy,
  type RetentionReport,
} from "@teleops/core";
import type { DbHandle, PartitionedTable } from "@teleops/db";
import type { Logger } from "pino";
import client from "prom-client";

export interface RetentionSchedule extends RetentionPolicy {
  /** Time between runs; default an hour. */
  everyMs?: number;
}

export interface RetentionDeps {
  database: Pick<DbHandle, "db" | "kind">;
  logger: Logger;
  registry: client.Registry;
  /** Unset: no runs on a timer, only when asked (`retention.run`), with the default policy. */
  schedule?: RetentionSchedule | undefined;
}

export interface RetentionScheduler {
  /** Applies the policy now (or waits for the run in progress and answers with its report). */
  run(): Promise<RetentionReport>;
  stop(): Promise<void>;
}

const HOUR_MS = 60 * 60_000;
const TABLES: PartitionedTable[] = ["alerts", "integration_events"];

export function startRetention(deps: RetentionDeps): RetentionScheduler {
  const policy: RetentionPolicy = deps.schedule ?? DEFAULT_RETENTION;
  const oldest = new Map<PartitionedTable, Date | null>();
  let running: Promise<RetentionReport> | null = null;
  let stopped = false;

  new client.Gauge({
    name: "teleops_retention_oldest_kept_day_seconds",
    help: "Start (UTC midnight, Unix seconds) of the day of the oldest row kept, by table; absent when it is empty",
    labelNames: ["table"] as const,
    registers: [deps.registry],
    collect() {
      this.reset();
      for (const [table, day] of oldest) if (day) this.set({ table }, day.getTime() / 1000);
    },
  });

  async function once(): Promise<RetentionReport> {
    let report: RetentionReport;
    try {
      report = await applyRetention(deps.database, policy, {
        onDrop: (drop) => deps.logger.info({ retention: drop }, "retention dropped a partition"),
      });
    } catch (error) {
      if (error instanceof RetentionExportError) {
        deps.logger.error(
          {
            retention: {
              table: error.table,
              partition: error.partition,
              export_dir: error.dir,
              error: error.reason,
              dropped_partitions: error.report.dropped_partitions,
            },
          },
          "retention export failed; the partition and those after it are kept",
        );
      }
      throw error;
    }
    if (!report.skipped) {
      deps.logger.info(
        {
          dropped_partitions: report.dropped_partitions,
          alerts_removed: report.alerts_removed,
          events_removed: report.events_removed,
          alerts_days: policy.alertsDays,
          events_days: policy.eventsDays,
          ...(policy.exportDir === undefined ? {} : { export_dir: policy.exportDir }),
        },
        "retention applied",
      );
    }
    for (const table of TABLES) oldest.set(table, await oldestKeptDay(deps.database.db, table));
    return report;
  }

  function run(): Promise<RetentionReport> {
    if (running) return running;
    running = once().finally(() => {
      running = null;
    });
    return running;
  }

  const scheduled = () => {
    if (stopped) return;
    run().catch((err: unknown) => {
      // An export failure is logged above, with its partition.
      if (!(err instanceof RetentionExportError)) {
        deps.logger.warn({ err }, "retention run failed; the next run tries again");
      }
    });
  };
  const timer = deps.schedule ? setInterval(scheduled, deps.schedule.everyMs ?? HOUR_MS) : undefined;
  timer?.unref();
  if (deps.schedule) scheduled();

  return {
    run,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
