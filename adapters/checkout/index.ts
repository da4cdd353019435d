import type { ProviderModule } from '../testkit/contract.js';
import { CHECKOUT_CAPABILITIES, createCheckoutAdapter, type CheckoutAdapterConfig } from './adapter.js';

export type CheckoutAccountConfig = Omit<CheckoutAdapterConfig, 'timeoutMs'>;

/**
 * Checkout.com for the runtime: an `env:<PREFIX>` account reads `<PREFIX>_SECRET_KEY`,
 * `<PREFIX>_WEBHOOK_SECRET`, `<PREFIX>_RETURN_URL`, optionally `<PREFIX>_PUBLIC_KEY` (without it the
 * account takes no wallets), and either `<PREFIX>_SUBDOMAIN` (Checkout.com's
 * own API; the key says sandbox or live) or `<PREFIX>_BASE_URL` (a simulator). The SDK itself
 * prefers `CKO_SECRET_KEY` and `CKO_SECRET` from the environment over the key it is given: leave
 * those unset.
 */
export const checkoutProvider: ProviderModule<CheckoutAccountConfig> = {
  name: 'checkout',
  capabilities: CHECKOUT_CAPABILITIES,
  configFromEnv(prefix, env) {
    const secretKey = env[`${prefix}_SECRET_KEY`];
    const webhookSecret = env[`${prefix}_WEBHOOK_SECRET`];
    const returnUrl = env[`${prefix}_RETURN_URL`];
    const baseUrl = env[`${prefix}_BASE_URL`] || null;
    const subdomain = env[`${prefix}_SUBDOMAIN`] || null;
    const publicKey = env[`${prefix}_PUBLIC_KEY`] || null;
    if (publicKey !== null && !publicKey.startsWith('pk_')) return null;
    if (!secretKey || !webhookSecret || !returnUrl || (baseUrl === null && subdomain === null)) return null;
    if (baseUrl !== null && !/^https?:\/\/[^/?#]+\/?$/.test(baseUrl)) return null;
    return { secretKey, publicKey, webhookSecret, returnUrl, baseUrl, subdomain };
  },
  create: (config, { timeoutMs }) => createCheckoutAdapter({ ...config, timeoutMs }),
};
