import type { Database } from './database.js';
import { idempotencyRepository } from './idempotency.js';
import { merchantRepository } from './merchants.js';
import { paymentRepository } from './payments.js';

export type { Database } from './database.js';

/** One repository layer over either driver: the code path is the same for PGlite and PostgreSQL. */
export function createRepositories(db: Database) {
  return {
    merchants: merchantRepository(db),
    payments: paymentRepository(db),
    idempotency: idempotencyRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
