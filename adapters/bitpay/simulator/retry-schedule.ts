import type { RetrySchedule } from '../../testkit/webhook-schedules.js';

const MINUTE = 60_000;

/**
 * BitPay, developer.bitpay.com/reference/notifications (read 2026-11-30): an IPN not answered 200
 * is sent "multiple times until the send is either successful or the BitPay server gives up". It
 * publishes no intervals: we double from 1 minute, ten retries (about 17 hours in all).
 */
const delays: number[] = [];
for (let delay = MINUTE; delays.length < 10; delay *= 2) delays.push(delay);
export const BITPAY_RETRY_SCHEDULE: RetrySchedule = { delaysMs: delays, timeoutMs: 30_000 };
