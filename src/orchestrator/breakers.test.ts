import { afterEach, describe, expect, it } from 'vitest';
import { decline } from '../domain/decline.js';
import type { AuthorizationOutcome } from '../domain/outcome.js';
import { breakerBoard } from './breakers.js';

const refused: AuthorizationOutcome = { kind: 'not_processed', reason: 'connection_refused', detail: 'down' };
const declined: AuthorizationOutcome = { kind: 'declined', reference: 'r', decline: decline('insufficient_funds', 'x') };
const approved: AuthorizationOutcome = { kind: 'approved', reference: 'r', captured: true };

describe('gateway circuit breakers', () => {
  const board = breakerBoard({ errorThresholdPercentage: 50, volumeThreshold: 4, resetTimeoutMs: 100, rollingCountTimeoutMs: 10_000, rollingCountBuckets: 10 });
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
    expect(board.state('gwa_b')).toBe('closed');
  });

  it('never opens on declines: they are the issuer speaking', async () => {
    for (let i = 0; i < 10; i++) expect(await board.run('gwa_c', async () => declined)).toEqual(declined);
    expect(board.state('gwa_c')).toBe('closed');
  });

  it('lets one probe through when half-open and closes again on success', async () => {
    for (let i = 0; i < 4; i++) await board.run('gwa_d', async () => refused);
    expect(board.state('gwa_d')).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(board.state('gwa_d')).toBe('half_open');
    expect(await board.run('gwa_d', async () => approved)).toEqual(approved);
    expect(board.state('gwa_d')).toBe('closed');
  });
});
