import type { Capabilities } from '../../adapters/testkit/contract.js';

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

export interface Candidate<A> {
  account: A;
  capabilities: Capabilities;
}

export interface CandidateVerdict<A> {
  account: A;
  eligible: boolean;
  reason: string | null;
}

export interface PaymentFacts {
  currency: string;
  paymentMethod: 'card';
}

/**
 * Eligibility in the merchant's priority order: a gateway that cannot take this payment
 * (method or currency) is left out, with the reason kept for the explanation.
 */
export function eligibleCandidates<A>(candidates: readonly Candidate<A>[], facts: PaymentFacts): CandidateVerdict<A>[] {
  return candidates.map(({ account, capabilities }) => {
    if (!capabilities.paymentMethods.includes(facts.paymentMethod)) {
      return { account, eligible: false, reason: 'payment_method_not_supported' };
    }
    if (capabilities.currencies !== '*' && !capabilities.currencies.includes(facts.currency)) {
      return { account, eligible: false, reason: 'currency_not_supported' };
    }
    return { account, eligible: true, reason: null };
  });
}
