import { shownBinDigits } from '../../domain/card.js';
import type { Ruleset } from './ruleset.js';
import { errorAt, type LocatedError } from './source.js';

/** The most BIN digits a live payment carries: what `shownBinDigits` allows for the longest card numbers. */
export const LIVE_BIN_DIGITS = shownBinDigits(19);

/**
 * The values of the BIN-derived facts that some source known before any payment can give: the
 * public BIN table and the operator's overrides. A gateway's report can add others, but only
 * after a first payment of that BIN.
 */
export interface KnownFactValues {
  issuerCountries: ReadonlySet<string>;
  cardTypes: ReadonlySet<string>;
}

/**
 * Warnings, not errors: conditions that no source of live traffic can satisfy. A `card.bin`
 * condition of more digits than payments carry never matches (its `not_in` always does); an
 * issuer country or card type that neither the public BIN table nor the overrides ever give
 * matches only once a gateway has reported it for a BIN.
 */
export function factWarnings(ruleset: Ruleset, known: KnownFactValues): LocatedError[] {
  const warnings: LocatedError[] = [];
  for (const rule of ruleset.rules) {
    const warn = (message: string) => warnings.push(errorAt(ruleset.file, rule.at, `rule '${rule.id}': ${message}`));
    for (const condition of rule.conditions) {
      if (condition.kind === 'bin' && condition.intervals.every((i) => i.digits > LIVE_BIN_DIGITS)) {
        warn(
          `its card.bin condition needs ${Math.min(...condition.intervals.map((i) => i.digits))}+ digits, but payments carry at most ${LIVE_BIN_DIGITS} BIN digits, so it ${condition.negated ? 'matches every payment' : 'never matches'}`,
        );
      }
      if (condition.kind !== 'set' || condition.negated) continue;
      const supplied = condition.field === 'country.issuer' ? known.issuerCountries : condition.field === 'card.type' ? known.cardTypes : null;
      if (supplied === null) continue;
      const missing = [...condition.values].filter((v): v is string => v !== null && !supplied.has(v));
      if (missing.length > 0) {
        warn(
          `no BIN in the public table or bins.overrides.yaml has ${condition.field} ${missing.join(', ')}: only a gateway's report after a first payment of such a card can make it match`,
        );
      }
    }
  }
  return warnings;
}
