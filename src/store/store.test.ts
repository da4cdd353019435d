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
    await repos.payments.addAttempt(
      { id: newId('att'), paymentId: row.id, number: 1, gatewayAccountId, provider: 'stripe', idempotencyKey: `${row.id}:attempt:1`, status: 'succeeded' },
      gatewayAccountId,
    );
    return row;
  }

  describe('api keys', () => {
    it('finds a merchant by key hash, and nothing for an unknown hash', async () => {
      await repos.merchants.addApiKey(merchantId, 'hash-1', 'sk_sandbox_ab', 'test');
      expect(await repos.merchants.keyForHash('hash-1')).toMatchObject({ merchantId });
      expect(await repos.merchants.keyForHash('hash-2')).toBeNull();
    });
  });

  describe('api key rotation', () => {
    it('keeps one live key per label, and the same key given again stays live', async () => {
      await repos.merchants.replaceApiKey(merchantId, 'hash-a', 'sk_a', 'sandbox');
      await repos.merchants.replaceApiKey(merchantId, 'hash-b', 'sk_b', 'sandbox');
      expect(await repos.merchants.keyForHash('hash-a')).toBeNull();
      expect(await repos.merchants.keyForHash('hash-b')).toMatchObject({ merchantId });
      await repos.merchants.replaceApiKey(merchantId, 'hash-b', 'sk_b', 'sandbox');
      expect(await repos.merchants.keyForHash('hash-b')).toMatchObject({ merchantId });
      await repos.merchants.replaceApiKey(merchantId, 'hash-a', 'sk_a', 'sandbox');
      expect(await repos.merchants.keyForHash('hash-a')).toMatchObject({ merchantId });
      expect(await repos.merchants.keyForHash('hash-b')).toBeNull();
    });
  });

  describe('learner state', () => {
    it('saves and loads the latest snapshot', async () => {
      expect(await repos.learner.load()).toBeNull();
      await repos.learner.save({ version: 1, cells: [1, 2, 3, 4] });
      await repos.learner.save({ version: 1, cells: [5, 6, 7, 8] });
      expect(await repos.learner.load()).toEqual({ version: 1, cells: [5, 6, 7, 8] });
    });
  });

  describe('idempotency keys', () => {
    it('lets exactly one of many concurrent claims through', async () => {
      const claims = await Promise.all(Array.from({ length: 50 }, () => repos.idempotency.claim(merchantId, 'k', 'h', 86_400)));
      expect(claims.filter((c) => c.state === 'claimed')).toHaveLength(1);
      expect(claims.filter((c) => c.state === 'in_progress')).toHaveLength(49);
    });

    it('answers the stored response for the same request and flags a different one', async () => {
      await repos.idempotency.claim(merchantId, 'k', 'h', 86_400);
      await repos.idempotency.complete(merchantId, 'k', 201, '{"id":"pay_1"}');
      expect(await repos.idempotency.claim(merchantId, 'k', 'h', 86_400)).toEqual({
        state: 'completed',
        sameRequest: true,
        status: 201,
        body: '{"id":"pay_1"}',
      });
      expect(await repos.idempotency.claim(merchantId, 'k', 'other', 86_400)).toMatchObject({ state: 'completed', sameRequest: false });
    });

    it('scopes keys per merchant', async () => {
      await repos.idempotency.claim(merchantId, 'k', 'h', 86_400);
      expect(await repos.idempotency.claim(otherMerchantId, 'k', 'h', 86_400)).toEqual({ state: 'claimed' });
    });

    it('frees a released key and takes over an expired one', async () => {
      await repos.idempotency.claim(merchantId, 'k', 'h', 86_400);
      await repos.idempotency.release(merchantId, 'k');
      expect(await repos.idempotency.claim(merchantId, 'k', 'h2', -1)).toEqual({ state: 'claimed' });
      expect(await repos.idempotency.claim(merchantId, 'k', 'h3', 86_400)).toEqual({ state: 'claimed' });
      expect(await repos.idempotency.purgeExpired()).toBe(0);
    });

    it('purges expired keys only', async () => {
      await repos.idempotency.claim(merchantId, 'old', 'h', -1);
      await repos.idempotency.claim(merchantId, 'new', 'h', 86_400);
      expect(await repos.idempotency.purgeExpired()).toBe(1);
      expect(await repos.idempotency.claim(merchantId, 'new', 'h', 86_400)).toMatchObject({ state: 'in_progress' });
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
      expect(await repos.payments.reserveRefund(otherMerchantId, row.id, () => { throw new Error('must not plan'); })).toBeNull();
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

    it('lets one capture or cancel hold a payment at a time', async () => {
      const row = await insertPayment({ status: 'requires_capture', amountCaptured: 0, amountCapturable: 1000 });
      const check = (r: { pendingOperation: string | null }) => {
        if (r.pendingOperation) throw new Error('busy');
      };
      await repos.payments.beginOperation(merchantId, row.id, 'capture', check);
      await expect(repos.payments.beginOperation(merchantId, row.id, 'cancel', check)).rejects.toThrow('busy');
      await repos.payments.finishOperation(row.id, null);
      await expect(repos.payments.beginOperation(merchantId, row.id, 'cancel', check)).resolves.not.toBeNull();
    });
  });

  describe('refund reservations', () => {
    it('never lets concurrent refunds exceed the captured amount', async () => {
      const row = await insertPayment();
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, () =>
          repos.payments.reserveRefund(merchantId, row.id, (payment, pending) => ({
            id: newId('re'),
            amount: planRefund(stateOf(payment), 300, pending),
            currency: 'USD',
            status: 'pending',
          })),
        ),
      );
      const reserved = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r) => r.status === 'rejected');
      expect(reserved).toHaveLength(3);
      expect(refused.every((r) => (r as PromiseRejectedResult).reason instanceof Problem)).toBe(true);
      expect((await repos.payments.refunds(merchantId, row.id)).reduce((sum, r) => sum + r.amount, 0)).toBe(900);
    });

    it('counts a settled refund once, however often it is confirmed', async () => {
      const row = await insertPayment();
      const reserved = await repos.payments.reserveRefund(merchantId, row.id, () => ({ id: newId('re'), amount: 400, currency: 'USD', status: 'pending' }));
      await repos.payments.settleRefund(reserved!.refund.id, { status: 'succeeded', gatewayReference: 're_1' });
      await repos.payments.settleRefund(reserved!.refund.id, { status: 'succeeded', gatewayReference: 're_1' });
      expect((await repos.payments.get(merchantId, row.id))?.payment.amountRefunded).toBe(400);
    });

    it('releases the reservation of a failed refund', async () => {
      const row = await insertPayment();
      const plan = (payment: Parameters<typeof stateOf>[0], pending: number) => ({
        id: newId('re'),
        amount: planRefund(stateOf(payment), 1000, pending),
        currency: 'USD',
        status: 'pending',
      });
      const first = await repos.payments.reserveRefund(merchantId, row.id, plan);
      await expect(repos.payments.reserveRefund(merchantId, row.id, plan)).rejects.toThrow(Problem);
      await repos.payments.settleRefund(first!.refund.id, { status: 'failed', failureCode: 'x' });
      await expect(repos.payments.reserveRefund(merchantId, row.id, plan)).resolves.not.toBeNull();
    });
  });
});
