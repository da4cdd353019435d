import { describe, expect, it } from 'vitest';
import { compileYaml, GATEWAYS, tx } from '../rules/test-helpers.js';
import { backtest, type RecordedPayment } from './backtest.js';
import { selfNormalisedIpw } from './estimate.js';

/** A payment an optimize decision sent first to `first`, stripe having had 0.8 of the odds and adyen 0.2. */
function recorded(first: 'stripe' | 'adyen', approved: boolean, id: number): RecordedPayment {
  const odds: Record<string, number> = { stripe: 0.8, adyen: 0.2, braintree: 0 };
  return {
    tx: tx({ paymentId: `pay_${id}` }),
    decision: {
      source: 'rules',
      action: 'optimize',
      order: [first, first === 'stripe' ? 'adyen' : 'stripe'],
      propensity: odds[first],
      explore: true,
      probe: false,
      candidates: GATEWAYS.map((g) => ({ gateway: g, account_id: `gwa_${g}`, eligible: g !== 'braintree', probability: 0.9, samples: 30, fee: null, health: 'closed', first_probability: odds[g], posterior: { mean: 0.9, weight: 35, down: 0 } })),
    },
    firstAttempt: { accountId: `gwa_${first}`, status: approved ? 'succeeded' : 'failed' },
  };
}

const history = [recorded('stripe', true, 1), recorded('stripe', true, 2), recorded('stripe', true, 3), recorded('stripe', false, 4), recorded('adyen', true, 5)];
const version = (yaml: string) => compileYaml(yaml);

describe('backtest', () => {
  it('weights each payment by the version\'s odds over the logged ones', () => {
    const report = backtest({
      payments: history,
      current: { version: 1, compiled: version('default: { route: [stripe] }\n') },
      candidate: { version: 2, compiled: version('default: { split: { stripe: 50, adyen: 50 } }\n') },
      fees: new Map(),
    });
    // Current: stripe-first payments weigh 1 / 0.8, adyen's 0: 3 of 4.
    expect(report.current.approval_rate!.estimate).toBe(0.75);
    // Split: stripe-first weigh 0.5 / 0.8 = 0.625, adyen's 0.5 / 0.2 = 2.5: (3 × 0.625 + 2.5) / (4 × 0.625 + 2.5) = 0.875.
    expect(report.candidate.approval_rate!.estimate).toBe(0.875);
    // Kish: (4 × 0.625 + 2.5)² / (4 × 0.390625 + 6.25) = 25 / 7.8125 = 3.2.
    expect(report.candidate.effective_sample_size).toBe(3.2);
    expect(report.observed.approval_rate).toBe(0.8);
    // The split's likeliest first is a tie, broken by name: adyen, unlike the current stripe.
    expect(report.changed_route).toBe(5);
  });

  it('says when a version routes where the history never went first, and counts a block as refused', () => {
    const braintree = backtest({ payments: history, current: { version: null, compiled: null }, candidate: { version: 2, compiled: version('default: { route: [braintree, stripe] }\n') }, fees: new Map() });
    // Braintree was not eligible then, so the route falls to stripe: supported.
    expect(braintree.candidate).toMatchObject({ unsupported_share: 0, refused_share: 0 });
    const blocked = backtest({ payments: history, current: { version: null, compiled: null }, candidate: { version: 3, compiled: version('default: { block: { code: paused } }\n') }, fees: new Map() });
    expect(blocked.candidate).toMatchObject({ approval_rate: { estimate: 0, low: 0, high: 0 }, refused_share: 1 });
  });

  it('leaves out, and counts, payments it cannot estimate from', () => {
    const legacy = recorded('stripe', true, 6);
    delete (legacy.decision as Record<string, unknown>).propensity;
    const unsettled = { ...recorded('stripe', true, 7), firstAttempt: { accountId: 'gwa_stripe', status: 'unknown' } };
    const probe = recorded('adyen', true, 8);
    (probe.decision as Record<string, unknown>).probe = true;
    const elsewhere = { ...recorded('stripe', true, 9), firstAttempt: { accountId: 'gwa_adyen', status: 'succeeded' } };
    const report = backtest({ payments: [...history, legacy, unsettled, probe, elsewhere, { tx: tx(), decision: 'garbage', firstAttempt: null }], current: { version: null, compiled: null }, candidate: { version: 1, compiled: version('default: { route: [stripe] }\n') }, fees: new Map() });
    expect(report.payments).toEqual({ in_window: 10, estimated: 5, excluded: { no_propensity: 2, not_attempted: 1, unsettled: 1, probe: 1 } });
  });
});

describe('selfNormalisedIpw', () => {
  it('has no estimate when nothing recorded went where the policy would send it', () => {
    expect(selfNormalisedIpw([{ weight: 0, reward: 1 }], 1)).toBeNull();
  });

  it('is the plain mean with its normal interval when every weight is equal', () => {
    const r = selfNormalisedIpw([1, 0, 1, 1].map((reward) => ({ weight: 2, reward })), 1)!;
    expect(r.estimate).toBe(0.75);
    // 1.96 × √(3 × 0.0625 + 0.5625) / 4.
    expect(r.high - r.estimate).toBeCloseTo((1.959964 * Math.sqrt(0.75)) / 4, 5);
  });
});
