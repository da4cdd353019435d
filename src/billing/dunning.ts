import { decline, DECLINE_REASONS, type DeclineReason } from '../domain/decline.js';

/** When a renewal fails: retry on these days (after the invoice's first attempt), then give up as `onExhausted` says. */
export interface DunningPolicy {
  retryDays: readonly number[];
  /** What the subscription becomes when its invoice is uncollectible. */
  onExhausted: 'unpaid' | 'canceled';
}

export const DEFAULT_DUNNING: DunningPolicy = { retryDays: [1, 3, 5, 7], onExhausted: 'unpaid' };
export const MAX_RETRIES = 10;
export const MAX_RETRY_DAY = 60;

/** Why the last attempt of an invoice did not pay it: a payment's failure code, or the payment service's refusal code. */
export interface ChargeFailure {
  code: string;
  /** The card network's merchant advice code, when the gateway passed one on. */
  adviceCode?: string | null;
  /** The saved card was flagged by this decline (a network's never-again advice reaches the vault even when the payment keeps only its reason). */
  cardFlagged?: boolean;
}

export type DunningStep = { retryAt: Date } | { stop: string };

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The router's network retry guard refused the card before any gateway: a network said never
 * again (Mastercard 03/21 seen on any payment), or it was declined too often lately (Visa: 15 in
 * 30 days). The payment service's refusals of a saved card that cannot pay as it is stop too.
 */
const STOP_CODES = new Set([
  'card_do_not_retry',
  'card_retry_limit_reached',
  'payment_method_flagged',
  'card_expired',
  'stored_credential_missing',
  'payment_method_customer_mismatch',
  'payment_method_not_attached',
  'no_such_payment_method',
  'payment_method_required',
  'no_such_customer',
]);

/** Mastercard merchant advice codes 24–30: retry no sooner than this. */
const ADVICE_WAIT_MS: Record<string, number> = {
  '24': HOUR_MS,
  '25': DAY_MS,
  '26': 2 * DAY_MS,
  '27': 4 * DAY_MS,
  '28': 6 * DAY_MS,
  '29': 8 * DAY_MS,
  '30': 10 * DAY_MS,
};

/**
 * What to do after attempt `attempt` (1-based) of an invoice first tried at `firstAttemptAt`
 * failed at `now`. A hard decline (the decline taxonomy's retry advice `never` or
 * `with_new_data`, Mastercard 01/03/21) or a guard refusal stops at once; a soft one waits for
 * the next day of the schedule, and no sooner than a Mastercard 24–30 code asks.
 */
export function afterFailure(policy: DunningPolicy, attempt: number, firstAttemptAt: Date, now: Date, failure: ChargeFailure): DunningStep {
  if (STOP_CODES.has(failure.code)) return { stop: failure.code };
  const advice = failure.adviceCode ?? null;
  if ((DECLINE_REASONS as readonly string[]).includes(failure.code)) {
    const classified = decline(failure.code as DeclineReason, failure.code, advice);
    if (classified.retry !== 'later') return { stop: advice ? `${failure.code}:advice_${advice}` : failure.code };
  }
  if (advice === '01') return { stop: `${failure.code}:advice_01` };
  if (failure.cardFlagged) return { stop: `${failure.code}:card_flagged` };
  const day = policy.retryDays[attempt - 1];
  if (day === undefined) return { stop: 'retries_exhausted' };
  let retryAt = new Date(firstAttemptAt.getTime() + day * DAY_MS);
  const wait = advice ? ADVICE_WAIT_MS[advice] : undefined;
  if (wait !== undefined && retryAt.getTime() < now.getTime() + wait) retryAt = new Date(now.getTime() + wait);
  return { retryAt: retryAt < now ? now : retryAt };
}
