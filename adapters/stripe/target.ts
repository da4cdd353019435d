import type { CardInput } from '../testkit/contract.js';
import { walletScenarios, type ConformanceTarget, type MethodScenario, type ScenarioInput } from '../testkit/target.js';
import { createStripeAdapter } from './adapter.js';
import { randomToken } from './simulator/ids.js';
import { startStripeSimulator, stripeWebhookSigner } from './simulator/index.js';

const EXPIRY_YEAR = new Date().getUTCFullYear() + 3;

/** One of Stripe's public test cards (US-issued), 25.00 USD. */
function testCard(number: string): ScenarioInput {
  const card: CardInput = { number, expMonth: 12, expYear: EXPIRY_YEAR, cvc: number.startsWith('3') ? '1234' : '123', holderName: null };
  return { card, amount: 2500, currency: 'USD' };
}

const acceptance = { kind: 'acceptance', acceptedAt: new Date('2026-11-30T10:00:00Z'), ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (conformance)' } as const;

/** A SEPA debit of 25.00 EUR from one of Stripe's test IBANs. */
function sepa(iban: string): MethodScenario {
  return { method: { type: 'sepa_debit', sepaDebit: { iban, accountHolderName: 'Ada Lovelace', mandate: acceptance } }, amount: 2500, currency: 'EUR' };
}

export const stripeTarget: ConformanceTarget = {
  provider: 'stripe',
  paymentMethods: ['card', 'apple_pay', 'sepa_debit'],
  async start({ timeoutMs, webhookUrl }) {
    const webhookSecret = `whsec_${randomToken(32)}`;
    const simulator = await startStripeSimulator({ webhookUrl, webhookSecret });
    const adapter = createStripeAdapter({
      secretKey: `sk_test_${randomToken(24)}`,
      webhookSecret,
      host: simulator.host,
      port: simulator.port,
      protocol: 'http',
      timeoutMs,
    });
    return {
      adapter,
      simulator,
      scenarios: {
        approved: testCard('4242424242424242'),
        declines: {
          generic_decline: testCard('4000000000000002'),
          insufficient_funds: testCard('4000000000009995'),
          expired_card: testCard('4000000000000069'),
          invalid_cvc: testCard('4000000000000127'),
          invalid_number: testCard('4242424242424241'),
          lost_or_stolen: testCard('4000000000009987'),
          suspected_fraud: testCard('4100000000000019'),
          velocity_exceeded: testCard('4000000000006975'),
          processing_error: testCard('4000000000000119'),
        },
        requiresAction: testCard('4000002760003184'),
        wallets: walletScenarios(['apple_pay'], { amount: 2500, currency: 'USD' }),
      },
      debits: {
        scenarios: {
          // Stripe's test IBANs: collected, and failed (processing → requires_payment_method).
          sepa_debit: { settles: sepa('DE89370400440532013000'), fails: sepa('AT861904300235473202'), reason: 'insufficient_funds', bad: sepa('DE89370400440532013001') },
        },
        bank: {
          settlesAfterMs: simulator.debitSettlementMs,
          advance: (ms) => simulator.advanceBank(ms),
          returnDebit: (reference, code) => simulator.returnDebit(reference, code),
        },
      },
      webhooks: stripeWebhookSigner(webhookSecret),
      close: () => simulator.close(),
    };
  },
};
