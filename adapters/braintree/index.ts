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

/** `http://127.0.0.1:12113` → host, port and ssl; null when it is not an http(s) URL of a host alone. */
function endpointFrom(text: string): { host: string; port: number; ssl: boolean } | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search !== '' || url.username !== '') return null;
  const ssl = url.protocol === 'https:';
  return { host: url.hostname, port: Number(url.port || (ssl ? 443 : 80)), ssl };
}

/**
 * Braintree for the runtime: an `env:<PREFIX>` account reads `<PREFIX>_MERCHANT_ID`,
 * `<PREFIX>_PUBLIC_KEY`, `<PREFIX>_PRIVATE_KEY`, `<PREFIX>_ENVIRONMENT` (`sandbox`, the default,
 * or `production`), `<PREFIX>_MERCHANT_ACCOUNTS` (`USD=acme_usd,EUR=acme_eur`; without it,
 * USD on the default merchant account) and optionally `<PREFIX>_BASE_URL` (any gateway, such as
 * a standalone simulator at `http://127.0.0.1:12113`; it wins over the environment's host).
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
    const baseUrl = env[`${prefix}_BASE_URL`];
    const endpoint = baseUrl ? endpointFrom(baseUrl) : { host: HOSTS[environment], port: 443, ssl: true };
    if (endpoint === null) return null;
    return { merchantId, publicKey, privateKey, ...endpoint, ...(merchantAccounts ? { merchantAccounts } : {}) };
  },
  create: (config, { timeoutMs }) => createBraintreeAdapter({ ...config, timeoutMs }),
};
