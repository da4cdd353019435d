import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthorizeRequest } from '../../testkit/contract.js';
import { expectUndeliveredWebhookResumedAfterRestart } from '../../testkit/simulator-restart.js';
import { startWebhookSink, type WebhookSink } from '../../testkit/webhook-sink.js';
import { createAdyenAdapter } from '../adapter.js';
import { startAdyenSimulator, type AdyenSimulator } from './index.js';

const CARD = '4111111145551142';
const CVC = '737';

function request(n: number, captureMethod: 'automatic' | 'manual' = 'automatic'): AuthorizeRequest {
  return {
    paymentId: `pay_keep${n}`,
    attemptNumber: 1,
    idempotencyKey: `pay_keep${n}:attempt:1`,
    amount: 4200,
    currency: 'EUR',
    captureMethod,
    method: { type: 'card', card: { number: CARD, expMonth: 3, expYear: 2030, cvc: CVC, holderName: 'Jane Shopper' } },
    description: null,
    customerEmail: null,
    returnUrl: null,
    threeDSecure: 'automatic',
  };
}

const adapterFor = (sim: AdyenSimulator) =>
  createAdyenAdapter({ apiKey: sim.account.apiKey!, merchantAccount: sim.account.merchantAccount!, hmacKey: sim.account.hmacKey, baseUrl: sim.url, returnUrl: 'https://shop.example/return', timeoutMs: 5000 });

describe('Adyen simulator: state kept across a restart', () => {
  let dir: string;
  let path: string;
  let sink: WebhookSink;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-adyen-'));
    path = join(dir, 'adyen.json');
    sink = await startWebhookSink();
  });
  afterEach(async () => {
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  });

  const start = (options: { notificationDelayMs?: number; apiKey?: string; merchantAccount?: string } = {}) =>
    startAdyenSimulator({ statePath: path, webhookUrl: sink.url, notificationDelayMs: 5, webhookRetry: { scale: 0.0001 }, ...options });

  /** Credentials are given the first time only: a restart takes them from the file. */
  const startFirst = (options: { notificationDelayMs?: number } = {}) => start({ apiKey: 'AQE_keep', merchantAccount: 'Keep', ...options });

  it('refunds and replays payments made before the restart, keeping its credentials', async () => {
    const first = await startFirst();
    const paid = await adapterFor(first).authorize(request(1));
    if (paid.kind !== 'approved') throw new Error('expected an approval');
    await first.idle();
    const account = first.account;
    await first.close();

    const second = await start();
    try {
      expect(second.account).toEqual(account);
      const after = adapterFor(second);
      expect(await after.refund({ reference: paid.reference, amount: 1000, currency: 'EUR', idempotencyKey: 'pay_keep1:refund' })).toMatchObject({ kind: 'pending' });
      await second.idle();
      expect(second.ledger.payment(paid.reference)).toMatchObject({ captured: 4200, refunded: 1000 });
      // Adyen keeps idempotency keys: the resend answers the first result and charges nothing more.
      expect(await after.authorize(request(1))).toEqual(paid);
      expect(second.ledger.charges()).toBe(1);
      expect(second.ledger.export()).toMatchObject({
        provider: 'adyen',
        charges: [expect.objectContaining({ reference: paid.reference, orderReference: 'pay_keep1:attempt:1', paymentId: 'pay_keep1', amount: 4200, currency: 'EUR', refunded: 1000, status: 'Authorised' })],
        refunds: [expect.objectContaining({ chargeReference: paid.reference, orderReference: 'pay_keep1:refund', amount: 1000, status: 'succeeded' })],
      });
    } finally {
      await second.close();
    }
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(CARD);
    expect(text).not.toMatch(new RegExp(`\\b${CVC}\\b`));
  });

  it('decides after the restart a capture it had received but not decided, and notifies it', async () => {
    const first = await startFirst({ notificationDelayMs: 60_000 });
    const held = await adapterFor(first).authorize(request(2, 'manual'));
    if (held.kind !== 'approved') throw new Error('expected an approval');
    expect(await adapterFor(first).capture({ reference: held.reference, amount: 4200, currency: 'EUR', idempotencyKey: 'pay_keep2:capture' })).toMatchObject({ kind: 'pending' });
    expect(first.ledger.payment(held.reference)).toMatchObject({ captured: 0 });
    await first.close();
    expect(sink.received).toHaveLength(0);

    const second = await start();
    try {
      await second.idle();
      expect(second.ledger.payment(held.reference)).toMatchObject({ captured: 4200 });
      const codes = await Promise.all(
        sink.received.map(async (request) => {
          const verified = await adapterFor(second).parseWebhook(request, new Date());
          return verified.ok ? verified.events.map((e) => e.type) : ['refused'];
        }),
      );
      expect(codes.flat().sort()).toEqual(['authorization.succeeded', 'capture.succeeded']);
    } finally {
      await second.close();
    }
  });

  it('goes on retrying after the restart a notification it could not deliver before', async () => {
    await expectUndeliveredWebhookResumedAfterRestart({
      sink,
      start: () => startFirst(),
      pay: async (sim) => {
        const paid = await adapterFor(sim).authorize(request(3));
        return paid.kind === 'approved' ? paid.reference : null;
      },
      eventTypes: ['AUTHORISATION'],
      verify: (sim, delivered) => adapterFor(sim).parseWebhook(delivered, new Date()),
    });
  });
});
