/**
 * How long each provider waits before it tries a failed notification again: the delays after
 * the first, second, ... failed attempt, in ms (so `length` retries follow the first attempt).
 * A non-2xx answer, a network error or a timeout is a failure. The simulators apply these times a
 * scale factor (`retryScale`), so a test or chaos run can compress days into seconds.
 *
 * Sources (read 2026):
 * - Stripe, docs.stripe.com/webhooks ("Automatic retries") and
 *   docs.stripe.com/webhooks/process-undelivered-events: in live mode Stripe resends an event
 *   "for up to three days" with exponential back-off (in a sandbox, three times over a few
 *   hours). It publishes no intervals, so we double from 5 minutes and put the last attempt at
 *   72 hours after the first failure.
 * - Adyen, docs.adyen.com/development-resources/webhooks/troubleshoot ("Retry queue"): three
 *   retries straight away (sent 9, 18 and 27 seconds in), then a retry queue that tries again
 *   after 2, 5, 10, 15 and 30 minutes and 1, 2, 4 and 8 hours, for up to 30 days. We repeat
 *   the 8-hour interval until 30 days have passed.
 * - Braintree, developer.paypal.com/braintree/docs/guides/webhooks/parse ("Retries"): a
 *   delivery not answered 2xx within 30 seconds is resent every hour, for up to 24 hours in
 *   production (3 hours in the sandbox).
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface RetrySchedule {
  /** Delays after each failed attempt; after the last, the event is given up. */
  delaysMs: readonly number[];
  /** How long one attempt may take before it counts as failed (never scaled). */
  timeoutMs: number;
}

function exponentialWithin(firstMs: number, totalMs: number): number[] {
  const delays: number[] = [];
  let elapsed = 0;
  for (let delay = firstMs; elapsed + delay < totalMs; delay *= 2) {
    delays.push(delay);
    elapsed += delay;
  }
  delays.push(totalMs - elapsed);
  return delays;
}

function repeatWithin(prefix: readonly number[], intervalMs: number, totalMs: number): number[] {
  const delays = [...prefix];
  let elapsed = delays.reduce((sum, delay) => sum + delay, 0);
  while (elapsed + intervalMs <= totalMs) {
    delays.push(intervalMs);
    elapsed += intervalMs;
  }
  return delays;
}

/** Stripe live mode: exponential back-off for up to 3 days. */
export const STRIPE_RETRY_SCHEDULE: RetrySchedule = {
  delaysMs: exponentialWithin(5 * MINUTE, 3 * DAY),
  timeoutMs: 30 * SECOND,
};

/** Adyen: three quick retries, then the retry queue's growing intervals, for up to 30 days. */
export const ADYEN_RETRY_SCHEDULE: RetrySchedule = {
  delaysMs: repeatWithin(
    [9 * SECOND, 9 * SECOND, 9 * SECOND, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR],
    8 * HOUR,
    30 * DAY,
  ),
  timeoutMs: 10 * SECOND,
};

/** Braintree production: every hour for up to 24 hours. */
export const BRAINTREE_RETRY_SCHEDULE: RetrySchedule = {
  delaysMs: Array.from({ length: 24 }, () => HOUR),
  timeoutMs: 30 * SECOND,
};

/** Braintree's sandbox: every hour for up to 3 hours. */
export const BRAINTREE_SANDBOX_RETRY_SCHEDULE: RetrySchedule = {
  delaysMs: Array.from({ length: 3 }, () => HOUR),
  timeoutMs: 30 * SECOND,
};

/** The time from the first attempt to the last retry. */
export function retryWindowMs(schedule: RetrySchedule): number {
  return schedule.delaysMs.reduce((sum, delay) => sum + delay, 0);
}
