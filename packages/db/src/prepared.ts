/**
 * Named prepared statements for the hot paths on PostgreSQL.
 *
 * drizzle hands postgres.js every query it did not name with `prepare: false`. postgres.js then sends such a
 * query with parameters in two steps (describe, wait for the parameter types, then bind and execute) and sends
 * nothing else on that connection meanwhile, so queries issued together in a transaction do not pipeline:
 * each costs two round trips. A query wrapped in `prepared()` carries a leading comment that the client below
 * turns into `prepare: true`: postgres.js describes it once per connection, keeps it, and pipelines it from then
 * on. Only queries whose text does not vary with their input are wrapped, so the per-connection statement cache
 * stays bounded. PGlite ignores the comment.
 */
import { type SQL, sql } from "drizzle-orm";
import type { Sql } from "postgres";

const MARK = "/* prepared */ ";

/** `query` run as a named prepared statement on PostgreSQL; its text must not vary between calls. */
export function prepared(query: SQL): SQL {
  return sql`${sql.raw(MARK)}${query}`;
}

type Unsafe = Sql["unsafe"];
type Callback = (inner: Sql) => unknown;

/**
 * Wraps a postgres.js client (and the clients it lends to transactions and savepoints) so that queries starting
 * with the mark are prepared.
 */
export function preparingMarked(client: Sql): Sql {
  return new Proxy(client, {
    get(target, key) {
      if (key === "unsafe") {
        const unsafe: Unsafe = (text, params, options) =>
          target.unsafe(text, params, text.startsWith(MARK) ? { ...options, prepare: true } : options);
        return unsafe;
      }
      if (key === "begin" || key === "savepoint") {
        return (...args: unknown[]) => {
          const callback = args.pop() as Callback;
          const lend = (inner: Sql) => callback(preparingMarked(inner));
          return (Reflect.get(target, key) as (...a: unknown[]) => unknown).apply(target, [...args, lend]);
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
