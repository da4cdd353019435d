import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStripeSimulator, TEST_CARDS, type StripeSimulator } from './index.js';
import { luhnValid } from '../../../src/domain/card.js';
import { cardBrand } from './test-cards.js';
import { cardData, rawRequest, rejectionOf, sdkFor } from './test-support.js';

describe('Stripe test cards', () => {
  let sim: StripeSimulator;
  let stripe: Stripe;
  beforeAll(async () => {
    sim = await startStripeSimulator();
    stripe = sdkFor(sim);
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.ledger.reset());

  const charge = (number: string, card: Parameters<typeof cardData>[1] = {}) =>
    stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method_data: cardData(number, card) });

  it('lists only Luhn-valid numbers whose brand it recognizes', () => {
    for (const card of TEST_CARDS) {
      expect(luhnValid(card.number), card.number).toBe(true);
      expect(cardBrand(card.number), card.number).toBe(card.brand);
    }
  });

  it.each([
    ['4242424242424242', 'visa'],
    ['5555555555554444', 'mastercard'],
    ['378282246310005', 'amex'],
    ['6011111111111117', 'discover'],
    ['4000056655665556', 'visa'],
    ['4111111111111111', 'visa'],
  ])('%s succeeds as %s', async (number, brand) => {
    const pi = await charge(number);
    expect(pi.status).toBe('succeeded');
    const pm = await stripe.paymentMethods.retrieve(pi.payment_method as string);
    expect(pm.card).toMatchObject({ brand, last4: number.slice(-4) });
    expect(sim.ledger.charges()).toBe(1);
  });

  it.each([
    ['4000000000000002', 'card_declined', 'generic_decline'],
    ['4000000000009995', 'card_declined', 'insufficient_funds'],
    ['4000000000009987', 'card_declined', 'lost_card'],
    ['4000000000009979', 'card_declined', 'stolen_card'],
    ['4100000000000019', 'card_declined', 'fraudulent'],
    ['4000000000006975', 'card_declined', 'card_velocity_exceeded'],
    ['4000000000000069', 'expired_card', 'expired_card'],
    ['4000000000000127', 'incorrect_cvc', 'incorrect_cvc'],
    ['4000000000000119', 'processing_error', 'processing_error'],
  ])('%s is declined: %s / %s', async (number, code, declineCode) => {
    const error = await rejectionOf(charge(number));
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error).toMatchObject({ statusCode: 402, rawType: 'card_error', code, decline_code: declineCode });
    expect(error.message.length).toBeGreaterThan(0);
    expect(error.charge).toMatch(/^ch_/);
    const pi = error.payment_intent as Stripe.PaymentIntent;
    expect(pi).toMatchObject({ object: 'payment_intent', status: 'requires_payment_method', payment_method: null, amount_received: 0 });
    expect(pi.last_payment_error).toMatchObject({ type: 'card_error', code, decline_code: declineCode });
    expect(pi.last_payment_error?.payment_method?.card?.last4).toBe(number.slice(-4));

    expect(sim.ledger.charges()).toBe(0);
    expect(sim.ledger.paymentIntent(pi.id)).toMatchObject({ authorized: 0, captured: 0, declines: 1 });
    const stored = await stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] });
    expect(stored.last_payment_error?.decline_code).toBe(declineCode);
    expect(stored.latest_charge).toMatchObject({ status: 'failed', failure_code: code, paid: false });
  });

  describe('invalid card data is refused before any PaymentIntent exists', () => {
    it.each([
      ['bad Luhn', '4242424242424241', {}, 'incorrect_number', 'number'],
      ['not a card number', '1234', {}, 'invalid_number', 'number'],
      ['month 13', '4242424242424242', { exp_month: 13 }, 'invalid_expiry_month', 'exp_month'],
      ['year in the past', '4242424242424242', { exp_year: 2001 }, 'invalid_expiry_year', 'exp_year'],
      ['two-digit CVC', '4242424242424242', { cvc: '99' }, 'invalid_cvc', 'cvc'],
    ] as const)('%s', async (_name, number, card, code, param) => {
      const error = await rejectionOf(charge(number, card));
      expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect(error).toMatchObject({ statusCode: 402, rawType: 'card_error', code, param });
      expect(error.payment_intent).toBeUndefined();
      expect(sim.ledger.paymentIntents()).toHaveLength(0);
    });

    it('an expiry earlier this year is expired_card', async () => {
      const june2030 = Date.UTC(2030, 5, 15);
      const clocked = await startStripeSimulator({ now: () => june2030 });
      try {
        const error = await rejectionOf(
          sdkFor(clocked).paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method_data: cardData('4242424242424242', { exp_month: 3, exp_year: 2030 }) }),
        );
        expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
        expect(error).toMatchObject({ code: 'expired_card', decline_code: 'expired_card' });
      } finally {
        await clocked.close();
      }
    });
  });

  describe('3D Secure', () => {
    it.each(['4000002760003184', '4000000000003220', '4000002500003155'])('%s requires action with a redirect to the simulator', async (number) => {
      const pi = await stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        confirm: true,
        payment_method_data: cardData(number),
        return_url: 'https://shop.example/return?order=1',
      });
      expect(pi).toMatchObject({ status: 'requires_action', next_action: { type: 'redirect_to_url' }, amount_received: 0 });
      const url = pi.next_action?.redirect_to_url?.url ?? '';
      expect(url.startsWith(`${sim.url}/`)).toBe(true);
      expect(pi.next_action?.redirect_to_url?.return_url).toBe('https://shop.example/return?order=1');
      expect(sim.ledger.charges()).toBe(0);

      const page = await rawRequest(sim, 'GET', new URL(url).pathname);
      expect(page.status).toBe(200);
      expect(page.text).toContain('complete?result=succeed');
    });

    it('completing authentication authorizes and redirects to return_url', async () => {
      const pi = await stripe.paymentIntents.create({
        amount: 1000, currency: 'usd', capture_method: 'manual', confirm: true,
        payment_method_data: cardData('4000000000003220'), return_url: 'https://shop.example/return',
      });
      const url = new URL(pi.next_action?.redirect_to_url?.url ?? '');
      const done = await rawRequest(sim, 'GET', `${url.pathname}/complete?result=succeed`);
      expect(done.status).toBe(302);
      const location = new URL(done.headers.get('location') ?? '');
      expect(location.origin + location.pathname).toBe('https://shop.example/return');
      expect(location.searchParams.get('payment_intent')).toBe(pi.id);
      expect(location.searchParams.get('redirect_status')).toBe('succeeded');
      expect(await stripe.paymentIntents.retrieve(pi.id)).toMatchObject({ status: 'requires_capture', next_action: null, amount_capturable: 1000 });
      expect(sim.ledger.charges()).toBe(1);
    });

    it('failing authentication leaves the PaymentIntent needing a new payment method', async () => {
      const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method: 'pm_card_authenticationRequired' });
      expect(pi.next_action?.redirect_to_url?.return_url).toBeNull();
      const url = new URL(pi.next_action?.redirect_to_url?.url ?? '');
      const done = await rawRequest(sim, 'POST', `${url.pathname}/complete?result=fail`);
      expect(done.json).toEqual({ payment_intent: pi.id, status: 'requires_payment_method' });
      const after = await stripe.paymentIntents.retrieve(pi.id);
      expect(after).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: 'payment_intent_authentication_failure' } });
      expect(sim.ledger.charges()).toBe(0);
      // The 3DS page is the customer's browser, not a gateway call.
      expect(sim.ledger.requestCount()).toBe(2);
    });
  });
});
