/**
 * `/metrics` under several HTTP workers: whichever worker a scrape reaches asks the primary, which collects every
 * worker's registry over the cluster channel and answers with the sum (prom-client's aggregation: counters and
 * histograms add up, process gauges add up), so one scrape sees the whole server, not one worker's share.
 */
import type { Worker } from "node:cluster";
import client from "prom-client";

type MetricsJson = Awaited<ReturnType<client.Registry["getMetricsAsJSON"]>>;

/** Worker → primary: a scrape arrived; primary → worker: the summed text, or why there is none. */
interface ScrapeRequest {
  type: "teleops:scrape";
  id: number;
}
interface ScrapeAnswer {
  type: "teleops:scraped";
  id: number;
  text?: string;
  error?: string;
}
/** Primary → worker: send your registry; worker → primary: here it is. */
interface CollectRequest {
  type: "teleops:collect";
  id: number;
}
interface CollectAnswer {
  type: "teleops:collected";
  id: number;
  metrics: MetricsJson;
}

function isMessage<T extends { type: string }>(message: unknown, type: T["type"]): message is T {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === type;
}

/** How long a worker's scrape waits for the primary, and the primary for each worker's registry. */
const WORKER_ANSWER_MS = 2_000;
const SCRAPE_ANSWER_MS = 5_000;

/** Where a server keeps its metrics and what `/metrics` answers; alone, that registry's own text. */
export interface MetricsSource {
  registry: client.Registry;
  text(): Promise<string>;
}

/**
 * The worker side: a registry whose numbers the primary collects, and a `text` that is the primary's sum over
 * all workers.
 */
export function shareWorkerMetrics(): MetricsSource {
  const registry = new client.Registry();
  const pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
  let next = 0;
  process.on("message", (message: unknown) => {
    if (isMessage<CollectRequest>(message, "teleops:collect")) {
      registry
        .getMetricsAsJSON()
        .then((metrics) =>
          process.send?.({ type: "teleops:collected", id: message.id, metrics } satisfies CollectAnswer),
        );
    } else if (isMessage<ScrapeAnswer>(message, "teleops:scraped")) {
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.text !== undefined) waiting?.resolve(message.text);
      else waiting?.reject(new Error(message.error ?? "no metrics from the primary"));
    }
  });
  const text = () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error("the cluster primary did not answer a metrics scrape"));
      }, SCRAPE_ANSWER_MS);
      pending.set(id, {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      process.send?.({ type: "teleops:scrape", id } satisfies ScrapeRequest);
    });
  return { registry, text };
}

/**
 * The primary side: answers workers' scrapes with the sum of every listening worker's registry and the primary's
 * own (worker count, restarts). A worker that does not answer within 2 s is left out of that scrape and reported.
 */
export function serveClusterMetrics(options: {
  own: client.Registry;
  listening: () => Worker[];
  onMissing: (workers: number[]) => void;
}): { onMessage(worker: Worker, message: unknown): void } {
  const collections = new Map<number, { answers: MetricsJson[]; waiting: Set<number>; done: () => void }>();
  let next = 0;

  async function collect(): Promise<string> {
    const id = next++;
    const workers = options.listening();
    const answers: MetricsJson[] = [await options.own.getMetricsAsJSON()];
    const waiting = new Set(workers.map((w) => w.id));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, WORKER_ANSWER_MS);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      collections.set(id, { answers, waiting, done });
      for (const worker of workers) {
        if (worker.isConnected()) worker.send({ type: "teleops:collect", id } satisfies CollectRequest);
      }
      if (waiting.size === 0) done();
    });
    collections.delete(id);
    if (waiting.size > 0) options.onMissing([...waiting]);
    return client.AggregatorRegistry.aggregate(answers).metrics();
  }

  return {
    onMessage(worker, message) {
      if (isMessage<CollectAnswer>(message, "teleops:collected")) {
        const collection = collections.get(message.id);
        if (!collection?.waiting.delete(worker.id)) return;
        collection.answers.push(message.metrics);
        if (collection.waiting.size === 0) collection.done();
      } else if (isMessage<ScrapeRequest>(message, "teleops:scrape")) {
        const answer = (reply: ScrapeAnswer) => {
          if (worker.isConnected()) worker.send(reply);
        };
        collect().then(
          (text) => answer({ type: "teleops:scraped", id: message.id, text }),
          (error: unknown) => answer({ type: "teleops:scraped", id: message.id, error: String(error) }),
        );
      }
    },
  };
}
