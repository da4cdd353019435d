import type { ProviderModule } from '../testkit/contract.js';
import { ADYEN_CAPABILITIES, createAdyenAdapter, type AdyenAdapterConfig } from './adapter.js';

export type AdyenAccountConfig = Omit<AdyenAdapterConfig, 'timeoutMs'>;

/** Adyen's test environment; live accounts set `<PREFIX>_BASE_URL` to `https://{prefix}-checkout-live.adyenpayments.com/checkout`. */
const TEST_BASE_URL = 'https://checkout-test.adyen.com';

export const adyenProvider: ProviderModule<AdyenAccountConfig> = {
  name: 'adyen',
  capabilities: ADYEN_CAPABILITIES,
  configFromEnv(prefix, env) {
    const apiKey = env[`${prefix}_API_KEY`];
    const merchantAccount = env[`${prefix}_MERCHANT_ACCOUNT`];
    const hmacKey = env[`${prefix}_HMAC_KEY`];
    const returnUrl = env[`${prefix}_RETURN_URL`];
    if (!apiKey || !merchantAccount || !hmacKey || !returnUrl) return null;
    return { apiKey, merchantAccount, hmacKey, returnUrl, baseUrl: env[`${prefix}_BASE_URL`] || TEST_BASE_URL };
  },
  create: (config, { timeoutMs }) => createAdyenAdapter({ ...config, timeoutMs }),
};
