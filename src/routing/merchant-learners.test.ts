import { describe, expect, it } from 'vitest';
import type { AuthorizationOutcome } from '../domain/outcome.js';
import { merchantLearners } from './merchant-learners.js';
import { tx } from './rules/test-helpers.js';

const TX = tx();
const APPROVED: AuthorizationOutcome = { kind: 'approved', reference: 'r', captured: false };
const TIMED_OUT: AuthorizationOutcome = { kind: 'unknown', reason: 'timeout', detail: '' };

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
});

