import type { CardInput } from '../testkit/contract.js';
import { walletScenarios, type ConformanceTarget, type ScenarioInput } from '../testkit/target.js';
import { createStripeAdapter } from './adapter.js';
import { randomToken } from './simulator/ids.js';
import { startStripeSimulator, stripeWebhookSigner } from './simulator/index.js';

const EXPIRY_YEAR = new Date().getUTCFullYear() + 3;

/** One of Stripe's public test cards (US-issued), 25.00 USD. */
function testCard(number: string): ScenarioInput {
  const card: CardInput = { number, expMonth: 12, expYear: EXPIRY_YEAR, cvc: number.startsWith('3') ? '1234' : '123', holderName: null };
  return { card, amount: 2500, currency: 'USD' };
}

export const stripeTarget: ConformanceTarget = {
  provider: 'stripe',
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
      webhooks: stripeWebhookSigner(webhookSecret),
      close: () => simulator.close(),
    };
  },
};
