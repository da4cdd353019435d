import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthorizeRequest } from '../../testkit/contract.js';
import { expectUndeliveredWebhookResumedAfterRestart } from '../../testkit/simulator-restart.js';
import { startWebhookSink } from '../../testkit/webhook-sink.js';
import { createStripeAdapter } from '../adapter.js';
import { startStripeSimulator, type StripeSimulator } from './index.js';

const CVC = '987';

function request(n: number, number = '4242424242424242', captureMethod: 'automatic' | 'manual' = 'automatic'): AuthorizeRequest {
  return {
    paymentId: `pay_keep${n}`,
    attemptNumber: 1,
    idempotencyKey: `pay_keep${n}:attempt:1`,
    amount: 4200,
    currency: 'USD',
    captureMethod,
    method: { type: 'card', card: { number, expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: CVC, holderName: 'Ada Lovelace' } },
    description: null,
    customerEmail: null,
    returnUrl: null,
    threeDSecure: 'automatic',
  };
}

const adapterFor = (sim: StripeSimulator) =>
  createStripeAdapter({ secretKey: sim.account.secretKey, webhookSecret: sim.account.webhookSecret, host: sim.host, port: sim.port, protocol: 'http', timeoutMs: 5000 });

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('Stripe simulator: state kept across a restart', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-stripe-'));
    path = join(dir, 'stripe.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('refunds, captures and replays payments made before the restart, with the same secrets', async () => {
    const first = await startStripeSimulator({ statePath: path });
    const before = adapterFor(first);
    const paid = await before.authorize(request(1));
    const held = await before.authorize(request(2, '5555555555554444', 'manual'));
    const declined = await before.authorize(request(3, '4000000000009995'));
    if (paid.kind !== 'approved' || held.kind !== 'approved') throw new Error('expected approvals');
    expect(declined).toMatchObject({ kind: 'declined' });
    const account = first.account;
    await first.close();

    const second = await startStripeSimulator({ statePath: path });
    try {
      expect(second.account).toEqual(account);
      const after = adapterFor(second);
      expect(await after.refund({ reference: paid.reference, amount: 1000, currency: 'USD', idempotencyKey: 'pay_keep1:refund' })).toMatchObject({ kind: 'succeeded', amount: 1000 });
      expect(await after.capture({ reference: held.reference, amount: 4200, currency: 'USD', idempotencyKey: 'pay_keep2:capture' })).toMatchObject({ kind: 'succeeded' });
      // The same key and parameters replay the first answer: no second charge.
      expect(await after.authorize(request(1))).toEqual(paid);
      expect(second.ledger.charges()).toBe(2);
      expect(second.ledger.requests().filter((r) => r.replayed)).toHaveLength(1);
      expect(second.ledger.export()).toMatchObject({
        provider: 'stripe',
        charges: expect.arrayContaining([
          expect.objectContaining({ reference: paid.reference, orderReference: 'pay_keep1:attempt:1', paymentId: 'pay_keep1', amount: 4200, currency: 'USD', captured: 4200, refunded: 1000, status: 'succeeded' }),
          expect.objectContaining({ reference: held.reference, captured: 4200, status: 'succeeded' }),
          expect.objectContaining({ orderReference: 'pay_keep3:attempt:1', authorized: 0, status: 'requires_payment_method' }),
        ]),
        refunds: [expect.objectContaining({ chargeReference: paid.reference, orderReference: 'pay_keep1:refund', amount: 1000, currency: 'USD' })],
        totals: { authorized: 8400, captured: 8400, refunded: 1000 },
      });
      // The same card keeps its fingerprint.
      const again = await after.authorize(request(6));
      if (again.kind !== 'approved') throw new Error('expected an approval');
      const fingerprint = async (id: string) => {
        const pi = (await (await fetch(`${second.url}/v1/payment_intents/${id}?expand[]=payment_method`, { headers: { authorization: `Bearer ${account.secretKey}` } })).json()) as {
          payment_method: { card: { fingerprint: string } };
        };
        return pi.payment_method.card.fingerprint;
      };
      expect(await fingerprint(again.reference)).toBe(await fingerprint(paid.reference));
    } finally {
      await second.close();
    }
    const text = await readFile(path, 'utf8');
    for (const secret of ['4242424242424242', '5555555555554444', '4000000000009995']) expect(text).not.toContain(secret);
    expect(text).not.toMatch(new RegExp(`\\b${CVC}\\b`));
  });

  it('saves soon after each change, so a crash loses at most the last moments', async () => {
    const sim = await startStripeSimulator({ statePath: path });
    try {
      const paid = await adapterFor(sim).authorize(request(4));
      if (paid.kind !== 'approved') throw new Error('expected an approval');
      await until(async () => (await readFile(path, 'utf8')).includes(paid.reference), 'the save');
      // What a crash leaves: the file as it is now, the process gone without closing.
      const crashed = join(dir, 'crashed.json');
      await copyFile(path, crashed);
      const revived = await startStripeSimulator({ statePath: crashed });
      try {
        expect(await adapterFor(revived).refund({ reference: paid.reference, amount: 4200, currency: 'USD', idempotencyKey: 'pay_keep4:refund' })).toMatchObject({ kind: 'succeeded' });
      } finally {
        await revived.close();
      }
    } finally {
      await sim.close();
    }
  });

  it('delivers after the restart the webhooks it could not deliver before', async () => {
    const sink = await startWebhookSink();
    try {
      await expectUndeliveredWebhookResumedAfterRestart({
        sink,
        start: () => startStripeSimulator({ statePath: path, webhookUrl: sink.url, webhookRetry: { scale: 0.0001 } }),
        pay: async (sim) => {
          const paid = await adapterFor(sim).authorize(request(5));
          return paid.kind === 'approved' ? paid.reference : null;
        },
        eventTypes: ['payment_intent.succeeded'],
        verify: (sim, delivered) => adapterFor(sim).parseWebhook(delivered, new Date()),
      });
    } finally {
      await sink.close();
    }
  });
  it('keeps a SEPA debit processing across a restart, with the bank\'s calendar where it was, and never the IBAN', async () => {
    const first = await startStripeSimulator({ statePath: path });
    const debit: AuthorizeRequest = {
      ...request(90),
      amount: 2500,
      currency: 'EUR',
      method: { type: 'sepa_debit', sepaDebit: { iban: 'DE89370400440532013000', accountHolderName: 'Ada Lovelace', mandate: { kind: 'acceptance', acceptedAt: new Date(), ip: '203.0.113.7', userAgent: 'test' } } },
    };
    const accepted = await adapterFor(first).authorize(debit);
    expect(accepted).toMatchObject({ kind: 'pending' });
    first.advanceBank(first.debitSettlementMs / 2);
    await first.close();
    expect(await readFile(path, 'utf8')).not.toContain('0532013000');

    const second = await startStripeSimulator({ statePath: path });
    try {
      const reference = accepted.kind === 'pending' ? accepted.reference : '';
      const sync = () => adapterFor(second).sync({ reference, attempt: { ...debit }, resend: null });
      expect(await sync()).toMatchObject({ kind: 'pending' });
      second.advanceBank(second.debitSettlementMs / 2);
      expect(await sync()).toMatchObject({ kind: 'approved', captured: true });
    } finally {
      await second.close();
    }
  });
});
