/** Marked hot-path queries become named prepared statements on PostgreSQL, in transactions and savepoints too. */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbOrTx } from "./client.ts";
import { prepared } from "./prepared.ts";
import { type TestDatabase, testBackends } from "./testing.ts";

const rows = (result: unknown) => (Array.isArray(result) ? result : ((result as { rows: unknown[] }).rows ?? []));

/** The statements this connection keeps prepared whose text holds `needle`. */
async function preparedHolding(tx: DbOrTx, needle: string): Promise<number> {
  const result = await tx.execute(
    sql`select count(*)::int as n from pg_prepared_statements where position(${needle} in statement) > 0`,
  );
  return Number((rows(result)[0] as { n: number }).n);
}

describe.each(testBackends())("prepared() on $name", (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db.dispose();
  });

  it("answers a marked query exactly as the unmarked one", async () => {
    const query = (n: number) => sql`select ${n}::int + 1 as next, 'a' || ${"b"} as text`;
    const plain = rows(await db.db.execute(query(41)));
    const marked = rows(await db.db.execute(prepared(query(41))));
    expect(marked).toEqual(plain);
    expect(marked).toEqual([{ next: 42, text: "ab" }]);
  });

  it.runIf(backend.name === "postgres")(
    "keeps a marked query prepared on its connection, inside transactions and savepoints, and leaves others unprepared",
    async () => {
      await db.db.transaction(async (tx) => {
        await tx.execute(prepared(sql`select ${1}::int as marked_in_transaction`));
        await tx.execute(sql`select ${1}::int as unmarked_in_transaction`);
        expect(await preparedHolding(tx, "marked_in_transaction")).toBe(1);
        expect(await preparedHolding(tx, "unmarked_in_transaction")).toBe(0);
        await tx.transaction(async (savepoint) => {
          await savepoint.execute(prepared(sql`select ${2}::int as marked_in_savepoint`));
          expect(await preparedHolding(savepoint, "marked_in_savepoint")).toBe(1);
        });
        // Run again with other values: the same statement is reused, not prepared a second time.
        for (let i = 0; i < 3; i++) await tx.execute(prepared(sql`select ${i}::int as marked_in_transaction`));
        expect(await preparedHolding(tx, "marked_in_transaction")).toBe(1);
      });
    },
  );
});
