import type { ConformanceTarget } from '../testkit/target.js';
import { createProbe30535Adapter } from './adapter.js';
import { probe30535WebhookSigner, startProbe30535Simulator } from './simulator/index.js';

const card = (number: string) => ({ number, expMonth: 12, expYear: 2030, cvc: '123', holderName: null });

export const probe30535Target: ConformanceTarget = {
  provider: 'probe30535',
  async start({ timeoutMs }) {
    const simulator = await startProbe30535Simulator();
    const adapter = createProbe30535Adapter({ apiKey: 'test_key', webhookSecret: 'test_webhook_secret', baseUrl: simulator.url, timeoutMs });
    return {
      adapter,
      simulator,
      // Replace with the provider's own sandbox conventions (test cards, magic amounts).
      scenarios: {
        approved: { card: card('4111111111111111'), amount: 1000, currency: 'EUR' },
        declines: {},
      },
      webhooks: probe30535WebhookSigner(),
      close: () => simulator.close(),
    };
  },
};
