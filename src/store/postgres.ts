import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { Database } from './database.js';
import * as schema from './schema.js';

export function openPostgres(url: string, options: { max?: number } = {}) {
  const client = postgres(url, { max: options.max ?? 10, onnotice: () => {} });
  const db = drizzle({ client, schema });
  return { db: db as unknown as Database, drizzle: db, close: () => client.end({ timeout: 5 }) };
}
