import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptIdentity, type AuthorizeRequest } from '../testkit/contract.js';
import { completeChallenge } from '../testkit/shopper.js';
import { createPayPalAdapter } from './adapter.js';
import { startPayPalSimulator, type PayPalSimulator } from './simulator/index.js';
import { DEFAULT_PAYER_EMAIL } from './simulator/payers.js';

const CLIENT_ID = 'AwebhookPayerTestClientIdSwitchyard00000000000000000000000000';
const CLIENT_SECRET = 'EwebhookPayerTestClientSecretSwitchyard000000000000000000000';
const WEBHOOK_ID = '7SW1TCHYARDPAYER0';
let simulator: PayPalSimulator;
let adapter: ReturnType<typeof createPayPalAdapter>;

beforeAll(async () => {
  simulator = await startPayPalSimulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, webhookId: WEBHOOK_ID });
  adapter = createPayPalAdapter({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, webhookId: WEBHOOK_ID, environment: 'sandbox', baseUrl: simulator.url, returnUrl: 'https://shop.example/return', timeoutMs: 10_000 });
});
afterAll(() => simulator?.close());

const request: AuthorizeRequest = {
  paymentId: 'pay_webhookpayer1',
  attemptNumber: 1,
  idempotencyKey: 'pay_webhookpayer1:attempt:1',
  amount: 1000,
  currency: 'USD',
  captureMethod: 'automatic',
  method: { type: 'paypal', paypal: { emailHint: DEFAULT_PAYER_EMAIL, brandName: null, locale: null, shippingPreference: 'no_shipping' } },
  description: null,
  customerEmail: null,
  returnUrl: null,
  threeDSecure: 'automatic',
};

describe('PayPal: an approval by webhook names the payer, read from its order', () => {
  it('a capture of an approved order: the event carries the order\'s payer id and email', async () => {
    const created = await adapter.authorize(request);
    if (created.kind !== 'requires_action' || created.nextAction?.type !== 'redirect') throw new Error(`expected an approval redirect, got ${created.kind}`);
    await completeChallenge(created.nextAction.url, 'succeed');
    expect(await adapter.completeAction({ reference: created.reference, returnParams: {}, attempt: attemptIdentity(request) })).toMatchObject({ kind: 'approved' });
    const delivery = await simulator.webhooks.sign({ type: 'authorization.succeeded', reference: created.reference, amount: 1000, currency: 'USD' });
    const payerId = simulator.ledger.order(created.reference)!.payer!.payerId;
    expect(await adapter.parseWebhook(delivery, new Date())).toMatchObject({ ok: true, events: [{ type: 'authorization.succeeded', reference: created.reference, payer: { kind: 'paypal', payerId, email: DEFAULT_PAYER_EMAIL } }] });
  });

  it('an order that cannot be read: the approval is applied all the same, without a payer', async () => {
    const delivery = await simulator.webhooks.sign({ type: 'authorization.succeeded', reference: '0NOSUCHORDER0000', amount: 1000, currency: 'USD' });
    const verified = await adapter.parseWebhook(delivery, new Date());
    expect(verified).toMatchObject({ ok: true, events: [{ type: 'authorization.succeeded', reference: '0NOSUCHORDER0000' }] });
    expect(verified.ok && verified.events[0]?.payer).toBeFalsy();
  });
});
