/**
 * Change notifications for live views. On PostgreSQL they travel through LISTEN/NOTIFY, so a client
 * connected to any replica hears about alerts that arrived at another; on embedded PGlite (one process)
 * an in-process emitter is enough.
 */
import { EventEmitter } from "node:events";
import postgres from "postgres";

export interface ChangeEvent {
  tenantId: string;
  kind: "alerts" | "incidents";
  at: string;
}

export interface ChangeFeed {
  publish(event: Omit<ChangeEvent, "at">): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: (event: ChangeEvent) => void): () => void;
  close(): Promise<void>;
}

const CHANNEL = "teleops_changes";

export function createLocalChangeFeed(): ChangeFeed {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish: (event) => emitter.emit("change", { ...event, at: new Date().toISOString() }),
    subscribe(listener) {
      emitter.on("change", listener);
      return () => emitter.off("change", listener);
    },
    close: async () => {
      emitter.removeAllListeners();
    },
  };
}

/** LISTEN/NOTIFY on a dedicated connection; events published here come back through the same channel. */
export async function createPostgresChangeFeed(
  databaseUrl: string,
  onError: (error: unknown) => void = () => {},
): Promise<ChangeFeed> {
  const local = createLocalChangeFeed();
  const client = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  await client.listen(CHANNEL, (payload) => {
    try {
      const event = JSON.parse(payload) as ChangeEvent;
      if (typeof event.tenantId === "string" && (event.kind === "alerts" || event.kind === "incidents")) {
        local.publish({ tenantId: event.tenantId, kind: event.kind });
      }
    } catch (error) {
      onError(error);
    }
  });
  return {
    publish(event) {
      client.notify(CHANNEL, JSON.stringify({ ...event, at: new Date().toISOString() })).catch(onError);
    },
    subscribe: (listener) => local.subscribe(listener),
    async close() {
      await local.close();
      await client.end({ timeout: 2 });
    },
  };
}
