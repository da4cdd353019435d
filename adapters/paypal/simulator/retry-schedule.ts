import type { RetrySchedule } from '../../testkit/webhook-schedules.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * PayPal, developer.paypal.com/api/rest/webhooks ("Webhook event delivery", read 2026-11-30): a
 * delivery not answered 2xx is retried "up to 25 times over the course of 3 days". PayPal publishes
 * no intervals: we double from 1 minute up to 4 hours between tries, then repeat 4 hours until 25
 * retries (about 72 hours in all).
 */
const delays: number[] = [];
for (let delay = MINUTE; delays.length < 25; delay = Math.min(delay * 2, 4 * HOUR)) delays.push(delay);
export const PAYPAL_RETRY_SCHEDULE: RetrySchedule = { delaysMs: delays, timeoutMs: 30_000 };
