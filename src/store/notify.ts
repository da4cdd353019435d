import { sql } from 'drizzle-orm';
import type { Database } from './database.js';

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
export const MAX_NOTIFY_BYTES = 7_999;

/** NOTIFY `channel` with `payload`, outside any transaction: the listeners hear it at once. */
export async function notify(db: Database, channel: string, payload: string): Promise<void> {
  await db.execute(sql`select pg_notify(${channel}, ${payload})`);
}
