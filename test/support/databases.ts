import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { migrationsFolder, openDatabase } from '../../src/runtime/node/database.js';
import { openPglite } from '../../src/store/pglite.js';
import type { Database } from '../../src/store/database.js';

export type DriverName = 'pglite' | 'postgres';
export const DRIVERS: DriverName[] = ['pglite', 'postgres'];

/** The PostgreSQL server the suites require; CI starts it, and a test never skips when it is down. */
export const POSTGRES_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  db: Database;
  driver: DriverName;
  /** A URL for a second process (PostgreSQL only). */
  url: string | undefined;
  truncate(): Promise<void>;
  /** Everything the database holds on disk: PGlite's raw data directory, or pg_dump's output. */
  dump(): Promise<string>;
  close(): Promise<void>;
}

const TABLES = ['payment_methods', 'customers', 'operators', 'observed_bins', 'audit_log', 'webhook_deliveries', 'webhook_endpoints', 'events', 'jobs', 'merchant_learner_state', 'routing_rulesets', 'card_network_blocks', 'webhook_events', 'idempotency_keys', 'refunds', 'attempts', 'payments', 'gateway_accounts', 'api_keys', 'merchants'];

/** A migrated, empty database: PGlite in memory, or a fresh PostgreSQL database dropped on close. */
export async function testDatabase(driver: DriverName): Promise<TestDatabase> {
  if (driver === 'pglite') {
    const store = openPglite();
    await migrate(store.drizzle, { migrationsFolder });
    const dump = async () => Buffer.from(await (await store.client.dumpDataDir('none')).arrayBuffer()).toString('latin1');
    return wrap(store.db, driver, undefined, dump, store.close);
  }
  const name = `switchyard_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const opened = await openDatabase({ url: url.toString() });
  const dump = async () => (await promisify(execFile)('pg_dump', ['--no-owner', url.toString()], { maxBuffer: 64 * 1024 * 1024 })).stdout;
  return wrap(opened.db, driver, url.toString(), dump, async () => {
    await opened.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
}

function wrap(db: Database, driver: DriverName, url: string | undefined, dump: () => Promise<string>, close: () => Promise<void>): TestDatabase {
  return {
    db,
    driver,
    url,
    dump,
    truncate: async () => {
      await db.execute(sql.raw(`TRUNCATE ${TABLES.join(', ')} CASCADE`));
    },
    close,
  };
}
