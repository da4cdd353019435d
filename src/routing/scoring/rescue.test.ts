import { describe, expect, it } from 'vitest';
import { MAX_RESCUE } from './score.js';
import { RescueRate, type AttemptOutcome } from './rescue.js';

const SOFT_DECLINE: AttemptOutcome = { attribution: 'failure', cascades: true };
const TIMEOUT: AttemptOutcome = { attribution: 'technical', cascades: false };
const APPROVED: AttemptOutcome = { attribution: 'success', cascades: false };
const ISSUER_DECLINE: AttemptOutcome = { attribution: 'ignored', cascades: false };
const BREAKER_OPEN: AttemptOutcome = { attribution: 'ignored', cascades: true };

/** `count` payments declined softly at `first`, each then tried at `second`, approved with the given pattern. */
function cascades(rate: RescueRate, count: number, first: string, second: string, approves: (k: number) => boolean, estimate = 0.9): void {
  for (let k = 0; k < count; k++) {
    rate.record(`pay_${first}_${k}`, first, SOFT_DECLINE, () => estimate);
    rate.record(`pay_${first}_${k}`, second, approves(k) ? APPROVED : SOFT_DECLINE, () => estimate);
  }
}

describe('RescueRate', () => {
  it('is 0 before any fallback was seen: the order is scored as a single attempt', () => {
    const rate = new RescueRate();
    expect(rate.value('a')).toBe(0);
    rate.record('pay_1', 'a', SOFT_DECLINE, () => 0.9);
    expect(rate.value('a')).toBe(0);
  });

  it('nears the cascade share when fallbacks approve as often as the learner expects', () => {
    const rate = new RescueRate({ decay: 1, prior: 50, pooled: 10, pending: 100 });
    // 9 of 10 fallbacks approve where the learner expected 0.9: recovery 900 / (900 + 50).
    cascades(rate, 1_000, 'a', 'b', (k) => k % 10 !== 0);
    expect(rate.value('a')).toBeCloseTo(900 / 950, 2);
  });

  it('stays near 0 where fallbacks rarely rescue a declined payment', () => {
    const rate = new RescueRate({ decay: 1, prior: 50, pooled: 10, pending: 100 });
    cascades(rate, 1_000, 'a', 'b', (k) => k % 10 === 0);
    expect(rate.value('a')).toBeLessThan(0.12);
  });

  it('gives less to a gateway whose failures are time-outs, which stop the payment', () => {
    const rate = new RescueRate({ decay: 1, prior: 50, pooled: 10, pending: 100 });
    cascades(rate, 500, 'a', 'b', () => true);
    for (let k = 0; k < 500; k++) rate.record(`pay_t${k}`, 'slow', TIMEOUT, () => 0.9);
    expect(rate.value('slow')).toBeLessThan(0.05);
    expect(rate.value('a')).toBeGreaterThan(0.9);
  });

  it('never exceeds MAX_RESCUE, however lucky the fallbacks', () => {
    const rate = new RescueRate({ decay: 1, prior: 0, pooled: 10, pending: 100 });
    cascades(rate, 200, 'a', 'b', () => true, 0.5);
    expect(rate.value('a')).toBe(MAX_RESCUE);
  });

  it("counts neither issuer declines nor a payment's first attempt as a fallback", () => {
    const rate = new RescueRate({ decay: 1, prior: 0, pooled: 10, pending: 100 });
    cascades(rate, 100, 'a', 'b', () => true);
    const before = rate.value('a');
    // An issuer decline on a fallback teaches nothing about how fallbacks fare.
    for (let k = 0; k < 100; k++) {
      rate.record(`pay_i${k}`, 'a', SOFT_DECLINE, () => 0.9);
      rate.record(`pay_i${k}`, 'b', ISSUER_DECLINE, () => 0.9);
    }
    // A first attempt that approves is not a rescue.
    for (let k = 0; k < 100; k++) rate.record(`pay_f${k}`, 'b', APPROVED, () => 0.9);
    expect(rate.value('a')).toBeCloseTo(before, 9);
  });

  it('follows a payment past an open breaker to its next gateway', () => {
    const rate = new RescueRate({ decay: 1, prior: 0, pooled: 10, pending: 100 });
    for (let k = 0; k < 50; k++) {
      rate.record(`pay_${k}`, 'a', SOFT_DECLINE, () => 0.9);
      rate.record(`pay_${k}`, 'b', BREAKER_OPEN, () => 0.9);
      rate.record(`pay_${k}`, 'c', APPROVED, () => 0.9);
    }
    // Every fallback after the breaker approved: without following the payment there would be none.
    expect(rate.value('a')).toBe(MAX_RESCUE);
  });

  it('forgets the oldest payments awaiting a fallback beyond its limit', () => {
    const rate = new RescueRate({ decay: 1, prior: 0, pooled: 10, pending: 2 });
    rate.record('pay_old', 'a', SOFT_DECLINE, () => 0.9);
    rate.record('pay_2', 'a', SOFT_DECLINE, () => 0.9);
    rate.record('pay_3', 'a', SOFT_DECLINE, () => 0.9);
    // pay_old was forgotten: its next attempt counts as a first attempt, so no fallback was seen yet.
    rate.record('pay_old', 'b', APPROVED, () => 0.9);
    expect(rate.value('a')).toBe(0);
    rate.record('pay_3', 'b', APPROVED, () => 0.5);
    expect(rate.value('a')).toBeGreaterThan(0);
  });

  it('moves with the evidence when rescues stop (decay)', () => {
    const rate = new RescueRate({ decay: 0.99, prior: 5, pooled: 10, pending: 100 });
    cascades(rate, 500, 'a', 'b', () => true);
    expect(rate.value('a')).toBeGreaterThan(0.9);
    cascades(rate, 500, 'a', 'b', () => false);
    expect(rate.value('a')).toBeLessThan(0.05);
  });
});
