import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuthorizeRequest, PaymentMethod } from '../testkit/contract.js';
import { sandboxApplePayToken, sandboxGooglePayToken } from '../testkit/wallet-tokens.js';
import { createCheckoutAdapter } from './adapter.js';
import { startCheckoutSimulator, type CheckoutSimulator } from './simulator/index.js';

const SECRET_KEY = 'sk_sbox_wallettestkeyabcdefghijk2';
const PUBLIC_KEY = 'pk_sbox_wallettestkeyabcdefghijk2';
const WEBHOOK_SECRET = 'wallet-test-webhook-key';
let simulator: CheckoutSimulator;
let sequence = 0;

const adapterWith = (publicKey: string | null, now?: () => number) =>
  createCheckoutAdapter(
    { secretKey: SECRET_KEY, publicKey, webhookSecret: WEBHOOK_SECRET, baseUrl: simulator.url, subdomain: null, returnUrl: 'https://shop.example/back', timeoutMs: 10_000 },
    now === undefined ? {} : { now },
  );

const applePay = (pan: string): PaymentMethod => ({ type: 'apple_pay', applePay: sandboxApplePayToken(pan) });
const googlePay = (pan: string): PaymentMethod => ({ type: 'google_pay', googlePay: { gateway: 'checkoutltd', ...sandboxGooglePayToken(pan) } });

function request(method: PaymentMethod): AuthorizeRequest {
  sequence += 1;
  const paymentId = `pay_wallettest${sequence}`;
  return {
    paymentId,
    attemptNumber: 1,
    idempotencyKey: `${paymentId}:attempt:1`,
    amount: 1500,
    currency: 'GBP',
    captureMethod: 'automatic',
    method,
    description: null,
    customerEmail: null,
    returnUrl: null,
    threeDSecure: 'automatic',
  };
}

const tokenRequest = (authorization: string, body: unknown) =>
  fetch(`${simulator.url}/tokens`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  simulator = await startCheckoutSimulator({ secretKey: SECRET_KEY, publicKey: PUBLIC_KEY, webhookSecret: WEBHOOK_SECRET });
});
afterAll(() => simulator?.close());
beforeEach(async () => {
  await simulator.clearFault();
  simulator.ledger.reset();
});

