import { describe, expect, it } from 'vitest';
import { DEFAULT_LEARNER_CONFIG, SuccessRateLearner } from './learner.js';
import { seededRandom } from '../../domain/random.js';
import type { Segment } from './segment.js';

const US_VISA: Segment = { paymentMethod: 'card', network: 'visa', currency: 'USD', issuerCountry: 'US', amountBand: 'under_100' };
const GB_VISA: Segment = { ...US_VISA, issuerCountry: 'GB' };

function feed(learner: SuccessRateLearner, gateway: string, segment: Segment, rate: number, count: number, random: () => number) {
  for (let i = 0; i < count; i++) learner.update(gateway, segment, random() < rate ? 'success' : 'failure');
}

/** Updates at the new rate until the estimate falls below `below`; how many it took. */
function updatesUntilBelow(learner: SuccessRateLearner, rate: number, below: number, random: () => number): number {
  for (let k = 1; k <= 1000; k++) {
    feed(learner, 'A', US_VISA, rate, 1, random);
    if (learner.estimate('A', US_VISA).p < below) return k;
  }
  return Infinity;
}

describe('SuccessRateLearner', () => {
  it('answers the optimistic prior for a gateway it has never seen', () => {
    expect(new SuccessRateLearner().estimate('new', US_VISA)).toEqual({ p: 0.8, n: 0, level: 'prior' });
  });

  it('notices a drop from 0.9 to 0.5 within 60 updates', () => {
    const random = seededRandom(20_240_601);
    const learner = new SuccessRateLearner();
    feed(learner, 'A', US_VISA, 0.9, 500, random);
    expect(learner.estimate('A', US_VISA).p).toBeGreaterThan(0.8);
    // Observed: 32 updates with this seed.
    expect(updatesUntilBelow(learner, 0.5, 0.65, random)).toBeLessThanOrEqual(60);
  });

  it('notices such a drop in a median of under 40 updates over many seeds', () => {
    const counts = Array.from({ length: 51 }, (_, seed) => {
      const random = seededRandom(seed);
      const learner = new SuccessRateLearner();
      feed(learner, 'A', US_VISA, 0.9, 500, random);
      return updatesUntilBelow(learner, 0.5, 0.65, random);
    }).sort((a, b) => a - b);
    // Observed median: 34.
    expect(counts[25]).toBeLessThan(40);
  });

  it.each([{ decay: 0 }, { decay: 1.1 }, { prior: { alpha: 1, beta: 0 } }, { blendSamples: 0 }])('refuses the config %o', (config) => {
    expect(() => new SuccessRateLearner(config)).toThrow(RangeError);
  });

  it('ignores outcomes that say nothing about the gateway', () => {
    const learner = new SuccessRateLearner();
    learner.update('A', US_VISA, 'ignored');
    expect(learner.stats().cells).toBe(0);
    expect(learner.estimate('A', US_VISA).level).toBe('prior');
  });

  it('updates the prior with a new gateway’s first few outcomes', () => {
    const learner = new SuccessRateLearner();
    for (let i = 0; i < 5; i++) learner.update('A', US_VISA, 'failure');
    // Five discounted failures weigh (1 − 0.97⁵) / 0.03 ≈ 4.71; Beta(4, 1) then has mean 4 / 9.71.
    const estimate = learner.estimate('A', US_VISA);
    expect(estimate).toMatchObject({ n: expect.closeTo(4.709, 3), level: 'prior' });
    expect(estimate.p).toBeCloseTo(4 / (5 + estimate.n), 12);
  });

  describe('back-off', () => {
    const learner = new SuccessRateLearner();
    const random = seededRandom(5);
    feed(learner, 'A', US_VISA, 0.9, 300, random);
    feed(learner, 'A', GB_VISA, 0.3, 5, random);

    it('answers a well-fed segment at the segment level', () => {
      expect(learner.estimate('A', US_VISA)).toMatchObject({ level: 'segment', n: expect.closeTo(33, 0) });
    });

    it('backs a sparse segment off to network and currency', () => {
      const sparse = learner.estimate('A', GB_VISA);
      expect(sparse.level).toBe('network_currency');
      expect(sparse.n).toBeGreaterThanOrEqual(DEFAULT_LEARNER_CONFIG.minSamples);
    });

    it.each([
      [{ ...US_VISA, issuerCountry: 'FR' }, 'network_currency'],
      [{ ...US_VISA, currency: 'EUR' }, 'network'],
      [{ ...US_VISA, network: 'amex' }, 'gateway'],
      [{ ...US_VISA, paymentMethod: 'sepa_debit', network: null }, 'gateway'],
    ] as const)('answers an unseen %o at the %s level', (segment, level) => {
      expect(learner.estimate('A', segment).level).toBe(level);
    });

    it('lets the segment answer on its own once it has enough data', () => {
      const own = new SuccessRateLearner();
      const r = seededRandom(6);
      feed(own, 'A', US_VISA, 0.9, 300, r);
      feed(own, 'A', GB_VISA, 0.3, 200, r);
      const estimate = own.estimate('A', GB_VISA);
      expect(estimate.level).toBe('segment');
      expect(estimate.p).toBeLessThan(0.5);
    });
  });

  it('blends a segment with its parent just above the threshold, so the estimate does not jump', () => {
    const largestStep = (blendSamples: number) => {
      const learner = new SuccessRateLearner({ blendSamples });
      for (let i = 0; i < 200; i++) learner.update('A', US_VISA, 'success');
      let previous = learner.estimate('A', GB_VISA).p;
      let step = 0;
      for (let i = 0; i < 60; i++) {
        learner.update('A', GB_VISA, 'failure');
        const p = learner.estimate('A', GB_VISA).p;
        step = Math.max(step, Math.abs(p - previous));
        previous = p;
      }
      return step;
    };
    // Without the blend the answer jumps from the parent's mean to the segment's in one update.
    expect(largestStep(1e-9)).toBeGreaterThan(0.25);
    expect(largestStep(DEFAULT_LEARNER_CONFIG.blendSamples)).toBeLessThan(0.1);
  });

  it('draws Thompson samples from the posterior, reproducibly for a seed', () => {
    const learner = new SuccessRateLearner();
    feed(learner, 'A', US_VISA, 0.9, 300, seededRandom(1));
    const draws = Array.from({ length: 2000 }, ((random) => () => learner.sample('A', US_VISA, random))(seededRandom(2)));
    const mean = draws.reduce((sum, x) => sum + x, 0) / draws.length;
    expect(mean).toBeCloseTo(learner.estimate('A', US_VISA).p, 2);
    expect(Math.min(...draws)).toBeGreaterThan(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(learner.sample('A', US_VISA, seededRandom(9))).toBe(learner.sample('A', US_VISA, seededRandom(9)));
  });

  it('fades the evidence of a starved gateway back toward the prior, so it gets tried again', () => {
    const learner = new SuccessRateLearner();
    const random = seededRandom(11);
    feed(learner, 'A', US_VISA, 0.2, 100, random);
    const starved = learner.estimate('A', US_VISA);
    feed(learner, 'B', US_VISA, 0.9, 20, random);
    expect(learner.estimate('A', US_VISA)).toEqual(starved);
    feed(learner, 'B', US_VISA, 0.9, 300, random);
    const faded = learner.estimate('A', US_VISA);
    expect(faded.p).toBeGreaterThan(starved.p + 0.3);
    expect(faded.level).toBe('prior');
  });

  it('round-trips a snapshot through JSON', () => {
    const learner = new SuccessRateLearner();
    const random = seededRandom(3);
    feed(learner, 'A', US_VISA, 0.9, 100, random);
    feed(learner, 'B', GB_VISA, 0.6, 100, random);
    feed(learner, 'B', { ...GB_VISA, issuerCountry: null, network: null, amountBand: 'from_1000' }, 0.4, 10, random);

    const restored = new SuccessRateLearner();
    restored.restore(JSON.parse(JSON.stringify(learner.snapshot())));

    expect(restored.stats()).toEqual(learner.stats());
    expect(restored.snapshot()).toEqual(learner.snapshot());
    for (const gateway of ['A', 'B', 'C']) {
      for (const segment of [US_VISA, GB_VISA]) {
        expect(restored.estimate(gateway, segment)).toEqual(learner.estimate(gateway, segment));
      }
    }
    learner.update('B', US_VISA, 'failure');
    restored.update('B', US_VISA, 'failure');
    expect(restored.snapshot()).toEqual(learner.snapshot());
  });

  it('refuses a malformed snapshot and keeps its state', () => {
    const learner = new SuccessRateLearner();
    learner.update('A', US_VISA, 'success');
    const before = learner.snapshot();
    const broken = { ...before, cells: before.cells.slice(1) };
    expect(() => learner.restore(broken)).toThrow(/malformed/);
    const duplicated = { ...before, values: { ...before.values, gateway: ['A', 'A'] } };
    expect(() => learner.restore(duplicated)).toThrow(/duplicate/);
    expect(learner.snapshot()).toEqual(before);
  });
});

describe('overall estimate', () => {
  it('answers the gateway across its segments, and the prior before it has data', () => {
    const learner = new SuccessRateLearner();
    expect(learner.overall('acme')).toMatchObject({ level: 'prior', n: 0 });
    const segment = { paymentMethod: 'card', network: 'visa', currency: 'USD', issuerCountry: 'US', amountBand: 'under_100' as const };
    for (let i = 0; i < 100; i++) learner.update('acme', { ...segment, currency: i % 2 ? 'USD' : 'EUR' }, i % 4 === 0 ? 'failure' : 'success');
    const overall = learner.overall('acme');
    expect(overall.level).toBe('gateway');
    expect(overall.p).toBeGreaterThan(0.6);
    expect(overall.p).toBeLessThan(0.9);
  });
});
