import type { PaymentMethod } from '../../src/domain/payment-method.js';
import type { ConformanceTarget, MethodScenario } from '../testkit/target.js';
import { createPayPalAdapter, PAYPAL_CAPABILITIES } from './adapter.js';
import { startPayPalSimulator } from './simulator/index.js';
import { DECLINING_PAYERS, DEFAULT_PAYER_EMAIL } from './simulator/payers.js';

/** Test-only credentials, shaped as a PayPal REST app's. */
const CLIENT_ID = 'AconformanceTestClientIdSwitchyard000000000000000000000000000';
const CLIENT_SECRET = 'EconformanceTestClientSecretSwitchyard0000000000000000000000';
const WEBHOOK_ID = '7SW1TCHYARD0C0NF0';

const paypal = (emailHint: string): PaymentMethod => ({ type: 'paypal', paypal: { emailHint, brandName: 'Switchyard conformance', locale: 'en-US', shippingPreference: 'no_shipping' } });
const scenario = (emailHint: string): MethodScenario => ({ method: paypal(emailHint), amount: 1000, currency: 'USD' });
const declining = Object.entries(DECLINING_PAYERS).find(([, issue]) => issue === 'INSTRUMENT_DECLINED')![0];

export const paypalTarget: ConformanceTarget = {
  provider: 'paypal',
  paymentMethods: ['paypal'],
  capabilities: PAYPAL_CAPABILITIES,
  async start({ timeoutMs, webhookUrl }) {
    const simulator = await startPayPalSimulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, webhookId: WEBHOOK_ID, webhookUrl });
    const adapter = createPayPalAdapter({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      webhookId: WEBHOOK_ID,
      environment: 'sandbox',
      baseUrl: simulator.url,
      returnUrl: 'https://shop.example/return',
      timeoutMs,
    });
    return {
      adapter,
      simulator,
      scenarios: null,
      approvals: { paypal: { approved: scenario(DEFAULT_PAYER_EMAIL), declined: scenario(declining), reason: 'generic_decline', createPath: '/v2/' } },
      webhooks: simulator.webhooks,
      close: () => simulator.close(),
    };
  },
};
