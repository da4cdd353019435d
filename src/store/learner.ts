import { eq } from 'drizzle-orm';
import type { Database } from './database.js';
import { learnerState } from './schema.js';

const ID = 'router';

export function learnerRepository(db: Database) {
  return {
    async load(): Promise<unknown | null> {
      const [row] = await db.select({ snapshot: learnerState.snapshot }).from(learnerState).where(eq(learnerState.id, ID));
      return row?.snapshot ?? null;
    },

    async save(snapshot: unknown): Promise<void> {
      const savedAt = new Date();
      await db
        .insert(learnerState)
        .values({ id: ID, snapshot, savedAt })
        .onConflictDoUpdate({ target: learnerState.id, set: { snapshot, savedAt } });
    },
  };
}
