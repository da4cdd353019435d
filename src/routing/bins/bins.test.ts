import { describe, expect, it } from 'vitest';
import type { AuthorizationOutcome } from '../../domain/outcome.js';
import { cardFactsFor, observeCard, type BinSources } from './card-facts.js';
import { ObservedBins } from './observed.js';
import { parseBinOverrides } from './overrides.js';
import { publicBinTable, publicRanges } from './public-table.js';
import { BinTable, keyRange, panKey, type BinFacts } from './table.js';

const facts = (type: BinFacts['type'], issuerCountry: string | null, network: BinFacts['network'] = 'visa'): BinFacts => ({ network, type, issuerCountry });

describe('BinTable', () => {
  it('finds the range holding a key and nothing between ranges', () => {
    const table = BinTable.build([
      { ...keyRange('400022'), facts: facts('debit', 'US') },
      { ...keyRange('512687'), facts: facts('credit', 'GB', 'mastercard') },
    ]);
    expect(table.lookup(40002255)).toEqual(facts('debit', 'US'));
    expect(table.lookup(51268700)).toEqual(facts('credit', 'GB', 'mastercard'));
    expect(table.lookup(40002300)).toBeUndefined();
    expect(table.lookup(39999999)).toBeUndefined();
    expect(table.lookup(99999999)).toBeUndefined();
  });

  it('lets a narrower range refine the block around it, on both sides of it', () => {
    const table = BinTable.build([
      { ...keyRange('45710500', '45710599'), facts: facts('debit', 'DK') },
      { ...keyRange('45710520'), facts: facts('prepaid', 'DK') },
    ]);
    expect(table.lookup(45710519)).toEqual(facts('debit', 'DK'));
    expect(table.lookup(45710520)).toEqual(facts('prepaid', 'DK'));
    expect(table.lookup(45710521)).toEqual(facts('debit', 'DK'));
    expect(table.size).toBe(3);
  });

  it('knows a 6-digit BIN only when no narrower range inside it says otherwise', () => {
    const table = BinTable.build([
      { ...keyRange('457105'), facts: facts('debit', 'DK') },
      { ...keyRange('45710620'), facts: facts('debit', 'DK') },
    ]);
    expect(table.lookupSpan(...span('457105'))).toEqual(facts('debit', 'DK'));
    expect(table.lookupSpan(...span('457106'))).toBeUndefined();
  });

  it('merges neighbours with the same facts into one range', () => {
    const table = BinTable.build([
      { ...keyRange('45710040', '45710045'), facts: facts('debit', 'DK') },
      { ...keyRange('45710046'), facts: facts('debit', 'DK') },
      { ...keyRange('45710047'), facts: facts('credit', 'DK') },
    ]);
    expect(table.size).toBe(2);
  });
});

describe('panKey', () => {
  it('reads the first eight digits, skipping separators', () => {
    expect(panKey('4000 0566-5566 5556')).toBe(40000566);
    expect(panKey('4000056')).toBe(-1);
  });
});

describe('the public table (binlist/data)', () => {
  it('knows the type, country and scheme of BINs the data lists', () => {
    const table = publicBinTable();
    expect(table.lookup(panKey('4000220000000000'))).toEqual({ network: 'visa', type: 'debit', issuerCountry: 'US' });
    expect(table.lookup(panKey('5126870000000000'))).toEqual({ network: 'mastercard', type: 'credit', issuerCountry: 'GB' });
    // A row the source marks prepaid is of type prepaid, whatever its `type` column says.
    expect(table.lookup(panKey('5313060000000000'))?.type).toBe('prepaid');
    // Stripe's test BIN 424242 is not in the data.
    expect(table.lookup(panKey('4242424242424242'))).toBeUndefined();
  });

  it('reads every row of the data file', () => {
    expect(publicRanges(['341142,,amex,credit,US', '371241,371242,amex,credit,US', '45710040,45710045,visa,debit,DK'])).toEqual([
      { from: 34114200, to: 34114299, facts: { network: 'amex', type: 'credit', issuerCountry: 'US' } },
      { from: 37124100, to: 37124299, facts: { network: 'amex', type: 'credit', issuerCountry: 'US' } },
      { from: 45710040, to: 45710045, facts: { network: 'visa', type: 'debit', issuerCountry: 'DK' } },
    ]);
    expect(publicBinTable().size).toBeGreaterThan(1000);
  });
});

