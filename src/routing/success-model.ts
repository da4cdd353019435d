import type { SuccessLearner } from './decide.js';
import { attribution } from './learner/attribution.js';
import type { SuccessRateLearner } from './learner/learner.js';
import { segmentOf, type Segment } from './learner/segment.js';
import type { RoutingTransaction } from './rules/transaction.js';
import { RescueRate } from './scoring/index.js';
import type { AuthorizationOutcome } from '../domain/outcome.js';

/**
 * The learner seen through a transaction: its segment, and which outcomes the gateway answers
 * for; `rescue` measures κ from the same outcomes (given: its owner saves and restores it).
 */
export function successModel(learner: SuccessRateLearner, rescue: RescueRate = new RescueRate()): SuccessLearner {
  // One decision asks about every gateway for the same transaction: its segment is worked out
  // once, and again only when any fact it depends on differs.
  let last: { amount: number; currency: string; network: string; country: string | null; method: string; segment: Segment } | null = null;
  const segment = (tx: RoutingTransaction): Segment => {
    if (
      last === null ||
      last.amount !== tx.amount ||
      last.currency !== tx.currency ||
      last.network !== tx.card.network ||
      last.country !== tx.card.issuerCountry ||
      last.method !== tx.paymentMethod
    ) {
      const facts = { paymentMethod: tx.paymentMethod, network: tx.card.network, currency: tx.currency, issuerCountry: tx.card.issuerCountry, amount: tx.amount };
      last = { amount: tx.amount, currency: tx.currency, network: tx.card.network, country: tx.card.issuerCountry, method: tx.paymentMethod, segment: segmentOf(facts) };
    }
    return last.segment;
  };
  return {
    estimate: (gateway, tx) => learner.estimate(gateway, segment(tx)),
    sample: (gateway, tx, random) => learner.sample(gateway, segment(tx), random),
    posterior: (gateway, tx) => learner.posterior(gateway, segment(tx)),
    rescue: () => rescue.value(),
    record: (gateway, tx, outcome) => {
      const at = segment(tx);
      const attributed = attribution(outcome);
      rescue.record(tx.paymentId, { attribution: attributed, cascades: cascades(outcome) }, () => learner.estimate(gateway, at).p);
      learner.update(gateway, at, attributed);
    },
    overall: (gateway) => learner.overall(gateway),
  };
}

/** The orchestrator fails over after it (src/orchestrator/payments.ts, principle 2). */
function cascades(outcome: AuthorizationOutcome): boolean {
  return outcome.kind === 'not_processed' || (outcome.kind === 'declined' && outcome.decline.cascade);
}
