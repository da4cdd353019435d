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

  it.each(['stripe', 'adyen'] as const)('pays with Apple Pay at %s, shows the wallet\'s display facts, and keeps no token', async (provider) => {
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

  it('declines as the token\'s card would', async () => {
    const declined = await client.api('POST', '/v1/payments', { amount: 1500, currency: 'USD', payment_method: applePay('4000000000000002'), routing: { gateways: ['stripe'] } });
    expect(declined.body).toMatchObject({ status: 'failed', failure: { code: 'generic_decline' }, payment_method: { type: 'apple_pay' } });
  });

  it('sends a Google Pay token only to the gateway it was made for, and says why the others were passed over', async () => {
    const paid = await client.api('POST', '/v1/payments', { amount: 2100, currency: 'EUR', capture_method: 'manual', payment_method: googlePay('5555555555554444') });
    expect(paid.body).toMatchObject({ status: 'requires_capture', gateway: { provider: 'adyen' }, payment_method: { type: 'google_pay', google_pay: { network: 'mastercard', last4: '4444', funding: null } } });
    const reasons = Object.fromEntries((paid.body.decision.candidates as { gateway: string; reason: string | null }[]).map((c) => [c.gateway, c.reason]));
    expect(reasons).toMatchObject({ adyen: null, stripe: 'payment_method_not_supported', braintree: 'payment_method_not_supported' });

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
    expect(menu.body.available.find((m: { type: string }) => m.type === 'google_pay')).toMatchObject({ gateways: ['adyen'], token_gateways: ['adyen'] });

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
