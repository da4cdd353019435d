import type { SuccessLearner } from './decide.js';
import { attribution } from './learner/attribution.js';
import type { LearnerSnapshot, SuccessRateLearner } from './learner/learner.js';
import { segmentOf } from './learner/segment.js';
import type { RoutingTransaction } from './rules/transaction.js';

/** The learner seen through a transaction: its segment, and which outcomes the gateway answers for. */
export function successModel(learner: SuccessRateLearner): SuccessLearner {
  const segment = (tx: RoutingTransaction) =>
    segmentOf({ paymentMethod: tx.paymentMethod, network: tx.card.network, currency: tx.currency, issuerCountry: tx.card.issuerCountry, amount: tx.amount });
  return {
    estimate: (gateway, tx) => learner.estimate(gateway, segment(tx)),
    sample: (gateway, tx, random) => learner.sample(gateway, segment(tx), random),
    record: (gateway, tx, outcome) => learner.update(gateway, segment(tx), attribution(outcome)),
    overall: (gateway) => learner.overall(gateway),
    snapshot: () => learner.snapshot(),
    restore: (snapshot) => learner.restore(snapshot as LearnerSnapshot),
  };
}
