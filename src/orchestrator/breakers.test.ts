import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { manualClock } from '../../test/support/clock.js';
import { decline } from '../domain/decline.js';
import type { AuthorizationOutcome } from '../domain/outcome.js';
import { breakerBoard, type BreakerChange, type BreakerSettings } from './breakers.js';

const refused: AuthorizationOutcome = { kind: 'not_processed', reason: 'connection_refused', detail: 'down' };
const declined: AuthorizationOutcome = { kind: 'declined', reference: 'r', decline: decline('insufficient_funds', 'x') };
const approved: AuthorizationOutcome = { kind: 'approved', reference: 'r', captured: true };

const SETTINGS: BreakerSettings = { errorThresholdPercentage: 50, volumeThreshold: 4, resetTimeoutMs: 100, rollingCountTimeoutMs: 10_000, rollingCountBuckets: 10 };

describe('gateway circuit breakers', () => {
  const clock = manualClock();
  const board = breakerBoard(SETTINGS, clock);
  afterEach(() => board.shutdown());

  it('opens on gateway faults, then answers breaker_open without calling the gateway', async () => {
    let calls = 0;
    const call = async () => {
      calls++;
      return refused;
    };
    for (let i = 0; i < 4; i++) expect(await board.run('gwa_a', call)).toEqual(refused);
    expect(board.state('gwa_a')).toBe('open');
    expect(await board.run('gwa_a', call)).toMatchObject({ kind: 'not_processed', reason: 'breaker_open' });
    expect(calls).toBe(4);
    expect(board.stats('gwa_a')).toMatchObject({ calls: 5, failures: 4, rejected: 1 });
    expect(board.state('gwa_b')).toBe('closed');
  });

  it('never opens on declines: they are the issuer speaking', async () => {
    for (let i = 0; i < 10; i++) expect(await board.run('gwa_c', async () => declined)).toEqual(declined);
    expect(board.state('gwa_c')).toBe('closed');
  });

  it('stays open until the reset timeout has passed on its clock, however long the wait in real time', async () => {
    for (let i = 0; i < 4; i++) await board.run('gwa_d', async () => refused);
    await new Promise((resolve) => setTimeout(resolve, SETTINGS.resetTimeoutMs + 50));
    expect(board.state('gwa_d')).toBe('open');
    clock.advance(SETTINGS.resetTimeoutMs - 1);
    expect(board.state('gwa_d')).toBe('open');
    clock.advance(1);
    expect(board.state('gwa_d')).toBe('half_open');
  });

  it('lets one probe through when half-open and closes again on success', async () => {
    for (let i = 0; i < 4; i++) await board.run('gwa_e', async () => refused);
    clock.advance(SETTINGS.resetTimeoutMs);
    expect(board.state('gwa_e')).toBe('half_open');
    let release!: () => void;
    const probe = board.run('gwa_e', () => new Promise<AuthorizationOutcome>((resolve) => (release = () => resolve(approved))));
    expect(await board.run('gwa_e', async () => approved)).toMatchObject({ reason: 'breaker_open' });
    release();
    expect(await probe).toEqual(approved);
    expect(board.state('gwa_e')).toBe('closed');
    // The rolling window carried over: the probe and the rejection count with the faults before them.
    expect(board.stats('gwa_e')).toMatchObject({ calls: 6, failures: 4, successes: 1, rejected: 1 });
  });

  it('opens again when the probe fails, for another reset timeout', async () => {
    for (let i = 0; i < 4; i++) await board.run('gwa_f', async () => refused);
    clock.advance(SETTINGS.resetTimeoutMs);
    expect(await board.run('gwa_f', async () => refused)).toEqual(refused);
    expect(board.state('gwa_f')).toBe('open');
    clock.advance(SETTINGS.resetTimeoutMs - 1);
    expect(board.state('gwa_f')).toBe('open');
    clock.advance(1);
    expect(board.state('gwa_f')).toBe('half_open');
  });

  it('forgets faults once they leave the rolling window', async () => {
    for (let i = 0; i < 3; i++) await board.run('gwa_g', async () => refused);
    clock.advance(SETTINGS.rollingCountTimeoutMs);
    expect(board.stats('gwa_g')).toMatchObject({ calls: 0, failures: 0 });
    // One more fault after the window moved on is below the volume threshold: still closed.
    await board.run('gwa_g', async () => refused);
    expect(board.state('gwa_g')).toBe('closed');
  });
});

