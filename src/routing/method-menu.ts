import type { CardBrand } from '../domain/card.js';
import { GOOGLE_PAY_GATEWAYS, onCardNetwork, PAYMENT_METHOD_TYPES, WALLET_NONCE_GATEWAYS, type GooglePayGateway, type PaymentMethodType, type WalletNonceGateway } from '../domain/payment-method.js';
import type { DecisionExplanation, GatewayCandidate } from './decide.js';
import type { RoutingTransaction } from './rules/transaction.js';

/** The payment the menu is asked for: what an app knows before the shopper picks a method. */
export interface MenuQuery {
  amount: number;
  currency: string;
  /** The shopper's country: taken as billing and (for want of a card) issuer country. */
  country: string;
}

/** One probe of the menu: a method on one network, as a payment routing would decide. */
export interface MenuProbe {
  method: PaymentMethodType;
  network: CardBrand;
  tx: RoutingTransaction;
}

export interface AvailableMethod {
  type: PaymentMethodType;
  /** The networks of this method some gateway would take; `unknown` alone for a bank debit, which uses none. */
  networks: CardBrand[];
  /** The gateway accounts that would take it on some network, in the order routing would try them. */
  gateways: string[];
  /** Google Pay only: the `gateway` values the app may name in its tokenization specification (the token is encrypted for that gateway). */
  tokenGateways?: GooglePayGateway[];
  /** Wallets only: the gateways that take the wallet as a nonce their client SDK makes in the app, never as the wallet's token. */
  nonceGateways?: WalletNonceGateway[];
}

export interface UnavailableMethod {
  type: PaymentMethodType;
  /** `blocked`: a routing rule blocks it (`rule` names it); `no_eligible_gateway`: no gateway account takes it for this payment. */
  reason: 'blocked' | 'no_eligible_gateway';
  rule: string | null;
}

/**
 * The probes to decide: every method on every network some account declares. A wallet has no
 * BIN; a card's is unknown before the shopper types it, so BIN conditions match neither.
 */
export function menuProbes(query: MenuQuery, candidates: readonly Pick<GatewayCandidate, 'capabilities'>[]): MenuProbe[] {
  const networks = [...new Set(candidates.flatMap((c) => c.capabilities.cardNetworks))].sort();
  // A bank debit or a payer-approval method (PayPal) is on no card network: one probe, on no network
  // (for a bank debit, the shopper's country stands as its bank's).
  const bankNetworks: CardBrand[] = ['unknown'];
  return PAYMENT_METHOD_TYPES.flatMap((method) =>
    (onCardNetwork(method) ? networks : bankNetworks).map((network) => ({
      method,
      network,
      tx: {
        paymentId: `menu:${method}:${network}`,
        amount: query.amount,
        currency: query.currency,
        paymentMethod: method,
        card: { network, type: null, bin: null, issuerCountry: query.country },
        billingCountry: query.country,
        captureMethod: 'automatic',
        initiator: 'customer',
        metadata: {},
      },
    })),
  );
}

/** The menu from each probe's dry-run decision: a method is available when a payment on some network of it would be sent somewhere. */
export function methodMenu(
  probes: readonly MenuProbe[],
  decisions: readonly DecisionExplanation[],
  candidates: readonly Pick<GatewayCandidate, 'name' | 'provider'>[],
): { available: AvailableMethod[]; unavailable: UnavailableMethod[] } {
  const available: AvailableMethod[] = [];
  const unavailable: UnavailableMethod[] = [];
  for (const method of PAYMENT_METHOD_TYPES) {
    const own = probes.flatMap((probe, i) => (probe.method === method ? [{ probe, decision: decisions[i]! }] : []));
    const routed = own.filter(({ decision }) => decision.blocked === null && decision.order.length > 0);
    if (routed.length === 0) {
      const blocked = own.find(({ decision }) => decision.blocked !== null)?.decision;
      unavailable.push(blocked ? { type: method, reason: 'blocked', rule: blocked.rule } : { type: method, reason: 'no_eligible_gateway', rule: null });
      continue;
    }
    const gateways = [...new Set(routed.flatMap(({ decision }) => decision.order))];
    const entry: AvailableMethod = { type: method, networks: !onCardNetwork(method) ? [] : routed.map(({ probe }) => probe.network), gateways };
    const providers = new Set(routed.flatMap(({ decision }) => decision.order).map((name) => candidates.find((c) => c.name === name)?.provider));
    if (method === 'google_pay') {
      entry.tokenGateways = (Object.keys(GOOGLE_PAY_GATEWAYS) as GooglePayGateway[]).filter((gateway) => providers.has(GOOGLE_PAY_GATEWAYS[gateway]));
    }
    if (method === 'google_pay' || method === 'apple_pay') {
      const nonceGateways = (Object.keys(WALLET_NONCE_GATEWAYS) as WalletNonceGateway[]).filter((gateway) => providers.has(WALLET_NONCE_GATEWAYS[gateway]));
      if (nonceGateways.length > 0) entry.nonceGateways = nonceGateways;
    }
    available.push(entry);
  }
  return { available, unavailable };
}
