import { startAdyenSimulator } from '../../../adapters/adyen/simulator/index.js';
import { startBraintreeSimulator } from '../../../adapters/braintree/simulator/index.js';
import { startStripeSimulator } from '../../../adapters/stripe/simulator/index.js';
import type { SimulatorControl } from '../../../adapters/testkit/simulator.js';

export interface SandboxGateways {
  /** Per provider, the adapter config that points at its simulator. */
  configs: Record<string, unknown>;
  simulators: Record<string, SimulatorControl>;
  close(): Promise<void>;
}

/**
 * Starts every provider's simulator on a free port, with fresh secrets, delivering its
 * notifications to `webhookUrl(provider)` (the router's endpoint for the sandbox account).
 */
export async function startSandboxGateways(webhookUrl: (provider: string) => string): Promise<SandboxGateways> {
  const secret = () => Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('hex');

  const stripeWebhookSecret = `whsec_${secret()}`;
  const stripe = await startStripeSimulator({ webhookUrl: webhookUrl('stripe'), webhookSecret: stripeWebhookSecret });

  const adyenAccount = { apiKey: `AQE_${secret()}`, merchantAccount: 'SwitchyardSandbox', hmacKey: secret() };
  const adyen = await startAdyenSimulator({ ...adyenAccount, webhookUrl: webhookUrl('adyen') });

  // Braintree fixes one currency per merchant account: the sandbox has one per currency it offers.
  const merchantAccounts = { USD: 'switchyard_usd', EUR: 'switchyard_eur', GBP: 'switchyard_gbp' };
  const braintreeAccount = { merchantId: 'switchyard_sandbox', publicKey: secret(), privateKey: secret(), merchantAccounts };
  const braintree = await startBraintreeSimulator({
    ...braintreeAccount,
    merchantAccounts: Object.fromEntries(Object.entries(merchantAccounts).map(([currency, id]) => [id, currency])),
    webhookUrl: webhookUrl('braintree'),
  });

  const simulators: Record<string, SimulatorControl> = { stripe, adyen, braintree };
  return {
    configs: {
      stripe: { secretKey: `sk_test_${secret()}`, webhookSecret: stripeWebhookSecret, host: stripe.host, port: stripe.port, protocol: 'http' },
      // No shop stands behind the sandbox: a 3-D Secure redirect returns to the simulator.
      adyen: { ...adyenAccount, baseUrl: adyen.url, returnUrl: `${adyen.url}/return` },
      braintree: { ...braintreeAccount, host: braintree.host, port: braintree.port, ssl: false },
    },
    simulators,
    close: async () => {
      await Promise.all(Object.values(simulators).map((s) => s.close()));
    },
  };
}
