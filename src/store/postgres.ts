import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { Database, Subscribe } from './database.js';
import * as schema from './schema.js';

export function openPostgres(url: string, options: { max?: number } = {}) {
  const client = postgres(url, { max: options.max ?? 10, onnotice: () => {} });
  const db = drizzle({ client, schema });
  /**
   * postgres.js listens on a connection of its own and, when that connection closes, reconnects
   * and listens again, calling `onListen` each time. `client.end()` closes it too.
   */
  const subscribe: Subscribe = async (channel, handler) => {
    const { unlisten } = await client.listen(channel, (payload) => handler.onNotify(payload), () => handler.onListen());
    return { unsubscribe: unlisten };
  };
  return { db: db as unknown as Database, drizzle: db, subscribe, close: () => client.end({ timeout: 5 }) };
}
