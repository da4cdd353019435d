import { INVOICE_JOB, RENEW_JOB, type BillingService } from '../orchestrator/subscriptions.js';
import type { JobKind } from './engine.js';

/**
 * Recurring billing's jobs: `billing.renew` (one per subscription) moves it to its next period at
 * each boundary and opens that period's invoice; `billing.invoice` (one per invoice) pays it,
 * retries it on the dunning schedule and follows a payment that settles later. Both read what
 * is stored and act on it, so a run repeated after a crash changes nothing more.
 */
export function renewalJobs(billing: BillingService): Record<string, JobKind> {
  return {
    [RENEW_JOB]: {
      async run(job) {
        const next = await billing.renew(String(job.payload.subscription_id));
        return next ? { retryAt: next } : { done: true };
      },
    },
    [INVOICE_JOB]: {
      run: (job) => billing.payInvoice(String(job.payload.invoice_id)),
    },
  };
}
