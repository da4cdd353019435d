import type { ProviderModule } from '../testkit/contract.js';
import { probe30535Capabilities, createProbe30535Adapter, type Probe30535AdapterConfig } from './adapter.js';

export const probe30535Provider: ProviderModule<Probe30535AdapterConfig> = {
  name: 'probe30535',
  capabilities: probe30535Capabilities,
  configFromEnv(prefix, env) {
    const apiKey = env[`${prefix}_API_KEY`];
    const webhookSecret = env[`${prefix}_WEBHOOK_SECRET`];
    return apiKey && webhookSecret ? { apiKey, webhookSecret, baseUrl: env[`${prefix}_BASE_URL`] ?? null } : null;
  },
  create: (config, { timeoutMs }) => createProbe30535Adapter({ ...config, timeoutMs }),
};
