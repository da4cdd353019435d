import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxClient } from '../support/sandbox-client.js';

/**
 * Rules on card type and issuer country, and cross-border fees, on real sandbox payments: the
 * facts come from the public BIN table (binlist/data) and from what a gateway reported earlier.
 */
describe('BIN facts on sandbox traffic', () => {
  let client: Awaited<ReturnType<typeof sandboxClient>>;

  // BINs the public table knows (src/routing/bin-data): 400022 is a US Visa debit, 512687 a
  // Mastercard credit card issued in the United Kingdom. Luhn-valid numbers on them.
  const US_DEBIT = '4000220000000006';
  const GB_CREDIT = '5126870000000004';
  // Stripe's Visa debit test card: BIN 400005 is in no table, but every simulator reports it as debit.
  const STRIPE_DEBIT = '4000056655665556';

  beforeAll(async () => {
    client = await sandboxClient({ gatewayTimeoutMs: 3000 });
    await client.activate(
      [
        'rules:',
        '  - id: debit-to-adyen',
        '    when: { card.type: debit }',
        '    then: { route: [adyen] }',
        '  - id: gb-issued-to-stripe',
        '    when: { country.issuer: GB }',
        '    then: { route: [stripe] }',
        'default: { route: [braintree, stripe] }',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => client.close());

  it('routes a debit card by its type from the public table, and prices it cross-border', async () => {
    const payment = await client.pay({ amount: 2500, currency: 'USD' }, US_DEBIT);
    expect(payment).toMatchObject({ status: 'succeeded', gateway: { provider: 'adyen' }, decision: { rule: 'debit-to-adyen', order: ['adyen'] } });
    expect(payment.payment_method.card).toMatchObject({ bin: '400022', funding: 'debit', issuer_country: 'US' });
    type Candidate = { gateway: string; eligible: boolean; fee: number };
    // PayPal, GoCardless and BitPay take no cards: they are candidates, ineligible, and priced at nothing.
    expect(payment.decision.candidates.filter((c: Candidate) => !c.eligible).map((c: Candidate) => c.gateway).sort()).toEqual(['bitpay', 'gocardless', 'paypal']);
    const fees = Object.fromEntries(payment.decision.candidates.filter((c: Candidate) => c.eligible).map((c: Candidate) => [c.gateway, c.fee]));
    // routing-rules/fees.yaml on 25.00 USD: Adyen (NL) prices USD debit at 1.50% + 13 and adds
    // 1.10% for a card issued outside NL: 65 + 13. Stripe (2.90% + 30) and Braintree (2.59% + 49)
    // are US acquirers: no cross-border fee on a US card. Checkout.com (GB) prices USD at 2.30% + 15
    // (57.5, rounded half up) and adds 1.20% cross-border: 58 + 15 + 30.
    expect(fees).toEqual({ stripe: 73 + 30, adyen: 65 + 13, braintree: 65 + 49, checkout: 58 + 15 + 30 });
  });

  it('routes a card by its issuing country from the public table', async () => {
    const payment = await client.pay({ amount: 2500, currency: 'USD' }, GB_CREDIT);
    expect(payment).toMatchObject({ status: 'succeeded', gateway: { provider: 'stripe' }, decision: { rule: 'gb-issued-to-stripe' } });
    expect(payment.payment_method.card).toMatchObject({ funding: 'credit', issuer_country: 'GB' });
  });

  it('learns a card type from a gateway’s answer and routes the next payment of that BIN by it', async () => {
    const first = await client.pay({ amount: 2500, currency: 'USD' }, STRIPE_DEBIT);
    expect(first).toMatchObject({ status: 'succeeded', gateway: { provider: 'braintree' }, decision: { rule: 'default' } });
    expect(first.payment_method.card).toMatchObject({ funding: null, issuer_country: null });

    const second = await client.pay({ amount: 2500, currency: 'USD' }, STRIPE_DEBIT);
    expect(second).toMatchObject({ status: 'succeeded', gateway: { provider: 'adyen' }, decision: { rule: 'debit-to-adyen' } });
    expect(second.payment_method.card).toMatchObject({ funding: 'debit', issuer_country: 'US' });
  });
});
