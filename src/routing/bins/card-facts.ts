import type { CardBrand } from '../../domain/card.js';
import type { AuthorizationOutcome } from '../../domain/outcome.js';
import type { RoutingTransaction } from '../rules/transaction.js';
import type { ObservedBins } from './observed.js';
import { panKey, type BinFacts, type BinTable } from './table.js';

/** Where a card's type, issuer country and network come from, strongest first: operator, gateway, public table. */
export interface BinSources {
  /** routing-rules/bins.overrides.yaml */
  overrides: BinTable;
  /** What gateways reported, per merchant and BIN. */
  observed: ObservedBins;
  /** The bundled binlist/data ranges. */
  table: BinTable;
}

/**
 * A card's routing facts, each taken from the strongest source that knows it: an operator
 * override, then what a gateway reported for this BIN, then the public table (which is read with
 * up to 8 digits of the number, so 8-digit ranges count). The network comes from the number's
 * prefix (`cardBrand`) unless an override names one, or the prefix is unknown and the table is not.
 */
export function cardFactsFor(sources: BinSources, merchantId: string, number: string, brand: CardBrand, bin: string): RoutingTransaction['card'] {
  const key = panKey(number);
  const override: BinFacts | undefined = key < 0 ? undefined : sources.overrides.lookup(key);
  const observed = sources.observed.get(merchantId, bin);
  const table: BinFacts | undefined = key < 0 ? undefined : sources.table.lookup(key);
  return {
    network: override?.network ?? (brand === 'unknown' ? (table?.network ?? brand) : brand),
    type: override?.type ?? observed?.type ?? table?.type ?? null,
    bin,
    issuerCountry: override?.issuerCountry ?? observed?.issuerCountry ?? table?.issuerCountry ?? null,
  };
}

/** Remembers what a gateway's answer said about the card; true when that added or changed a fact. */
export function observeCard(sources: BinSources, merchantId: string, bin: string, outcome: AuthorizationOutcome): boolean {
  if (!('card' in outcome) || outcome.card === undefined) return false;
  return sources.observed.observe(merchantId, bin, outcome.card);
}
