import type { Logger } from '../../domain/logger.js';
import type { SuccessLearner } from '../../routing/decide.js';
import type { Repositories } from '../../store/index.js';

/**
 * Restores the learner from its last saved state, then saves it in the background, off the
 * payment path (principle 5); `stop` saves once more.
 */
export async function persistLearner(repositories: Repositories, learner: SuccessLearner, intervalMs: number, logger: Logger) {
  const saved = await repositories.learner.load();
  if (saved !== null) {
    try {
      learner.restore(saved);
    } catch (error) {
      logger.warn('learner.restore_failed', { error: error instanceof Error ? error.message : 'unknown' });
    }
  }
  const save = () =>
    repositories.learner.save(learner.snapshot()).catch((error: unknown) => {
      logger.warn('learner.save_failed', { error: error instanceof Error ? error.message : 'unknown' });
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
