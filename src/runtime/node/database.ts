import { fileURLToPath } from 'node:url';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { Database } from '../../store/database.js';
import { openPglite } from '../../store/pglite.js';
import { openPostgres } from '../../store/postgres.js';

export const migrationsFolder = fileURLToPath(new URL('../../store/migrations', import.meta.url));

export interface OpenDatabase {
  db: Database;
  driver: 'pglite' | 'postgres';
  close(): Promise<void>;
}

/** PostgreSQL when a URL is given, embedded PGlite otherwise; migrations run before anything else. */
export async function openDatabase(options: { url?: string; pgliteDir?: string }): Promise<OpenDatabase> {
  if (options.url) {
    const store = openPostgres(options.url);
    await migratePostgres(store.drizzle, { migrationsFolder });
    return { db: store.db, driver: 'postgres', close: store.close };
  }
  const store = openPglite(options.pgliteDir);
  await migratePglite(store.drizzle, { migrationsFolder });
  return { db: store.db, driver: 'pglite', close: store.close };
}
