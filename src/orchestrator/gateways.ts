import type { GatewayAdapter } from '../../adapters/testkit/contract.js';
import type { GatewayAccount } from '../store/merchants.js';

/** Resolves a gateway account to a configured adapter; only the runtime knows the concrete ones. */
export interface GatewayRegistry {
  adapterFor(account: GatewayAccount): GatewayAdapter | null;
}
