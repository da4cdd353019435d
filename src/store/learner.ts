import type { Database } from './database.js';
import { merchantLearnerState } from './schema.js';

interface StoredLearnerState {
  merchantId: string;
  snapshot: unknown;
}

/** One row per merchant: a save replaces that merchant's row and touches no other. */
export function learnerRepository(db: Database) {
  return {
    async loadAll(): Promise<StoredLearnerState[]> {
      return db.select({ merchantId: merchantLearnerState.merchantId, snapshot: merchantLearnerState.snapshot }).from(merchantLearnerState);
    },

    async save(merchantId: string, snapshot: unknown): Promise<void> {
      const savedAt = new Date();
      await db
        .insert(merchantLearnerState)
        .values({ merchantId, snapshot, savedAt })
        .onConflictDoUpdate({ target: merchantLearnerState.merchantId, set: { snapshot, savedAt } });
    },
  };
}
