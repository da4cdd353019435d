import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import type { Database, Subscribe } from './database.js';
import * as schema from './schema.js';

/** Embedded PostgreSQL (WASM): a data directory, or memory when none is given. */
export function openPglite(dataDir?: string) {
  const client = new PGlite(dataDir);
  const db = drizzle({ client, schema });
  /** PGlite is in process: its one connection never drops, so `onListen` is called once. */
  const subscribe: Subscribe = async (channel, handler) => {
    const unlisten = await client.listen(channel, (payload) => handler.onNotify(payload));
    handler.onListen();
    return { unsubscribe: unlisten };
  };
  return { db: db as unknown as Database, drizzle: db, client, subscribe, close: () => client.close() };
}
