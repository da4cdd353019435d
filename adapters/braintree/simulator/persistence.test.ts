import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attemptIdentity, type AuthorizeRequest } from '../../testkit/contract.js';
import { expectUndeliveredWebhookResumedAfterRestart } from '../../testkit/simulator-restart.js';
import { startWebhookSink, type WebhookSink } from '../../testkit/webhook-sink.js';
import { createBraintreeAdapter } from '../adapter.js';
import { startBraintreeSimulator, type BraintreeSimulator } from './index.js';

const CARD = '4111111111111111';
const CVV = '987';

function request(n: number, captureMethod: 'automatic' | 'manual' = 'automatic'): AuthorizeRequest {
  return {
    paymentId: `pay_keep${n}`,
    attemptNumber: 1,
    idempotencyKey: `pay_keep${n}:attempt:1`,
    amount: 4200,
    currency: 'USD',
    captureMethod,
    method: { type: 'card', card: { number: CARD, expMonth: 12, expYear: 2030, cvc: CVV, holderName: 'Ada Lovelace' } },
    description: null,
    customerEmail: null,
    returnUrl: null,
    threeDSecure: 'automatic',
  };
}

const adapterFor = (sim: BraintreeSimulator) => createBraintreeAdapter({ ...sim.account, host: sim.host, port: sim.port, ssl: false, timeoutMs: 5000 });

describe('Braintree simulator: state kept across a restart', () => {
  let dir: string;
  let path: string;
  let sink: WebhookSink;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-braintree-'));
    path = join(dir, 'braintree.json');
    sink = await startWebhookSink();
  });
  afterEach(async () => {
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  });

  const start = (options: { settlementDelayMs?: number } = {}) =>
    startBraintreeSimulator({ statePath: path, webhookUrl: sink.url, webhookRetry: { scale: 0.0001 }, ...options });

  it('refunds, captures and finds by order id the sales made before the restart, with the same keys', async () => {
    const first = await start();
    const paid = await adapterFor(first).authorize(request(1));
    const held = await adapterFor(first).authorize(request(2, 'manual'));
    if (paid.kind !== 'approved' || held.kind !== 'approved') throw new Error('expected approvals');
    const account = first.account;
    await first.close();

    const second = await start();
    try {
      expect(second.account).toEqual(account);
      const after = adapterFor(second);
      expect(await after.refund({ reference: paid.reference, amount: 1000, currency: 'USD', idempotencyKey: 'pay_keep1:refund' })).toMatchObject({ kind: 'succeeded' });
      expect(await after.capture({ reference: held.reference, amount: 4000, currency: 'USD', idempotencyKey: 'pay_keep2:capture' })).toMatchObject({ kind: 'succeeded' });
      // Braintree has no idempotency key: sync finds the attempt by its order id, and never sells again.
      expect(await after.sync({ reference: null, attempt: attemptIdentity(request(1)), resend: null })).toMatchObject({ kind: 'approved', reference: paid.reference });
      expect(second.ledger.charges()).toBe(2);
      expect(second.ledger.export()).toMatchObject({
        provider: 'braintree',
        charges: expect.arrayContaining([
          expect.objectContaining({ reference: paid.reference, orderReference: 'pay_keep1:attempt:1', amount: 4200, currency: 'USD', captured: 4200, refunded: 1000 }),
          expect.objectContaining({ reference: held.reference, amount: 4200, authorized: 4200, captured: 4000, released: 200 }),
        ]),
        refunds: [expect.objectContaining({ chargeReference: paid.reference, orderReference: 'pay_keep1:refund', amount: 1000, currency: 'USD' })],
      });
    } finally {
      await second.close();
    }
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(CARD);
    expect(text).not.toMatch(new RegExp(`\\b${CVV}\\b`));
    expect(text).toContain('"bin":"411111"');
  });

  it('settles after the restart, when its time comes, a sale that was waiting to settle, and notifies it', async () => {
    const first = await start({ settlementDelayMs: 1000 });
    const paid = await adapterFor(first).authorize(request(3));
    if (paid.kind !== 'approved') throw new Error('expected an approval');
    await first.close();

    const second = await start({ settlementDelayMs: 1000 });
    try {
      await second.idle();
      expect(second.ledger.transaction(paid.reference)).toMatchObject({ status: 'settled' });
      expect(second.ledger.deliveries()).toEqual([{ kind: 'transaction_settled', transactionId: paid.reference, status: 200 }]);
    } finally {
      await second.close();
    }
  });

  it('goes on retrying after the restart a notification it could not deliver before', async () => {
    await expectUndeliveredWebhookResumedAfterRestart({
      sink,
      start: () => start(),
      pay: async (sim) => {
        const paid = await adapterFor(sim).authorize(request(4));
        return paid.kind === 'approved' ? paid.reference : null;
      },
      eventTypes: ['transaction_settled'],
      verify: (sim, delivered) => adapterFor(sim).parseWebhook(delivered, new Date()),
      andThen: async (second, reference) => {
        expect(second.ledger.deliveries()).toEqual([{ kind: 'transaction_settled', transactionId: reference ?? '', status: 200 }]);
        expect(await adapterFor(second).parseWebhook(sink.received[0]!, new Date())).toMatchObject({ ok: true, events: [{ type: 'settlement.succeeded' }] });
      },
    });
  });
});
