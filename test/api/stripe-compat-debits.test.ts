import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GoCardlessSimulator } from '../../adapters/gocardless/simulator/index.js';
import { captureLogger } from '../support/capture-logger.js';
import { manualClock } from '../support/clock.js';
import { sandboxClient } from '../support/sandbox-client.js';
import { until } from '../support/until.js';

const DAY = 86_400_000;
const IBAN = 'DE89370400440532013000';
const ACCOUNT = '000123456789';
/** `payment_method_types` is in Stripe's API but no longer in the SDK's types (it prefers automatic payment methods). */
type IntentParams = Stripe.PaymentIntentCreateParams & { payment_method_types?: string[] };
const mandate = { customer_acceptance: { type: 'online' as const, online: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0 (test)' } } };

/**
 * SEPA and ACH debits through the Stripe-compatible API, driven by the official stripe SDK changed
 * only in host and port: a merchant's existing Stripe debit code gets routing to a debit gateway.
 */
describe('bank debits through the Stripe-compatible API', () => {
  let t: Awaited<ReturnType<typeof sandboxClient>>;
  let stripe: Stripe;
  const { logger, lines } = captureLogger();
  const sim = () => t.sandbox.simulators['gocardless'] as GoCardlessSimulator;
  const sepa = (overrides: Partial<IntentParams> = {}): IntentParams => ({
    amount: 2500,
    currency: 'eur',
    confirm: true,
    payment_method_types: ['sepa_debit'],
    payment_method_data: { type: 'sepa_debit', sepa_debit: { iban: IBAN }, billing_details: { name: 'Ada Lovelace', email: 'ada@example.com' } },
    mandate_data: mandate,
    ...overrides,
  });
  const ach = (overrides: Partial<IntentParams> = {}): IntentParams => ({
    amount: 4200,
    currency: 'usd',
    confirm: true,
    payment_method_types: ['us_bank_account'],
    payment_method_data: { type: 'us_bank_account', us_bank_account: { routing_number: '110000000', account_number: ACCOUNT, account_holder_type: 'individual', account_type: 'checking' }, billing_details: { name: 'Grace Hopper' } },
    mandate_data: mandate,
    ...overrides,
  });
  const refusal = (params: IntentParams) => stripe.paymentIntents.create(params).then(() => null, (e: Stripe.errors.StripeError) => e);

  beforeAll(async () => {
    t = await sandboxClient({ stripePort: 0, clock: manualClock(new Date()), jobPollMs: 3_600_000, logger });
    await t.activate('rules:\n  - id: debits\n    when: { payment_method: { in: [sepa_debit, ach_debit] } }\n    then: { route: [gocardless] }\ndefault: { route: [stripe] }\n');
    const { hostname, port } = new URL(t.sandbox.stripeUrl!);
    stripe = new Stripe(t.sandbox.apiKey, { host: hostname, port: Number(port), protocol: 'http', maxNetworkRetries: 0, timeout: 20_000 });
  }, 180_000);
  afterAll(() => t?.close());

  it('confirms a SEPA debit: processing until the bank settles it, then succeeded, with no IBAN kept', async () => {
    const intent = await stripe.paymentIntents.create(sepa({ metadata: { order: 'sepa-1' } }));
    expect(intent).toMatchObject({ status: 'processing', amount: 2500, currency: 'eur', payment_method_types: ['sepa_debit'], amount_received: 0, metadata: { order: 'sepa-1' } });
    const payment = (await t.api('GET', `/v1/payments/${intent.latest_charge}`)).body;
    expect(payment).toMatchObject({ status: 'processing', gateway: { provider: 'gocardless' }, payment_method: { type: 'sepa_debit', sepa_debit: { country: 'DE', last4: '3000', holder_name: 'Ada Lovelace' } } });

    sim().advance(4 * DAY);
    await until(async () => (await stripe.paymentIntents.retrieve(intent.id)).status === 'succeeded');
    expect(await stripe.paymentIntents.retrieve(intent.id)).toMatchObject({ status: 'succeeded', amount_received: 2500 });

    const stored = JSON.stringify(await t.sandbox.repositories.payments.get(t.sandbox.merchantId, intent.latest_charge as string));
    const intentRow = JSON.stringify(await t.sandbox.repositories.stripePaymentIntents.get(t.sandbox.merchantId, intent.id));
    for (const text of [stored, intentRow, JSON.stringify(intent), lines.join('\n')]) expect(text).not.toContain('0532013000');
  });

  it('confirms an ACH debit on a us_bank_account, and a debit confirmed later on an intent created for it', async () => {
    const intent = await stripe.paymentIntents.create(ach());
    expect(intent).toMatchObject({ status: 'processing', payment_method_types: ['us_bank_account'] });
    expect((await t.api('GET', `/v1/payments/${intent.latest_charge}`)).body).toMatchObject({ payment_method: { type: 'ach_debit', ach_debit: { last4: '6789', holder_name: 'Grace Hopper' } } });

    const later = await stripe.paymentIntents.create({ amount: 1500, currency: 'eur', payment_method_types: ['card', 'sepa_debit'] } as IntentParams);
    expect(later).toMatchObject({ status: 'requires_payment_method', payment_method_types: ['card', 'sepa_debit'] });
    const { payment_method_data, mandate_data } = sepa();
    expect(await stripe.paymentIntents.confirm(later.id, { payment_method_data, mandate_data } as Stripe.PaymentIntentConfirmParams)).toMatchObject({ status: 'processing' });
    expect(JSON.stringify(lines)).not.toContain(ACCOUNT);
  });

  it('reports a debit the bank refuses as the intent waiting for another payment method', async () => {
    sim().failNextPayments({ cause: 'insufficient_funds', reasonCode: 'AM04' }, 1);
    const intent = await stripe.paymentIntents.create(sepa());
    sim().advance(4 * DAY);
    await until(async () => (await stripe.paymentIntents.retrieve(intent.id)).status === 'requires_payment_method');
    expect(await stripe.paymentIntents.retrieve(intent.id)).toMatchObject({ last_payment_error: { decline_code: 'insufficient_funds' } });
  });

  it('refuses bad debit input with Stripe\'s error naming the parameter, and stores nothing', async () => {
    const before = (await stripe.paymentIntents.list({ limit: 100 })).data.length;
    const cases: [IntentParams, string, string][] = [
      [sepa({ payment_method_data: { type: 'sepa_debit', sepa_debit: { iban: 'DE89370400440532013001' }, billing_details: { name: 'Ada' } } }), 'payment_method_data[sepa_debit][iban]', 'invalid_bank_account_iban'],
      [sepa({ payment_method_data: { type: 'sepa_debit', sepa_debit: { iban: 'BR1800360305000010009795493C1' }, billing_details: { name: 'Ada' } } }), 'payment_method_data[sepa_debit][iban]', 'invalid_iban_country_code'],
      [sepa({ payment_method_data: { type: 'sepa_debit', sepa_debit: { iban: IBAN } } }), 'payment_method_data[billing_details]', 'parameter_missing'],
      [sepa({ mandate_data: undefined }), 'mandate_data', 'parameter_missing'],
      [sepa({ mandate_data: { customer_acceptance: { type: 'offline' } } }), 'mandate_data[customer_acceptance][type]', 'parameter_invalid'],
      [sepa({ mandate_data: { customer_acceptance: { type: 'online', online: { ip_address: 'not-an-ip', user_agent: 'x' } } } }), 'mandate_data[customer_acceptance][online][ip_address]', 'parameter_invalid'],
      [sepa({ currency: 'usd' }), 'currency', 'payment_intent_invalid_parameter'],
      [sepa({ capture_method: 'manual' }), 'capture_method', 'payment_intent_invalid_parameter'],
      [sepa({ setup_future_usage: 'off_session' }), 'setup_future_usage', 'payment_intent_invalid_parameter'],
      [sepa({ payment_method_types: ['card'] }), 'payment_method_data[type]', 'payment_intent_invalid_parameter'],
      [sepa({ payment_method_types: ['ideal'] }), 'payment_method_types[0]', 'parameter_invalid'],
      [ach({ payment_method_data: { type: 'us_bank_account', us_bank_account: { routing_number: '110000001', account_number: ACCOUNT }, billing_details: { name: 'Grace' } } }), 'payment_method_data[us_bank_account][routing_number]', 'routing_number_invalid'],
      [ach({ payment_method_data: { type: 'us_bank_account', us_bank_account: { routing_number: '110000000', account_number: '12ab' }, billing_details: { name: 'Grace' } } }), 'payment_method_data[us_bank_account][account_number]', 'account_number_invalid'],
      [ach({ payment_method_data: { type: 'us_bank_account', us_bank_account: { routing_number: '110000000', account_number: '9'.repeat(5000) }, billing_details: { name: 'Grace' } } }), 'payment_method_data[us_bank_account][account_number]', 'parameter_invalid'],
      [sepa({ payment_method_data: { type: 'sofort' } as never }), 'payment_method_data[type]', 'parameter_invalid'],
    ];
    for (const [params, param, code] of cases) {
      const error = await refusal(params);
      expect(error, param).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, param, code });
      expect(JSON.stringify(error?.raw)).not.toContain('0532013000');
      expect(JSON.stringify(error?.raw)).not.toContain('9'.repeat(20));
    }
    expect((await stripe.paymentIntents.list({ limit: 100 })).data).toHaveLength(before);
  });
});
