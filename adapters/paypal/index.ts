import type { ProviderModule } from '../testkit/contract.js';
import { createPayPalAdapter, PAYPAL_CAPABILITIES, type PayPalAdapterConfig } from './adapter.js';

export type PayPalAccountConfig = Omit<PayPalAdapterConfig, 'timeoutMs'>;

/**
 * PayPal for the runtime: an `env:<PREFIX>` account reads `<PREFIX>_CLIENT_ID`,
 * `<PREFIX>_CLIENT_SECRET`, `<PREFIX>_WEBHOOK_ID`, `<PREFIX>_RETURN_URL`, `<PREFIX>_ENVIRONMENT`
 * (`sandbox` or `live`) and, for a simulator, `<PREFIX>_BASE_URL`.
 */
export const paypalProvider: ProviderModule<PayPalAccountConfig> = {
  name: 'paypal',
  capabilities: PAYPAL_CAPABILITIES,
  configFromEnv(prefix, env) {
    const clientId = env[`${prefix}_CLIENT_ID`];
    const clientSecret = env[`${prefix}_CLIENT_SECRET`];
    const webhookId = env[`${prefix}_WEBHOOK_ID`];
    const returnUrl = env[`${prefix}_RETURN_URL`];
    const environment = env[`${prefix}_ENVIRONMENT`];
    const baseUrl = env[`${prefix}_BASE_URL`] || null;
    if (!clientId || !clientSecret || !webhookId || !returnUrl || (environment !== 'sandbox' && environment !== 'live')) return null;
    if (baseUrl !== null && !/^https?:\/\/[^/?#]+\/?$/.test(baseUrl)) return null;
    return { clientId, clientSecret, webhookId, returnUrl, environment, baseUrl };
  },
  create: (config, { timeoutMs }) => createPayPalAdapter({ ...config, timeoutMs }),
};
