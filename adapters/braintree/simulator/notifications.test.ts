import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startWebhookSink, type WebhookSink } from '../../testkit/webhook-sink.js';
import { parseNotification } from '../webhooks.js';
import { startBraintreeSimulator, type BraintreeSimulator } from './index.js';
import { card, KEYS, sdkFor, sleep } from './test-support.js';

describe('Braintree simulator: notifications', () => {
  let sink: WebhookSink;
  let sim: BraintreeSimulator;

  beforeAll(async () => {
    sink = await startWebhookSink();
    sim = await startBraintreeSimulator({ ...KEYS, webhookUrl: sink.url, settlementDelayMs: 60 });
  });
  afterAll(async () => {
    await sim.close();
    await sink.close();
  });
  beforeEach(() => {
    sink.clear();
    sim.ledger.reset();
  });

  const verified = async (request: Parameters<typeof parseNotification>[0]) => {
    const result = await parseNotification(request, KEYS);
    return result.ok ? result.events : [];
  };

  it('posts transaction_settled once a submitted sale settles, after the settlement delay', async () => {
    const gateway = sdkFor(sim);
    const submitted = Date.now();
    const id = (await gateway.transaction.sale({ amount: '12.34', orderId: 'pay_7:attempt:1', creditCard: card(), options: { submitForSettlement: true } })).transaction.id;
    const delivered = await sink.waitFor(async (request) => (await verified(request)).some((e) => e.reference === id));
    expect(Date.now() - submitted).toBeGreaterThanOrEqual(55);
    expect(delivered.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(await verified(delivered)).toMatchObject([{ type: 'settlement.succeeded', reference: id, merchantReference: 'pay_7:attempt:1', amount: 1234, currency: 'USD' }]);
    // The SDK reads the simulator's notification too.
    const form = new URLSearchParams(delivered.rawBody);
    expect(await gateway.webhookNotification.parse(form.get('bt_signature')!, form.get('bt_payload')!)).toMatchObject({ kind: 'transaction_settled', transaction: { id, status: 'settled' } });
    await vi.waitFor(() => expect(sim.ledger.deliveries()).toEqual([{ kind: 'transaction_settled', transactionId: id, status: 200 }]));
  });

  it('posts a refund’s settlement, and a settlement decline from the testing endpoint', async () => {
    const gateway = sdkFor(sim);
    const sale = (await gateway.transaction.sale({ amount: '10.00', creditCard: card(), options: { submitForSettlement: true } })).transaction.id;
    await sink.waitFor(async (request) => (await verified(request)).some((e) => e.reference === sale));
    const credit = (await gateway.transaction.refund(sale, '4.00')).transaction.id;
    const refund = await sink.waitFor(async (request) => (await verified(request)).some((e) => e.modificationReference === credit));
    expect(await verified(refund)).toMatchObject([{ type: 'refund.succeeded', reference: sale, modificationReference: credit, amount: 400 }]);

    // Settled only by the testing endpoint, so the decline cannot lose a race with the settlement timer.
    const manual = await startBraintreeSimulator({ ...KEYS, webhookUrl: sink.url, settlementDelayMs: null });
    try {
      const manualGateway = sdkFor(manual);
      const declined = (await manualGateway.transaction.sale({ amount: '10.00', creditCard: card(), options: { submitForSettlement: true } })).transaction.id;
      await manualGateway.testing.settlementDecline(declined);
      const failure = await sink.waitFor(async (request) => (await verified(request)).some((e) => e.reference === declined));
      expect(await verified(failure)).toMatchObject([{ type: 'capture.failed', reference: declined, modificationReference: declined, amount: 1000, currency: 'USD' }]);
    } finally {
      await manual.close();
    }
  });

  it('sends nothing for an authorization, a void or a decline, and keeps no card number in what it sends', async () => {
    const gateway = sdkFor(sim);
    const id = (await gateway.transaction.sale({ amount: '10.00', creditCard: card() })).transaction.id;
    await gateway.transaction.void(id);
    await gateway.transaction.sale({ amount: '2000.00', creditCard: card() });
    await gateway.transaction.sale({ amount: '10.00', creditCard: card(), options: { submitForSettlement: true } });
    await sink.waitFor(() => true);
    await sleep(100);
    expect(sink.received).toHaveLength(1);
    const payload = Buffer.from(new URLSearchParams(sink.received[0]!.rawBody).get('bt_payload')!, 'base64').toString('utf8');
    expect(payload).toContain('<masked-number>411111******1111</masked-number>');
    expect(payload).not.toContain('4111111111111111');
  });

  it('sends nothing without a webhook URL', async () => {
    const quiet = await startBraintreeSimulator(KEYS);
    try {
      await sdkFor(quiet).transaction.sale({ amount: '10.00', creditCard: card(), options: { submitForSettlement: true } });
      await sleep(50);
      expect(quiet.ledger.deliveries()).toEqual([]);
    } finally {
      await quiet.close();
    }
  });
});
