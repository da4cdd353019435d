import type { ProviderModule } from '../testkit/contract.js';
import { createStripeAdapter, type StripeAdapterConfig } from './adapter.js';
import { STRIPE_CAPABILITIES } from './capabilities.js';

export type StripeAccountConfig = Omit<StripeAdapterConfig, 'timeoutMs'>;

/** Stripe for the runtime: an `env:<PREFIX>` account reads `<PREFIX>_SECRET_KEY` and `<PREFIX>_WEBHOOK_SECRET`. */
export const stripeProvider: ProviderModule<StripeAccountConfig> = {
  name: 'stripe',
  capabilities: STRIPE_CAPABILITIES,
  configFromEnv(prefix, env) {
    const secretKey = env[`${prefix}_SECRET_KEY`];
    const webhookSecret = env[`${prefix}_WEBHOOK_SECRET`];
    return secretKey && webhookSecret ? { secretKey, webhookSecret } : null;
  },
  create: (config, { timeoutMs }) => createStripeAdapter({ ...config, timeoutMs }),
};
