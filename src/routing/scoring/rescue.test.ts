import { describe, expect, it } from 'vitest';
import { MAX_RESCUE } from './score.js';
import { RescueRate, type AttemptOutcome } from './rescue.js';

const SOFT_DECLINE: AttemptOutcome = { attribution: 'failure', cascades: true };
const TIMEOUT: AttemptOutcome = { attribution: 'technical', cascades: false };
const APPROVED: AttemptOutcome = { attribution: 'success', cascades: false };
const ISSUER_DECLINE: AttemptOutcome = { attribution: 'ignored', cascades: false };
const BREAKER_OPEN: AttemptOutcome = { attribution: 'ignored', cascades: true };

/** `count` payments declined softly at `first`, each then tried at `second`, approved as `approves` says. */
function cascades(rate: RescueRate, count: number, first: string, second: string, approves: (k: number) => boolean, estimate = 0.9): void {
  for (let k = 0; k < count; k++) {
    rate.record(`pay_${first}_${second}_${k}`, SOFT_DECLINE, () => estimate);
    rate.record(`pay_${first}_${second}_${k}`, approves(k) ? APPROVED : SOFT_DECLINE, () => estimate);
  }
}

describe('RescueRate', () => {
  it('is 0 before any fallback was seen: the order is scored as a single attempt', () => {
    const rate = new RescueRate();
    expect(rate.value()).toBe(0);
    rate.record('pay_1', SOFT_DECLINE, () => 0.9);
    expect(rate.value()).toBe(0);
  });

  it('nears the cascade share when fallbacks approve as often as the learner expects', () => {
    const rate = new RescueRate({ decay: 1, prior: 50, pending: 100 });
    // 9 of 10 fallbacks approve where the learner expected 0.9: recovery 900 / (900 + 50).
    cascades(rate, 1_000, 'a', 'b', (k) => k % 10 !== 0);
    expect(rate.value()).toBeCloseTo(900 / 950, 2);
  });

  it('stays near 0 where fallbacks rarely rescue a declined payment', () => {
    const rate = new RescueRate({ decay: 1, prior: 50, pending: 100 });
    cascades(rate, 1_000, 'a', 'b', (k) => k % 10 === 0);
    expect(rate.value()).toBeLessThan(0.12);
  });

  it('counts time-outs, which stop the payment, as failures that are not rescued', () => {
    const rate = new RescueRate({ decay: 1, prior: 0, pending: 100 });
    cascades(rate, 300, 'a', 'b', () => true, 1);
    expect(rate.value()).toBeCloseTo(MAX_RESCUE, 9);
    for (let k = 0; k < 600; k++) rate.record(`pay_t${k}`, TIMEOUT, () => 0.9);
    // 300 cascading failures of 900: a third of them.
    expect(rate.value()).toBeCloseTo(300 / 900, 2);
  });

  it('never exceeds MAX_RESCUE, however lucky the fallbacks', () => {
    const rate = new RescueRate({ decay: 1, prior: 0, pending: 100 });
    cascades(rate, 200, 'a', 'b', () => true, 0.5);
    expect(rate.value()).toBe(MAX_RESCUE);
  });

  it("counts neither issuer declines nor a payment's first attempt as a fallback", () => {
    const rate = new RescueRate({ decay: 1, prior: 0, pending: 100 });
    cascades(rate, 100, 'a', 'b', () => true);
    const before = rate.value();
    // An issuer decline on a fallback teaches nothing about how fallbacks fare.
    for (let k = 0; k < 100; k++) {
      rate.record(`pay_i${k}`, SOFT_DECLINE, () => 0.9);
      rate.record(`pay_i${k}`, ISSUER_DECLINE, () => 0.9);
    }
    // A first attempt that approves is not a rescue.
    for (let k = 0; k < 100; k++) rate.record(`pay_f${k}`, APPROVED, () => 0.9);
    expect(rate.value()).toBeCloseTo(before, 9);
  });

  it('follows a payment past an open breaker to its next gateway', () => {
    const rate = new RescueRate({ decay: 1, prior: 0, pending: 100 });
    for (let k = 0; k < 50; k++) {
      rate.record(`pay_${k}`, SOFT_DECLINE, () => 0.9);
      rate.record(`pay_${k}`, BREAKER_OPEN, () => 0.9);
      rate.record(`pay_${k}`, APPROVED, () => 0.9);
    }
    // Every fallback after the breaker approved: without following the payment there would be none.
    expect(rate.value()).toBe(MAX_RESCUE);
  });

  it('forgets the oldest payments awaiting a fallback beyond its limit', () => {
    const rate = new RescueRate({ decay: 1, prior: 0, pending: 2 });
    rate.record('pay_old', SOFT_DECLINE, () => 0.9);
    rate.record('pay_2', SOFT_DECLINE, () => 0.9);
    rate.record('pay_3', SOFT_DECLINE, () => 0.9);
    // pay_old was forgotten: its next attempt counts as a first attempt, so no fallback was seen yet.
    rate.record('pay_old', APPROVED, () => 0.9);
    expect(rate.value()).toBe(0);
    rate.record('pay_3', APPROVED, () => 0.5);
    expect(rate.value()).toBeGreaterThan(0);
  });

  it('moves with the evidence when rescues stop (decay)', () => {
    const rate = new RescueRate({ decay: 0.99, prior: 5, pending: 100 });
    cascades(rate, 500, 'a', 'b', () => true);
    expect(rate.value()).toBeGreaterThan(0.9);
    cascades(rate, 500, 'a', 'b', () => false);
    expect(rate.value()).toBeLessThan(0.05);
  });
});
