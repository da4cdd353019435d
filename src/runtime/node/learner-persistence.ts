import type { Logger } from '../../domain/logger.js';
import { parseSnapshot, retainGateways } from '../../routing/learner/snapshot.js';
import type { MerchantLearners } from '../../routing/merchant-learners.js';
import type { Repositories } from '../../store/index.js';

const reason = (error: unknown) => (error instanceof Error ? error.message : 'unknown');

/**
 * Restores each merchant's learner from its own saved row, then saves them in the background,
 * off the payment path (principle 5); `stop` saves once more. A row holds only the cells of
 * gateway accounts its merchant owns, when saved and again when restored, so one merchant's
 * row never carries another's account ids and cells of deleted accounts are dropped.
 *
 * Several instances saving the same merchant: the last save wins for that merchant. That loses
 * no other instance's evidence: every instance applies every outcome (learning-sync.ts), so each
 * saves all it heard; only outcomes an instance missed while it was not listening are not in
 * its save, which costs accuracy, never money.
 */
export async function persistLearner(repositories: Repositories, learners: MerchantLearners, intervalMs: number, logger: Logger) {
  await restoreLearners(repositories, learners, logger);
  const save = () =>
    saveLearners(repositories, learners, logger).catch((error: unknown) => {
      logger.warn('learner.save_failed', { error: reason(error) });
    });
  const timer = setInterval(save, intervalMs);
  timer.unref();
  return {
    async stop(): Promise<void> {
      clearInterval(timer);
      await save();
    },
  };
}

/** A merchant whose row cannot be restored starts from the prior; the others restore regardless. */
async function restoreLearners(repositories: Repositories, learners: MerchantLearners, logger: Logger): Promise<void> {
  const [rows, owners] = await Promise.all([repositories.learner.loadAll(), repositories.merchants.gatewayAccountOwners()]);
  for (const row of rows) {
    try {
      learners.restore(row.merchantId, retainGateways(parseSnapshot(row.snapshot), (account) => owners.get(account) === row.merchantId));
    } catch (error) {
      logger.warn('learner.restore_failed', { merchant_id: row.merchantId, error: reason(error) });
    }
  }
}

async function saveLearners(repositories: Repositories, learners: MerchantLearners, logger: Logger): Promise<void> {
  const owners = await repositories.merchants.gatewayAccountOwners();
  for (const [merchantId, snapshot] of learners.snapshots()) {
    const own = retainGateways(snapshot, (account) => owners.get(account) === merchantId);
    await repositories.learner.save(merchantId, own).catch((error: unknown) => {
      logger.warn('learner.save_failed', { merchant_id: merchantId, error: reason(error) });
    });
  }
}
