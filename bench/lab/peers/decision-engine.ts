/**
 * A peer for the lab: the success-rate routing ("SR v3") of Juspay's open-source decision
 * engine (github.com/juspay/decision-engine), reimplemented from its documented behaviour and
 * defaults; no code copied. bench/README.md cites the files and parameters this follows.
 *
 * Per (score key, gateway) a moving window of the last `bucketSize` outcomes (1 = success,
 * 0 = anything else), created full of successes on first use, so an unseen gateway scores 1.0.
 * The score key is the merchant and payment method plus the configured SR dimensions. Per
 * transaction: with probability `hedgingPercent` % the transaction hedges; the scores are
 * read, and a gateway lagging the best by more than `upperResetFactor` σ has its window
 * rewritten to a score `lowerResetFactor` σ below the best; the order is by score, ties
 * broken at random. Every attempt's outcome enters the window: the engine's filter that spares
 * gateways issuer-side declines (GSM-based scoring) is a per-merchant opt-in, off by default.
 */
import type { AuthorizationOutcome } from '../../../src/domain/outcome.js';
import { seededRandom } from '../../../src/domain/random.js';
import type { RoutingTransaction } from '../../../src/routing/rules/transaction.js';
import { G } from '../env.js';
import type { Policy } from '../policies.js';

/** The SR dimension fields of decision-engine's `SR_DIMENSION_CONFIG` the lab's transactions carry. */
export type SrDimension = 'card_network' | 'currency' | 'country';

export interface DecisionEngineSrConfig {
  /** `defaultBucketSize`: outcomes per window. */
  bucketSize: number;
  /** `defaultHedgingPercent`: share of transactions (%) routed to explore. */
  hedgingPercent: number;
  /**
   * `explore`: ENABLE_EXPLORE_AND_EXPLOIT_ON_SRV3 — every gateway scores 1.0, so the pick is
   * uniform over all. `demote_best`: the route-random-traffic path — the best scores 0.5 and
   * the others 1.0, so the pick is uniform over the others.
   */
  hedging: 'explore' | 'demote_best';
  /** ENABLE_RESET_ON_SR_V3 with `defaultUpperResetFactor` and `defaultLowerResetFactor`. */
  reset: boolean;
  upperResetFactor: number;
  lowerResetFactor: number;
  /** SR_DIMENSION_CONFIG `fields`; none configured means one window per gateway. */
  dimensions: readonly SrDimension[];
}

/**
 * decision-engine's defaults (src/decider/gatewaydecider/constants.rs) with the feature flags
 * its setup seeds (routing-config/setup.py): route-random-traffic hedging and reset on.
 */
export const DECISION_ENGINE_SR_DEFAULTS: DecisionEngineSrConfig = {
  bucketSize: 125,
  hedgingPercent: 5,
  hedging: 'demote_best',
  reset: true,
  upperResetFactor: 3,
  lowerResetFactor: 3,
  dimensions: [],
};

function dimensionValue(tx: RoutingTransaction, d: SrDimension): string {
  switch (d) {
    case 'card_network':
      return tx.card.network;
    case 'currency':
      return tx.currency;
    case 'country':
      return tx.card.issuerCountry ?? '';
  }
}

/** One gateway's moving window under one score key. */
class Window {
  readonly bits: Uint8Array;
  head = 0;
  successes: number;
  constructor(size: number) {
    this.bits = new Uint8Array(size).fill(1);
    this.successes = size;
  }
  push(bit: number): void {
    this.successes += bit - this.bits[this.head]!;
    this.bits[this.head] = bit;
    this.head = (this.head + 1) % this.bits.length;
  }
  /** Rewrite as `zeros` failures spread evenly among successes. */
  rewrite(zeros: number): void {
    const size = this.bits.length;
    this.bits.fill(1);
    const gap = (size - 1) / (zeros - 1);
    for (let k = 0; k < zeros; k++) this.bits[Math.round(k * gap)] = 0;
    this.head = 0;
    this.successes = size - zeros;
  }
  get score(): number {
    return this.successes / this.bits.length;
  }
}

export function decisionEngineSr(name: string, seed: number, config: DecisionEngineSrConfig = DECISION_ENGINE_SR_DEFAULTS): Policy {
  const random = seededRandom(seed);
  const size = config.bucketSize;
  const windows = new Map<string, Window[]>();
  const scores = new Float64Array(G);
  const ties = new Float64Array(G);
  const order = Array.from({ length: G }, (_, g) => g);
  const keyOf = (tx: RoutingTransaction) => config.dimensions.map((d) => dimensionValue(tx, d)).join('|');
  const windowsOf = (tx: RoutingTransaction) => {
    const key = keyOf(tx);
    let found = windows.get(key);
    if (!found) {
      found = Array.from({ length: G }, () => new Window(size));
      windows.set(key, found);
    }
    return found;
  };

  function resetLagging(ws: Window[]): void {
    let best = 0;
    for (let g = 0; g < G; g++) best = Math.max(best, ws[g]!.score);
    const sigma = Math.sqrt(Math.max(best * (1 - best), 0.09) / size);
    const threshold = best - config.upperResetFactor * sigma;
    const zeros = Math.min(size, Math.max(2, Math.floor((1 - best + config.lowerResetFactor * sigma) * size)));
    for (let g = 0; g < G; g++) if (ws[g]!.score < threshold) ws[g]!.rewrite(zeros);
  }

  return {
    name,
    order(tx) {
      const explore = random() * 100 < config.hedgingPercent;
      const ws = windowsOf(tx);
      if (config.reset) resetLagging(ws);
      for (let g = 0; g < G; g++) {
        scores[g] = ws[g]!.score;
        ties[g] = random();
      }
      if (explore) {
        if (config.hedging === 'explore') scores.fill(1);
        else {
          let best = 0;
          for (let g = 1; g < G; g++) if (scores[g]! > scores[best]! || (scores[g] === scores[best] && ties[g]! > ties[best]!)) best = g;
          scores.fill(1);
          scores[best] = 0.5;
        }
      }
      order.sort((x, y) => scores[y]! - scores[x]! || ties[y]! - ties[x]!);
      return order;
    },
    observe(g, tx, _i, outcome: AuthorizationOutcome) {
      windowsOf(tx)[g]!.push(outcome.kind === 'approved' ? 1 : 0);
    },
  };
}
