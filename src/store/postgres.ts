import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { Database, Subscribe } from './database.js';
import * as schema from './schema.js';

export interface PostgresOptions {
  max?: number;
  /** Sees every statement a connection sends (transaction control included), before it is sent: for counting. */
  onQuery?: (connection: number, query: string) => void;
}

export function openPostgres(url: string, options: PostgresOptions = {}) {
  const onQuery = options.onQuery;
  const client = postgres(url, { max: options.max ?? 10, onnotice: () => {}, ...(onQuery ? { debug: (connection: number, query: string) => onQuery(connection, query) } : {}) });
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
