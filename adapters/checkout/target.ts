import type { DeclineReason } from '../../src/domain/decline.js';
import type { CardInput } from '../testkit/contract.js';
import { walletScenarios, type ConformanceTarget, type ScenarioInput } from '../testkit/target.js';
import { createCheckoutAdapter } from './adapter.js';
import { startCheckoutSimulator } from './simulator/index.js';

/** Test-only credentials, shaped as Checkout.com's sandbox keys (the SDK sends such a key as a Bearer token). */
const SECRET_KEY = 'sk_sbox_switchyardconformancetest23';
const PUBLIC_KEY = 'pk_sbox_switchyardconformancetest23';
const WEBHOOK_SECRET = 'switchyard-conformance-webhook-key';

const card = (number: string): CardInput => ({ number, expMonth: 12, expYear: 2030, cvc: '100', holderName: 'Jane Shopper' });
const scenario = (number: string): ScenarioInput => ({ card: card(number), amount: 1000, currency: 'GBP' });

/** The shared sandbox test cards, which the simulator answers with Checkout.com's response codes. */
const DECLINES: Partial<Record<DeclineReason, ScenarioInput>> = {
  generic_decline: scenario('4000000000000002'),
  insufficient_funds: scenario('4000000000009995'),
  expired_card: scenario('4000000000000069'),
  invalid_cvc: scenario('4000000000000127'),
  lost_or_stolen: scenario('4000000000009987'),
  processing_error: scenario('4000000000000119'),
  suspected_fraud: scenario('4100000000000019'),
  velocity_exceeded: scenario('4000000000006975'),
};

export const checkoutTarget: ConformanceTarget = {
  provider: 'checkout',
  async start({ timeoutMs, webhookUrl }) {
    const simulator = await startCheckoutSimulator({ secretKey: SECRET_KEY, publicKey: PUBLIC_KEY, webhookSecret: WEBHOOK_SECRET, webhookUrl });
    const adapter = createCheckoutAdapter({
      secretKey: SECRET_KEY,
      publicKey: PUBLIC_KEY,
      webhookSecret: WEBHOOK_SECRET,
      baseUrl: simulator.url,
      subdomain: null,
      returnUrl: 'https://shop.example/return',
      timeoutMs,
    });
    return {
      adapter,
      simulator,
      scenarios: { approved: scenario('4242424242424242'), declines: DECLINES, requiresAction: scenario('4000002760003184'),
        wallets: walletScenarios(['apple_pay', 'google_pay'], { amount: 1000, currency: 'GBP' }, 'checkoutltd'),
      },
      webhooks: simulator.webhooks,
      close: () => simulator.close(),
    };
  },
};
