import { systemClock, type Clock } from '../../domain/clock.js';
import type { Logger } from '../../domain/logger.js';
import { parseSnapshot, retainGateways } from '../../routing/learner/snapshot.js';
import type { MerchantLearners } from '../../routing/merchant-learners.js';
import type { Repositories } from '../../store/index.js';
import { decodeOutcome, type OutcomeLog } from './learning-sync.js';

const reason = (error: unknown) => (error instanceof Error ? error.message : 'unknown');

/** Outcomes read per query while catching up. */
const REPLAY_PAGE = 1_000;

/** Saved states older than this no longer hold outcomes in the log for them. */
const PURGE_AFTER_MS = 3_600_000;

/**
 * Restores each merchant's learner from its own saved row, then, given the outcome log
 * (learning-sync.ts), replays the outcomes recorded after that row was saved, so a restarted
 * instance catches up on what the others learned while it was away; then saves in the
 * background, off the payment path (principle 5); `stop` saves once more. A row holds only the
 * cells of gateway accounts its merchant owns, when saved and again when restored, so one
 * merchant's row never carries another's account ids and cells of deleted accounts are dropped.
 *
 * Several instances saving the same merchant: the last save wins for that merchant, with the
 * last outcome number its instance had heard of. That loses no other instance's evidence: every
 * instance applies every outcome, so each saves all it heard, and whoever restores it replays
 * the rest. Exact but for the outcomes under way at a save: one another instance had written
 * but this one not yet heard (milliseconds) is in neither, and one this instance recorded while
 * writing its batch is counted twice on replay; a handful against a learner that decays.
 * After each save, the log's outcomes that every state saved in the last hour covers are purged.
 */
export async function persistLearner(repositories: Repositories, learners: MerchantLearners, intervalMs: number, logger: Logger, log?: OutcomeLog, clock: Clock = systemClock) {
  await restoreLearners(repositories, learners, logger, log);
  const save = () =>
    saveLearners(repositories, learners, logger, log, clock).catch((error: unknown) => {
      logger.warn('learner.save_failed', { error: reason(error) });
    });
  const timer = setInterval(save, intervalMs);
  timer.unref();
  return {
    /** Saves now (tests; `stop`). */
    save,
    async stop(): Promise<void> {
      clearInterval(timer);
      await save();
    },
  };
}

/** A merchant whose row cannot be restored starts from the prior; the others restore regardless. */
async function restoreLearners(repositories: Repositories, learners: MerchantLearners, logger: Logger, log: OutcomeLog | undefined): Promise<void> {
  const [rows, owners] = await Promise.all([repositories.learner.loadAll(), repositories.merchants.gatewayAccountOwners()]);
  const savedAt = new Map<string, number>();
  for (const row of rows) {
    try {
      learners.restore(row.merchantId, retainGateways(parseSnapshot(row.snapshot), (account) => owners.get(account) === row.merchantId));
      savedAt.set(row.merchantId, row.outcomeSeq);
    } catch (error) {
      logger.warn('learner.restore_failed', { merchant_id: row.merchantId, error: reason(error) });
    }
  }
  if (!log) return;
  // A merchant restored from nothing replays all the log holds of it.
  const replayed = new Set<number>();
  let after = rows.length === 0 ? 0 : Math.min(...rows.map((row) => (savedAt.has(row.merchantId) ? row.outcomeSeq : 0)));
  let malformed = 0;
  for (;;) {
    const page = await repositories.learner.since(after, REPLAY_PAGE);
    for (const { seq, merchantId, outcome } of page) {
      if (seq <= (savedAt.get(merchantId) ?? 0)) continue;
      const recorded = decodeOutcome(outcome);
      if (!recorded || recorded.merchantId !== merchantId) {
        malformed++;
        continue;
      }
      learners.apply(recorded);
      replayed.add(seq);
    }
    if (page.length < REPLAY_PAGE) break;
    after = page[page.length - 1]!.seq;
  }
  if (malformed > 0) logger.warn('learning.outcomes_malformed', { count: malformed });
  if (replayed.size > 0) logger.info('learner.caught_up', { outcomes: replayed.size });
  log.live(replayed);
}

async function saveLearners(repositories: Repositories, learners: MerchantLearners, logger: Logger, log: OutcomeLog | undefined, clock: Clock): Promise<void> {
  const owners = await repositories.merchants.gatewayAccountOwners();
  await log?.flush();
  // Taken together, in one turn of the event loop: the states and the last outcome number they hold.
  const outcomeSeq = log?.seen() ?? 0;
  const snapshots = learners.snapshots();
  for (const [merchantId, snapshot] of snapshots) {
    const own = retainGateways(snapshot, (account) => owners.get(account) === merchantId);
    await repositories.learner.save(merchantId, own, outcomeSeq, clock.now()).catch((error: unknown) => {
      logger.warn('learner.save_failed', { merchant_id: merchantId, error: reason(error) });
    });
  }
  if (log) await repositories.learner.purgeCovered(new Date(clock.now().getTime() - PURGE_AFTER_MS));
}
