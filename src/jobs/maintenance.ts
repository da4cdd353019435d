import { after, type Clock } from '../domain/clock.js';
import type { Logger } from '../domain/logger.js';
import { PAYMENT_JOB, paymentJobKey, REFUND_JOB, refundJobKey } from '../orchestrator/settle.js';
import type { Repositories } from '../store/index.js';
import type { JobKind } from './engine.js';

export const PURGE_JOB = 'maintenance.purge';
const HOUR_MS = 3_600_000;
/** How long finished jobs are kept for inspection. */
const DONE_JOBS_KEPT_MS = 7 * 24 * HOUR_MS;

/** Hourly: forgets expired Idempotency-Keys and finished jobs older than a week. */
export function maintenanceJobs(repositories: Repositories, clock: Clock, logger: Logger): Record<string, JobKind> {
  return {
    [PURGE_JOB]: {
      async run() {
        const now = clock.now();
        const keys = await repositories.idempotency.purgeExpired(now);
        const jobs = await repositories.jobs.purgeDone(after(now, -DONE_JOBS_KEPT_MS));
        if (keys + jobs > 0) logger.info('maintenance.purged', { idempotency_keys: keys, jobs });
        return { retryAt: after(now, HOUR_MS) };
      },
    },
  };
}

/** Makes sure the hourly purge is scheduled (a no-op when it is). */
export async function schedulePurge(repositories: Repositories, clock: Clock): Promise<void> {
  const now = clock.now();
  await repositories.jobs.schedule({ kind: PURGE_JOB, key: 'maintenance:purge', runAt: after(now, HOUR_MS) }, now);
}

/**
 * At start: makes sure the hourly purge exists, and gives every payment or refund that is
 * unsettled without a job (rows written before the job engine existed) one, due now. Whatever a
 * crash left behind already has its job, written in the transaction that left it unsettled.
 */
export async function startupSweep(repositories: Repositories, clock: Clock, logger: Logger): Promise<number> {
  await schedulePurge(repositories, clock);
  const now = clock.now();
  let scheduled = 0;
  for (;;) {
    const found = await repositories.payments.unsettledWithoutJob(500);
    for (const p of found.payments) {
      await repositories.jobs.schedule({ kind: PAYMENT_JOB, key: paymentJobKey(p.id), merchantId: p.merchantId, payload: { payment_id: p.id }, runAt: now }, now);
    }
    for (const r of found.refunds) {
      await repositories.jobs.schedule({ kind: REFUND_JOB, key: refundJobKey(r.id), merchantId: r.merchantId, payload: { refund_id: r.id }, runAt: now }, now);
    }
    scheduled += found.payments.length + found.refunds.length;
    if (found.payments.length < 500 && found.refunds.length < 500) break;
  }
  if (scheduled > 0) logger.info('reconciler.startup_sweep', { scheduled });
  return scheduled;
}
