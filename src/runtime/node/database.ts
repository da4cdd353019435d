import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { Database, Subscribe } from '../../store/database.js';
import { openPglite } from '../../store/pglite.js';
import { openPostgres, type PostgresOptions } from '../../store/postgres.js';

export const migrationsFolder = fileURLToPath(new URL('../../store/migrations', import.meta.url));

export interface OpenDatabase {
  db: Database;
  driver: 'pglite' | 'postgres';
  subscribe: Subscribe;
  /** The migrations not yet applied, by name, oldest first. */
  pending(): Promise<string[]>;
  /** Applies the pending migrations; answers their names. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * What to do about migrations on open: `apply` them (the sandbox, tests), `require` none to be
 * pending (the production server unless told to migrate), or `leave` them to the caller (db:migrate).
 */
export type MigrationPolicy = 'apply' | 'require' | 'leave';

/** A refusal worth a plain message and no stack: the database is behind, or PGlite is in use. */
export class DatabaseRefusal extends Error {
  override name = 'DatabaseRefusal';
}

/** PostgreSQL when a URL is given, embedded PGlite otherwise. */
export async function openDatabase(options: { url?: string; pgliteDir?: string; migrations?: MigrationPolicy; onQuery?: PostgresOptions['onQuery'] }): Promise<OpenDatabase> {
  const opened = options.url ? postgresDatabase(options.url, options.onQuery) : await pgliteDatabase(options.pgliteDir);
  try {
    const policy = options.migrations ?? 'apply';
    if (policy === 'apply') await opened.migrate();
    if (policy === 'require') {
      const pending = await opened.pending();
      if (pending.length > 0) {
        throw new DatabaseRefusal(
          `The database is ${pending.length} migration(s) behind (${pending.join(', ')}). Run npm run db:migrate first (npm run serve applies them itself with SWITCHYARD_MIGRATE=1).`,
        );
      }
    }
    return opened;
  } catch (error) {
    await opened.close();
    throw error;
  }
}

function postgresDatabase(url: string, onQuery: PostgresOptions['onQuery']): OpenDatabase {
  const store = openPostgres(url, onQuery ? { onQuery } : {});
  const pending = () => pendingMigrations(store.db);
  return {
    db: store.db,
    driver: 'postgres',
    subscribe: store.subscribe,
    pending,
    migrate: applying(pending, () => migratePostgres(store.drizzle, { migrationsFolder })),
    close: store.close,
  };
}

async function pgliteDatabase(dir: string | undefined): Promise<OpenDatabase> {
  const release = dir === undefined ? async () => {} : await lockPglite(dir);
  const store = openPglite(dir);
  const pending = () => pendingMigrations(store.db);
  return {
    db: store.db,
    driver: 'pglite',
    subscribe: store.subscribe,
    pending,
    migrate: applying(pending, () => migratePglite(store.drizzle, { migrationsFolder })),
    close: async () => {
      await store.close();
      await release();
    },
  };
}

function applying(pending: () => Promise<string[]>, run: () => Promise<void>) {
  return async () => {
    const names = await pending();
    if (names.length > 0) await run();
    return names;
  };
}

/** drizzle's migrator applies every journal entry newer than the last one it recorded. */
async function pendingMigrations(db: Database): Promise<string[]> {
  const journal = JSON.parse(await readFile(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
  const exists = rows(await db.execute(sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`))[0]?.present;
  const last = exists ? Number(rows(await db.execute(sql`select max(created_at) as last from drizzle.__drizzle_migrations`))[0]?.last ?? 0) : 0;
  return journal.entries.filter((entry) => entry.when > last).map((entry) => entry.tag);
}

function rows(result: unknown): Record<string, unknown>[] {
  return ((result as { rows?: unknown[] }).rows ?? (result as unknown[])) as Record<string, unknown>[];
}

/**
 * PGlite is single-process: a second process opening the same directory would corrupt it. A lock
 * file holds the owner's pid; a lock left by a process that died is taken over.
 */
async function lockPglite(dir: string): Promise<() => Promise<void>> {
  const file = `${dir}.lock`;
  await mkdir(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new DatabaseRefusal(
          `The PGlite database in ${dir} is in use by process ${owner} (the sandbox?). PGlite is single-process: stop that process first, or use PostgreSQL (DATABASE_URL).`,
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new DatabaseRefusal(`Could not lock the PGlite database in ${dir}.`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