describe('parseBinOverrides', () => {
  it('reads BINs and ranges with the facts they set', () => {
    const parsed = parseBinOverrides(
      ['bins:', '  - bin: 400022', '    country: CA', '  - range: ["51268700", "51268799"]', '    type: prepaid', '    network: mastercard'].join('\n'),
      'bins.overrides.yaml',
    );
    expect(parsed).toEqual({
      ranges: [
        { from: 40002200, to: 40002299, facts: { network: null, type: null, issuerCountry: 'CA' } },
        { from: 51268700, to: 51268799, facts: { network: 'mastercard', type: 'prepaid', issuerCountry: null } },
      ],
    });
  });

  it('takes an empty file or an empty list as no overrides', () => {
    expect(parseBinOverrides('# nothing yet\n', 'f')).toEqual({ ranges: [] });
    expect(parseBinOverrides('bins: []\n', 'f')).toEqual({ ranges: [] });
  });

  it('reports every bad entry at its line and column', () => {
    const text = [
      'bins:',
      '  - bin: 42424', // 2: too short
      '    type: debit',
      '  - bin: 400022', // 4: no fact
      '  - bin: 400022', // 5
      '    range: [400000, 400099]', // both
      '    type: debt', // 7
      '  - bin: 400022',
      '    country: Germany', // 9
      '  - range: [4000, 400099]', // 10
      '    type: credit',
      '  - bin: 400022',
      '    colour: blue', // 13
    ].join('\n');
    const parsed = parseBinOverrides(text, 'bins.overrides.yaml');
    if (!('errors' in parsed)) throw new Error('expected errors');
    expect(parsed.errors.map((e) => `${e.line}:${e.column} ${e.message}`)).toEqual([
      "2:10 bad BIN '42424': expected a BIN of 6–8 digits",
      '4:5 a BIN override sets at least one of `network`, `type` or `country`',
      '5:5 a BIN override names exactly one of `bin` (6–8 digits) or `range: [from, to]`',
      "9:14 bad country 'Germany': expected an ISO 3166 alpha-2 code in upper case, like US",
      '10:12 bad BIN range [4000, 400099]: both ends must be BINs of 6–8 digits',
      '12:5 a BIN override sets at least one of `network`, `type` or `country`',
      "13:5 unknown field 'colour' in a BIN override",
    ]);
  });

  it('suggests the value meant', () => {
    const parsed = parseBinOverrides('bins:\n  - bin: 400022\n    type: debt\n', 'f');
    expect('errors' in parsed && parsed.errors[0]?.message).toBe("unknown type 'debt': expected one of credit, debit, prepaid (did you mean 'debit'?)");
  });
});

describe('a card’s facts from its sources', () => {
  const sources = (): BinSources => ({
    overrides: BinTable.build([{ ...keyRange('400022'), facts: { network: null, type: null, issuerCountry: 'CA' } }]),
    observed: new ObservedBins(),
    table: BinTable.build([
      { ...keyRange('400022'), facts: facts('debit', 'US') },
      { ...keyRange('512687'), facts: facts('credit', 'GB', 'mastercard') },
    ]),
  });
  const approved = (card: { type: BinFacts['type']; issuerCountry: string | null }): AuthorizationOutcome => ({ kind: 'approved', reference: 'r', captured: true, card });

  it('takes each fact from the operator, then the gateway, then the public table', () => {
    const s = sources();
    expect(cardFactsFor(s, 'm1', '4000220000000000', 'visa', '400022')).toEqual({ network: 'visa', type: 'debit', bin: '400022', issuerCountry: 'CA' });
    observeCard(s, 'm1', '400022', approved({ type: 'prepaid', issuerCountry: 'MX' }));
    expect(cardFactsFor(s, 'm1', '4000220000000000', 'visa', '400022')).toEqual({ network: 'visa', type: 'prepaid', bin: '400022', issuerCountry: 'CA' });
    expect(cardFactsFor(s, 'm1', '5126870000000000', 'mastercard', '512687')).toMatchObject({ type: 'credit', issuerCountry: 'GB' });
    expect(cardFactsFor(s, 'm1', '4242424242424242', 'visa', '424242')).toMatchObject({ type: null, issuerCountry: null });
  });

  it('keeps what one merchant’s gateways reported to that merchant', () => {
    const s = sources();
    observeCard(s, 'm1', '424242', approved({ type: 'debit', issuerCountry: 'FR' }));
    expect(cardFactsFor(s, 'm1', '4242424242424242', 'visa', '424242')).toMatchObject({ type: 'debit', issuerCountry: 'FR' });
    expect(cardFactsFor(s, 'm2', '4242424242424242', 'visa', '424242')).toMatchObject({ type: null, issuerCountry: null });
  });
});

describe('ObservedBins', () => {
  it('marks for saving only reports that add or change a fact', () => {
    const observed = new ObservedBins();
    expect(observed.observe('m1', '424242', { type: null, issuerCountry: null })).toBe(false);
    expect(observed.observe('m1', '424242', { type: 'debit', issuerCountry: null })).toBe(true);
    expect(observed.observe('m1', '424242', { type: null, issuerCountry: 'US' })).toBe(true);
    expect(observed.get('m1', '424242')).toEqual({ type: 'debit', issuerCountry: 'US' });
    expect(observed.takeChanged()).toEqual([{ merchantId: 'm1', bin: '424242', type: 'debit', issuerCountry: 'US' }]);
    expect(observed.observe('m1', '424242', { type: 'debit', issuerCountry: 'US' })).toBe(false);
    expect(observed.takeChanged()).toEqual([]);
  });

  it('retries rows whose saving failed, and restores saved rows unmarked', () => {
    const observed = new ObservedBins();
    observed.observe('m1', '424242', { type: 'credit', issuerCountry: 'US' });
    const rows = observed.takeChanged();
    observed.unsaved(rows);
    expect(observed.takeChanged()).toEqual(rows);
    const restored = new ObservedBins();
    restored.restore(rows);
    expect(restored.get('m1', '424242')).toEqual({ type: 'credit', issuerCountry: 'US' });
    expect(restored.takeChanged()).toEqual([]);
  });
});

function span(bin: string): [number, number] {
  const { from, to } = keyRange(bin);
  return [from, to];
}
