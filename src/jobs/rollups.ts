import { foldPayments } from '../analytics/fold.js';
import { after, type Clock } from '../domain/clock.js';
import type { Logger } from '../domain/logger.js';
import type { FeeSchedule } from '../routing/fees/schedule.js';
import type { Repositories } from '../store/index.js';
import type { JobKind } from './engine.js';

export const ROLLUP_JOB = 'analytics.rollup';
const DAY_MS = 86_400_000;

export interface RollupSettings {
  /** Between folds. Default 15 s. */
  intervalMs: number;
  /**
   * How far behind the clock the fold stays. A payment write stamps `updated_at` just before its
   * statement; one that commits later than this after its stamp would be passed over. Default 15 s.
   */
  lagMs: number;
  /** Payments folded per transaction (more when they share the last `updated_at`). Default 1000. */
  pageSize: number;
  /** Minute rows are kept this long (the API answers minute series for the last 48 h). Default 3 days. */
  minuteRetentionMs: number;
  /**
   * What was counted of each payment is kept this long after its creation. A payment changed
   * later than that is not folded again. Default 35 days.
   */
  foldedRetentionMs: number;
}

export const DEFAULT_ROLLUP_SETTINGS: RollupSettings = {
  intervalMs: 15_000,
  lagMs: 15_000,
  pageSize: 1000,
  minuteRetentionMs: 3 * DAY_MS,
  foldedRetentionMs: 35 * DAY_MS,
};

/**
 * Folds payment changes into the rollups, one transaction per page, until it reaches the lag.
 *
 * Why it never counts twice: each step runs in one transaction that (1) locks the watermark row,
 * so one fold at a time runs on any number of instances, a second one waiting and then seeing
 * the advanced watermark; (2) reads the payments changed after the watermark and, per payment,
 * what earlier folds counted of it (`rollup_folded`), and adds only the difference; (3) writes
 * the increments, the per-payment records and the new watermark. A crash before the commit
 * leaves all three as they were; a replayed step finds its payments recorded and adds nothing.
 */
export async function foldRollups(repositories: Repositories, clock: Clock, fees: ReadonlyMap<string, FeeSchedule>, settings: RollupSettings = DEFAULT_ROLLUP_SETTINGS): Promise<number> {
  let total = 0;
  for (;;) {
    const step = await repositories.transaction(async (tx) => {
      const now = clock.now();
      const from = await tx.rollups.lockWatermark();
      const until = after(now, -settings.lagMs);
      if (until <= from) return { folded: 0, done: true };
      const to = await tx.rollups.windowEnd(from, until, settings.pageSize);
      const changed = await tx.rollups.changed({ from, to });
      const keptSince = after(now, -settings.foldedRetentionMs);
      const payments = changed.payments.filter((p) => changed.folded.has(p.id) || p.createdAt >= keptSince);
      const delta = foldPayments(payments, changed.folded, fees);
      await tx.rollups.apply(delta, new Map(payments.map((p) => [p.id, p.createdAt])));
      await tx.rollups.setWatermark(to);
      return { folded: changed.payments.length, done: to.getTime() === until.getTime() };
    });
    total += step.folded;
    if (step.done) return total;
  }
}

export function rollupJobs(options: { repositories: Repositories; clock: Clock; logger: Logger; fees: ReadonlyMap<string, FeeSchedule>; settings?: Partial<RollupSettings> }): Record<string, JobKind> {
  const { repositories, clock, logger, fees } = options;
  const settings = { ...DEFAULT_ROLLUP_SETTINGS, ...options.settings };
  return {
    [ROLLUP_JOB]: {
      async run() {
        await foldRollups(repositories, clock, fees, settings);
        const now = clock.now();
        const purged = await repositories.rollups.purge(after(now, -settings.minuteRetentionMs), after(now, -settings.foldedRetentionMs));
        if (purged > 0) logger.info('rollups.purged', { rows: purged });
        return { retryAt: after(clock.now(), settings.intervalMs) };
      },
    },
  };
}

/** Makes sure the recurring fold is scheduled (a no-op when it is). */
export async function scheduleRollups(repositories: Repositories, clock: Clock): Promise<void> {
  const now = clock.now();
  await repositories.jobs.schedule({ kind: ROLLUP_JOB, key: 'analytics:rollup', runAt: now }, now);
}
