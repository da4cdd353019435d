import type { ConformanceTarget } from '../testkit/target.js';
import { createCheckoutAdapter } from './adapter.js';
import { checkoutWebhookSigner, startCheckoutSimulator } from './simulator/index.js';

const card = (number: string) => ({ number, expMonth: 12, expYear: 2030, cvc: '123', holderName: null });

export const checkoutTarget: ConformanceTarget = {
  provider: 'checkout',
  async start({ timeoutMs }) {
    const simulator = await startCheckoutSimulator();
    const adapter = createCheckoutAdapter({ apiKey: 'test_key', webhookSecret: 'test_webhook_secret', baseUrl: simulator.url, timeoutMs });
    return {
      adapter,
      simulator,
      // Replace with the provider's own sandbox conventions (test cards, magic amounts).
      scenarios: {
        approved: { card: card('4111111111111111'), amount: 1000, currency: 'EUR' },
        declines: {},
      },
      webhooks: checkoutWebhookSigner(),
      close: () => simulator.close(),
    };
  },
};
