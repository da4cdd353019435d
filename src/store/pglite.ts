import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import type { Database } from './database.js';
import * as schema from './schema.js';

/** Embedded PostgreSQL (WASM): a data directory, or memory when none is given. */
export function openPglite(dataDir?: string) {
  const client = new PGlite(dataDir);
  const db = drizzle({ client, schema });
  return { db: db as unknown as Database, drizzle: db, client, close: () => client.close() };
}
