import type { GatewayAdapter, ProviderModule } from '../../adapters/testkit/contract.js';
import type { GatewayRegistry } from '../orchestrator/gateways.js';
import type { GatewayAccount } from '../store/merchants.js';

export interface RegistryOptions {
  providers: readonly ProviderModule<any>[];
  /** Per provider, the config of its in-process simulator; filled in once the simulators run. */
  sandbox: Partial<Record<string, unknown>>;
  env: Readonly<Record<string, string | undefined>>;
  timeoutMs: number;
}

/**
 * Builds one adapter per gateway account on first use and keeps it. `credentials_ref` is
 * `sandbox:<provider>` (the in-process simulator) or `env:<PREFIX>` (the provider's real API,
 * with credentials in `<PREFIX>_*` variables, so two accounts of one provider have their own).
 */
export function gatewayRegistry(options: RegistryOptions): GatewayRegistry {
  const adapters = new Map<string, GatewayAdapter>();

  function build(account: GatewayAccount): GatewayAdapter | null {
    const provider = options.providers.find((p) => p.name === account.provider);
    if (!provider) return null;
    const [scheme, name] = account.credentialsRef.split(':', 2);
    const config =
      scheme === 'sandbox' ? options.sandbox[provider.name] : scheme === 'env' && name ? provider.configFromEnv(name, options.env) : null;
    return config ? provider.create(config, { timeoutMs: options.timeoutMs }) : null;
  }

  return {
    adapterFor(account) {
      const built = adapters.get(account.id) ?? build(account);
      // An account that cannot be built yet (the sandbox wires its simulators after the server starts) is tried again next time.
      if (built) adapters.set(account.id, built);
      return built;
    },
  };
}
