import { describe, expect, it } from 'vitest';
import { manualClock } from '../../../test/support/clock.js';
import { tokenBuckets } from './rate-limit.js';

describe('tokenBuckets', () => {
  it('refills continuously up to the burst and tells how long to wait', () => {
    const clock = manualClock();
    const buckets = tokenBuckets({ perSecond: 4, burst: 2 }, clock);
    expect(buckets.take('k')).toMatchObject({ allowed: true, remaining: 1 });
    expect(buckets.take('k')).toMatchObject({ allowed: true, remaining: 0, resetSeconds: 1 });
    expect(buckets.take('k')).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    clock.advance(250);
    expect(buckets.take('k')).toMatchObject({ allowed: true, remaining: 0 });
    clock.advance(60_000);
    expect(buckets.take('k')).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('forgets only buckets that are full again when it holds many', () => {
    const clock = manualClock();
    const buckets = tokenBuckets({ perSecond: 0.1, burst: 1 }, clock);
    buckets.take('flooder');
    for (let i = 0; i < 10_050; i++) buckets.take(`client-${i}`);
    expect(buckets.has('flooder')).toBe(false);
    expect(buckets.take('flooder')).toMatchObject({ allowed: false, retryAfterSeconds: 10 });
    clock.advance(10_000);
    expect(buckets.take('flooder').allowed).toBe(true);
  });
});
