import type { Clock } from '../../domain/clock.js';
import type { Logger } from '../../domain/logger.js';
import type { ObservedBins } from '../../routing/bins/observed.js';
import type { Repositories } from '../../store/index.js';

/**
 * Restores what gateways reported about cards (per merchant and BIN), then saves, in the
 * background, only the BINs whose facts a report added or changed since the last save: nothing
 * is written on the payment path, and a BIN whose facts stay the same is never written again.
 * `stop` saves once more. A failed save keeps its rows for the next one.
 */
export async function persistObservedBins(repositories: Repositories, observed: ObservedBins, options: { intervalMs: number; clock: Clock; logger: Logger }) {
  observed.restore(await repositories.observedBins.loadAll());
  const save = async () => {
    const rows = observed.takeChanged();
    try {
      await repositories.observedBins.save(rows, options.clock.now());
    } catch (error) {
      observed.unsaved(rows);
      options.logger.warn('observed_bins.save_failed', { rows: rows.length, error: error instanceof Error ? error.message : 'unknown' });
    }
  };
  const timer = setInterval(() => void save(), options.intervalMs);
  timer.unref();
  return {
    /** Saves what changed now (tests; `stop`). */
    save,
    async stop(): Promise<void> {
      clearInterval(timer);
      await save();
    },
  };
}
