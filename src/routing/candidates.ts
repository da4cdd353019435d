import type { Capabilities } from '../../adapters/testkit/contract.js';
import type { RoutingTransaction } from './rules/transaction.js';

/** An account's own settings narrow what its provider can do (a regional account takes fewer currencies). */
export function accountCapabilities(
  capabilities: Capabilities,
  settings: { currencies?: string[]; countries?: string[] },
): Capabilities {
  const narrow = (all: readonly string[] | '*', only: string[] | undefined) =>
    only === undefined ? all : all === '*' ? only : all.filter((c) => only.includes(c));
  return {
    ...capabilities,
    currencies: narrow(capabilities.currencies, settings.currencies),
    countries: narrow(capabilities.countries, settings.countries),
  };
}

/**
 * Why an account cannot take this payment's method, or null: its provider does not declare the
 * method, or the payment carries a wallet token encrypted for another gateway.
 */
export function methodIneligibility(candidate: { provider: string; capabilities: Capabilities }, tx: Pick<RoutingTransaction, 'paymentMethod' | 'tokenProviders'>): string | null {
  if (!candidate.capabilities.paymentMethods.includes(tx.paymentMethod)) return 'payment_method_not_supported';
  if (tx.tokenProviders && !tx.tokenProviders.includes(candidate.provider)) return 'wallet_token_for_another_gateway';
  return null;
}
