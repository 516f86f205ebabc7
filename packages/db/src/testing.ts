/**
 * Test databases: an in-memory PGlite always, and a throwaway database on the PostgreSQL server named by
 * TEST_DATABASE_URL when it is set, so the same suites prove both backends.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { createDb, type DbHandle } from "./client.ts";

export interface TestBackend {
  name: "pglite" | "postgres";
  /** A fresh, migrated database; `dispose` closes it and drops it. */
  open(): Promise<TestDatabase>;
}

export interface TestDatabase extends DbHandle {
  /** Connection URL for other processes (postgres only). */
  url: string | undefined;
  dispose(): Promise<void>;
}

export function testBackends(env: NodeJS.ProcessEnv = process.env): TestBackend[] {
  const backends: TestBackend[] = [{ name: "pglite", open: openPglite }];
  const url = env.TEST_DATABASE_URL;
  if (url) backends.push({ name: "postgres", open: () => openThrowawayPostgres(url) });
  return backends;
}

async function openPglite(): Promise<TestDatabase> {
  const handle = await createDb();
  await handle.migrate();
  return { ...handle, url: undefined, dispose: () => handle.close() };
}

async function openThrowawayPostgres(adminUrl: string): Promise<TestDatabase> {
  const name = `teleops_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await createDb({ databaseUrl: url.toString(), poolSize: 5 });
  await handle.migrate();
  return {
    ...handle,
    url: url.toString(),
    async dispose() {
      await handle.close();
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
