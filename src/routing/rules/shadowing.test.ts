import { describe, expect, it } from 'vitest';
import { parseRuleset } from './parse.js';
import { GATEWAYS } from './test-helpers.js';

/** The messages for a ruleset whose rules are `[id, when]` pairs, each routing to stripe. */
function shadowing(rules: Array<[id: string, when: string | null]>): string[] {
  const body = rules.map(([id, when]) => `  - id: ${id}\n${when === null ? '' : `    when: ${when}\n`}    then: { route: [stripe] }`).join('\n');
  const result = parseRuleset(`rules:\n${body}\ndefault: { route: [stripe] }\n`, 'r.yaml', GATEWAYS);
  return 'errors' in result ? result.errors.map((e) => e.message) : [];
}

const shadowedBy = (rule: string, by: string) => expect.stringMatching(new RegExp(`^rule '${rule}' can never match: the earlier rule '${by}'`));

describe('shadowing detection', () => {
  it('an unconditional rule shadows every later rule', () => {
    expect(shadowing([['all', null], ['eur', '{ currency: EUR }'], ['gbp', '{ currency: GBP }']])).toEqual([
      "rule 'eur' can never match: the earlier rule 'all' (line 2) has no conditions",
      "rule 'gbp' can never match: the earlier rule 'all' (line 2) has no conditions",
    ]);
  });

  it('identical conditions, written differently', () => {
    expect(shadowing([['a', '{ currency: USD, card.type: debit }'], ['b', '{ card.type: { in: [debit] }, currency: { in: [USD] } }']])).toEqual([shadowedBy('b', 'a')]);
  });

  it('a later rule with extra conditions', () => {
    expect(shadowing([['usd', '{ currency: USD }'], ['usd-amex', '{ currency: USD, card.network: amex }']])).toEqual([shadowedBy('usd-amex', 'usd')]);
  });

  it('in-list subsumption, and not_in against in and not_in', () => {
    expect(shadowing([['wide', '{ currency: { in: [USD, EUR] } }'], ['narrow', '{ currency: EUR }']])).toEqual([shadowedBy('narrow', 'wide')]);
    expect(shadowing([['not-kp', '{ country.billing: { not_in: [KP] } }'], ['de', '{ country.billing: { in: [DE, FR] } }']])).toEqual([shadowedBy('de', 'not-kp')]);
    expect(shadowing([['not-kp', '{ country.billing: { not_in: [KP] } }'], ['not-kp-ir', '{ country.billing: { not_in: [KP, IR] } }']])).toEqual([
      shadowedBy('not-kp-ir', 'not-kp'),
    ]);
    expect(shadowing([['not-credit', '{ card.type: { not_in: [credit] } }'], ['debit', '{ card.type: debit }']])).toEqual([shadowedBy('debit', 'not-credit')]);
  });

  it('amount ranges in the same currency, and an amount condition implying its currency', () => {
    expect(shadowing([['big', '{ amount: { gte: 10000, currency: USD } }'], ['bigger', '{ amount: { gt: 50000, lt: 90000, currency: USD } }']])).toEqual([
      shadowedBy('bigger', 'big'),
    ]);
    expect(shadowing([['usd', '{ currency: USD }'], ['small-usd', '{ amount: { lt: 500, currency: USD } }']])).toEqual([shadowedBy('small-usd', 'usd')]);
  });

  it('BIN ranges, prefixes and lists covered by earlier BIN conditions, including by adjacent ranges', () => {
    expect(shadowing([['visa', '{ card.bin: { prefix: ["4"] } }'], ['one-bin', '{ card.bin: 424242 }']])).toEqual([shadowedBy('one-bin', 'visa')]);
    expect(shadowing([['r', '{ card.bin: { range: [400000, 499999] } }'], ['p', '{ card.bin: { prefix: ["45"] } }']])).toEqual([shadowedBy('p', 'r')]);
    expect(
      shadowing([
        ['two', '{ card.bin: { in: [424242, 424243] } }'],
        ['range', '{ card.bin: { range: [424242, 424243] } }'],
      ]),
    ).toEqual([shadowedBy('range', 'two')]);
    expect(shadowing([['low', '{ card.bin: { lt: 500000 } }'], ['r', '{ card.bin: { range: [410000, 420000] } }']])).toEqual([shadowedBy('r', 'low')]);
  });

  it('metadata values covered by an earlier prefix', () => {
    expect(shadowing([['subs', '{ metadata.product: { prefix: [sub_] } }'], ['pro', '{ metadata.product: { in: [sub_pro] } }']])).toEqual([shadowedBy('pro', 'subs')]);
  });

  it('no false alarms: overlapping but not covering conditions stay reachable', () => {
    expect(
      shadowing([
        ['usd-debit', '{ currency: USD, card.type: debit }'],
        ['big', '{ amount: { gte: 10000, currency: USD } }'],
        ['usd', '{ currency: USD }'],
        ['eur-big', '{ amount: { gte: 10000, currency: EUR } }'],
        ['bins', '{ card.bin: { range: [400000, 449999] } }'],
        ['other-bins', '{ card.bin: { prefix: ["45"] } }'],
        ['not-us', '{ country.issuer: { not_in: [US] } }'],
        ['not-us-or-ca', '{ country.issuer: { not_in: [CA] } }'],
        ['meta', '{ metadata.plan: { prefix: [gold] } }'],
        ['meta-other', '{ metadata.plan: { not_in: [gold] } }'],
      ]),
    ).toEqual([]);
  });

  it('a BIN range needing more digits does not cover a shorter prefix', () => {
    expect(shadowing([['long', '{ card.bin: { range: [40000000, 49999999] } }'], ['short', '{ card.bin: { prefix: ["4"] } }']])).toEqual([]);
  });
});
