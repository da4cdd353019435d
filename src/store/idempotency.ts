import { and, eq, lt, sql } from 'drizzle-orm';
import type { Database } from './database.js';
import { idempotencyKeys } from './schema.js';

export type Claim =
  | { state: 'claimed' }
  | { state: 'in_progress'; sameRequest: boolean }
  | { state: 'completed'; sameRequest: boolean; status: number; body: string };

export function idempotencyRepository(db: Database) {
  return {
    /**
     * Claims a key atomically: exactly one concurrent caller gets `claimed`. An expired key
     * is taken over as if it were new.
     */
    async claim(merchantId: string, key: string, requestHash: string, ttlSeconds: number): Promise<Claim> {
      const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
      const claimed = await db
        .insert(idempotencyKeys)
        .values({ merchantId, key, requestHash, state: 'in_progress', expiresAt })
        .onConflictDoUpdate({
          target: [idempotencyKeys.merchantId, idempotencyKeys.key],
          set: { requestHash, state: 'in_progress', responseStatus: null, responseBody: null, createdAt: new Date(), expiresAt },
          setWhere: lt(idempotencyKeys.expiresAt, sql`now()`),
        })
        .returning({ key: idempotencyKeys.key });
      if (claimed.length > 0) return { state: 'claimed' };

      const [row] = await db
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.merchantId, merchantId), eq(idempotencyKeys.key, key)));
      if (!row) return this.claim(merchantId, key, requestHash, ttlSeconds);
      const sameRequest = row.requestHash === requestHash;
      if (row.state === 'completed' && row.responseStatus !== null && row.responseBody !== null) {
        return { state: 'completed', sameRequest, status: row.responseStatus, body: row.responseBody };
      }
      return { state: 'in_progress', sameRequest };
    },

    async complete(merchantId: string, key: string, status: number, body: string): Promise<void> {
      await db
        .update(idempotencyKeys)
        .set({ state: 'completed', responseStatus: status, responseBody: body })
        .where(and(eq(idempotencyKeys.merchantId, merchantId), eq(idempotencyKeys.key, key)));
    },

    /** Frees a key whose request changed nothing (invalid input, a retryable failure). */
    async release(merchantId: string, key: string): Promise<void> {
      await db
        .delete(idempotencyKeys)
        .where(and(eq(idempotencyKeys.merchantId, merchantId), eq(idempotencyKeys.key, key)));
    },

    async purgeExpired(): Promise<number> {
      const rows = await db
        .delete(idempotencyKeys)
        .where(lt(idempotencyKeys.expiresAt, sql`now()`))
        .returning({ key: idempotencyKeys.key });
      return rows.length;
    },
  };
}
