import { afterEach, describe, expect, it, vi } from 'vitest';
import { manualClock } from '../../test/support/clock.js';
import { decline } from '../domain/decline.js';
import type { AuthorizationOutcome } from '../domain/outcome.js';
import { breakerBoard, type BreakerSettings } from './breakers.js';

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
