import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attemptIdentity, type AuthorizeRequest, type CardInput } from '../testkit/contract.js';
import { completeChallenge } from '../testkit/shopper.js';
import { createCheckoutAdapter } from './adapter.js';
import { startCheckoutSimulator, type CheckoutSimulator } from './simulator/index.js';

const SECRET_KEY = 'sk_sbox_adaptertestkeyabcdefghij2';
const WEBHOOK_SECRET = 'adapter-test-webhook-key';
let simulator: CheckoutSimulator;
let adapter: ReturnType<typeof createCheckoutAdapter>;
let sequence = 0;

beforeAll(async () => {
  simulator = await startCheckoutSimulator({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET });
  adapter = createCheckoutAdapter({ secretKey: SECRET_KEY, publicKey: null, webhookSecret: WEBHOOK_SECRET, baseUrl: simulator.url, subdomain: null, returnUrl: 'https://shop.example/back', timeoutMs: 10_000 });
});
afterAll(() => simulator?.close());
beforeEach(() => simulator.ledger.reset());

function request({ card, ...overrides }: Partial<AuthorizeRequest> & { card?: CardInput } = {}): AuthorizeRequest {
  sequence += 1;
  const paymentId = `pay_adaptertest${sequence}`;
  return {
    paymentId,
    attemptNumber: 2,
    idempotencyKey: `${paymentId}:attempt:2`,
    amount: 1500,
    currency: 'GBP',
    captureMethod: 'manual',
    method: { type: 'card', card: card ?? { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '100', holderName: null } },
    description: null,
    customerEmail: null,
    returnUrl: null,
    threeDSecure: 'automatic',
    ...overrides,
  };
}

