import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStripeSimulator, type StripeSimulator } from './index.js';
import { cardData, rejectionOf, sdkFor } from './test-support.js';

describe('Stripe simulator: refunds through the stripe SDK', () => {
  let sim: StripeSimulator;
  let stripe: Stripe;
  beforeAll(async () => {
    sim = await startStripeSimulator();
    stripe = sdkFor(sim);
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.ledger.reset());

  const paid = (amount = 1000, captureMethod: 'automatic' | 'manual' = 'automatic') =>
    stripe.paymentIntents.create({ amount, currency: 'usd', capture_method: captureMethod, confirm: true, payment_method_data: cardData('4242424242424242') });

  it('refunds in part, then the rest, then refuses more', async () => {
    const pi = await paid(1000);
    const first = await stripe.refunds.create({ payment_intent: pi.id, amount: 300, reason: 'requested_by_customer', metadata: { ticket: '42' } });
    expect(first).toMatchObject({
      object: 'refund',
      amount: 300,
      currency: 'usd',
      payment_intent: pi.id,
      charge: pi.latest_charge,
      status: 'succeeded',
      reason: 'requested_by_customer',
      metadata: { ticket: '42' },
    });
    expect(first.id).toMatch(/^re_/);
    expect(first.created).toEqual(expect.any(Number));
    expect(sim.ledger.paymentIntent(pi.id)).toMatchObject({ captured: 1000, refunded: 300 });

    const rest = await stripe.refunds.create({ payment_intent: pi.id });
    expect(rest.amount).toBe(700);
    expect(sim.ledger.totals()).toEqual({ authorized: 1000, captured: 1000, refunded: 1000 });

    const more = await rejectionOf(stripe.refunds.create({ payment_intent: pi.id, amount: 1 }));
    expect(more).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(more).toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });
    expect(sim.ledger.refunds()).toHaveLength(2);

    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ amount_refunded: 1000, refunded: true });
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
  });

  it('refuses a refund larger than what is left', async () => {
    const pi = await paid(1000);
    await stripe.refunds.create({ payment_intent: pi.id, amount: 600 });
    const error = await rejectionOf(stripe.refunds.create({ payment_intent: pi.id, amount: 401 }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount' });
    expect(sim.ledger.paymentIntent(pi.id)?.refunded).toBe(600);
  });

  it('refunds only what a partial capture took', async () => {
    const pi = await paid(5000, 'manual');
    await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 3000 });
    const error = await rejectionOf(stripe.refunds.create({ payment_intent: pi.id, amount: 3001 }));
    expect(error.code).toBe('amount_too_large');
    expect((await stripe.refunds.create({ payment_intent: pi.id })).amount).toBe(3000);
  });

  it('refuses to refund an uncaptured authorization', async () => {
    const pi = await paid(1000, 'manual');
    const error = await rejectionOf(stripe.refunds.create({ payment_intent: pi.id }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.statusCode).toBe(400);
    expect(sim.ledger.paymentIntent(pi.id)?.refunded).toBe(0);
  });

  it('refunds by charge id and retrieves the refund', async () => {
    const pi = await paid(1000);
    const refund = await stripe.refunds.create({ charge: pi.latest_charge as string, amount: 250 });
    expect(refund).toMatchObject({ payment_intent: pi.id, amount: 250 });
    expect(await stripe.refunds.retrieve(refund.id)).toMatchObject({ id: refund.id, amount: 250, status: 'succeeded' });
    const missing = await rejectionOf(stripe.refunds.retrieve('re_missing'));
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('answers 400 without a payment_intent or charge, and 404 for an unknown one', async () => {
    const none = await rejectionOf(stripe.refunds.create({}));
    expect(none).toMatchObject({ statusCode: 400, rawType: 'invalid_request_error' });
    const unknown = await rejectionOf(stripe.refunds.create({ payment_intent: 'pi_unknown' }));
    expect(unknown).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'payment_intent' });
  });
});
