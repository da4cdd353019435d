import type { GatewayAdapter } from '../../adapters/testkit/contract.js';
import { createStripeAdapter, type StripeAdapterConfig } from '../../adapters/stripe/adapter.js';
import type { GatewayRegistry } from '../orchestrator/gateways.js';
import type { GatewayAccount } from '../store/merchants.js';

/** Where a gateway account's credentials point: a sandbox simulator, or a secret in the environment. */
export interface GatewayEndpoints {
  stripe?: { sandbox?: Omit<StripeAdapterConfig, 'timeoutMs'> };
  env: Record<string, string | undefined>;
  timeoutMs: number;
}

/**
 * Builds one adapter per gateway account on first use and keeps it. `credentials_ref` is
 * `sandbox:<provider>` (the in-process simulator) or `env:<VARIABLE>` (the provider's real API).
 */
export function gatewayRegistry(endpoints: GatewayEndpoints): GatewayRegistry {
  const adapters = new Map<string, GatewayAdapter | null>();

  function build(account: GatewayAccount): GatewayAdapter | null {
    const [scheme, name] = account.credentialsRef.split(':', 2);
    if (account.provider !== 'stripe') return null;
    if (scheme === 'sandbox') {
      const sandbox = endpoints.stripe?.sandbox;
      return sandbox ? createStripeAdapter({ ...sandbox, timeoutMs: endpoints.timeoutMs }) : null;
    }
    if (scheme === 'env' && name) {
      const secretKey = endpoints.env[name];
      return secretKey ? createStripeAdapter({ secretKey, timeoutMs: endpoints.timeoutMs }) : null;
    }
    return null;
  }

  return {
    adapterFor(account) {
      if (!adapters.has(account.id)) adapters.set(account.id, build(account));
      return adapters.get(account.id)!;
    },
  };
}
