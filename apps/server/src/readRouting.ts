/**
 * Where a request's lagging reads (queue, search, incident detail, dashboards) go: the read replica while it
 * serves, the primary when it does not, and the primary for a moment after the same browser wrote something, so
 * an operator never sees the incident they just acknowledged as still open.
 */
import type { IncomingMessage } from "node:http";
import type { Database, DbHandle } from "@teleops/db";

/** Set on every answer to a mutation: while the browser holds it, its reads go to the primary. */
export const PRIMARY_READS_COOKIE = "teleops_primary_reads";
/** How long after its own write a browser reads from the primary, beyond the replica's lag at that moment. */
const READ_YOUR_WRITES_MS = 2_000;
/** Live updates wait at most this long for the replica to replay a change before they go out anyway. */
const CAUGHT_UP_WAIT_MS = 2_000;

export interface ReadRouting {
  /** The handle for this request's reads that may lag. */
  readDbFor(req: IncomingMessage): Database;
  /** The `Set-Cookie` value for an answer to a mutation; undefined without a replica. */
  afterWrite(): string | undefined;
  /** Waits for the replica to show what was committed by `since`; undefined without a replica. */
  readsCaughtUp: ((since: number) => Promise<void>) | undefined;
}

export function createReadRouting(database: DbHandle): ReadRouting {
  const replica = database.replica;
  if (!replica) return { readDbFor: () => database.db, afterWrite: () => undefined, readsCaughtUp: undefined };
  const cookie = new RegExp(`(?:^|;\\s*)${PRIMARY_READS_COOKIE}=1(?:;|$)`);
  return {
    readDbFor(req) {
      if (!replica.state().serving) return database.db;
      return cookie.test(req.headers.cookie ?? "") ? database.db : replica.db;
    },
    afterWrite() {
      const seconds = Math.ceil((READ_YOUR_WRITES_MS + (replica.state().lag_ms ?? 0)) / 1000);
      return `${PRIMARY_READS_COOKIE}=1; Max-Age=${seconds}; Path=/trpc; HttpOnly; SameSite=Strict`;
    },
    readsCaughtUp: async (since) => {
      await replica.caughtUp(since, CAUGHT_UP_WAIT_MS);
    },
  };
}
