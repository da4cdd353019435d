import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeclineReason } from '../../src/domain/decline.js';
import { createAdyenAdapter } from '../adyen/adapter.js';
import { startAdyenSimulator, type AdyenSimulator } from '../adyen/simulator/index.js';
import { createBraintreeAdapter } from '../braintree/adapter.js';
import { startBraintreeSimulator, type BraintreeSimulator } from '../braintree/simulator/index.js';
import { createStripeAdapter } from '../stripe/adapter.js';
import { startStripeSimulator, TEST_CARDS as STRIPE_TEST_CARDS, type StripeSimulator } from '../stripe/simulator/index.js';
import type { AuthorizeRequest, GatewayAdapter } from './contract.js';
import { SANDBOX_TEST_CARDS, sandboxTestCard, type SandboxOutcome } from './test-cards.js';

/** What the router sees for each shared outcome, whatever the gateway. */
const DECLINES: Record<Exclude<SandboxOutcome, 'approve' | 'three_d_secure'>, DeclineReason> = {
  generic_decline: 'generic_decline',
  insufficient_funds: 'insufficient_funds',
  lost_card: 'lost_or_stolen',
  stolen_card: 'lost_or_stolen',
  expired_card: 'expired_card',
  incorrect_cvc: 'invalid_cvc',
  processing_error: 'processing_error',
  fraudulent: 'suspected_fraud',
  velocity_exceeded: 'velocity_exceeded',
};

/** Stripe's own decline codes for the shared outcomes. */
const STRIPE_DECLINE_CODES: Record<string, string> = {
  generic_decline: 'generic_decline',
  insufficient_funds: 'insufficient_funds',
  lost_card: 'lost_card',
  stolen_card: 'stolen_card',
  expired_card: 'expired_card',
  incorrect_cvc: 'incorrect_cvc',
  processing_error: 'processing_error',
  fraudulent: 'fraudulent',
  velocity_exceeded: 'card_velocity_exceeded',
};

let stripe: StripeSimulator;
let adyen: AdyenSimulator;
let braintree: BraintreeSimulator;
let adapters: Record<'stripe' | 'adyen' | 'braintree', GatewayAdapter>;
let sequence = 0;

beforeAll(async () => {
  stripe = await startStripeSimulator();
  adyen = await startAdyenSimulator({ apiKey: 'AQE_cards', merchantAccount: 'Cards' });
  braintree = await startBraintreeSimulator({ merchantId: 'cards', publicKey: 'pub', privateKey: 'priv' });
  const timeoutMs = 5000;
  adapters = {
    stripe: createStripeAdapter({ secretKey: 'sk_test_cards', webhookSecret: stripe.account.webhookSecret, host: stripe.host, port: stripe.port, protocol: 'http', timeoutMs }),
    adyen: createAdyenAdapter({ apiKey: 'AQE_cards', merchantAccount: 'Cards', hmacKey: adyen.account.hmacKey, baseUrl: adyen.url, returnUrl: 'https://shop.example/return', timeoutMs }),
    braintree: createBraintreeAdapter({ merchantId: 'cards', publicKey: 'pub', privateKey: 'priv', host: braintree.host, port: braintree.port, ssl: false, timeoutMs }),
  };
});
afterAll(async () => {
  await Promise.all([stripe.close(), adyen.close(), braintree.close()]);
});

function request(number: string): AuthorizeRequest {
  sequence += 1;
  return {
    paymentId: `pay_cards${sequence}`,
    attemptNumber: 1,
    idempotencyKey: `pay_cards${sequence}:attempt:1`,
    amount: 2500,
    currency: 'USD',
    captureMethod: 'automatic',
    method: { type: 'card', card: { number, expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: sandboxTestCard(number)?.brand === 'amex' ? '1234' : '123', holderName: 'Ada Lovelace' } },
    description: null,
    customerEmail: null,
    returnUrl: null,
    threeDSecure: 'automatic',
  };
}

