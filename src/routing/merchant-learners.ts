import type { SuccessLearner } from './decide.js';
import { SuccessRateLearner, type LearnerSnapshot } from './learner/learner.js';
import { parseSnapshot } from './learner/snapshot.js';
import { successModel } from './success-model.js';

/**
 * One success-rate learner per merchant. Cells are keyed by gateway account id, but the traffic
 * counts that drive idle fading are per scope across gateways: in a shared learner, one
 * merchant's burst of traffic would fade another's estimates. Separate learners share nothing.
 */
export interface MerchantLearners {
  /** The merchant's own learner, created on first use. */
  of(merchantId: string): SuccessLearner;
  /** Each merchant's state, for the merchants whose learner holds anything. */
  snapshots(): Map<string, LearnerSnapshot>;
  /** Replaces one merchant's state; throws, changing nothing, when the snapshot is malformed. */
  restore(merchantId: string, snapshot: unknown): void;
}

export function merchantLearners(): MerchantLearners {
  const learners = new Map<string, { learner: SuccessRateLearner; model: SuccessLearner }>();
  const entry = (merchantId: string) => {
    let found = learners.get(merchantId);
    if (!found) {
      const learner = new SuccessRateLearner();
      found = { learner, model: successModel(learner) };
      learners.set(merchantId, found);
    }
    return found;
  };
  return {
    of: (merchantId) => entry(merchantId).model,
    snapshots() {
      const out = new Map<string, LearnerSnapshot>();
      for (const [merchantId, { learner }] of learners) {
        if (learner.stats().cells > 0) out.set(merchantId, learner.snapshot());
      }
      return out;
    },
    restore(merchantId, snapshot) {
      const parsed = parseSnapshot(snapshot);
      entry(merchantId).learner.restore(parsed);
    },
  };
}
