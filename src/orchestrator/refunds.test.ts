import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DRIVERS, testDatabase, type TestDatabase } from '../../test/support/databases.js';
import { newId } from '../domain/ids.js';
import { createRepositories, type Repositories } from '../store/index.js';
import type { RefundRow } from '../store/payments.js';
import { writeRefundStep } from './refunds.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(DRIVERS)('refund steps on %s', (driver) => {
  let database: TestDatabase;
  let repos: Repositories;
  let paymentId: string;
  let refund: RefundRow;

  beforeAll(async () => {
    database = await testDatabase(driver);
    repos = createRepositories(database.db);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await database.truncate();
    const merchantId = await repos.merchants.create('m1');
    const gatewayAccountId = (await repos.merchants.addGatewayAccount({ merchantId, provider: 'stripe', name: 'stripe', label: 's', credentialsRef: 'sandbox:stripe' })).id;
    paymentId = newId('pay');
    await repos.payments.create({
      id: paymentId,
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
    });
    refund = await repos.payments.insertRefund({ id: newId('re'), paymentId, merchantId, amount: 300, currency: 'USD', status: 'pending' });
  });

  it("takes the payment's row before the refund's, as a webhook does, so the request's answer and the webhook never deadlock", async () => {
    const now = new Date();
    let locked!: () => void;
    const paymentLocked = new Promise<void>((resolve) => (locked = resolve));
    // The provider's webhook about the refund: it holds the payment's row, then settles the refund.
    const webhook = repos.transaction(async (tx) => {
      await tx.payments.lock(paymentId);
      locked();
      await sleep(300);
      return writeRefundStep(tx, refund, { patch: { status: 'succeeded', gatewayReference: 're_gateway' }, final: true }, now, now);
    });
    await paymentLocked;
    // Meanwhile the refund request writes the gateway's answer.
    const request = repos.transaction((tx) => writeRefundStep(tx, refund, { patch: { status: 'succeeded', gatewayReference: 're_gateway' }, final: true }, now, now));

    const [byWebhook, byRequest] = await Promise.all([webhook, request]);
    expect(byWebhook).toMatchObject({ id: refund.id, status: 'succeeded' });
    expect(byRequest).toBeNull();
    expect((await repos.payments.byId(paymentId))!.payment.amountRefunded).toBe(300);
  });
});
