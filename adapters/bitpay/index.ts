import type { ProviderModule } from '../testkit/contract.js';
import { BITPAY_CAPABILITIES, createBitPayAdapter, type BitPayAdapterConfig } from './adapter.js';

export type BitPayAccountConfig = Omit<BitPayAdapterConfig, 'timeoutMs'>;

const PRIVATE_KEY = /^[0-9a-f]{64}$/i;
const BASE_URL = /^https?:\/\/[^/?#]+\/?$/;

/**
 * BitPay for the runtime: an `env:<PREFIX>` account reads `<PREFIX>_PRIVATE_KEY` (the API key pair's
 * private key, 64 hex digits), `<PREFIX>_MERCHANT_TOKEN`, `<PREFIX>_RETURN_URL`,
 * `<PREFIX>_ENVIRONMENT` (`test` or `prod`), and optionally `<PREFIX>_NOTIFICATION_URL` (where BitPay
 * posts IPNs: the router's webhook URL for the account) and, for a simulator, `<PREFIX>_BASE_URL`.
 */
export const bitpayProvider: ProviderModule<BitPayAccountConfig> = {
  name: 'bitpay',
  capabilities: BITPAY_CAPABILITIES,
  configFromEnv(prefix, env) {
    const privateKey = env[`${prefix}_PRIVATE_KEY`];
    const merchantToken = env[`${prefix}_MERCHANT_TOKEN`];
    const returnUrl = env[`${prefix}_RETURN_URL`];
    const environment = env[`${prefix}_ENVIRONMENT`];
    const notificationUrl = env[`${prefix}_NOTIFICATION_URL`] || null;
    const baseUrl = env[`${prefix}_BASE_URL`] || null;
    if (!privateKey || !PRIVATE_KEY.test(privateKey) || !merchantToken || !returnUrl || (environment !== 'test' && environment !== 'prod')) return null;
    if (baseUrl !== null && !BASE_URL.test(baseUrl)) return null;
    return { privateKey, merchantToken, returnUrl, environment, notificationUrl, baseUrl };
  },
  create: (config, { timeoutMs }) => createBitPayAdapter({ ...config, timeoutMs }),
};
