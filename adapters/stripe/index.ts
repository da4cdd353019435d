import type { ProviderModule } from '../testkit/contract.js';
import { createStripeAdapter, type StripeAdapterConfig } from './adapter.js';
import { STRIPE_CAPABILITIES } from './capabilities.js';

export type StripeAccountConfig = Omit<StripeAdapterConfig, 'timeoutMs' | 'httpClient'>;

/**
 * `<PREFIX>_BASE_URL` (e.g. `http://127.0.0.1:12111`, a standalone simulator) → the SDK's
 * host, port and protocol; null when it is not an http(s) URL of a host alone.
 */
function endpointFrom(text: string): Pick<StripeAccountConfig, 'host' | 'port' | 'protocol'> | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search !== '' || url.username !== '') return null;
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  return { host: url.hostname, port: Number(url.port || (protocol === 'https' ? 443 : 80)), protocol };
}

/**
 * Stripe for the runtime: an `env:<PREFIX>` account reads `<PREFIX>_SECRET_KEY`,
 * `<PREFIX>_WEBHOOK_SECRET` and optionally `<PREFIX>_BASE_URL` (default: Stripe's API).
 */
export const stripeProvider: ProviderModule<StripeAccountConfig> = {
  name: 'stripe',
  capabilities: STRIPE_CAPABILITIES,
  configFromEnv(prefix, env) {
    const secretKey = env[`${prefix}_SECRET_KEY`];
    const webhookSecret = env[`${prefix}_WEBHOOK_SECRET`];
    const baseUrl = env[`${prefix}_BASE_URL`];
    const endpoint = baseUrl ? endpointFrom(baseUrl) : undefined;
    if (!secretKey || !webhookSecret || endpoint === null) return null;
    return { secretKey, webhookSecret, ...endpoint };
  },
  create: (config, { timeoutMs }) => createStripeAdapter({ ...config, timeoutMs }),
};
