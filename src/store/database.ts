import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema.js';

/** Either driver's drizzle database (PGlite or postgres.js), or a transaction on it. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
