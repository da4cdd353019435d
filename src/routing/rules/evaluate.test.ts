import { describe, expect, it } from 'vitest';
import { compile, evaluate, RulesetError } from './compile.js';
import { parseRuleset } from './parse.js';
import { splitBucket } from './split.js';
import { compileYaml, GATEWAYS, tx } from './test-helpers.js';

/** A ruleset with one rule `hit` under `when`, routing to stripe; everything else blocks. */
function matches(when: string, transaction: ReturnType<typeof tx>): boolean {
  const compiled = compileYaml(`rules:\n  - id: hit\n    when: ${when}\n    then: { route: [stripe] }\ndefault: { block: { code: no_match } }\n`);
  return evaluate(compiled, transaction).ruleId === 'hit';
}

describe('conditions', () => {
  it('plain values, in and not_in on set fields', () => {
    expect(matches('{ currency: EUR }', tx({ currency: 'EUR' }))).toBe(true);
    expect(matches('{ currency: EUR }', tx())).toBe(false);
    expect(matches('{ card.network: { in: [visa, mastercard] } }', tx({ card: { network: 'mastercard' } }))).toBe(true);
    expect(matches('{ card.network: { not_in: [visa, mastercard] } }', tx())).toBe(false);
    expect(matches('{ card.network: { not_in: [visa, mastercard] } }', tx({ card: { network: 'amex' } }))).toBe(true);
    expect(matches('{ payment_method: card, capture_method: manual }', tx({ captureMethod: 'manual' }))).toBe(true);
    expect(matches('{ initiator: merchant }', tx())).toBe(false);
  });

  it('unknown values (no issuer country, no card type) fail in and pass not_in', () => {
    expect(matches('{ country.issuer: { in: [US] } }', tx({ card: { issuerCountry: null } }))).toBe(false);
    expect(matches('{ country.issuer: { not_in: [US] } }', tx({ card: { issuerCountry: null } }))).toBe(true);
    expect(matches('{ card.type: { not_in: [credit] } }', tx({ card: { type: null } }))).toBe(true);
    expect(matches('{ card.type: { in: [credit, debit, prepaid] } }', tx({ card: { type: null } }))).toBe(false);
    expect(matches('{ country.billing: { not_in: [KP] } }', tx({ billingCountry: null }))).toBe(true);
  });

  it('amount ranges in the named currency only, bounds inclusive or exclusive as written', () => {
    const when = '{ amount: { gte: 1000, lt: 5000, currency: USD } }';
    expect(matches(when, tx({ amount: 1000 }))).toBe(true);
    expect(matches(when, tx({ amount: 4999 }))).toBe(true);
    expect(matches(when, tx({ amount: 999 }))).toBe(false);
    expect(matches(when, tx({ amount: 5000 }))).toBe(false);
    expect(matches(when, tx({ amount: 2000, currency: 'EUR' }))).toBe(false);
    expect(matches('{ amount: { gt: 1000, lte: 1001, currency: USD } }', tx({ amount: 1001 }))).toBe(true);
    expect(matches('{ amount: { gt: 1000, lte: 1001, currency: USD } }', tx({ amount: 1000 }))).toBe(false);
  });

  it('card.bin as BINs (matching longer card BINs that start with them), prefixes, ranges and bounds', () => {
    expect(matches('{ card.bin: 424242 }', tx({ card: { bin: '42424212' } }))).toBe(true);
    expect(matches('{ card.bin: 42424212 }', tx({ card: { bin: '424242' } }))).toBe(false);
    expect(matches('{ card.bin: { in: [411111, 424242] } }', tx())).toBe(true);
    expect(matches('{ card.bin: { not_in: [424242] } }', tx())).toBe(false);
    expect(matches('{ card.bin: { prefix: ["4"] } }', tx())).toBe(true);
    expect(matches('{ card.bin: { prefix: ["51", "52"] } }', tx())).toBe(false);
    expect(matches('{ card.bin: { range: [400000, 424242] } }', tx())).toBe(true);
    expect(matches('{ card.bin: { range: [400000, 424241] } }', tx())).toBe(false);
    expect(matches('{ card.bin: { range: [40000000, 42424299] } }', tx({ card: { bin: '424242' } }))).toBe(false);
    expect(matches('{ card.bin: { gte: 424242 } }', tx())).toBe(true);
    expect(matches('{ card.bin: { gt: 424242 } }', tx({ card: { bin: '42424299' } }))).toBe(false);
    expect(matches('{ card.bin: { gt: 424241, lt: 424243 } }', tx())).toBe(true);
    expect(matches('{ card.bin: { lte: 424241 } }', tx())).toBe(false);
  });

  it('metadata values and prefixes; a missing key fails in and passes not_in', () => {
    const meta = { metadata: { product: 'sub_pro', channel: 'web' } };
    expect(matches('{ metadata.channel: web }', tx(meta))).toBe(true);
    expect(matches('{ metadata.channel: { in: [app, pos] } }', tx(meta))).toBe(false);
    expect(matches('{ metadata.product: { prefix: [sub_] } }', tx(meta))).toBe(true);
    expect(matches('{ metadata.plan: { in: [gold] } }', tx(meta))).toBe(false);
    expect(matches('{ metadata.plan: { not_in: [gold] } }', tx(meta))).toBe(true);
    expect(matches('{ metadata.toString: { in: [x] } }', tx())).toBe(false);
  });

  it('all conditions of a rule must hold; a rule without `when` matches everything', () => {
    expect(matches('{ currency: USD, card.type: debit }', tx())).toBe(false);
    expect(matches('{ currency: USD, card.type: credit }', tx())).toBe(true);
    expect(matches('{}', tx({ currency: 'JPY' }))).toBe(true);
  });
});