describe('the Checkout.com adapter, through checkout-sdk-node, against the simulator on 127.0.0.1', () => {
  it('reaches the simulator at the base URL it is given, with the secret key and the attempt\'s idempotency key', async () => {
    expect(new URL(simulator.url).hostname).toBe('127.0.0.1');
    const req = request();
    const outcome = await adapter.authorize(req);
    expect(outcome).toMatchObject({ kind: 'approved', captured: false, card: { type: 'credit', issuerCountry: 'US' } });
    expect(simulator.ledger.requests()).toEqual([expect.objectContaining({ method: 'POST', path: '/payments', idempotencyKey: req.idempotencyKey, status: 201 })]);
    const wrongKey = createCheckoutAdapter({ secretKey: 'sk_sbox_notthesimulatorskeyabcdefgh2', publicKey: null, webhookSecret: WEBHOOK_SECRET, baseUrl: simulator.url, subdomain: null, returnUrl: 'https://shop.example/back', timeoutMs: 10_000 });
    expect(await wrongKey.authorize(request())).toMatchObject({ kind: 'not_processed', reason: 'authentication_failed' });
  });

  it('sends amounts in Checkout.com\'s units: 990 CLP as 99000', async () => {
    const outcome = await adapter.authorize(request({ amount: 990, currency: 'CLP', captureMethod: 'automatic' }));
    expect(outcome).toMatchObject({ kind: 'approved', captured: true });
    if (outcome.kind !== 'approved') return;
    expect(simulator.ledger.payment(outcome.reference)).toMatchObject({ amount: 99000, currency: 'CLP', captured: 99000 });
    expect(simulator.ledger.totals('CLP').captured).toBe(990);
  });

  it('refuses, before any request, a currency Checkout.com does not take and an amount it cannot carry', async () => {
    expect(await adapter.authorize(request({ currency: 'XBT' }))).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
    expect(await adapter.authorize(request({ amount: 5125, currency: 'KWD' }))).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
    expect(simulator.ledger.requestCount()).toBe(0);
  });

  it('finds an attempt by the reference it was sent under when its answer never came, without card data', async () => {
    const req = request();
    const made = await adapter.authorize(req);
    const found = await adapter.sync({ reference: null, attempt: attemptIdentity(req), resend: null });
    expect(found).toEqual(made);
    expect(simulator.ledger.requests().at(-1)).toMatchObject({ method: 'GET', path: '/payments' });
  });

  it('keeps a decline\'s code and the card facts Checkout.com reports', async () => {
    const outcome = await adapter.authorize(request({ card: { number: '4000000000009995', expMonth: 12, expYear: 2030, cvc: '100', holderName: null } }));
    expect(outcome).toMatchObject({ kind: 'declined', decline: { reason: 'insufficient_funds', providerCode: '20051', cascade: false } });
  });

  it('sends 3-D Secure with every payment: a card whose issuer challenges gets the redirect, and the shopper returns where the payment says', async () => {
    const req = request({ card: { number: '4000002760003184', expMonth: 12, expYear: 2030, cvc: '100', holderName: null }, returnUrl: 'https://shop.example/order/7' });
    const outcome = await adapter.authorize(req);
    expect(outcome).toMatchObject({ kind: 'requires_action', nextAction: { type: 'redirect' } });
    if (outcome.kind !== 'requires_action' || outcome.nextAction === null) return;
    const { location, returnParams } = await completeChallenge(outcome.nextAction.url, 'succeed');
    expect(location?.origin + location!.pathname).toBe('https://shop.example/order/7');
    expect(returnParams['cko-session-id']).toMatch(/^sid_/);
    expect(await adapter.completeAction({ reference: outcome.reference, attempt: attemptIdentity(req), returnParams })).toMatchObject({ kind: 'approved', reference: outcome.reference });
  });

  it('does not take another payment\'s 3-D Secure session for this attempt', async () => {
    const card = { number: '4000002760003184', expMonth: 12, expYear: 2030, cvc: '100', holderName: null };
    const [a, b] = [request({ card }), request({ card })];
    const [first, second] = [await adapter.authorize(a), await adapter.authorize(b)];
    if (first.kind !== 'requires_action' || second.kind !== 'requires_action' || !second.nextAction) throw new Error('expected two challenges');
    const { returnParams } = await completeChallenge(second.nextAction.url, 'succeed');
    expect(await adapter.completeAction({ reference: first.reference, attempt: attemptIdentity(a), returnParams })).toMatchObject({ kind: 'unknown', reason: 'pending_at_gateway' });
    expect(simulator.ledger.charges()).toBe(1);
  });

  it('a capture beyond what was authorized is refused by Checkout.com, and nothing moves', async () => {
    const req = request();
    const outcome = await adapter.authorize(req);
    if (outcome.kind !== 'approved') throw new Error('expected an approval');
    expect(await adapter.capture({ reference: outcome.reference, amount: 1501, currency: 'GBP', idempotencyKey: `${req.paymentId}:capture` })).toMatchObject({ kind: 'rejected', code: 'checkout_amount_exceeds_balance' });
    expect(await adapter.cancel({ reference: outcome.reference, amount: 1500, currency: 'GBP', idempotencyKey: `${req.paymentId}:cancel` })).toMatchObject({ kind: 'pending' });
    expect(await adapter.capture({ reference: outcome.reference, amount: 1500, currency: 'GBP', idempotencyKey: `${req.paymentId}:capture:2` })).toMatchObject({ kind: 'rejected', code: 'action_not_allowed' });
    expect(simulator.ledger.totals('GBP')).toMatchObject({ authorized: 1500, captured: 0 });
  });

  it('pays a saved card the shopper is there for as a customer-initiated card-on-file payment, and answers its scheme transaction id, also on sync', async () => {
    const first = request({ card: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: null, holderName: null }, storedCredential: { initiator: 'customer', networkTransactionId: null } });
    const outcome = await adapter.authorize(first);
    if (outcome.kind !== 'approved') throw new Error('expected an approval');
    expect(outcome.networkTransactionId).toMatch(/^\d{15}$/);
    expect(simulator.ledger.payment(outcome.reference)).toMatchObject({ paymentType: 'Regular', merchantInitiated: false, storedCard: false, threeDs: true });
    expect(await adapter.sync({ reference: outcome.reference, attempt: attemptIdentity(first), resend: null })).toEqual(outcome);

    const again = await adapter.authorize(request({ storedCredential: { initiator: 'customer', networkTransactionId: outcome.networkTransactionId! } }));
    if (again.kind !== 'approved') throw new Error('expected an approval');
    expect(simulator.ledger.payment(again.reference)).toMatchObject({ merchantInitiated: false, storedCard: true });
    expect(again.networkTransactionId).not.toBe(outcome.networkTransactionId);
  });

  it('sends a merchant-initiated payment as Unscheduled, stored, citing the network transaction id, without 3-D Secure, even on a card whose issuer challenges', async () => {
    const card = { number: '4000002760003184', expMonth: 12, expYear: 2030, cvc: null, holderName: null };
    const outcome = await adapter.authorize(request({ card, threeDSecure: 'required', storedCredential: { initiator: 'merchant', networkTransactionId: '483297487231504' } }));
    expect(outcome).toMatchObject({ kind: 'approved', networkTransactionId: expect.stringMatching(/^\d{15}$/) });
    if (outcome.kind !== 'approved') return;
    expect(simulator.ledger.payment(outcome.reference)).toMatchObject({
      paymentType: 'Unscheduled',
      merchantInitiated: true,
      previousPaymentId: '483297487231504',
      storedCard: true,
      threeDs: false,
    });
  });

  it('a merchant-initiated payment without a network transaction id is refused by Checkout.com, and nothing is charged', async () => {
    const outcome = await adapter.authorize(request({ storedCredential: { initiator: 'merchant', networkTransactionId: null } }));
    expect(outcome).toMatchObject({ kind: 'not_processed', reason: 'rejected', detail: expect.stringContaining('previous_payment_id_required') });
    expect(simulator.ledger.charges()).toBe(0);
  });

  it('an ordinary payment carries no card-on-file flags, and still gets its scheme transaction id', async () => {
    const outcome = await adapter.authorize(request());
    if (outcome.kind !== 'approved') throw new Error('expected an approval');
    expect(outcome.networkTransactionId).toMatch(/^\d{15}$/);
    expect(simulator.ledger.payment(outcome.reference)).toMatchObject({ paymentType: 'Regular', merchantInitiated: false, previousPaymentId: null, storedCard: false });
  });
});
