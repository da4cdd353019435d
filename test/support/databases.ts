import postgres from 'postgres';
import { getTableName, is, sql } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { migrationsFolder, openDatabase } from '../../src/runtime/node/database.js';
import { openPglite } from '../../src/store/pglite.js';
import * as schema from '../../src/store/schema.js';
import type { Database, Subscribe } from '../../src/store/database.js';

export type DriverName = 'pglite' | 'postgres';
export const DRIVERS: DriverName[] = ['pglite', 'postgres'];

/** The PostgreSQL server the suites require; CI starts it, and a test never skips when it is down. */
export const POSTGRES_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  db: Database;
  driver: DriverName;
  /** A URL for a second process (PostgreSQL only). */
  url: string | undefined;
  /** LISTEN on the database (PGlite: in process). */
  subscribe: Subscribe;
  truncate(): Promise<void>;
  /** Everything the database holds on disk: PGlite's raw data directory, or pg_dump's output. */
  dump(): Promise<string>;
  close(): Promise<void>;
}

/** Every table the schema declares, so a new table is emptied between tests without a list to keep. */
const TABLES = (Object.values(schema) as unknown[])
  .filter((value): value is PgTable => is(value, PgTable))
  .map((table) => `"${getTableName(table)}"`);

/**
 * A migrated, empty database: PGlite in memory, or a fresh PostgreSQL database dropped on close.
 * `onQuery` sees every statement PostgreSQL is sent (postgres.js's debug hook; PostgreSQL only).
 */
export async function testDatabase(driver: DriverName, options: { onQuery?: (connection: number, query: string) => void } = {}): Promise<TestDatabase> {
  if (driver === 'pglite') {
    const store = openPglite();
    await migrate(store.drizzle, { migrationsFolder });
    const dump = async () => Buffer.from(await (await store.client.dumpDataDir('none')).arrayBuffer()).toString('latin1');
    return wrap(store.db, store.subscribe, driver, undefined, dump, store.close);
  }
  const name = `switchyard_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const opened = await openDatabase({ url: url.toString(), onQuery: options.onQuery });
  const dump = async () => (await promisify(execFile)('pg_dump', ['--no-owner', url.toString()], { maxBuffer: 64 * 1024 * 1024 })).stdout;
  return wrap(opened.db, opened.subscribe, driver, url.toString(), dump, async () => {
    await opened.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
}

function wrap(db: Database, subscribe: Subscribe, driver: DriverName, url: string | undefined, dump: () => Promise<string>, close: () => Promise<void>): TestDatabase {
  return {
    db,
    subscribe,
    driver,
    url,
    dump,
    truncate: async () => {
      await db.execute(sql.raw(`TRUNCATE ${TABLES.join(', ')} CASCADE`));
    },
    close,
  };
}
