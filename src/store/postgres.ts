import { once } from 'node:events';
import { connect } from 'node:net';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres, { type Sql } from 'postgres';
import type { Database, Subscribe } from './database.js';
import * as schema from './schema.js';

export interface PostgresOptions {
  max?: number;
  /** Sees every statement a connection sends (transaction control included), before it is sent: for counting. */
  onQuery?: (connection: number, query: string) => void;
}

export function openPostgres(url: string, options: PostgresOptions = {}) {
  const onQuery = options.onQuery;
  const client = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // A documented postgres.js option its type declarations leave out.
    ...({ socket: withoutNagle } as unknown as postgres.Options<{}>),
    ...(onQuery ? { debug: (connection: number, query: string) => onQuery(connection, query) } : {}),
  });
  const db = drizzle({ client: preparing(client), schema });
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

/**
 * postgres.js connects plain `net.Socket`s, which wait (Nagle's algorithm) to send a small write
 * while an earlier one is unacknowledged: a statement written right after another could sit for
 * a delayed ACK. Each connection is opened here with that switched off, to the URL's (first) host
 * or its Unix socket; postgres.js still negotiates TLS on it when the URL asks for it.
 */
async function withoutNagle(options: { host: string[]; port: number[]; path?: string | false }) {
  const host = options.host[0] ?? 'localhost';
  const port = options.port[0] ?? 5432;
  const socket = options.path ? connect(options.path) : connect({ host, port, noDelay: true });
  await once(socket, 'connect');
  // What postgres.js sets on the sockets it connects itself, and reads for TLS's server name.
  return Object.assign(socket, { host, port });
}

/**
 * The client as drizzle sees it, with every statement prepared: drizzle's postgres-js session asks
 * for `prepare: false` unless a query is named, and postgres.js then asks the server for the
 * parameter types before each parameterised statement (an extra round trip). Prepared, each
 * connection parses a statement once and runs it by name after. Transactions and savepoints hand
 * drizzle their own client: it is wrapped the same way.
 */
function preparing(client: Sql): Sql {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (query: string, parameters?: unknown[], options?: object) => target.unsafe(query, parameters as never, { ...options, prepare: true });
      }
      if (property === 'begin' || property === 'savepoint') {
        const method = Reflect.get(target, property, receiver) as (...args: unknown[]) => Promise<unknown>;
        return (...args: unknown[]) => {
          const work = args.pop() as (sql: Sql) => unknown;
          return method.call(target, ...args, (sql: Sql) => work(preparing(sql)));
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}
