import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStripeSimulator, type StripeSimulator } from './index.js';
import { rejectionOf, sdkFor } from './test-support.js';

const DAY = 86_400_000;
const acceptance = { customer_acceptance: { type: 'online' as const, online: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0 (test)' } } };

describe('Stripe simulator: SEPA Direct Debit through the stripe SDK', () => {
  let sim: StripeSimulator;
  let stripe: Stripe;
  beforeAll(async () => {
    sim = await startStripeSimulator();
    stripe = sdkFor(sim);
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.ledger.reset());

  const debit = (iban: string, extra: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
    stripe.paymentIntents.create({
      amount: 2500,
      currency: 'eur',
      confirm: true,
      allowed_payment_method_types: ['sepa_debit'],
      payment_method_data: { type: 'sepa_debit', sepa_debit: { iban }, billing_details: { name: 'Ada Lovelace' } },
      mandate_data: acceptance,
      ...extra,
    });

  it('accepts a debit as processing, shows only the last four digits, and collects it when the bank settles', async () => {
    const pi = await debit('DE89370400440532013000', { expand: ['latest_charge'] });
    expect(pi).toMatchObject({ status: 'processing', payment_method_types: ['sepa_debit'], amount_received: 0 });
    const charge = pi.latest_charge as Stripe.Charge;
    expect(charge.payment_method_details).toMatchObject({ type: 'sepa_debit', sepa_debit: { last4: '3000', country: 'DE', bank_code: '37040044', mandate: expect.stringMatching(/^mandate_/) } });
    expect(JSON.stringify(pi)).not.toContain('0532013000');
    expect(sim.ledger.totals().captured).toBe(0);

    sim.advanceBank(sim.debitSettlementMs - DAY);
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('processing');
    sim.advanceBank(DAY);
    expect(await stripe.paymentIntents.retrieve(pi.id)).toMatchObject({ status: 'succeeded', amount_received: 2500 });
    expect(sim.ledger.totals()).toMatchObject({ authorized: 2500, captured: 2500 });
  });

  it('fails a debit from a failing test IBAN with the charge\'s failure code', async () => {
    const pi = await debit('AT861904300235473202');
    sim.advanceBank(sim.debitSettlementMs);
    const failed = await stripe.paymentIntents.retrieve(pi.id);
    expect(failed).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: 'insufficient_funds' } });
    expect(sim.ledger.totals().captured).toBe(0);
  });

  it('returns a collected debit as a dispute lost from the start, and refuses to return one twice or one not collected', async () => {
    const pi = await debit('DE89370400440532013000');
    expect(() => sim.returnDebit(pi.id, 'MD06')).toThrow(/only a collected debit/);
    sim.advanceBank(sim.debitSettlementMs);
    await stripe.paymentIntents.retrieve(pi.id);
    expect(sim.returnDebit(pi.id, 'MD06')).toBe('debit_not_authorized');
    expect(() => sim.returnDebit(pi.id, 'MD06')).toThrow(/disputed/);
    const charge = await stripe.charges.retrieve((await stripe.paymentIntents.retrieve(pi.id)).latest_charge as string);
    expect(charge.disputed).toBe(true);
  });

  it.each([
    ['an invalid IBAN', () => debit('DE89370400440532013001'), 'payment_method_data[sepa_debit][iban]'],
    ['an IBAN outside SEPA', () => debit('BR1800360305000010009795493C1'), 'payment_method_data[sepa_debit][iban]'],
    ['no mandate acceptance', () => debit('DE89370400440532013000', { mandate_data: undefined }), 'mandate_data'],
    ['no account holder name', () => stripe.paymentIntents.create({ amount: 2500, currency: 'eur', confirm: true, allowed_payment_method_types: ['sepa_debit'], payment_method_data: { type: 'sepa_debit', sepa_debit: { iban: 'DE89370400440532013000' } }, mandate_data: acceptance }), 'payment_method_data[billing_details][name]'],
    ['a currency other than EUR', () => debit('DE89370400440532013000', { currency: 'usd' }), 'currency'],
    ['manual capture', () => debit('DE89370400440532013000', { capture_method: 'manual' }), 'capture_method'],
    ['a type the PaymentIntent does not allow', () => debit('DE89370400440532013000', { allowed_payment_method_types: ['card'] }), 'payment_method_data[type]'],
  ])('refuses %s with a 400 naming the parameter, creating no PaymentIntent and echoing no IBAN', async (_name, call, param) => {
    const error = await rejectionOf(call());
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.param).toBe(param);
    expect(error.message).not.toMatch(/\d{10}/);
    expect(sim.ledger.paymentIntents()).toHaveLength(0);
  });
});
