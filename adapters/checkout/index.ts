import type { ProviderModule } from '../testkit/contract.js';
import { checkoutCapabilities, createCheckoutAdapter, type CheckoutAdapterConfig } from './adapter.js';

export const checkoutProvider: ProviderModule<CheckoutAdapterConfig> = {
  name: 'checkout',
  capabilities: checkoutCapabilities,
  configFromEnv(prefix, env) {
    const apiKey = env[`${prefix}_API_KEY`];
    const webhookSecret = env[`${prefix}_WEBHOOK_SECRET`];
    return apiKey && webhookSecret ? { apiKey, webhookSecret, baseUrl: env[`${prefix}_BASE_URL`] ?? null } : null;
  },
  create: (config, { timeoutMs }) => createCheckoutAdapter({ ...config, timeoutMs }),
};