describe('gateway circuit breakers following another instance', () => {
  const clock = manualClock();
  /** Two instances' boards, each following what the other reports, as the breaker sync wires them. */
  const a = breakerBoard(SETTINGS, clock);
  const b = breakerBoard(SETTINGS, clock);
  const reportedByA: BreakerChange[] = [];
  const reportedByB: BreakerChange[] = [];
  a.watch((change) => {
    reportedByA.push(change);
    b.follow(change);
  });
  b.watch((change) => {
    reportedByB.push(change);
    a.follow(change);
  });
  afterEach(() => {
    reportedByA.length = 0;
    reportedByB.length = 0;
  });
  afterAll(() => {
    a.shutdown();
    b.shutdown();
  });

  it('an opening on one is an opening on the other, for the same cool-down, and is not reported back', async () => {
    for (let i = 0; i < 4; i++) await a.run('gwa_a', async () => refused);
    expect(reportedByA).toEqual([{ accountId: 'gwa_a', state: 'open', forMs: SETTINGS.resetTimeoutMs }]);
    expect(b.state('gwa_a')).toBe('open');
    let called = false;
    expect(await b.run('gwa_a', async () => ((called = true), approved))).toMatchObject({ reason: 'breaker_open' });
    expect(called).toBe(false);
    expect(reportedByB).toEqual([]);
    clock.advance(SETTINGS.resetTimeoutMs);
    expect([a.state('gwa_a'), b.state('gwa_a')]).toEqual(['half_open', 'half_open']);
  });

  it('a follower keeps only the cool-down the other has left', () => {
    b.follow({ accountId: 'gwa_b', state: 'open', forMs: 30 });
    clock.advance(29);
    expect(b.state('gwa_b')).toBe('open');
    clock.advance(1);
    expect(b.state('gwa_b')).toBe('half_open');
    // Never longer than its own cool-down, whatever it is told.
    b.follow({ accountId: 'gwa_c', state: 'open', forMs: 10 * SETTINGS.resetTimeoutMs });
    clock.advance(SETTINGS.resetTimeoutMs);
    expect(b.state('gwa_c')).toBe('half_open');
  });

  it("one instance's successful probe closes the other's half-open breaker; its failed probe reopens both", async () => {
    for (let i = 0; i < 4; i++) await a.run('gwa_d', async () => refused);
    clock.advance(SETTINGS.resetTimeoutMs);
    expect(await a.run('gwa_d', async () => refused)).toEqual(refused);
    expect([a.state('gwa_d'), b.state('gwa_d')]).toEqual(['open', 'open']);
    clock.advance(SETTINGS.resetTimeoutMs);
    expect(await b.run('gwa_d', async () => approved)).toEqual(approved);
    expect(reportedByB).toEqual([{ accountId: 'gwa_d', state: 'closed' }]);
    expect([a.state('gwa_d'), b.state('gwa_d')]).toEqual(['closed', 'closed']);
    // Half-opening is each board's own timer, never reported as a close.
    expect(reportedByA.filter((change) => change.state === 'closed')).toEqual([]);
  });

  it('a late "closed" does not close a breaker that is open on its own faults', async () => {
    for (let i = 0; i < 4; i++) await b.run('gwa_e', async () => refused);
    a.follow({ accountId: 'gwa_e', state: 'closed' });
    b.follow({ accountId: 'gwa_e', state: 'closed' });
    expect([a.state('gwa_e'), b.state('gwa_e')]).toEqual(['open', 'open']);
  });
});

describe('gateway circuit breakers on the system clock', () => {
  afterEach(() => vi.useRealTimers());

  it('half-open after the reset timeout of real time', async () => {
    vi.useFakeTimers();
    const board = breakerBoard(SETTINGS);
    try {
      for (let i = 0; i < 4; i++) await board.run('gwa_a', async () => refused);
      vi.advanceTimersByTime(SETTINGS.resetTimeoutMs - 1);
      expect(board.state('gwa_a')).toBe('open');
      vi.advanceTimersByTime(1);
      expect(board.state('gwa_a')).toBe('half_open');
      expect(await board.run('gwa_a', async () => approved)).toEqual(approved);
      expect(board.state('gwa_a')).toBe('closed');
    } finally {
      board.shutdown();
    }
    expect(vi.getTimerCount()).toBe(0);
  });
});
