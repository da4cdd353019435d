import { mkdir } from 'node:fs/promises';
import { storeConfig } from './config.js';
import { openDatabase } from './database.js';
import { exitOnRefusal } from './lifecycle.js';

/** `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the sandbox's PGlite directory. */
const { target, database } = await open().catch(exitOnRefusal);
try {
  const applied = await database.migrate();
  const where = target.url ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${target.pgliteDir}`;
  process.stdout.write(applied.length === 0 ? `${where}: up to date, nothing to apply.\n` : `${where}: applied ${applied.length} migration(s):\n${applied.map((name) => `  ${name}\n`).join('')}`);
} finally {
  await database.close();
}

async function open() {
  const target = storeConfig(process.env);
  if (target.pgliteDir) await mkdir(target.pgliteDir, { recursive: true });
  return { target, database: await openDatabase({ ...target, migrations: 'leave' }) };
}