describe('Checkout.com wallets: the token exchange (POST /tokens with the public key), then a token source', () => {
  it.each([
    ['apple_pay', applePay],
    ['google_pay', googlePay],
  ] as const)('%s: exchanges the wallet token, then pays with the card token, without 3-D Secure', async (_, method) => {
    const outcome = await adapterWith(PUBLIC_KEY).authorize(request(method('4000002760003184')));
    // The 3-D Secure test card inside a wallet token: the device's cryptogram authenticated it.
    expect(outcome).toMatchObject({ kind: 'approved', captured: true });
    expect(simulator.ledger.requests().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /tokens 201', 'POST /payments 201']);
    if (outcome.kind !== 'approved') return;
    expect(simulator.ledger.payment(outcome.reference)).toMatchObject({ threeDs: false, card: { last4: '3184' } });
  });

  it('an account without a public key declares no wallets and refuses one before any request', async () => {
    const adapter = adapterWith(null);
    expect(adapter.capabilities.paymentMethods).toEqual(['card']);
    expect(await adapter.authorize(request(applePay('4242424242424242')))).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
    expect(simulator.ledger.requestCount()).toBe(0);
  });

  it('a token the gateway cannot decrypt is not processed: no payment is made, another gateway may take it', async () => {
    const token = sandboxApplePayToken('4242424242424242');
    const foreign: PaymentMethod = { type: 'apple_pay', applePay: { ...token, paymentData: { ...token.paymentData, data: btoa('ciphertext for another certificate') } } };
    expect(await adapterWith(PUBLIC_KEY).authorize(request(foreign))).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
    expect(simulator.ledger.requests().map((r) => `${r.path} ${r.status}`)).toEqual(['/tokens 422']);
    expect(simulator.ledger.charges()).toBe(0);
  });

  it('a wrong public key is an authentication failure, before any payment', async () => {
    expect(await adapterWith('pk_sbox_notthesimulatorskeyabcdefgh2').authorize(request(googlePay('4242424242424242')))).toMatchObject({ kind: 'not_processed', reason: 'authentication_failed' });
    expect(simulator.ledger.requestCount('/payments')).toBe(0);
  });
});

describe('Checkout.com wallets: a resend of an attempt whose answer was lost', () => {
  const paymentsLog = () => simulator.ledger.requests().filter((r) => r.path === '/payments').map((r) => `${r.status}${r.replayed ? ' replayed' : ''}`);

  it.each([
    ['apple_pay', applePay],
    ['google_pay', googlePay],
  ] as const)('%s: pays with the same card token, so Checkout.com answers the first result: one charge, no 409', async (_, method) => {
    const adapter = adapterWith(PUBLIC_KEY);
    const attempt = request(method('4242424242424242'));
    await simulator.setFault({ kind: 'charge_then_500' }, { times: 1, method: 'POST', pathPrefix: '/payments' });
    expect(await adapter.authorize(attempt)).toMatchObject({ kind: 'unknown' });
    const resent = await adapter.authorize(attempt);
    expect(resent).toMatchObject({ kind: 'approved', captured: true });
    expect(simulator.ledger.requestCount('/tokens')).toBe(1);
    expect(paymentsLog()).toEqual(['500', '201 replayed']);
    expect(simulator.ledger.charges()).toBe(1);
    if (resent.kind === 'approved') expect(simulator.ledger.payment(resent.reference)).toMatchObject({ card: { last4: '4242' } });
  });

  it('a resend after the card token expired exchanges again; Checkout.com refuses the other request under the key, read as unknown, still one charge', async () => {
    // The simulator stamps expires_on by its own clock; the adapter's reads it.
    let now = Date.now();
    const adapter = adapterWith(PUBLIC_KEY, () => now);
    const attempt = request(applePay('4242424242424242'));
    await simulator.setFault({ kind: 'charge_then_500' }, { times: 1, method: 'POST', pathPrefix: '/payments' });
    expect(await adapter.authorize(attempt)).toMatchObject({ kind: 'unknown' });
    now += 16 * 60 * 1000;
    expect(await adapter.authorize(attempt)).toMatchObject({ kind: 'unknown' });
    expect(simulator.ledger.requestCount('/tokens')).toBe(2);
    expect(paymentsLog()).toEqual(['500', '409']);
    expect(simulator.ledger.charges()).toBe(1);
  });
});

describe('the simulator\'s POST /tokens', () => {
  const body = { type: 'applepay', token_data: sandboxApplePayToken('4242424242424242').paymentData };

  it('takes only the public key, and the secret key only elsewhere', async () => {
    expect((await tokenRequest(`Bearer ${SECRET_KEY}`, body)).status).toBe(401);
    expect((await tokenRequest(PUBLIC_KEY, body)).status).toBe(201);
    const payments = await fetch(`${simulator.url}/payments?limit=1`, { headers: { authorization: PUBLIC_KEY } });
    expect(payments.status).toBe(401);
  });

  it('answers a card token with what the wallet token held, never its number; the token pays once', async () => {
    const answer = (await (await tokenRequest(PUBLIC_KEY, body)).json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ type: 'applepay', token: expect.stringMatching(/^tok_[a-z2-7]{26}$/), last4: '4242', scheme: 'Visa', token_format: 'cryptogram_3ds' });
    expect(JSON.stringify(answer)).not.toContain('4242424242424242');
    const pay = () =>
      fetch(`${simulator.url}/payments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ source: { type: 'token', token: answer['token'] }, amount: 100, currency: 'GBP' }),
      });
    expect((await pay()).status).toBe(201);
    const again = await pay();
    expect(again.status).toBe(422);
    expect(await again.json()).toMatchObject({ error_codes: ['token_invalid'] });
  });

  it('replays a token payment resent under its Cko-Idempotency-Key without spending the token again; another body under the key is 409', async () => {
    const answer = (await (await tokenRequest(PUBLIC_KEY, body)).json()) as Record<string, unknown>;
    const pay = (amount: number) =>
      fetch(`${simulator.url}/payments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/json', 'cko-idempotency-key': 'replay-key-1' },
        body: JSON.stringify({ source: { type: 'token', token: answer['token'] }, amount, currency: 'GBP' }),
      });
    const first = await pay(100);
    expect(first.status).toBe(201);
    const firstBody: unknown = await first.json();
    const replay = await pay(100);
    expect(replay.status).toBe(201);
    expect(await replay.json()).toEqual(firstBody);
    expect((await pay(200)).status).toBe(409);
    expect(simulator.ledger.charges()).toBe(1);
  });

  it.each([
    ['an unknown type', { type: 'samsungpay', token_data: body.token_data }, 'token_type_invalid'],
    ['no token data', { type: 'googlepay' }, 'token_data_required'],
    ['Apple Pay data without a header', { type: 'applepay', token_data: { ...body.token_data, header: undefined } }, 'token_data_invalid'],
    ['a Google Pay token without intermediateSigningKey', { type: 'googlepay', token_data: { ...JSON.parse(sandboxGooglePayToken('4242424242424242').token), intermediateSigningKey: undefined } }, 'token_data_invalid'],
  ])('refuses %s with 422', async (_, request, code) => {
    const response = await tokenRequest(PUBLIC_KEY, request);
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error_type: 'request_invalid', error_codes: [code] });
  });
});
