import type { RetrySchedule } from '../../testkit/webhook-schedules.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Checkout.com, checkout.com/docs/workflows ("Receive webhooks", read 2026-11-30): a webhook not
 * acknowledged is resent up to eight times, after 5, 10, 15 and 30 minutes, 1, 4, 12 and 12 hours
 * (each after the previous attempt); the receiver must answer 2xx within 10 seconds.
 */
export const CHECKOUT_RETRY_SCHEDULE: RetrySchedule = {
  delaysMs: [5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 4 * HOUR, 12 * HOUR, 12 * HOUR],
  timeoutMs: 10_000,
};
