import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStripeSimulator, type StripeSimulator } from './index.js';
import { cardData, rejectionOf, sdkFor } from './test-support.js';

describe('Stripe simulator: PaymentIntents through the stripe SDK', () => {
  let sim: StripeSimulator;
  let stripe: Stripe;
  beforeAll(async () => {
    sim = await startStripeSimulator();
    stripe = sdkFor(sim);
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.ledger.reset());

  it('authorizes and captures at once by default', async () => {
    const pi = await stripe.paymentIntents.create({
      amount: 1999,
      currency: 'USD',
      confirm: true,
      payment_method_data: cardData('4242424242424242'),
      description: 'Order 6735',
      metadata: { order_id: '6735' },
    });
    expect(pi).toMatchObject({
      object: 'payment_intent',
      amount: 1999,
      amount_capturable: 0,
      amount_received: 1999,
      currency: 'usd',
      status: 'succeeded',
      capture_method: 'automatic_async',
      description: 'Order 6735',
      metadata: { order_id: '6735' },
      last_payment_error: null,
      next_action: null,
      livemode: false,
    });
    expect(pi.id).toMatch(/^pi_/);
    expect(pi.latest_charge).toMatch(/^ch_/);
    expect(pi.payment_method).toMatch(/^pm_/);
    expect(pi.client_secret).toMatch(new RegExp(`^${pi.id}_secret_`));
    expect(Number.isInteger(pi.created)).toBe(true);
    expect(pi.lastResponse.requestId).toMatch(/^req_/);

    expect(sim.ledger.charges()).toBe(1);
    expect(sim.ledger.paymentIntent(pi.id)).toMatchObject({ status: 'succeeded', authorized: 1999, captured: 1999, refunded: 0, currency: 'usd' });
    expect(sim.ledger.totals('USD')).toEqual({ authorized: 1999, captured: 1999, refunded: 0 });
    expect(sim.ledger.totals('eur')).toEqual({ authorized: 0, captured: 0, refunded: 0 });
  });

  it('keeps only brand, last4, expiry and a fingerprint of the card', async () => {
    const pi = await stripe.paymentIntents.create(
      { amount: 1000, currency: 'usd', confirm: true, payment_method_data: cardData('5555555555554444') },
      { idempotencyKey: 'card-shape' },
    );
    const pm = await stripe.paymentMethods.retrieve(pi.payment_method as string);
    expect(pm).toMatchObject({
      object: 'payment_method',
      type: 'card',
      billing_details: { name: 'Ada Lovelace' },
      card: { brand: 'mastercard', last4: '4444', exp_month: 12, country: 'US', funding: 'credit', checks: { cvc_check: 'pass' } },
    });
    expect(pm.card?.fingerprint).toMatch(/^[A-Za-z0-9]{16}$/);

    const again = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method_data: cardData('5555555555554444', { exp_year: 2040 }) });
    const other = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method_data: cardData('4242424242424242') });
    const fingerprint = async (p: Stripe.PaymentIntent) => (await stripe.paymentMethods.retrieve(p.payment_method as string)).card?.fingerprint;
    expect(await fingerprint(again)).toBe(pm.card?.fingerprint);
    expect(await fingerprint(other)).not.toBe(pm.card?.fingerprint);
    expect(sim.ledger.paymentIntent(pi.id)?.idempotencyKey).toBe('card-shape');
  });

  it('expands latest_charge and payment_method', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method_data: cardData('4242424242424242') });
    const expanded = await stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge', 'payment_method'] });
    const charge = expanded.latest_charge as Stripe.Charge;
    expect(charge).toMatchObject({ object: 'charge', id: pi.latest_charge, amount: 1000, amount_captured: 1000, captured: true, paid: true, status: 'succeeded', payment_intent: pi.id });
    expect(charge.payment_method_details?.card).toMatchObject({ brand: 'visa', last4: '4242' });
    expect((expanded.payment_method as Stripe.PaymentMethod).card?.last4).toBe('4242');
    expect((await stripe.charges.retrieve(pi.latest_charge as string)).id).toBe(pi.latest_charge);
  });

  it('accepts Stripe test PaymentMethod ids such as pm_card_visa', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method: 'pm_card_visa', allowed_payment_method_types: ['card'] });
    expect(pi.status).toBe('succeeded');
    expect(pi.payment_method).toMatch(/^pm_(?!card_)/);
    const declined = await rejectionOf(
      stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method: 'pm_card_visa_chargeDeclinedInsufficientFunds' }),
    );
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(declined.decline_code).toBe('insufficient_funds');
  });

  it('authorizes only, then captures in full', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'eur', capture_method: 'manual', confirm: true, payment_method_data: cardData('4242424242424242') });
    expect(pi).toMatchObject({ status: 'requires_capture', amount_capturable: 5000, amount_received: 0 });
    expect(sim.ledger.charges()).toBe(1);
    expect(sim.ledger.paymentIntent(pi.id)).toMatchObject({ authorized: 5000, captured: 0 });

    const captured = await stripe.paymentIntents.capture(pi.id);
    expect(captured).toMatchObject({ status: 'succeeded', amount_capturable: 0, amount_received: 5000 });
    expect(sim.ledger.paymentIntent(pi.id)).toMatchObject({ authorized: 5000, captured: 5000, released: 0 });
    expect(sim.ledger.totals('eur')).toEqual({ authorized: 5000, captured: 5000, refunded: 0 });
    expect(sim.ledger.charges()).toBe(1);
  });

  it('captures in part and releases the rest, like Stripe', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', capture_method: 'manual', confirm: true, payment_method_data: cardData('4242424242424242') });
    const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 3000 });
    expect(captured).toMatchObject({ status: 'succeeded', amount: 5000, amount_capturable: 0, amount_received: 3000 });
    expect(sim.ledger.paymentIntent(pi.id)).toMatchObject({ authorized: 5000, captured: 3000, released: 2000 });

    const again = await rejectionOf(stripe.paymentIntents.capture(pi.id, { amount_to_capture: 100 }));
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again.code).toBe('payment_intent_unexpected_state');
  });

  it('refuses to capture more than was authorized', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', capture_method: 'manual', confirm: true, payment_method_data: cardData('4242424242424242') });
    const error = await rejectionOf(stripe.paymentIntents.capture(pi.id, { amount_to_capture: 1001 }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount_to_capture' });
    expect(sim.ledger.paymentIntent(pi.id)).toMatchObject({ status: 'requires_capture', captured: 0 });
  });

  it('cancels an authorization, releasing it', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', capture_method: 'manual', confirm: true, payment_method_data: cardData('4242424242424242') });
    const canceled = await stripe.paymentIntents.cancel(pi.id, { cancellation_reason: 'requested_by_customer' });
    expect(canceled).toMatchObject({ status: 'canceled', amount_capturable: 0, cancellation_reason: 'requested_by_customer' });
    expect(canceled.canceled_at).toEqual(expect.any(Number));
    expect(sim.ledger.paymentIntent(pi.id)).toMatchObject({ status: 'canceled', authorized: 1000, captured: 0, released: 1000 });

    const capture = await rejectionOf(stripe.paymentIntents.capture(pi.id));
    expect(capture.code).toBe('payment_intent_unexpected_state');
  });

  it('refuses to cancel a succeeded PaymentIntent', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method_data: cardData('4242424242424242') });
    const error = await rejectionOf(stripe.paymentIntents.cancel(pi.id));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state', rawType: 'invalid_request_error' });
    expect(error.message).toContain('status of succeeded');
    expect((error.payment_intent as Stripe.PaymentIntent).status).toBe('succeeded');
  });

  it('creates without confirming, then confirms', async () => {
    const bare = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    expect(bare).toMatchObject({ status: 'requires_payment_method', payment_method: null, latest_charge: null });
    const withCard = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method_data: cardData('4242424242424242') });
    expect(withCard.status).toBe('requires_confirmation');
    expect(sim.ledger.charges()).toBe(0);

    const confirmed = await stripe.paymentIntents.confirm(withCard.id);
    expect(confirmed.status).toBe('succeeded');
    const confirmedBare = await stripe.paymentIntents.confirm(bare.id, { payment_method: 'pm_card_mastercard', capture_method: 'manual' });
    expect(confirmedBare).toMatchObject({ status: 'requires_capture', capture_method: 'manual' });
    expect(sim.ledger.charges()).toBe(2);

    const twice = await rejectionOf(stripe.paymentIntents.confirm(withCard.id));
    expect(twice.code).toBe('payment_intent_unexpected_state');
  });

  it('lets a declined PaymentIntent be confirmed again with another card', async () => {
    const error = await rejectionOf(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method_data: cardData('4000000000000002') }));
    const declined = error.payment_intent as Stripe.PaymentIntent;
    expect(declined.status).toBe('requires_payment_method');
    const retried = await stripe.paymentIntents.confirm(declined.id, { payment_method_data: cardData('4242424242424242') });
    expect(retried).toMatchObject({ status: 'succeeded', last_payment_error: null });
    expect(sim.ledger.paymentIntent(declined.id)).toMatchObject({ declines: 1, captured: 1000 });
  });

  it('retrieves, and answers 404 resource_missing for an unknown id', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    expect((await stripe.paymentIntents.retrieve(pi.id)).id).toBe(pi.id);
    const error = await rejectionOf(stripe.paymentIntents.retrieve('pi_doesnotexist'));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id', message: "No such payment_intent: 'pi_doesnotexist'" });
  });

  describe('parameter validation answers 400 invalid_request_error with param', () => {
    const cases: Array<[string, Record<string, unknown>, string, string | undefined]> = [
      ['missing amount', { currency: 'usd' }, 'amount', 'parameter_missing'],
      ['missing currency', { amount: 1000 }, 'currency', 'parameter_missing'],
      ['non-integer amount', { amount: 12.5, currency: 'usd' }, 'amount', 'parameter_invalid_integer'],
      ['amount below the currency minimum', { amount: 49, currency: 'usd' }, 'amount', 'amount_too_small'],
      ['bad capture_method', { amount: 1000, currency: 'usd', capture_method: 'later' }, 'capture_method', undefined],
      ['unknown parameter', { amount: 1000, currency: 'usd', colour: 'blue' }, 'colour', 'parameter_unknown'],
      ['confirm without a payment method', { amount: 1000, currency: 'usd', confirm: true }, '', 'payment_intent_unexpected_state'],
      [
        'missing card number',
        { amount: 1000, currency: 'usd', confirm: true, payment_method_data: { type: 'card', card: { exp_month: 12, exp_year: 2040 } } },
        'payment_method_data[card][number]',
        'parameter_missing',
      ],
    ];
    it.each(cases)('%s', async (_name, params, param, code) => {
      const error = await rejectionOf(stripe.paymentIntents.create(params as unknown as Stripe.PaymentIntentCreateParams));
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error.statusCode).toBe(400);
      expect(error.rawType).toBe('invalid_request_error');
      if (param) expect(error.param).toBe(param);
      if (code) expect(error.code).toBe(code);
      expect(sim.ledger.paymentIntents()).toHaveLength(0);
    });
  });

  it('requires a return_url when automatic payment methods allow redirects', async () => {
    const params = { amount: 1000, currency: 'usd', confirm: true, payment_method_data: cardData('4242424242424242') };
    const error = await rejectionOf(stripe.paymentIntents.create({ ...params, automatic_payment_methods: { enabled: true } }));
    expect(error).toMatchObject({ statusCode: 400, param: 'return_url' });
    const never = await stripe.paymentIntents.create({ ...params, automatic_payment_methods: { enabled: true, allow_redirects: 'never' } });
    expect(never.status).toBe('succeeded');
    const withUrl = await stripe.paymentIntents.create({ ...params, automatic_payment_methods: { enabled: true }, return_url: 'https://shop.example/return' });
    expect(withUrl.status).toBe('succeeded');
  });

  it('answers 404 for an unknown route', async () => {
    const error = await rejectionOf(stripe.rawRequest('GET', '/v1/nothing_here'));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.statusCode).toBe(404);
  });
});
