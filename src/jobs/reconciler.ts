import { after, type Clock } from '../domain/clock.js';
import type { Reconciled, Reconciler } from '../orchestrator/reconcile.js';
import { PAYMENT_JOB, REFUND_JOB, type SettlementPolicy } from '../orchestrator/settle.js';
import type { JobRow } from '../store/jobs.js';
import type { JobKind, JobOutcome } from './engine.js';

/**
 * The reconciler's jobs: one per payment and one per refund with something unsettled, written in
 * the transaction that left it so. Each run asks the orchestrator's reconciler to look; while the
 * answer stays open the job comes back on the policy's schedule (30 s, 2 min, 10 min, 1 h, 6 h,
 * 24 h by default), and after the last try the payment is flagged for review. A bank debit the
 * gateway accepted is looked at on the settlement schedule (1 h, 6 h, 12 h, then daily) until its
 * scheme's settlement window ends, and then flagged.
 */
export function reconcilerJobs(reconcile: Reconciler, policy: SettlementPolicy, clock: Clock): Record<string, JobKind> {
  function next(job: JobRow, found: Reconciled, giveUp: (reason: string) => Promise<void>): Promise<JobOutcome> | JobOutcome {
    const now = clock.now();
    if (found.state === 'settled') return { done: true };
    if (found.state === 'leased') return { retryAt: found.until };
    if (found.state === 'settling') {
      // Days, not minutes: the bank answers on its own calendar. Past the window, a human looks.
      if (now >= found.overdueAt) return giveUp('settlement_overdue').then(() => ({ giveUp: 'settlement_overdue' }));
      const waits = policy.settlementDelaysMs;
      const retryAt = after(now, waits[Math.min(job.attempts, waits.length - 1)] ?? 0);
      return { retryAt: retryAt < found.overdueAt ? retryAt : found.overdueAt, note: 'awaiting_settlement' };
    }
    const delays = policy.retryDelaysMs;
    const delay = delays[Math.min(job.attempts, delays.length - 1)] ?? 0;
    const retryAt = after(now, delay);
    if (found.deadline) return { retryAt: retryAt < found.deadline ? retryAt : found.deadline, note: found.reason };
    if (job.attempts >= delays.length) return giveUp(found.reason).then(() => ({ giveUp: found.reason }));
    return { retryAt, note: found.reason };
  }

  return {
    [PAYMENT_JOB]: {
      async run(job) {
        const paymentId = String(job.payload.payment_id);
        return next(job, await reconcile.payment(paymentId), (reason) => reconcile.flagForReview({ paymentId }, `unresolved:${reason}`));
      },
    },
    [REFUND_JOB]: {
      async run(job) {
        const refundId = String(job.payload.refund_id);
        const found = await reconcile.refund(refundId);
        return next(job, found, (reason) => reconcile.flagForReview({ refundId }, `refund_unresolved:${reason}`));
      },
    },
  };
}
