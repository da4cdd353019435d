import type { ProviderModule } from '../testkit/contract.js';
import { createGoCardlessAdapter, GOCARDLESS_CAPABILITIES, type GoCardlessAdapterConfig } from './adapter.js';

export type GoCardlessAccountConfig = Omit<GoCardlessAdapterConfig, 'timeoutMs'>;

/** `http://127.0.0.1:12115` → host and port; null unless it is an http URL of a host alone. */
function localFrom(text: string): { host: string; port: number } | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' || url.pathname !== '/' || url.search !== '' || url.username !== '' || url.port === '') return null;
  return { host: url.hostname, port: Number(url.port) };
}

/**
 * GoCardless for the runtime (Node only: the SDK runs on got and Node's https): an `env:<PREFIX>`
 * account reads `<PREFIX>_ACCESS_TOKEN`, `<PREFIX>_WEBHOOK_SECRET`, `<PREFIX>_ENVIRONMENT`
 * (`sandbox`, the default, or `live`) and optionally `<PREFIX>_BASE_URL` (a simulator at
 * `http://127.0.0.1:<port>`, spoken to in plain HTTP; it wins over the environment).
 */
export const gocardlessProvider: ProviderModule<GoCardlessAccountConfig> = {
  name: 'gocardless',
  capabilities: GOCARDLESS_CAPABILITIES,
  configFromEnv(prefix, env) {
    const accessToken = env[`${prefix}_ACCESS_TOKEN`];
    const webhookSecret = env[`${prefix}_WEBHOOK_SECRET`];
    const environment = env[`${prefix}_ENVIRONMENT`] || 'sandbox';
    if (!accessToken || !webhookSecret || (environment !== 'sandbox' && environment !== 'live')) return null;
    const baseUrl = env[`${prefix}_BASE_URL`];
    const local = baseUrl ? localFrom(baseUrl) : null;
    if (baseUrl && local === null) return null;
    return { accessToken, webhookSecret, environment, local };
  },
  create: (config, { timeoutMs }) => createGoCardlessAdapter({ ...config, timeoutMs }),
};
