import { describe, expect, it } from 'vitest';
import { decline } from '../domain/decline.js';
import type { AuthorizationOutcome } from '../domain/outcome.js';
import { merchantLearners } from './merchant-learners.js';
import { tx } from './rules/test-helpers.js';

const TX = tx();
const APPROVED: AuthorizationOutcome = { kind: 'approved', reference: 'r', captured: false };
const TIMED_OUT: AuthorizationOutcome = { kind: 'unknown', reason: 'timeout', detail: '' };
const SOFT_DECLINE: AuthorizationOutcome = { kind: 'declined', reference: 'r', decline: decline('do_not_honor', '05') };

/** `count` payments declined softly at gwa_a and approved by the fallback at gwa_b: κ grows. */
function rescued(learners: ReturnType<typeof merchantLearners>, merchantId: string, count: number): void {
  for (let k = 0; k < count; k++) {
    const payment = tx({ paymentId: `pay_${merchantId}_${k}` });
    learners.of(merchantId).record('gwa_a', payment, SOFT_DECLINE);
    learners.of(merchantId).record('gwa_b', payment, APPROVED);
  }
}

describe('merchant learners', () => {
  it("do not fade one merchant's estimates with another merchant's traffic in the same segment", () => {
    const learners = merchantLearners();
    for (let i = 0; i < 40; i++) learners.of('mer_a').record('gwa_a', TX, APPROVED);
    const before = learners.of('mer_a').estimate('gwa_a', TX);
    // Well past the idle grace: in one shared learner these would count as updates gwa_a missed.
    for (let i = 0; i < 100; i++) learners.of('mer_b').record('gwa_b', TX, TIMED_OUT);
    expect(learners.of('mer_a').estimate('gwa_a', TX)).toEqual(before);
    expect(learners.of('mer_a').overall('gwa_a')).toMatchObject({ level: 'gateway' });
  });

  it('snapshot only the merchants that learned something', () => {
    const learners = merchantLearners();
    learners.of('mer_a').record('gwa_a', TX, APPROVED);
    learners.of('mer_b').estimate('gwa_b', TX);
    expect([...learners.snapshots().keys()]).toEqual(['mer_a']);
  });

  it('keep a merchant’s state when its snapshot is malformed', () => {
    const learners = merchantLearners();
    learners.of('mer_a').record('gwa_a', TX, APPROVED);
    const before = learners.of('mer_a').overall('gwa_a');
    expect(() => learners.restore('mer_a', { version: 1, cells: 'x' })).toThrow();
    expect(learners.of('mer_a').overall('gwa_a')).toEqual(before);
  });

  it('tell watchers what was recorded, but not what was applied from elsewhere', () => {
    const learners = merchantLearners();
    const seen: string[] = [];
    const stop = learners.watch(({ merchantId, accountId, outcome }) => seen.push(`${merchantId}/${accountId}/${outcome.kind}`));
    learners.of('mer_a').record('gwa_a', TX, APPROVED);
    learners.apply({ merchantId: 'mer_b', accountId: 'gwa_b', tx: TX, outcome: TIMED_OUT });
    stop();
    learners.of('mer_a').record('gwa_a', TX, TIMED_OUT);
    expect(seen).toEqual(['mer_a/gwa_a/approved']);
    // Applied is learned all the same.
    expect(learners.of('mer_b').overall('gwa_b').n).toBeGreaterThan(0);
  });

  it('save and restore the measured rescue rate with the learner', () => {
    const learners = merchantLearners();
    rescued(learners, 'mer_a', 200);
    const kappa = learners.of('mer_a').rescue();
    expect(kappa).toBeGreaterThan(0.5);
    // Through JSON, as the store keeps it.
    const saved = JSON.parse(JSON.stringify(learners.snapshots().get('mer_a')));
    const restarted = merchantLearners();
    expect(restarted.of('mer_a').rescue()).toBe(0);
    restarted.restore('mer_a', saved);
    expect(restarted.of('mer_a').rescue()).toBe(kappa);
    // And it goes on from there: one more rescue moves both alike.
    rescued(learners, 'mer_a', 1);
    rescued(restarted, 'mer_a', 1);
    expect(restarted.of('mer_a').rescue()).toBe(learners.of('mer_a').rescue());
  });

  it('start the rescue rate from nothing when a snapshot from before it is restored', () => {
    const learners = merchantLearners();
    rescued(learners, 'mer_a', 200);
    const { rescue: _rescue, ...older } = learners.snapshots().get('mer_a')!;
    learners.restore('mer_a', older);
    expect(learners.of('mer_a').rescue()).toBe(0);
    expect(learners.of('mer_a').overall('gwa_b').n).toBeGreaterThan(100);
  });

  it.each([
    ['too few tallies', [1, 1, 1]],
    ['a negative tally', [10, 10, -1, 9]],
    ['not numbers', ['10', 10, 9, 9]],
    ['not an array', 'κ=0.9'],
  ])('refuse a snapshot whose rescue tallies are malformed (%s), keeping the state', (_name, rescue) => {
    const learners = merchantLearners();
    rescued(learners, 'mer_a', 200);
    const kappa = learners.of('mer_a').rescue();
    const before = learners.of('mer_a').overall('gwa_b');
    expect(() => learners.restore('mer_a', { ...learners.snapshots().get('mer_a')!, rescue })).toThrow('rescue tallies malformed');
    expect(learners.of('mer_a').rescue()).toBe(kappa);
    expect(learners.of('mer_a').overall('gwa_b')).toEqual(before);
  });
});
