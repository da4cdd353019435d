import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DRIVERS, testDatabase, type TestDatabase } from '../../test/support/databases.js';
import { newId } from '../domain/ids.js';
import { createRepositories, type Repositories } from './index.js';

describe.each(DRIVERS)('Stripe-compatible PaymentIntents on %s', (driver) => {
  let database: TestDatabase;
  let repos: Repositories;
  let merchantId: string;
  let otherMerchantId: string;

  beforeAll(async () => {
    database = await testDatabase(driver);
    repos = createRepositories(database.db);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await database.truncate();
    merchantId = await repos.merchants.create('m1');
    otherMerchantId = await repos.merchants.create('m2');
  });

  const insert = (createdAt: Date, merchant = merchantId) =>
    repos.stripePaymentIntents.insert({ id: newId('pi'), merchantId: merchant, amount: 1000, currency: 'USD', captureMethod: 'automatic', createdAt, updatedAt: createdAt });

  it('is read only by its merchant', async () => {
    const intent = await insert(new Date('2026-06-01T00:00:00Z'));
    expect(await repos.stripePaymentIntents.get(merchantId, intent.id)).toMatchObject({ id: intent.id, amount: 1000, metadata: {}, version: 0 });
    expect(await repos.stripePaymentIntents.get(otherMerchantId, intent.id)).toBeNull();
  });

  it('changes compare-and-set: of two writers from one version, one wins', async () => {
    const intent = await insert(new Date('2026-06-01T00:00:00Z'));
    const now = new Date('2026-06-01T00:01:00Z');
    const [a, b] = await Promise.all([
      repos.stripePaymentIntents.update(intent.id, intent.version, { paymentId: 'pay_A' }, now),
      repos.stripePaymentIntents.update(intent.id, intent.version, { paymentId: 'pay_B' }, now),
    ]);
    expect([a, b].filter((row) => row !== null)).toHaveLength(1);
    const winner = (a ?? b)!;
    expect(winner.version).toBe(1);
    expect(await repos.stripePaymentIntents.byPayment(merchantId, winner.paymentId!)).toMatchObject({ id: intent.id });
    expect(await repos.stripePaymentIntents.byPayment(otherMerchantId, winner.paymentId!)).toBeNull();
  });

  it('lists newest first, pages both ways, and filters by creation time', async () => {
    const base = Date.parse('2026-06-01T00:00:00Z');
    const rows = [];
    for (let i = 0; i < 4; i++) rows.push(await insert(new Date(base + i * 60_000)));
    await insert(new Date(base), otherMerchantId);
    const ids = rows.map((r) => r.id).reverse();
    const list = (filter: Parameters<Repositories['stripePaymentIntents']['list']>[1]) => repos.stripePaymentIntents.list(merchantId, filter).then((r) => r.map((row) => row.id));

    expect(await list({ limit: 2 })).toEqual(ids.slice(0, 3));
    expect(await list({ limit: 2, startingAfter: ids[1] })).toEqual(ids.slice(2, 4));
    // A page back: the ones just newer than the cursor, newest first, then the one more that tells has_more.
    expect(await list({ limit: 1, endingBefore: ids[2] })).toEqual([ids[1], ids[0]]);
    expect(await list({ limit: 5, endingBefore: ids[1] })).toEqual([ids[0]]);
    expect(await list({ limit: 10, createdGte: new Date(base + 60_000), createdLt: new Date(base + 180_000) })).toEqual([ids[1], ids[2]]);
  });
});
