/**
 * The cluster primary behind `TELEOPS_WORKERS` > 1: forks the HTTP workers that share the port, replaces one that
 * dies (with a growing pause when they keep dying), answers `/metrics` scrapes with the sum over workers, and on
 * SIGTERM or SIGINT stops every worker and waits for it. The primary serves no request and opens no database.
 */
import cluster, { type Worker } from "node:cluster";
import type { Logger } from "pino";
import client from "prom-client";
import { serveClusterMetrics } from "./clusterMetrics.ts";

/** A worker died before it listened while the server was starting: the primary gives up rather than fork in a loop. */
export class WorkerStartFailed extends Error {
  constructor(
    readonly exitCode: number | null,
    readonly signal: string | null,
  ) {
    super(
      signal
        ? `an HTTP worker was killed by ${signal} while starting`
        : `an HTTP worker exited with code ${exitCode} while starting`,
    );
  }
}

export interface PrimaryOptions {
  workers: number;
  /** Where the workers listen, for the start-up log. */
  url: string;
  logger: Logger;
  /** How long workers get to finish in-flight requests on shutdown before they are killed; default 30 s. */
  stopTimeoutMs?: number;
}

/** Pause before replacing a worker: none for the first death in a minute, then 1 s doubling to 30 s. */
function restartDelayMs(deathsInLastMinute: number): number {
  return deathsInLastMinute <= 1 ? 0 : Math.min(30_000, 1_000 * 2 ** (deathsInLastMinute - 2));
}

/**
 * Forks the workers one first (it migrates the database alone), then the rest, and resolves once all listen. A
 * worker that exits before listening during start-up stops the others and rejects with `WorkerStartFailed` (the
 * worker has printed its reason). Afterwards the primary runs until a signal, when it exits the process itself.
 */
export async function runPrimary(options: PrimaryOptions): Promise<void> {
  const { logger } = options;
  const listening = new Set<Worker>();
  // Read through a function: the signal handler changes it while start-up awaits.
  let phase = "starting" as "starting" | "running" | "stopping";
  const stopping = () => phase === "stopping";
  const deaths: number[] = [];
  const pendingRestarts = new Set<NodeJS.Timeout>();

  const own = new client.Registry();
  new client.Gauge({
    name: "teleops_http_workers",
    help: "HTTP worker processes listening",
    registers: [own],
    collect() {
      this.set(listening.size);
    },
  });
  const restarts = new client.Counter({
    name: "teleops_http_worker_restarts_total",
    help: "HTTP workers started to replace one that died",
    registers: [own],
  });
  const metrics = serveClusterMetrics({
    own,
    listening: () => [...listening],
    onMissing: (ids) => logger.warn({ workers: ids }, "metrics scrape left out workers that did not answer in time"),
  });
  cluster.on("message", (worker, message) => metrics.onMessage(worker, message));
  cluster.on("listening", (worker) => {
    listening.add(worker);
    if (phase === "running")
      logger.info({ worker: worker.id, pid: worker.process.pid }, "replacement HTTP worker listening");
  });
  cluster.on("exit", (worker, code, signal) => {
    const listened = listening.delete(worker);
    // A worker that dies before it listens during start-up fails the start (see workerListening).
    if (phase === "stopping" || (phase === "starting" && !listened)) return;
    const now = Date.now();
    deaths.push(now);
    while ((deaths[0] ?? now) < now - 60_000) deaths.shift();
    const delayMs = restartDelayMs(deaths.length);
    logger.error(
      { worker: worker.id, pid: worker.process.pid, code, signal, restartInMs: delayMs },
      "HTTP worker died: starting another",
    );
    const timer = setTimeout(() => {
      pendingRestarts.delete(timer);
      if (phase !== "running") return;
      restarts.inc();
      cluster.fork();
    }, delayMs);
    pendingRestarts.add(timer);
  });

  const stop = (signal: string) => {
    if (phase === "stopping") return;
    phase = "stopping";
    for (const timer of pendingRestarts) clearTimeout(timer);
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    logger.info({ signal, workers: alive.length }, "shutting down: stopping the HTTP workers");
    stopWorkers(alive, options.stopTimeoutMs ?? 30_000, logger).then((clean) => {
      logger.info("stopped");
      process.exit(clean ? 0 : 1);
    });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  logger.info({ workers: options.workers }, `starting ${options.workers} HTTP worker processes`);
  try {
    await workerListening(cluster.fork());
    await Promise.all(Array.from({ length: options.workers - 1 }, () => workerListening(cluster.fork())));
  } catch (error) {
    // A signal during start-up stops everything already (see stop).
    if (stopping()) return;
    phase = "stopping";
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    await stopWorkers(alive, 5_000, logger);
    throw error;
  }
  if (stopping()) return;
  phase = "running";
  logger.info(
    { url: options.url, workers: listening.size, pids: [...listening].map((w) => w.process.pid) },
    "TeleOps is listening",
  );
}

function workerListening(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null, signal: string | null) => {
      worker.off("listening", onListening);
      reject(new WorkerStartFailed(code, signal));
    };
    const onListening = () => {
      worker.off("exit", onExit);
      resolve();
    };
    worker.once("listening", onListening);
    worker.once("exit", onExit);
  });
}

/** SIGTERM to each (each finishes its in-flight requests), SIGKILL to any still running after the deadline. */
async function stopWorkers(workers: Worker[], timeoutMs: number, logger: Logger): Promise<boolean> {
  const exits = workers.map(
    (worker) =>
      new Promise<boolean>((resolve) => {
        if (worker.isDead()) return resolve(worker.process.exitCode === 0);
        worker.once("exit", (code: number | null) => resolve(code === 0));
        worker.process.kill("SIGTERM");
      }),
  );
  const deadline = setTimeout(() => {
    for (const worker of workers) {
      if (worker.isDead()) continue;
      logger.warn(
        { worker: worker.id, pid: worker.process.pid },
        `HTTP worker still running after ${timeoutMs} ms: killing it`,
      );
      worker.process.kill("SIGKILL");
    }
  }, timeoutMs);
  const clean = await Promise.all(exits);
  clearTimeout(deadline);
  return clean.every(Boolean);
}
