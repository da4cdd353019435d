import braintree from 'braintree';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuthorizeRequest, GatewayAdapter, PaymentMethod } from '../testkit/contract.js';
import { sandboxApplePayToken } from '../testkit/wallet-tokens.js';
import { createBraintreeAdapter } from './adapter.js';
import { startBraintreeSimulator, type BraintreeSimulator } from './simulator/index.js';

const keys = { merchantId: 'wallet_merchant', publicKey: 'wallet_public', privateKey: 'wallet_private' };

/** Apple Pay and Google Pay as nonces Braintree's client SDK made: the sale, and the transaction as the SDK reads Braintree's XML. */
describe('Braintree wallet nonces against the simulator', () => {
  let sim: BraintreeSimulator;
  let adapter: GatewayAdapter;
  let gateway: braintree.BraintreeGateway;
  let n = 0;

  beforeAll(async () => {
    sim = await startBraintreeSimulator({ ...keys, merchantAccounts: { wallet_usd: 'USD' } });
    adapter = createBraintreeAdapter({ ...keys, host: sim.host, port: sim.port, ssl: false, timeoutMs: 5000, merchantAccounts: { USD: 'wallet_usd' } });
    gateway = new braintree.BraintreeGateway({ environment: new braintree.Environment(sim.host, String(sim.port), '', false, sim.host, String(sim.port)), ...keys });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.ledger.reset());

  const nonce = (type: 'apple_pay' | 'google_pay', value: string): PaymentMethod => {
    const walletNonce = { gateway: 'braintree', nonce: value, cardNetwork: 'Visa', last4: null } as const;
    return type === 'apple_pay' ? { type, walletNonce } : { type, walletNonce };
  };
  const request = (method: PaymentMethod, amount = 2500): AuthorizeRequest => {
    n += 1;
    return { paymentId: `pay_w${n}`, attemptNumber: 1, idempotencyKey: `pay_w${n}:attempt:1`, amount, currency: 'USD', captureMethod: 'automatic', method, description: null, customerEmail: null, returnUrl: null, threeDSecure: 'automatic' };
  };

  it('pays an Apple Pay nonce: the transaction is an apple_pay_card with the card\'s facts, and no credit card', async () => {
    const outcome = await adapter.authorize(request(nonce('apple_pay', 'fake-apple-pay-mastercard-nonce')));
    expect(outcome).toMatchObject({ kind: 'approved', captured: true, card: { type: 'credit', issuerCountry: 'US' } });
    if (outcome.kind !== 'approved') return;
    const found = await gateway.transaction.find(outcome.reference);
    expect(found).toMatchObject({ paymentInstrumentType: 'apple_pay_card', applePayCard: { cardType: 'Apple Pay - MasterCard', last4: '4444', paymentInstrumentName: 'MasterCard 4444' } });
    expect(found.creditCard?.last4).toBeUndefined();
  });

  it('pays a Google Pay nonce: an android_pay_card, as the SDK names Google Pay cards', async () => {
    const outcome = await adapter.authorize(request(nonce('google_pay', 'fake-android-pay-discover-nonce')));
    expect(outcome).toMatchObject({ kind: 'approved', captured: true });
    if (outcome.kind !== 'approved') return;
    const found = await gateway.transaction.find(outcome.reference);
    expect(found).toMatchObject({ paymentInstrumentType: 'android_pay_card', androidPayCard: { cardType: 'Discover', last4: '0009', sourceDescription: 'Discover 0009', isNetworkTokenized: true } });
  });

  it('steers by amount as for cards: 2001.00 is insufficient funds', async () => {
    expect(await adapter.authorize(request(nonce('apple_pay', 'fake-apple-pay-visa-nonce'), 200_100))).toMatchObject({ kind: 'declined', decline: { reason: 'insufficient_funds' } });
  });

  it('an unknown or used nonce is refused by validation: nothing is charged', async () => {
    for (const value of ['fake-apple-pay-unknown-nonce', 'fake-consumed-nonce']) {
      expect(await adapter.authorize(request(nonce('apple_pay', value)))).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
    }
    expect(sim.ledger.charges()).toBe(0);
  });

  it('refuses a wallet\'s own token before any request: only Braintree\'s client SDK can exchange it', async () => {
    expect(await adapter.authorize(request({ type: 'apple_pay', applePay: sandboxApplePayToken('4242424242424242') }))).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
    expect(sim.ledger.requestCount()).toBe(0);
  });
});