describe('the shared sandbox test cards', () => {
  it('are Stripe’s own test numbers, with Stripe’s outcome for each', () => {
    for (const card of SANDBOX_TEST_CARDS) {
      const own = STRIPE_TEST_CARDS.find((candidate) => candidate.number === card.number);
      expect(own, card.number).toBeDefined();
      expect(own!.brand).toBe(card.brand);
      expect(own!.country ?? 'US').toBe(card.country);
      expect(own!.funding).toBe(card.funding);
      if (card.outcome === 'approve') expect(own!.outcome).toEqual({ kind: 'approve' });
      else if (card.outcome === 'three_d_secure') expect(own!.outcome).toEqual({ kind: 'authenticate' });
      else expect(own!.outcome).toMatchObject({ kind: 'decline', declineCode: STRIPE_DECLINE_CODES[card.outcome] });
    }
  });

  for (const provider of ['stripe', 'adyen', 'braintree'] as const) {
    describe(`on ${provider}`, () => {
      for (const card of SANDBOX_TEST_CARDS) {
        it(`${card.number} (${card.description})`, async () => {
          const outcome = await adapters[provider].authorize(request(card.number));
          if (card.outcome === 'approve') {
            expect(outcome).toMatchObject({ kind: 'approved' });
          } else if (card.outcome === 'three_d_secure') {
            // Braintree has no 3-D Secure on its server-side API: its processor answers 2099.
            if (provider === 'braintree') expect(outcome).toMatchObject({ kind: 'declined', decline: { reason: 'authentication_required', providerCode: '2099' } });
            else expect(outcome).toMatchObject({ kind: 'requires_action', nextAction: { type: 'redirect' } });
          } else {
            expect(outcome).toMatchObject({ kind: 'declined', decline: { reason: DECLINES[card.outcome] } });
          }
        });
      }
    });
  }

  it('give way to the provider’s own conventions: Adyen’s holder names, Braintree’s amounts', async () => {
    const approve = '4242424242424242';
    expect(await adapters.adyen.authorize({ ...request(approve), method: { type: 'card', card: { number: approve, expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: '123', holderName: 'NOT_ENOUGH_BALANCE' } } })).toMatchObject({
      kind: 'declined',
      decline: { reason: 'insufficient_funds' },
    });
    expect(await adapters.braintree.authorize({ ...request('4000000000009995'), amount: 200_400 })).toMatchObject({ kind: 'declined', decline: { reason: 'expired_card' } });
  });

  it('carry their issuer country into approval rules on every gateway', async () => {
    const german = '4000002760000016';
    for (const sim of [stripe, adyen, braintree]) sim.setApprovalRates([{ country: 'DE', rate: 0 }]);
    try {
      for (const provider of ['stripe', 'adyen', 'braintree'] as const) {
        expect(await adapters[provider].authorize(request(german)), provider).toMatchObject({ kind: 'declined' });
        expect(await adapters[provider].authorize(request('4242424242424242')), provider).toMatchObject({ kind: 'approved' });
      }
    } finally {
      for (const sim of [stripe, adyen, braintree]) sim.setApprovalRates([]);
    }
  });

  it('report their funding and issuing country on every gateway, and nothing for a card they do not know', async () => {
    const ukDebit = '4000058260000005';
    const usPrepaid = '5105105105105100';
    for (const provider of ['stripe', 'adyen', 'braintree'] as const) {
      expect(await adapters[provider].authorize(request(ukDebit)), provider).toMatchObject({ kind: 'approved', card: { type: 'debit', issuerCountry: 'GB' } });
      expect(await adapters[provider].authorize(request(usPrepaid)), provider).toMatchObject({ kind: 'approved', card: { type: 'prepaid', issuerCountry: 'US' } });
      const declined = await adapters[provider].authorize(request('4000000000009995'));
      expect(declined, provider).toMatchObject({ kind: 'declined', card: { type: 'credit', issuerCountry: 'US' } });
    }
    // Luhn-valid, but no simulator's test card: a real gateway without BIN data says nothing either
    // (Braintree's sandbox takes only its test numbers, so it is left out).
    for (const provider of ['stripe', 'adyen'] as const) {
      const approved = await adapters[provider].authorize(request('4000220000000006'));
      expect(approved.kind, provider).toBe('approved');
      expect('card' in approved && approved.card, provider).toBeFalsy();
    }
  });

  it('leave no card number behind in any simulator', async () => {
    const kept = JSON.stringify([stripe.ledger.export(), adyen.ledger.export(), braintree.ledger.export(), adyen.ledger.payments(), braintree.ledger.transactions()]);
    for (const card of SANDBOX_TEST_CARDS) expect(kept).not.toContain(card.number);
  });
});
