import type { ProviderModule } from '../testkit/contract.js';
import { createStripeAdapter } from './adapter.js';
import { stripeProvider, type StripeAccountConfig } from './index.js';
import { stripeNodeHttpClient } from './node-http-client.js';

/** Stripe for the Node runtime: the same provider, calling Stripe over node:http (`node-http-client.ts`). */
export const stripeNodeProvider: ProviderModule<StripeAccountConfig> = {
  ...stripeProvider,
  create: (config, { timeoutMs }) => createStripeAdapter({ ...config, timeoutMs, httpClient: stripeNodeHttpClient(config.protocol) }),
};
