import { describe, expect, it } from 'vitest';
import { approvalDrop, breakerOpen, forecastAboveCapacity, reconcilerBacklog, reviewQueue, transition, type AccountApprovals, type Finding } from './evaluate.js';
import { PARAMS } from './rules.js';

const dropRule = PARAMS.approval_drop.parse({ drop_pp: 10, min_attempts: 20 });
const account = (current: [number, number], baseline: [number, number], accountId = 'gwa_a'): AccountApprovals => ({
  accountId,
  name: accountId.slice(4),
  current: { attempts: current[0], approved: current[1] },
  baseline: { attempts: baseline[0], approved: baseline[1] },
});

describe('approval_drop', () => {
  it('fires when the window is the drop or more below the account’s own baseline', () => {
    const [finding] = approvalDrop(dropRule, [account([40, 28], [1000, 900])]);
    expect(finding).toMatchObject({ subject: 'gwa_a', status: 'breached', value: 0.7, threshold: 0.8 });
    expect(finding!.summary).toBe('a: approval rate 70.0 % over 15 min against 90.0 % over the 24 h before');
  });

  it('compares each account with its own baseline, not with the others', () => {
    // b always approves 60 %: low, but not lower than it used to be.
    const findings = approvalDrop(dropRule, [account([40, 24], [1000, 600], 'gwa_b'), account([40, 30], [1000, 950], 'gwa_c')]);
    expect(findings.map((f) => [f.subject, f.status])).toEqual([
      ['gwa_b', 'clear'],
      ['gwa_c', 'breached'],
    ]);
  });

  it('does not judge a window or a baseline with fewer than min_attempts', () => {
    expect(approvalDrop(dropRule, [account([19, 0], [1000, 900])])[0]!.status).toBe('clear');
    expect(approvalDrop(dropRule, [account([100, 0], [19, 19])])[0]!.status).toBe('clear');
    expect(approvalDrop(dropRule, [account([20, 0], [20, 20])])[0]!.status).toBe('breached');
  });

  it('has a band between the threshold and half the drop where it neither fires nor clears', () => {
    // Baseline 90 %: breached below 80 %, clear from 85 %.
    const status = (approved: number) => approvalDrop(dropRule, [account([100, approved], [1000, 900])])[0]!.status;
    expect(status(79)).toBe('breached');
    expect(status(80)).toBe('between');
    expect(status(84)).toBe('between');
    expect(status(85)).toBe('clear');
  });

  it('says which baseline it compared with: the hours before, or the same window last week', () => {
    const weekly = PARAMS.approval_drop.parse({ baseline: 'last_week', window_minutes: 30, min_attempts: 20 });
    const [finding] = approvalDrop(weekly, [account([40, 28], [40, 36])]);
    expect(finding).toMatchObject({ status: 'breached', detail: { baseline: 'last_week' } });
    expect(finding!.summary).toBe('a: approval rate 70.0 % over 30 min against 90.0 % in the same window last week');
    // A week back does not count against the 48 h of minute rollups: it is read from the hourly ones.
    expect(PARAMS.approval_drop.safeParse({ baseline: 'last_week', window_minutes: 720, baseline_hours: 47 }).success).toBe(true);
  });

  it('watches only the named gateway account when the rule names one', () => {
    const rule = PARAMS.approval_drop.parse({ gateway_account_id: 'gwa_b' });
    expect(approvalDrop(rule, [account([40, 0], [1000, 900], 'gwa_a'), account([40, 0], [1000, 900], 'gwa_b')]).map((f) => f.subject)).toEqual(['gwa_b']);
  });
});

describe('the other kinds', () => {
  it('breaker_open: open fires, half-open holds, closed clears', () => {
    const rule = PARAMS.breaker_open.parse({});
    const found = breakerOpen(rule, [
      { accountId: 'gwa_a', name: 'a', state: 'open' },
      { accountId: 'gwa_b', name: 'b', state: 'half_open' },
      { accountId: 'gwa_c', name: 'c', state: 'closed' },
    ]);
    expect(found.map((f) => f.status)).toEqual(['breached', 'between', 'clear']);
  });

  it('reconciler_backlog: fires on the count or on the oldest overdue age, whichever is set', () => {
    const both = PARAMS.reconciler_backlog.parse({ max_count: 10, max_age_minutes: 30 });
    expect(reconcilerBacklog(both, { count: 10, oldestOverdueMs: 30 * 60_000 })[0]!.status).toBe('clear');
    expect(reconcilerBacklog(both, { count: 11, oldestOverdueMs: 0 })[0]).toMatchObject({ status: 'breached', value: 11, threshold: 10 });
    expect(reconcilerBacklog(both, { count: 1, oldestOverdueMs: 31 * 60_000 })[0]).toMatchObject({ status: 'breached', value: 31, threshold: 30 });
    const ageOnly = PARAMS.reconciler_backlog.parse({ max_age_minutes: 5 });
    expect(reconcilerBacklog(ageOnly, { count: 1_000, oldestOverdueMs: 0 })[0]!.status).toBe('clear');
    expect(PARAMS.reconciler_backlog.safeParse({}).success).toBe(false);
  });

  it('review_queue: fires above max_count', () => {
    const rule = PARAMS.review_queue.parse({ max_count: 2 });
    expect(reviewQueue(rule, 2)[0]!.status).toBe('clear');
    expect(reviewQueue(rule, 3)[0]).toMatchObject({ status: 'breached', value: 3, threshold: 2 });
  });

  it('forecast_above_capacity: fires when the peak needs more instances than planned', () => {
    const rule = PARAMS.forecast_above_capacity.parse({ instances: 2 });
    const peak = { peakAt: new Date('2026-06-01T12:00:00Z'), perInstance: 50, peakPerSecond: 120, instancesNeeded: 3 };
    expect(forecastAboveCapacity(rule, peak)[0]).toMatchObject({ status: 'breached', value: 120, threshold: 100 });
    expect(forecastAboveCapacity(rule, { ...peak, peakPerSecond: 90, instancesNeeded: 2 })[0]!.status).toBe('clear');
  });
});

describe('the alert state machine', () => {
  const finding = (status: Finding['status']): Finding => ({ subject: 'gwa_a', status, value: null, threshold: null, summary: '', detail: {} });

  it('fires on a breach, and only then', () => {
    expect(transition(null, finding('breached'), 2)).toEqual({ action: 'fire' });
    expect(transition(null, finding('between'), 2)).toEqual({ action: 'none' });
    expect(transition(null, finding('clear'), 2)).toEqual({ action: 'none' });
  });

  it('resolves after resolve_after clear evaluations in a row, not after one', () => {
    let open = { clearStreak: 0 };
    const first = transition(open, finding('clear'), 3);
    expect(first).toEqual({ action: 'hold', clearStreak: 1 });
    open = { clearStreak: 1 };
    expect(transition(open, finding('clear'), 3)).toEqual({ action: 'hold', clearStreak: 2 });
    expect(transition({ clearStreak: 2 }, finding('clear'), 3)).toEqual({ action: 'resolve' });
  });

  it('starts the count again when a breach or the band interrupts it (a flapping signal stays one alert)', () => {
    expect(transition({ clearStreak: 1 }, finding('breached'), 2)).toEqual({ action: 'hold', clearStreak: 0 });
    expect(transition({ clearStreak: 1 }, finding('between'), 2)).toEqual({ action: 'hold', clearStreak: 0 });
  });

  it('counts a subject that is gone as clear', () => {
    expect(transition({ clearStreak: 0 }, undefined, 1)).toEqual({ action: 'resolve' });
  });
});
