import type { Capabilities } from '../../adapters/testkit/contract.js';
import { takesWalletTokens, WALLET_TYPES } from '../domain/payment-method.js';
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
 * method, or the payment carries a wallet token encrypted for another gateway, a nonce another
 * gateway's client SDK made, or an Apple Pay token for a gateway that takes wallets only as nonces.
 */
export function methodIneligibility(candidate: { provider: string; capabilities: Capabilities }, tx: Pick<RoutingTransaction, 'paymentMethod' | 'tokenProviders'>): string | null {
  if (!candidate.capabilities.paymentMethods.includes(tx.paymentMethod)) return 'payment_method_not_supported';
  if (tx.tokenProviders && !tx.tokenProviders.includes(candidate.provider)) return 'wallet_token_for_another_gateway';
  // Null (not absent, as in a probe of the method alone): the payment carries a wallet's own token.
  if (tx.tokenProviders === null && isWallet(tx.paymentMethod) && !takesWalletTokens(candidate.provider)) return 'wallet_token_for_another_gateway';
  return null;
}

const isWallet = (method: string): boolean => (WALLET_TYPES as readonly string[]).includes(method);
