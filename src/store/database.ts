import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema.js';

/** Either driver's drizzle database (PGlite or postgres.js), or a transaction on it. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface NotificationHandler {
  /** A NOTIFY on the channel, with its payload. */
  onNotify(payload: string): void;
  /** The listener is (again) listening: notifications sent while it was not are lost. */
  onListen(): void;
}

/** LISTEN on a channel; `unsubscribe` stops it. */
export type Subscribe = (channel: string, handler: NotificationHandler) => Promise<{ unsubscribe(): Promise<void> }>;