describe('actions', () => {
  const compiled = compileYaml(
    [
      'rules:',
      '  - id: blocked',
      '    when: { country.billing: KP }',
      '    then: { block: { code: country_not_supported } }',
      '  - id: fixed',
      '    when: { currency: EUR }',
      '    then: { route: [adyen, stripe] }',
      '  - id: ab',
      '    when: { card.type: debit }',
      '    then: { split: { stripe: 70, braintree: 30 } }',
      '  - id: cheap',
      '    when: { amount: { lt: 1000, currency: USD } }',
      '    then: { optimize: { objective: cost, among: [stripe, braintree] } }',
      'default: { optimize: { objective: expected_value } }',
    ].join('\n'),
  );

  it('route, block and optimize, first match wins, default when none matches', () => {
    expect(evaluate(compiled, tx({ billingCountry: 'KP', currency: 'EUR' }))).toEqual({ ruleId: 'blocked', action: { kind: 'block', code: 'country_not_supported' } });
    expect(evaluate(compiled, tx({ currency: 'EUR' }))).toEqual({ ruleId: 'fixed', action: { kind: 'route', gateways: ['adyen', 'stripe'] } });
    expect(evaluate(compiled, tx({ amount: 999 }))).toEqual({ ruleId: 'cheap', action: { kind: 'optimize', objective: 'cost', among: ['stripe', 'braintree'] } });
    expect(evaluate(compiled, tx())).toEqual({ ruleId: null, action: { kind: 'optimize', objective: 'expected_value', among: null } });
  });

  it('split: the same payment always gets the same gateway', () => {
    const debit = (paymentId: string) => tx({ paymentId, card: { type: 'debit' } });
    const first = evaluate(compiled, debit('pay_42'));
    expect(first.action).toMatchObject({ kind: 'split', weights: { stripe: 70, braintree: 30 } });
    for (let i = 0; i < 5; i++) expect(evaluate(compiled, debit('pay_42'))).toEqual(first);
  });

  it('split: 10,000 payments spread within ±2 percentage points of the weights', () => {
    const counts: Record<string, number> = { stripe: 0, braintree: 0 };
    for (let i = 0; i < 10_000; i++) {
      const { action } = evaluate(compiled, tx({ paymentId: `pay_${i}`, card: { type: 'debit' } }));
      if (action.kind === 'split') counts[action.chosen] = (counts[action.chosen] ?? 0) + 1;
    }
    expect(Math.abs(counts.stripe! / 100 - 70)).toBeLessThanOrEqual(2);
    expect(Math.abs(counts.braintree! / 100 - 30)).toBeLessThanOrEqual(2);
  });

  it('split buckets are uniform over ULID-like ids too', () => {
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) buckets[Math.floor(splitBucket(`pay_01M8653RJ1ES6JXQAMA9${i.toString(36).padStart(6, '0')}`) / 10)]!++;
    for (const count of buckets) expect(Math.abs(count - 1000)).toBeLessThanOrEqual(200);
  });
});

describe('compile', () => {
  it('rejects gateways outside the known list with located errors', () => {
    const parsed = parseRuleset('rules:\n  - id: usd\n    when: { currency: USD }\n    then: { route: [paypal] }\ndefault: { route: [stripe] }\n', 'r.yaml');
    if ('errors' in parsed) throw new Error('should parse without a gateway list');
    expect(() => compile(parsed.ruleset, GATEWAYS)).toThrow(RulesetError);
    expect(() => compile(parsed.ruleset, GATEWAYS)).toThrow(
      "r.yaml:4:20: `route` has no known gateway left to choose from\nr.yaml:4:21: unknown gateway 'paypal' (known: stripe, adyen, braintree)",
    );
  });

  it('returns frozen, shared actions for fixed routes so decisions cost no allocation beyond the result', () => {
    const compiled = compileYaml('default: { route: [stripe, adyen] }');
    const a = evaluate(compiled, tx()).action;
    expect(evaluate(compiled, tx({ paymentId: 'other' })).action).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });
});
