import type { ProviderModule } from '../testkit/contract.js';
import { createBraintreeAdapter, type BraintreeAdapterConfig } from './adapter.js';
import { BRAINTREE_CAPABILITIES } from './capabilities.js';

export type BraintreeAccountConfig = Omit<BraintreeAdapterConfig, 'timeoutMs'>;

const HOSTS = { sandbox: 'api.sandbox.braintreegateway.com', production: 'api.braintreegateway.com' } as const;

/** `USD=acme_usd,EUR=acme_eur` → { USD: 'acme_usd', EUR: 'acme_eur' }; null when malformed. */
function merchantAccountsFrom(text: string): Record<string, string> | null {
  const pairs = text.split(',').map((pair) => /^\s*([A-Z]{3})\s*=\s*(\S+)\s*$/.exec(pair));
  if (pairs.some((pair) => pair === null)) return null;
  return Object.fromEntries(pairs.map((pair) => [pair![1]!, pair![2]!]));
}

/**
 * Braintree for the runtime: an `env:<PREFIX>` account reads `<PREFIX>_MERCHANT_ID`,
 * `<PREFIX>_PUBLIC_KEY`, `<PREFIX>_PRIVATE_KEY`, `<PREFIX>_ENVIRONMENT` (`sandbox`, the default,
 * or `production`) and `<PREFIX>_MERCHANT_ACCOUNTS` (`USD=acme_usd,EUR=acme_eur`; without it,
 * USD on the default merchant account).
 */
export const braintreeProvider: ProviderModule<BraintreeAccountConfig> = {
  name: 'braintree',
  capabilities: BRAINTREE_CAPABILITIES,
  configFromEnv(prefix, env) {
    const merchantId = env[`${prefix}_MERCHANT_ID`];
    const publicKey = env[`${prefix}_PUBLIC_KEY`];
    const privateKey = env[`${prefix}_PRIVATE_KEY`];
    const environment = env[`${prefix}_ENVIRONMENT`] || 'sandbox';
    const accounts = env[`${prefix}_MERCHANT_ACCOUNTS`];
    const merchantAccounts = accounts ? merchantAccountsFrom(accounts) : undefined;
    if (!merchantId || !publicKey || !privateKey || merchantAccounts === null) return null;
    if (environment !== 'sandbox' && environment !== 'production') return null;
    return { merchantId, publicKey, privateKey, host: HOSTS[environment], port: 443, ssl: true, ...(merchantAccounts ? { merchantAccounts } : {}) };
  },
  create: (config, { timeoutMs }) => createBraintreeAdapter({ ...config, timeoutMs }),
};
