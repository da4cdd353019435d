import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { Database } from './database.js';
import type { Repositories } from './index.js';
import { idempotencyKeys } from './schema.js';
import { placeholdersOf, runShaped, statementCache } from './statement-cache.js';

/** What a request with this key created: a retry after a crash answers it as it now stands. */
export type IdempotentResourceType = 'payment.create' | 'payment' | 'refund' | 'webhook_endpoint' | 'stripe.payment_intent' | 'alert_rule';
export interface IdempotentResource {
  type: IdempotentResourceType;
  id: string;
}

export type Claim =
  | { state: 'claimed' }
  | { state: 'in_progress'; sameRequest: boolean; retryAfterMs: number }
  | { state: 'completed'; sameRequest: boolean; status: number; body: string }
  /**
   * Answer `resource` as it now stands, never run again: the first request's lease ran out after it
   * created it, or its answer holds a secret and is kept only as this link.
   */
  | { state: 'recovered'; sameRequest: boolean; resource: IdempotentResource };

/**
 * The key of a request whose handler claims it itself (the middleware's `deferClaim`): the claim
 * runs with the handler's transaction-bound repositories; `settled` reports it once that
 * transaction committed (a claim rolled back with its transaction never happened). A handler that
 * stored the answer with its own last write says so with `stored`.
 */
export interface DeferredIdempotency {
  merchantId: string;
  key: string;
  claim(repositories: Repositories): Promise<Claim>;
  settled(claim: Claim): void;
  stored(): void;
}

export interface ClaimTimes {
  now: Date;
  /** Until when the claiming request holds the key (renewed while it runs). */
  leaseUntil: Date;
  /** Until when the key and its answer are kept. */
  expiresAt: Date;
}

const statements = statementCache();

/** The claim's first statement, built once (statement-cache.ts): it runs for every request with a key. */
function claimSql(db: Database) {
  const c = placeholdersOf('c', { merchantId: '', key: '', requestHash: '', leaseUntil: new Date(0), now: new Date(0), expiresAt: new Date(0) });
  return db
    .insert(idempotencyKeys)
    .values({ merchantId: c.merchantId, key: c.key, requestHash: c.requestHash, state: 'in_progress', lockedUntil: c.leaseUntil, createdAt: c.now, expiresAt: c.expiresAt })
    .onConflictDoUpdate({
      target: [idempotencyKeys.merchantId, idempotencyKeys.key],
      set: { requestHash: c.requestHash, state: 'in_progress', responseStatus: null, responseBody: null, resourceType: null, resourceId: null, lockedUntil: c.leaseUntil, createdAt: c.now, expiresAt: c.expiresAt },
      setWhere: lt(idempotencyKeys.expiresAt, c.now),
    })
    .returning({ key: idempotencyKeys.key })
    .getSQL();
}

export function idempotencyRepository(db: Database) {
  const keyIs = (merchantId: string, key: string) => and(eq(idempotencyKeys.merchantId, merchantId), eq(idempotencyKeys.key, key));

  return {
    /**
     * Claims a key atomically: exactly one concurrent caller gets `claimed`. An expired key is
     * taken over as if it were new. A key whose request stopped renewing its lease (a crash) is
     * taken over by the next caller with the same request: it answers what that request created,
     * or, when it created nothing, runs it afresh.
     */
    async claim(merchantId: string, key: string, requestHash: string, times: ClaimTimes): Promise<Claim> {
      const { now, leaseUntil, expiresAt } = times;
      const claimed = await runShaped(db, statements.get('claim', () => claimSql(db)), { c: { merchantId, key, requestHash, leaseUntil, now, expiresAt } });
      if (claimed.length > 0) return { state: 'claimed' };

      const [row] = await db.select().from(idempotencyKeys).where(keyIs(merchantId, key));
      if (!row) return this.claim(merchantId, key, requestHash, times);
      const sameRequest = row.requestHash === requestHash;
      if (row.state === 'completed' && row.responseStatus !== null) {
        if (row.responseBody !== null) return { state: 'completed', sameRequest, status: row.responseStatus, body: row.responseBody };
        if (row.resourceType && row.resourceId) {
          return { state: 'recovered', sameRequest, resource: { type: row.resourceType as IdempotentResourceType, id: row.resourceId } };
        }
      }
      const leaseLeft = row.lockedUntil ? row.lockedUntil.getTime() - now.getTime() : 0;
      if (!sameRequest || leaseLeft >= 0) return { state: 'in_progress', sameRequest, retryAfterMs: Math.max(leaseLeft, 0) };

      const [taken] = await db
        .update(idempotencyKeys)
        .set({ lockedUntil: leaseUntil })
        .where(and(keyIs(merchantId, key), eq(idempotencyKeys.state, 'in_progress'), or(isNull(idempotencyKeys.lockedUntil), lt(idempotencyKeys.lockedUntil, now))))
        .returning({ resourceType: idempotencyKeys.resourceType, resourceId: idempotencyKeys.resourceId });
      if (!taken) return this.claim(merchantId, key, requestHash, times);
      if (taken.resourceType && taken.resourceId) {
        return { state: 'recovered', sameRequest, resource: { type: taken.resourceType as IdempotentResourceType, id: taken.resourceId } };
      }
      return { state: 'claimed' };
    },

    /** Keeps the key's lease while its request runs. */
    async renew(merchantId: string, key: string, leaseUntil: Date): Promise<void> {
      await db
        .update(idempotencyKeys)
        .set({ lockedUntil: leaseUntil })
        .where(and(keyIs(merchantId, key), eq(idempotencyKeys.state, 'in_progress')));
    },

    /** Names what the key's request created; called in the transaction that creates it. */
    async link(merchantId: string, key: string, resource: IdempotentResource): Promise<void> {
      await db
        .update(idempotencyKeys)
        .set({ resourceType: resource.type, resourceId: resource.id })
        .where(and(keyIs(merchantId, key), eq(idempotencyKeys.state, 'in_progress')));
    },

    /** Keeps the answer; a null body keeps only the linked resource, rendered again on replay (an answer that holds a secret). */
    async complete(merchantId: string, key: string, status: number, body: string | null): Promise<void> {
      await db
        .update(idempotencyKeys)
        .set({ state: 'completed', responseStatus: status, responseBody: body, lockedUntil: null })
        .where(keyIs(merchantId, key));
    },

    /** Frees a key whose request changed nothing (invalid input, a retryable failure). */
    async release(merchantId: string, key: string): Promise<void> {
      await db.delete(idempotencyKeys).where(keyIs(merchantId, key));
    },

    async purgeExpired(now: Date): Promise<number> {
      const rows = await db
        .delete(idempotencyKeys)
        .where(lt(idempotencyKeys.expiresAt, now))
        .returning({ key: idempotencyKeys.key });
      return rows.length;
    },
  };
}
