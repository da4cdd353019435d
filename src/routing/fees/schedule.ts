import type { PaymentMethodType } from '../../domain/payment-method.js';
import type { RoutingTransaction } from '../rules/transaction.js';

export interface Price {
  /** Basis points of the amount: 290 = 2.9%. */
  percentBps: number;
  /** Minor units of the payment currency. */
  fixed: number;
  /** The most the whole fee can be, in minor units (bank debits are often capped); absent: no cap. */
  cap?: number;
}

/** What one gateway account charges. Prices are per payment currency. */
export interface FeeSchedule {
  gateway: string;
  /** ISO 3166 alpha-2: a card issued elsewhere pays the cross-border surcharge. */
  country: string;
  /** A payment in any other currency pays the FX markup. */
  settlementCurrencies: ReadonlySet<string>;
  prices: ReadonlyMap<string, Price>;
  /** payment method → currency → price; wins over all others (wallets not named here pay card prices). */
  methodPrices: ReadonlyMap<string, ReadonlyMap<string, Price>>;
  /** card network → currency → price; wins over card type and base prices. */
  networkPrices: ReadonlyMap<string, ReadonlyMap<string, Price>>;
  /** card type → currency → price; wins over base prices. */
  cardTypePrices: ReadonlyMap<string, ReadonlyMap<string, Price>>;
  crossBorderBps: number;
  fxMarkupBps: number;
}

export type FeeTransaction = Pick<RoutingTransaction, 'amount' | 'currency'> & {
  /** Absent: a card (or a wallet, which pays card prices). */
  paymentMethod?: PaymentMethodType;
  card: Pick<RoutingTransaction['card'], 'network' | 'type' | 'issuerCountry'>;
};

/**
 * The fee in minor units of the payment currency, or null when the schedule has no price
 * for that currency. All percentages (price, cross-border, FX) are added in basis points
 * and applied once, rounded half up to the minor unit; the fixed fee is added after, and the
 * price's cap, if any, bounds the whole. An unknown issuer country is treated as domestic.
 */
export function feeFor(schedule: FeeSchedule, tx: FeeTransaction): number | null {
  const price = priceFor(schedule, tx);
  if (price === undefined) return null;
  let bps = price.percentBps;
  if (tx.card.issuerCountry !== null && tx.card.issuerCountry !== schedule.country) bps += schedule.crossBorderBps;
  if (!schedule.settlementCurrencies.has(tx.currency)) bps += schedule.fxMarkupBps;
  const fee = percentOf(tx.amount, bps) + price.fixed;
  return price.cap === undefined ? fee : Math.min(fee, price.cap);
}

export function priceFor(schedule: FeeSchedule, tx: FeeTransaction): Price | undefined {
  return (
    (tx.paymentMethod === undefined ? undefined : schedule.methodPrices.get(tx.paymentMethod)?.get(tx.currency)) ??
    schedule.networkPrices.get(tx.card.network)?.get(tx.currency) ??
    (tx.card.type === null ? undefined : schedule.cardTypePrices.get(tx.card.type)?.get(tx.currency)) ??
    schedule.prices.get(tx.currency)
  );
}

/**
 * amount × bps / 10 000, rounded half up, in exact integer arithmetic: the amount is split
 * so no intermediate product exceeds 2^53 even for the largest amounts.
 */
export function percentOf(amount: number, bps: number): number {
  const whole = Math.floor(amount / 10_000);
  const rest = amount - whole * 10_000;
  return whole * bps + Math.floor((rest * bps * 2 + 10_000) / 20_000);
}
