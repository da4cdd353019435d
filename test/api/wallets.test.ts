import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxApplePayToken, sandboxGooglePayToken } from '../../adapters/testkit/wallet-tokens.js';
import { captureLogger } from '../support/capture-logger.js';
import { DRIVERS, testDatabase, type TestDatabase } from '../support/databases.js';
import { sandboxClient } from '../support/sandbox-client.js';

const applePay = (pan: string) => ({ type: 'apple_pay', apple_pay: { token: sandboxApplePayToken(pan) } });
const googlePay = (pan: string, gateway = 'adyen') => {
  const { token, cardNetwork, cardDetails } = sandboxGooglePayToken(pan);
  return { type: 'google_pay', google_pay: { gateway, token, card_network: cardNetwork, card_details: cardDetails } };
};

/** Apple Pay and Google Pay end to end in the sandbox: API, routing by method, the gateways' SDKs and simulators. */
describe.each(DRIVERS)('wallet payments on %s', (driver) => {
  let client: Awaited<ReturnType<typeof sandboxClient>>;
  let database: TestDatabase | undefined;
  const { logger, lines } = captureLogger();
  beforeAll(async () => {
    database = driver === 'postgres' ? await testDatabase('postgres') : undefined;
    client = await sandboxClient({ gatewayTimeoutMs: 10_000, databaseUrl: database?.url, logger });
  });
  afterAll(async () => {
    await client?.close();
    await database?.close();
  });

  it.each(['stripe', 'adyen', 'checkout'] as const)('pays with Apple Pay at %s, shows the wallet\'s display facts, and keeps no token', async (provider) => {
    const method = applePay('4242424242424242');
    const paid = await client.api('POST', '/v1/payments', { amount: 1500, currency: 'USD', payment_method: method, routing: { gateways: [provider] } });
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ status: 'succeeded', gateway: { provider }, payment_method: { type: 'apple_pay', apple_pay: { network: 'visa', last4: '4242', funding: 'credit' } } });
    expect(client.sandbox.simulators[provider]!.ledger.totals()).toMatchObject({ captured: expect.any(Number) });

    const stored = await client.sandbox.repositories.payments.get(client.sandbox.merchantId, paid.body.id);
    expect(stored?.payment).toMatchObject({ paymentMethodType: 'apple_pay', card: null, cardFingerprint: null });
    const secret = method.apple_pay.token.paymentData.data;
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(JSON.stringify(paid.body)).not.toContain(secret);
    expect(lines.join('\n')).not.toContain(secret);

    const refund = await client.api('POST', `/v1/payments/${paid.body.id}/refunds`, {});
    expect(refund.status).toBe(201);
  });

  it('sends a Google Pay token made for checkoutltd to Checkout.com only', async () => {
    const paid = await client.api('POST', '/v1/payments', { amount: 2100, currency: 'EUR', payment_method: googlePay('4242424242424242', 'checkoutltd') });
    expect(paid.body).toMatchObject({ status: 'succeeded', gateway: { provider: 'checkout' }, payment_method: { type: 'google_pay', google_pay: { network: 'visa', last4: '4242' } } });
    const reasons = Object.fromEntries((paid.body.decision.candidates as { gateway: string; reason: string | null }[]).map((c) => [c.gateway, c.reason]));
    expect(reasons).toMatchObject({ checkout: null, adyen: 'wallet_token_for_another_gateway', braintree: 'wallet_token_for_another_gateway' });
  });

  it('pays with Braintree wallet nonces at Braintree only, keeps no nonce, and never sends Braintree a wallet token', async () => {
    const nonce = 'fake-apple-pay-mastercard-nonce';
    const method = { type: 'apple_pay', apple_pay: { gateway: 'braintree', nonce, card_network: 'MasterCard', card_details: '4444' } };
    const paid = await client.api('POST', '/v1/payments', { amount: 1500, currency: 'USD', payment_method: method });
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ status: 'succeeded', gateway: { provider: 'braintree' }, payment_method: { type: 'apple_pay', apple_pay: { network: 'mastercard', last4: '4444', funding: null } } });
    const reasons = Object.fromEntries((paid.body.decision.candidates as { gateway: string; reason: string | null }[]).map((c) => [c.gateway, c.reason]));
    expect(reasons).toMatchObject({ braintree: null, stripe: 'wallet_token_for_another_gateway', adyen: 'wallet_token_for_another_gateway', checkout: 'wallet_token_for_another_gateway' });
    const stored = await client.sandbox.repositories.payments.get(client.sandbox.merchantId, paid.body.id);
    expect(JSON.stringify(stored)).not.toContain(nonce);
    expect(JSON.stringify(paid.body)).not.toContain(nonce);
    expect(lines.join('\n')).not.toContain(nonce);

    const google = { type: 'google_pay', google_pay: { gateway: 'braintree', nonce: 'fake-android-pay-visa-nonce', card_network: 'VISA', card_details: '1111' } };
    // Braintree's sandbox steers by amount: 2038.00 is a processor decline 2038 (generic).
    const declined = await client.api('POST', '/v1/payments', { amount: 203_800, currency: 'USD', payment_method: google });
    expect(declined.body).toMatchObject({ status: 'failed', gateway: { provider: 'braintree' }, failure: { code: 'generic_decline' }, payment_method: { type: 'google_pay', google_pay: { network: 'visa', last4: '1111' } } });

    const token = await client.api('POST', '/v1/payments', { amount: 1500, currency: 'USD', payment_method: applePay('4242424242424242'), routing: { gateways: ['braintree'] } });
    expect(token.body).toMatchObject({ status: 'failed', failure: { code: 'no_eligible_gateway' } });
    const elsewhere = await client.api('POST', '/v1/payments', { amount: 1500, currency: 'USD', payment_method: method, routing: { gateways: ['stripe'] } });
    expect(elsewhere.body).toMatchObject({ status: 'failed', failure: { code: 'no_eligible_gateway' } });
  });

  it('declines as the token\'s card would', async () => {
    const declined = await client.api('POST', '/v1/payments', { amount: 1500, currency: 'USD', payment_method: applePay('4000000000000002'), routing: { gateways: ['stripe'] } });
    expect(declined.body).toMatchObject({ status: 'failed', failure: { code: 'generic_decline' }, payment_method: { type: 'apple_pay' } });
  });

  it('sends a Google Pay token only to the gateway it was made for, and says why the others were passed over', async () => {
    const paid = await client.api('POST', '/v1/payments', { amount: 2100, currency: 'EUR', capture_method: 'manual', payment_method: googlePay('5555555555554444') });
    expect(paid.body).toMatchObject({ status: 'requires_capture', gateway: { provider: 'adyen' }, payment_method: { type: 'google_pay', google_pay: { network: 'mastercard', last4: '4444', funding: null } } });
    const reasons = Object.fromEntries((paid.body.decision.candidates as { gateway: string; reason: string | null }[]).map((c) => [c.gateway, c.reason]));
    expect(reasons).toMatchObject({ adyen: null, stripe: 'payment_method_not_supported', braintree: 'wallet_token_for_another_gateway', checkout: 'wallet_token_for_another_gateway' });

    const elsewhere = await client.api('POST', '/v1/payments', { amount: 2100, currency: 'EUR', payment_method: googlePay('4242424242424242'), routing: { gateways: ['stripe'] } });
    expect(elsewhere.body).toMatchObject({ status: 'failed', failure: { code: 'no_eligible_gateway' } });
  });

  it('refuses a malformed wallet token, naming the field, and stores nothing', async () => {
    const before = (await client.api('GET', '/v1/payments?limit=100')).body.data.length;
    const token = sandboxApplePayToken('4242424242424242');
    const cases: [unknown, string][] = [
      [{ type: 'apple_pay', apple_pay: { token: { ...token, paymentData: { ...token.paymentData, header: { publicKeyHash: 'abc=' } } } } }, 'payment_method.apple_pay.token.paymentData.header.ephemeralPublicKey'],
      [{ type: 'apple_pay', apple_pay: { token: { ...token, paymentData: { ...token.paymentData, version: 'RSA_v1' } } } }, 'payment_method.apple_pay.token.paymentData.version'],
      [{ type: 'apple_pay', apple_pay: { token: { ...token, paymentData: { ...token.paymentData, data: 'x'.repeat(20_000) } } } }, 'payment_method.apple_pay.token.paymentData.data'],
      [{ ...googlePay('4242424242424242'), google_pay: { ...googlePay('4242424242424242').google_pay, token: '{"protocolVersion":"ECv1"}' } }, 'payment_method.google_pay.token'],
      [{ ...googlePay('4242424242424242'), google_pay: { ...googlePay('4242424242424242').google_pay, gateway: 'stripe' } }, 'payment_method.google_pay.gateway'],
      [{ type: 'apple_pay', apple_pay: { token, shipping: {} } }, 'payment_method.apple_pay.shipping'],
      [{ type: 'samsung_pay' }, 'payment_method.type'],
      [{ type: 'apple_pay', apple_pay: {} }, 'payment_method.apple_pay.token'],
      [{ type: 'apple_pay', apple_pay: { gateway: 'braintree', card_network: 'Visa' } }, 'payment_method.apple_pay.token'],
      [{ type: 'apple_pay', apple_pay: { nonce: 'fake-apple-pay-visa-nonce', card_network: 'Visa' } }, 'payment_method.apple_pay.gateway'],
      [{ type: 'apple_pay', apple_pay: { gateway: 'braintree', nonce: 'fake-apple-pay-visa-nonce' } }, 'payment_method.apple_pay.card_network'],
      [{ type: 'apple_pay', apple_pay: { gateway: 'adyen', nonce: 'fake-apple-pay-visa-nonce', card_network: 'Visa' } }, 'payment_method.apple_pay.gateway'],
      [{ type: 'apple_pay', apple_pay: { gateway: 'braintree', nonce: '<script>alert(1)</script>', card_network: 'Visa' } }, 'payment_method.apple_pay.nonce'],
      [{ type: 'apple_pay', apple_pay: { gateway: 'braintree', nonce: 'n'.repeat(129), card_network: 'Visa' } }, 'payment_method.apple_pay.nonce'],
      [{ type: 'apple_pay', apple_pay: { gateway: 'braintree', nonce: 42, card_network: 'Visa' } }, 'payment_method.apple_pay.nonce'],
      [{ type: 'apple_pay', apple_pay: { gateway: 'braintree', nonce: 'fake-apple-pay-visa-nonce', card_network: 'Visa\n' } }, 'payment_method.apple_pay.card_network'],
      [{ type: 'apple_pay', apple_pay: { token, nonce: 'fake-apple-pay-visa-nonce' } }, 'payment_method.apple_pay.nonce'],
      [{ ...googlePay('4242424242424242'), google_pay: { ...googlePay('4242424242424242').google_pay, nonce: 'fake-android-pay-visa-nonce' } }, 'payment_method.google_pay.nonce'],
      [{ ...googlePay('4242424242424242'), google_pay: { ...googlePay('4242424242424242').google_pay, gateway: 'braintree' } }, 'payment_method.google_pay.token'],
      [{ type: 'google_pay', google_pay: { gateway: 'braintree', card_network: 'VISA', card_details: '1111' } }, 'payment_method.google_pay.nonce'],
      [{ type: 'google_pay', google_pay: { gateway: 'adyen', card_network: 'VISA', card_details: '1111' } }, 'payment_method.google_pay.token'],
    ];
    for (const [payment_method, param] of cases) {
      const res = await client.api('POST', '/v1/payments', { amount: 1000, currency: 'USD', payment_method });
      expect(res.status, param).toBe(400);
      expect(res.body.param, JSON.stringify(res.body)).toBe(param);
      expect(JSON.stringify(res.body)).not.toContain(token.paymentData.data);
    }
    expect((await client.api('GET', '/v1/payments?limit=100')).body.data.length).toBe(before);
  });

  it('answers the methods menu from the gateways and rules, and refuses bad queries', async () => {
    const menu = await client.api('GET', '/v1/payment_methods/available?amount=2500&currency=EUR&country=DE');
    expect(menu.status).toBe(200);
    expect(menu.body.available.map((m: { type: string }) => m.type)).toEqual(['card', 'apple_pay', 'google_pay', 'paypal', 'crypto', 'sepa_debit']);
    const googlePayMenu = menu.body.available.find((m: { type: string }) => m.type === 'google_pay');
    expect({ ...googlePayMenu, gateways: [...googlePayMenu.gateways].sort() }).toMatchObject({ gateways: ['adyen', 'braintree', 'checkout'], token_gateways: ['adyen', 'checkoutltd'], nonce_gateways: ['braintree'] });
    expect(menu.body.available.find((m: { type: string }) => m.type === 'apple_pay')).toMatchObject({ nonce_gateways: ['braintree'] });

    // The sandbox rules block sanctioned billing countries: nothing is available there.
    const sanctioned = await client.api('GET', '/v1/payment_methods/available?amount=2500&currency=USD&country=KP');
    expect(sanctioned.body).toMatchObject({ available: [], unavailable: [{ type: 'card', reason: 'blocked', rule: 'block-sanctioned' }, { type: 'apple_pay', reason: 'blocked' }, { type: 'google_pay', reason: 'blocked' }, { type: 'paypal', reason: 'blocked' }, { type: 'crypto', reason: 'blocked' }, { type: 'sepa_debit', reason: 'blocked' }, { type: 'ach_debit', reason: 'blocked' }] });

    const bad: [string, string][] = [
      ['currency=EUR&country=DE', 'amount'],
      ['amount=abc&currency=EUR&country=DE', 'amount'],
      ['amount=-5&currency=EUR&country=DE', 'amount'],
      [`amount=${'9'.repeat(19)}&currency=EUR&country=DE`, 'amount'],
      ['amount=100&currency=eur&country=DE', 'currency'],
      ['amount=100&currency=EUR&country=XX', 'country'],
      [`amount=100&currency=EUR&country=${'D'.repeat(5000)}`, 'country'],
      ['amount=100&currency=EUR&country=DE&extra=1', 'extra'],
      ['amount=100&currency=EUR&country=%3Cscript%3E', 'country'],
    ];
    for (const [query, param] of bad) {
      const res = await client.api('GET', `/v1/payment_methods/available?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.param, query).toBe(param);
    }
  });
});
