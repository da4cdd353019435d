import { describe, expect, it } from 'vitest';
import { rankCandidates, type RankingCandidate } from './rank.js';

const NO_PROBE = { every: 10, counter: 1 };

function candidate(gateway: string, overrides: Partial<RankingCandidate> = {}): RankingCandidate {
  return { gateway, probability: 0.9, sampled: 0.9, n: 33, fee: 300, health: 'closed', ...overrides };
}

const order = (ranked: { gateway: string }[]) => ranked.map((c) => c.gateway);

describe('rankCandidates', () => {
  const reliable = candidate('reliable', { probability: 0.9, sampled: 0.9, fee: 300 });
  const cheap = candidate('cheap', { probability: 0.88, sampled: 0.88, fee: 250 });

  it('orders by success rate', () => {
    expect(order(rankCandidates([cheap, reliable], 'success_rate', 10_000, NO_PROBE))).toEqual(['reliable', 'cheap']);
  });

  it('orders by cost: the cheaper gateway wins despite a slightly lower rate', () => {
    const ranked = rankCandidates([reliable, cheap], 'cost', 10_000, NO_PROBE);
    expect(ranked.map((c) => [c.gateway, c.score])).toEqual([
      ['cheap', -250],
      ['reliable', -300],
    ]);
  });

  it('orders by expected value: the rate gap outweighs the fee gap', () => {
    // 0.90 × (10 000 − 300) = 8 730 > 0.88 × (10 000 − 250) = 8 580.
    const ranked = rankCandidates([cheap, reliable], 'expected_value', 10_000, NO_PROBE);
    expect(order(ranked)).toEqual(['reliable', 'cheap']);
    expect(ranked[0]!.score).toBeCloseTo(8_730, 9);
    expect(ranked[1]!.score).toBeCloseTo(8_580, 9);
  });

  it('orders by expected value of the whole order: with declines rescued, the cheaper gateway first', () => {
    // 1 000.00: alone 0.90 × 97 000 = 87 300 beats 0.88 × 98 500 = 86 680; rescued at 0.9 the cheap one's declines cost less.
    const big = (c: RankingCandidate, rescue: number) => ({ ...c, fee: c === reliable ? 3_000 : 1_500, rescue });
    expect(order(rankCandidates([big(cheap, 0), big(reliable, 0)], 'expected_value', 100_000, NO_PROBE))).toEqual(['reliable', 'cheap']);
    expect(order(rankCandidates([big(reliable, 0.9), big(cheap, 0.9)], 'expected_value', 100_000, NO_PROBE))).toEqual(['cheap', 'reliable']);
  });

  it('refuses a rescue outside [0, MAX_RESCUE]', () => {
    for (const rescue of [-0.1, 0.96, Number.NaN]) expect(() => rankCandidates([{ ...reliable, rescue }], 'expected_value', 1_000, NO_PROBE)).toThrow(RangeError);
  });

  it('orders by the Thompson draw but reports the mean beside it', () => {
    const lucky = candidate('lucky', { probability: 0.7, sampled: 0.95, n: 4 });
    const [first, second] = rankCandidates([reliable, lucky], 'success_rate', 10_000, NO_PROBE);
    expect(first).toMatchObject({ gateway: 'lucky', probability: 0.7, n: 4, score: 0.95, expectedScore: 0.7 });
    expect(second).toMatchObject({ gateway: 'reliable', score: 0.9, expectedScore: 0.9 });
  });

  it('keeps the input order between equal scores', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((g) => candidate(g));
    expect(order(rankCandidates([b!, c!, a!], 'cost', 1_000, NO_PROBE))).toEqual(['b', 'c', 'a']);
  });

  describe('half-open gateways', () => {
    const probing = candidate('probing', { sampled: 0.99, health: 'half_open' });
    const other = candidate('other', { sampled: 0.95, health: 'half_open' });

    it('go last outside a probe slot, however well they score', () => {
      const ranked = rankCandidates([probing, cheap, reliable], 'success_rate', 10_000, { every: 20, counter: 7 });
      expect(order(ranked)).toEqual(['reliable', 'cheap', 'probing']);
      expect(ranked.every((c) => !c.probe)).toBe(true);
    });

    it('go first, marked as the probe, in a probe slot', () => {
      const ranked = rankCandidates([reliable, cheap, probing], 'success_rate', 10_000, { every: 20, counter: 40 });
      expect(order(ranked)).toEqual(['probing', 'reliable', 'cheap']);
      expect(ranked[0]!.probe).toBe(true);
    });

    it('take turns at the probe slots', () => {
      const slot = (counter: number) => order(rankCandidates([reliable, other, probing], 'success_rate', 10_000, { every: 5, counter }));
      // Half-open ones sorted by draw: probing (0.99), then other (0.95); slot k picks k mod 2.
      expect(slot(0)).toEqual(['probing', 'reliable', 'other']);
      expect(slot(5)).toEqual(['other', 'reliable', 'probing']);
      expect(slot(10)).toEqual(['probing', 'reliable', 'other']);
      expect(slot(11)).toEqual(['reliable', 'probing', 'other']);
    });

    it('refuses a probe slot that is not a positive cadence', () => {
      expect(() => rankCandidates([reliable], 'cost', 100, { every: 0, counter: 0 })).toThrow(RangeError);
    });
  });
});
