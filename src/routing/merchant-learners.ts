import type { AuthorizationOutcome } from '../domain/outcome.js';
import type { SuccessLearner } from './decide.js';
import { SuccessRateLearner, type LearnerSnapshot } from './learner/learner.js';
import { parseSnapshot } from './learner/snapshot.js';
import { RescueRate, type RescueTallies } from './scoring/index.js';
import type { RoutingTransaction } from './rules/transaction.js';
import { successModel } from './success-model.js';

/** One outcome recorded into a merchant's learner: the arguments of `record`, and whose learner. */
export interface RecordedOutcome {
  merchantId: string;
  accountId: string;
  tx: RoutingTransaction;
  outcome: AuthorizationOutcome;
}

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
  /** Calls `watcher` after each outcome recorded through `of(…).record`; answers a function that stops it. */
  watch(watcher: (recorded: RecordedOutcome) => void): () => void;
  /** Records an outcome another instance recorded: as `record` does, but not passed to watchers. */
  apply(recorded: RecordedOutcome): void;
}

export function merchantLearners(): MerchantLearners {
  const learners = new Map<string, { learner: SuccessRateLearner; rescue: RescueRate; own: SuccessLearner; model: SuccessLearner }>();
  const watchers = new Set<(recorded: RecordedOutcome) => void>();
  const entry = (merchantId: string) => {
    let found = learners.get(merchantId);
    if (!found) {
      const learner = new SuccessRateLearner();
      const rescue = new RescueRate();
      const own = successModel(learner, rescue);
      const model: SuccessLearner = {
        ...own,
        record(accountId, tx, outcome) {
          own.record(accountId, tx, outcome);
          for (const watcher of watchers) watcher({ merchantId, accountId, tx, outcome });
        },
      };
      found = { learner, rescue, own, model };
      learners.set(merchantId, found);
    }
    return found;
  };
  return {
    of: (merchantId) => entry(merchantId).model,
    snapshots() {
      const out = new Map<string, LearnerSnapshot>();
      for (const [merchantId, { learner, rescue }] of learners) {
        if (learner.stats().cells > 0) out.set(merchantId, { ...learner.snapshot(), rescue: rescue.tallies() });
      }
      return out;
    },
    restore(merchantId, snapshot) {
      const parsed = parseSnapshot(snapshot);
      const { learner, rescue } = entry(merchantId);
      learner.restore(parsed);
      rescue.restore(parsed.rescue as RescueTallies | undefined);
    },
    watch(watcher) {
      watchers.add(watcher);
      return () => watchers.delete(watcher);
    },
    apply({ merchantId, accountId, tx, outcome }) {
      entry(merchantId).own.record(accountId, tx, outcome);
    },
  };
}
