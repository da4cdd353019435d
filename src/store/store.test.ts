import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DRIVERS, testDatabase, type TestDatabase } from '../../test/support/databases.js';
import { newId } from '../domain/ids.js';
import { planRefund } from '../domain/payment.js';
import { Problem } from '../domain/problem.js';
import { createRepositories, type Repositories } from './index.js';
import { stateOf, type NewPayment } from './payments.js';

describe.each(DRIVERS)('store on %s', (driver) => {
  let database: TestDatabase;
  let repos: Repositories;
  let merchantId: string;
  let otherMerchantId: string;
  let gatewayAccountId: string;

  beforeAll(async () => {
    database = await testDatabase(driver);
    repos = createRepositories(database.db);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await database.truncate();
    merchantId = await repos.merchants.create('m1');
    otherMerchantId = await repos.merchants.create('m2');
    gatewayAccountId = (await repos.merchants.addGatewayAccount({ merchantId, provider: 'stripe', name: 'stripe', label: 's', credentialsRef: 'sandbox:stripe' })).id;
  });

  function paymentRow(overrides: Partial<NewPayment> = {}): NewPayment {
    return {
      id: newId('pay'),
      merchantId,
      status: 'succeeded',
      amount: 1000,
      currency: 'USD',
      captureMethod: 'automatic',
      amountCaptured: 1000,
      card: { brand: 'visa', bin: '424242', last4: '4242', exp_month: 12, exp_year: 2030, fingerprint: 'fp', holder_name: null },
      cardFingerprint: 'fp',
      gatewayAccountId,
      gatewayReference: 'pi_1',
      ...overrides,
    };
  }

  async function insertPayment(overrides: Partial<NewPayment> = {}) {
    const row = paymentRow(overrides);
    await repos.payments.create(row);
    await repos.payments.addAttempt({ id: newId('att'), paymentId: row.id, number: 1, gatewayAccountId, provider: 'stripe', idempotencyKey: `${row.id}:attempt:1`, status: 'succeeded' });
    return row;
  }

  describe('api keys', () => {
    const now = new Date('2026-06-01T00:00:00Z');

    it('finds a merchant by key hash, and nothing for an unknown hash', async () => {
      await repos.merchants.addApiKey({ merchantId, keyHash: 'hash-1', hint: 'sk_test_ab…cdef', label: 'test', scopes: ['payments:read'] });
      expect(await repos.merchants.keyForHash('hash-1', now)).toMatchObject({ merchantId });
      expect(await repos.merchants.keyForHash('hash-2', now)).toBeNull();
    });

    it('finds no key once it has expired, was revoked, or its merchant was disabled', async () => {
      const key = { merchantId, hint: 'sk_test_ab…cdef', label: 'test', scopes: ['payments:read'] };
      const expiring = await repos.merchants.addApiKey({ ...key, keyHash: 'hash-e' });
      const revoked = await repos.merchants.addApiKey({ ...key, keyHash: 'hash-r' });
      await repos.merchants.addApiKey({ ...key, keyHash: 'hash-d', merchantId: otherMerchantId });
      await repos.merchants.expireApiKey(expiring.id, new Date(now.getTime() + 1000));
      await repos.merchants.revokeApiKey(revoked.id, now);
      await repos.merchants.disable(otherMerchantId, now);
      expect(await repos.merchants.keyForHash('hash-e', now)).toMatchObject({ id: expiring.id, scopes: ['payments:read'] });
      expect(await repos.merchants.keyForHash('hash-e', new Date(now.getTime() + 1000))).toBeNull();
      expect(await repos.merchants.keyForHash('hash-r', now)).toBeNull();
      expect(await repos.merchants.keyForHash('hash-d', now)).toBeNull();
    });
  });

  describe('api key rotation', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    it('keeps one live key per label, and the same key given again stays live', async () => {
      await repos.merchants.replaceApiKey({ merchantId, keyHash: 'hash-a', hint: 'sk_a', label: 'sandbox', scopes: ['payments:read'] }, now);
      await repos.merchants.replaceApiKey({ merchantId, keyHash: 'hash-b', hint: 'sk_b', label: 'sandbox', scopes: ['payments:read'] }, now);
      expect(await repos.merchants.keyForHash('hash-a', now)).toBeNull();
      expect(await repos.merchants.keyForHash('hash-b', now)).toMatchObject({ merchantId });
      // Revoked at the caller's time, not the database server's.
      expect((await repos.merchants.apiKeys(merchantId)).find((k) => k.hint === 'sk_a')?.revokedAt).toEqual(now);
      await repos.merchants.replaceApiKey({ merchantId, keyHash: 'hash-b', hint: 'sk_b', label: 'sandbox', scopes: ['payments:read'] }, now);
      expect(await repos.merchants.keyForHash('hash-b', now)).toMatchObject({ merchantId });
      await repos.merchants.replaceApiKey({ merchantId, keyHash: 'hash-a', hint: 'sk_a', label: 'sandbox', scopes: ['payments:read'] }, now);
      expect(await repos.merchants.keyForHash('hash-a', now)).toMatchObject({ merchantId });
      expect(await repos.merchants.keyForHash('hash-b', now)).toBeNull();
    });
  });

  describe('learner state', () => {
    const SAVED_AT = new Date('2026-06-01T00:00:00Z');
    it("keeps one row per merchant: a save replaces that merchant's latest snapshot and no other's", async () => {
      expect(await repos.learner.loadAll()).toEqual([]);
      await repos.learner.save(merchantId, { version: 1, cells: [1, 2, 3, 4] }, 0, SAVED_AT);
      await repos.learner.save(otherMerchantId, { version: 1, cells: [9, 9, 9, 9] }, 0, SAVED_AT);
      await repos.learner.save(merchantId, { version: 1, cells: [5, 6, 7, 8] }, 7, SAVED_AT);
      const rows = await repos.learner.loadAll();
      expect(rows).toHaveLength(2);
      expect(rows).toEqual(
        expect.arrayContaining([
          { merchantId, snapshot: { version: 1, cells: [5, 6, 7, 8] }, outcomeSeq: 7 },
          { merchantId: otherMerchantId, snapshot: { version: 1, cells: [9, 9, 9, 9] }, outcomeSeq: 0 },
        ]),
      );
    });

    it('numbers the outcomes it logs in the order given and reads them back after a number', async () => {
      const outcomes = ['first', 'second', 'third'].map((o, i) => ({ merchantId: i === 1 ? otherMerchantId : merchantId, outcome: { o } }));
      const seqs = await repos.learner.append(outcomes);
      expect(seqs).toHaveLength(3);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      expect(await repos.learner.since(seqs[0]!, 10)).toEqual([
        { seq: seqs[1], merchantId: otherMerchantId, outcome: { o: 'second' } },
        { seq: seqs[2], merchantId, outcome: { o: 'third' } },
      ]);
      expect(await repos.learner.since(seqs[0]! - 1, 1)).toEqual([{ seq: seqs[0], merchantId, outcome: { o: 'first' } }]);
    });

    it('refuses a row for a merchant that does not exist', async () => {
      await expect(repos.learner.save('mer_missing', { version: 1 }, 0, SAVED_AT)).rejects.toThrow();
      expect(await repos.learner.loadAll()).toEqual([]);
    });

    it('knows which merchant owns each gateway account', async () => {
      const other = await repos.merchants.addGatewayAccount({ merchantId: otherMerchantId, provider: 'stripe', name: 'stripe', label: 's', credentialsRef: 'sandbox:stripe' });
      expect(await repos.merchants.gatewayAccountOwners()).toEqual(
        new Map([
          [gatewayAccountId, merchantId],
          [other.id, otherMerchantId],
        ]),
      );
    });
  });

  describe('idempotency keys', () => {
    const start = new Date('2026-06-01T12:00:00Z');
    const at = (offsetMs: number, ttlMs = 86_400_000, leaseMs = 30_000) => {
      const now = new Date(start.getTime() + offsetMs);
      return { now, leaseUntil: new Date(now.getTime() + leaseMs), expiresAt: new Date(now.getTime() + ttlMs) };
    };

    it('lets exactly one of many concurrent claims through', async () => {
      const claims = await Promise.all(Array.from({ length: 50 }, () => repos.idempotency.claim(merchantId, 'k', 'h', at(0))));
      expect(claims.filter((c) => c.state === 'claimed')).toHaveLength(1);
      expect(claims.filter((c) => c.state === 'in_progress')).toHaveLength(49);
    });

    it('answers the stored response for the same request and flags a different one', async () => {
      await repos.idempotency.claim(merchantId, 'k', 'h', at(0));
      await repos.idempotency.complete(merchantId, 'k', 201, '{"id":"pay_1"}');
      expect(await repos.idempotency.claim(merchantId, 'k', 'h', at(1000))).toEqual({
        state: 'completed',
        sameRequest: true,
        status: 201,
        body: '{"id":"pay_1"}',
      });
      expect(await repos.idempotency.claim(merchantId, 'k', 'other', at(1000))).toMatchObject({ state: 'completed', sameRequest: false });
    });

    it('scopes keys per merchant', async () => {
      await repos.idempotency.claim(merchantId, 'k', 'h', at(0));
      expect(await repos.idempotency.claim(otherMerchantId, 'k', 'h', at(0))).toEqual({ state: 'claimed' });
    });

    it('frees a released key and takes over an expired one', async () => {
      await repos.idempotency.claim(merchantId, 'k', 'h', at(0));
      await repos.idempotency.release(merchantId, 'k');
      expect(await repos.idempotency.claim(merchantId, 'k', 'h2', at(0, 1000))).toEqual({ state: 'claimed' });
      expect(await repos.idempotency.claim(merchantId, 'k', 'h3', at(2000))).toEqual({ state: 'claimed' });
      expect(await repos.idempotency.purgeExpired(at(2000).now)).toBe(0);
    });

    it('keeps a running request\'s key only for its lease, and says how long is left', async () => {
      await repos.idempotency.claim(merchantId, 'k', 'h', at(0));
      expect(await repos.idempotency.claim(merchantId, 'k', 'h', at(20_000))).toEqual({ state: 'in_progress', sameRequest: true, retryAfterMs: 10_000 });
      await repos.idempotency.renew(merchantId, 'k', at(20_000).leaseUntil);
      expect(await repos.idempotency.claim(merchantId, 'k', 'h', at(40_000))).toMatchObject({ state: 'in_progress', retryAfterMs: 10_000 });
      // The request stopped renewing (it crashed) before it created anything: the retry runs it afresh, once.
      const after = await Promise.all([1, 2, 3].map(() => repos.idempotency.claim(merchantId, 'k', 'h', at(50_001))));
      expect(after.filter((c) => c.state === 'claimed')).toHaveLength(1);
      expect(after.filter((c) => c.state === 'in_progress')).toHaveLength(2);
      // Another body under the key is still refused while it is taken.
      expect(await repos.idempotency.claim(merchantId, 'k', 'other', at(90_000))).toMatchObject({ state: 'in_progress', sameRequest: false });
    });

    it('answers what a crashed request created instead of running it again', async () => {
      await repos.idempotency.claim(merchantId, 'k', 'h', at(0));
      await repos.idempotency.link(merchantId, 'k', { type: 'payment.create', id: 'pay_crashed' });
      expect(await repos.idempotency.claim(merchantId, 'k', 'h', at(10_000))).toMatchObject({ state: 'in_progress' });
      expect(await repos.idempotency.claim(merchantId, 'k', 'h', at(31_000))).toEqual({
        state: 'recovered',
        sameRequest: true,
        resource: { type: 'payment.create', id: 'pay_crashed' },
      });
    });

    it('purges expired keys only', async () => {
      await repos.idempotency.claim(merchantId, 'old', 'h', at(0, 1000));
      await repos.idempotency.claim(merchantId, 'new', 'h', at(0));
      expect(await repos.idempotency.purgeExpired(at(2000).now)).toBe(1);
      expect(await repos.idempotency.claim(merchantId, 'new', 'h', at(2000))).toMatchObject({ state: 'in_progress' });
    });
  });

  describe('compare-and-set', () => {
    it('writes a payment only at the version it was read at, and bumps it', async () => {
      const row = await insertPayment({ status: 'processing', amountCaptured: 0 });
      const now = new Date('2026-06-01T12:00:00Z');
      const first = await repos.payments.update(row.id, 0, { status: 'succeeded', amountCaptured: 1000 }, now);
      expect(first).toMatchObject({ status: 'succeeded', version: 1 });
      // A late writer that read version 0 loses, and changes nothing.
      expect(await repos.payments.update(row.id, 0, { status: 'processing' }, now)).toBeNull();
      expect((await repos.payments.get(merchantId, row.id))!.payment).toMatchObject({ status: 'succeeded', version: 1 });
    });

    it('keeps the payer a gateway named on the attempt, as written', async () => {
      const row = await insertPayment({ status: 'processing' });
      const attempt = await repos.payments.addAttempt({ id: newId('att'), paymentId: row.id, number: 2, gatewayAccountId, provider: 'gocardless', idempotencyKey: `${row.id}:attempt:2`, status: 'pending' });
      const payer = { kind: 'mandate', mandateId: 'MD0001ABCDEFGH', reference: 'SIM-0A1B2C3D4E' } as const;
      expect(await repos.payments.updateAttempt(attempt.id, { outcome: 'pending', payer })).toBe(true);
      // A later result without a payer (a lookup that names none) keeps it.
      expect(await repos.payments.updateAttempt(attempt.id, { status: 'succeeded', outcome: 'approved' })).toBe(true);
      expect((await repos.payments.attempts(row.id)).find((a) => a.number === 2)).toMatchObject({ status: 'succeeded', payer });
    });

    it('never overwrites a final attempt result', async () => {
      const row = await insertPayment({ status: 'processing' });
      const attempt = (await repos.payments.attempts(row.id))[0]!;
      expect(await repos.payments.updateAttempt(attempt.id, { status: 'unknown' })).toBe(false);
      expect((await repos.payments.attempts(row.id))[0]!.status).toBe('succeeded');
    });
  });

  describe('payments', () => {
    it('keeps large amounts exact in bigint columns', async () => {
      const row = await insertPayment({ currency: 'KWD', amount: 999_999_999_999, amountCaptured: 999_999_999_999 });
      const record = await repos.payments.get(merchantId, row.id);
      expect(record?.payment.amount).toBe(999_999_999_999);
      expect(record?.attempts).toHaveLength(1);
    });

    it("never answers another merchant's payment", async () => {
      const row = await insertPayment();
      expect(await repos.payments.get(otherMerchantId, row.id)).toBeNull();
      expect(await repos.payments.list(otherMerchantId, { limit: 10 })).toEqual([]);
      expect(await repos.payments.lock(row.id, otherMerchantId)).toBeNull();
    });

    it('lists newest first with a cursor, a status filter and a created range', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await insertPayment({ status: i % 2 ? 'failed' : 'succeeded', createdAt: new Date(Date.UTC(2026, 0, 1 + i)) })).id);
      const first = await repos.payments.list(merchantId, { limit: 2 });
      expect(first.map((r) => r.payment.id)).toEqual([ids[4], ids[3], ids[2]]);
      const second = await repos.payments.list(merchantId, { limit: 2, startingAfter: ids[3] });
      expect(second.map((r) => r.payment.id)).toEqual([ids[2], ids[1], ids[0]]);
      const failed = await repos.payments.list(merchantId, { limit: 10, status: 'failed' });
      expect(failed.map((r) => r.payment.id)).toEqual([ids[3], ids[1]]);
      const ranged = await repos.payments.list(merchantId, {
        limit: 10,
        createdGte: new Date(Date.UTC(2026, 0, 2)),
        createdLte: new Date(Date.UTC(2026, 0, 3)),
      });
      expect(ranged.map((r) => r.payment.id)).toEqual([ids[2], ids[1]]);
    });

  });

  describe('refund reservations', () => {
    const now = new Date('2026-06-01T12:00:00Z');
    /** The reservation as the refund service makes it: under the payment's row lock, pending refunds count as spent. */
    function reserve(paymentId: string, requested: number) {
      return repos.transaction(async (tx) => {
        const payment = (await tx.payments.lock(paymentId, merchantId))!;
        const amount = planRefund(stateOf(payment), requested, await tx.payments.pendingRefundTotal(paymentId));
        return tx.payments.insertRefund({ id: newId('re'), paymentId, merchantId, amount, currency: 'USD', status: 'pending' });
      });
    }

    it('never lets concurrent refunds exceed the captured amount', async () => {
      const row = await insertPayment();
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => reserve(row.id, 300)));
      const reserved = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r) => r.status === 'rejected');
      expect(reserved).toHaveLength(3);
      expect(refused.every((r) => (r as PromiseRejectedResult).reason instanceof Problem)).toBe(true);
      expect((await repos.payments.refunds(merchantId, row.id)).reduce((sum, r) => sum + r.amount, 0)).toBe(900);
    });

    it('counts a settled refund once, however often it is confirmed', async () => {
      const row = await insertPayment();
      const refund = await reserve(row.id, 400);
      expect(await repos.payments.settleRefund(refund.id, { status: 'succeeded', gatewayReference: 're_1' }, now)).toMatchObject({ status: 'succeeded' });
      expect(await repos.payments.settleRefund(refund.id, { status: 'succeeded', gatewayReference: 're_1' }, now)).toBeNull();
      expect((await repos.payments.get(merchantId, row.id))?.payment.amountRefunded).toBe(400);
    });

    it('releases the reservation of a failed refund', async () => {
      const row = await insertPayment();
      const first = await reserve(row.id, 1000);
      await expect(reserve(row.id, 1000)).rejects.toThrow(Problem);
      await repos.payments.settleRefund(first.id, { status: 'failed', failureCode: 'x' }, now);
      await expect(reserve(row.id, 1000)).resolves.toMatchObject({ status: 'pending' });
    });
  });
});
