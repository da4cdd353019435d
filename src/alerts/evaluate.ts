import type { ApprovalDrop, BreakerOpen, ForecastAboveCapacity, ReconcilerBacklog, ReviewQueue } from './rules.js';

/** What a rule found about one subject (a gateway account id, or `merchant`) in one evaluation. */
export interface Finding {
  subject: string;
  /** breached: fire (or keep firing); clear: counts towards resolving; between: neither (the hysteresis band). */
  status: 'breached' | 'clear' | 'between';
  value: number | null;
  threshold: number | null;
  summary: string;
  detail: Record<string, unknown>;
}

export const MERCHANT_SUBJECT = 'merchant';

export interface Counts {
  attempts: number;
  approved: number;
}

export interface AccountApprovals {
  accountId: string;
  name: string;
  current: Counts;
  baseline: Counts;
}

const pct = (rate: number) => `${(rate * 100).toFixed(1)} %`;
const round = (x: number) => Math.round(x * 10_000) / 10_000;

/**
 * A gateway account's approval rate over the window against its own rate over the baseline: the
 * hours before the window, or the same window a week earlier (`baseline: last_week`, which
 * holds a weekly rhythm — a quiet Sunday night — against itself). Fires when it is `drop_pp` points or more below, both periods having at least
 * `min_attempts`; clears once it is back within half the drop, or when the window has too few
 * attempts to say anything (a quiet gateway is no evidence of an outage).
 */
export function approvalDrop(params: ApprovalDrop, accounts: readonly AccountApprovals[]): Finding[] {
  const drop = params.drop_pp / 100;
  return accounts
    .filter((a) => params.gateway_account_id === null || a.accountId === params.gateway_account_id)
    .map((a): Finding => {
      const detail = {
        gateway_account: a.name,
        window_minutes: params.window_minutes,
        baseline: params.baseline,
        attempts: a.current.attempts,
        approved: a.current.approved,
        baseline_attempts: a.baseline.attempts,
        baseline_approved: a.baseline.approved,
        baseline_rate: a.baseline.attempts > 0 ? round(a.baseline.approved / a.baseline.attempts) : null,
      };
      if (a.current.attempts < params.min_attempts || a.baseline.attempts < params.min_attempts) {
        return { subject: a.accountId, status: 'clear', value: null, threshold: null, summary: `${a.name}: fewer than ${params.min_attempts} attempts to compare`, detail };
      }
      const rate = a.current.approved / a.current.attempts;
      const baseline = a.baseline.approved / a.baseline.attempts;
      const threshold = baseline - drop;
      const status: Finding['status'] = rate < threshold ? 'breached' : rate >= baseline - drop / 2 ? 'clear' : 'between';
      const against = params.baseline === 'last_week' ? 'in the same window last week' : `over the ${params.baseline_hours} h before`;
      const summary = `${a.name}: approval rate ${pct(rate)} over ${params.window_minutes} min against ${pct(baseline)} ${against}`;
      return { subject: a.accountId, status, value: round(rate), threshold: round(threshold), summary, detail };
    });
}

/** Open fires, half-open (a probe is under way) holds, closed clears. */
export function breakerOpen(params: BreakerOpen, accounts: readonly { accountId: string; name: string; state: 'closed' | 'open' | 'half_open' }[]): Finding[] {
  return accounts
    .filter((a) => params.gateway_account_id === null || a.accountId === params.gateway_account_id)
    .map((a): Finding => ({
      subject: a.accountId,
      status: a.state === 'open' ? 'breached' : a.state === 'half_open' ? 'between' : 'clear',
      value: null,
      threshold: null,
      summary: `${a.name}: circuit breaker ${a.state.replace('_', '-')}`,
      detail: { gateway_account: a.name, breaker: a.state },
    }));
}

/** Reconciler jobs waiting (scheduled or running) and how long the oldest has been overdue. */
export function reconcilerBacklog(params: ReconcilerBacklog, backlog: { count: number; oldestOverdueMs: number }): Finding[] {
  const ageMinutes = backlog.oldestOverdueMs / 60_000;
  const overCount = params.max_count !== null && backlog.count > params.max_count;
  const overAge = params.max_age_minutes !== null && ageMinutes > params.max_age_minutes;
  const byAge = !overCount && params.max_age_minutes !== null && (overAge || params.max_count === null);
  return [
    {
      subject: MERCHANT_SUBJECT,
      status: overCount || overAge ? 'breached' : 'clear',
      value: byAge ? round(ageMinutes) : backlog.count,
      threshold: byAge ? params.max_age_minutes : params.max_count,
      summary: `Reconciler backlog: ${backlog.count} job(s), the oldest overdue by ${Math.floor(ageMinutes)} min`,
      detail: { count: backlog.count, oldest_overdue_minutes: round(ageMinutes), max_count: params.max_count, max_age_minutes: params.max_age_minutes },
    },
  ];
}

/** Payments flagged for review (the reconciler gave up) above `max_count`. */
export function reviewQueue(params: ReviewQueue, count: number): Finding[] {
  return [
    {
      subject: MERCHANT_SUBJECT,
      status: count > params.max_count ? 'breached' : 'clear',
      value: count,
      threshold: params.max_count,
      summary: `${count} payment(s) waiting for review`,
      detail: { count, max_count: params.max_count },
    },
  ];
}

/** The forecast peak needs more instances than the rule allows for. */
export function forecastAboveCapacity(
  params: ForecastAboveCapacity,
  forecast: { peakAt: Date; peakPerSecond: number; perInstance: number; instancesNeeded: number },
): Finding[] {
  const allowed = params.instances * forecast.perInstance;
  return [
    {
      subject: MERCHANT_SUBJECT,
      status: forecast.instancesNeeded > params.instances ? 'breached' : 'clear',
      value: forecast.peakPerSecond,
      threshold: round(allowed),
      summary: `Forecast peak ${forecast.peakPerSecond} payments/s at ${forecast.peakAt.toISOString()} needs ${forecast.instancesNeeded} instance(s), ${params.instances} planned`,
      detail: { horizon: params.horizon, peak_at: forecast.peakAt.toISOString(), instances_needed: forecast.instancesNeeded, instances: params.instances, per_instance_payments_per_second: forecast.perInstance },
    },
  ];
}

export type Transition = { action: 'fire' } | { action: 'resolve' } | { action: 'hold'; clearStreak: number } | { action: 'none' };

/**
 * The alert state machine for one rule and subject: nothing → firing on a breach; firing →
 * resolved after `resolveAfter` clear evaluations in a row (a breach or the band in between
 * starts the count again). A subject that is gone (no finding) counts as clear.
 */
export function transition(open: { clearStreak: number } | null, finding: Finding | undefined, resolveAfter: number): Transition {
  const status = finding?.status ?? 'clear';
  if (!open) return status === 'breached' ? { action: 'fire' } : { action: 'none' };
  if (status !== 'clear') return { action: 'hold', clearStreak: 0 };
  const streak = open.clearStreak + 1;
  return streak >= resolveAfter ? { action: 'resolve' } : { action: 'hold', clearStreak: streak };
}
