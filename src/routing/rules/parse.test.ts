import { describe, expect, it } from 'vitest';
import { parseRuleset } from './parse.js';
import { formatError } from './source.js';

const GATEWAYS = ['stripe', 'adyen', 'braintree'];

/**
 * Parses `rows` as one file and checks its errors exactly. Each expected error names its
 * line and the text it must point at; the column is where that text starts on the line.
 */
function expectErrors(rows: string[], expected: Array<[line: number, pointsAt: string, message: string]>): void {
  const result = parseRuleset(rows.join('\n') + '\n', 'r.yaml', GATEWAYS);
  if (!('errors' in result)) throw new Error('expected errors, the ruleset parsed');
  const wanted = expected.map(([line, pointsAt, message]) => {
    const column = (rows[line - 1] ?? '').indexOf(pointsAt) + 1;
    if (column === 0) throw new Error(`'${pointsAt}' is not on line ${line}`);
    return `r.yaml:${line}:${column}: ${message}`;
  });
  expect(result.errors.map(formatError)).toEqual(wanted);
}

describe('parseRuleset accepts', () => {
  it('the example from the README, keeping every rule in order', () => {
    const text = [
      'rules:',
      '  - id: block-sanctioned',
      '    when: { country.billing: { in: [KP, IR] } }',
      '    then: { block: { code: country_not_supported } }',
      '  - id: eu-high-value',
      '    when:',
      '      amount: { gte: 50000, currency: EUR }',
      '      card.network: { in: [visa, mastercard] }',
      '    then: { route: [adyen, stripe] }',
      'default: { optimize: { objective: expected_value } }',
    ].join('\n');
    const result = parseRuleset(text, 'r.yaml', GATEWAYS);
    expect('ruleset' in result && result.ruleset.rules.map((r) => [r.id, r.at.line])).toEqual([
      ['block-sanctioned', 2],
      ['eu-high-value', 5],
    ]);
  });

  it('any gateway name when no gateways are given (compile checks them)', () => {
    expect('ruleset' in parseRuleset('default: { route: [anything] }', 'r.yaml')).toBe(true);
  });
});

describe('parseRuleset points at the line and column of', () => {
  it('a YAML syntax error', () => {
    expectErrors(
      ['rules: [', '  - id: x', 'default: { route: [stripe] }'],
      [
        [2, '- id', 'Block collections are not allowed within flow collections'],
        [3, 'default', 'Flow sequence in block collection must be sufficiently indented and end with a ]'],
      ],
    );
  });

  it('unknown fields, with a suggestion for near misses', () => {
    expectErrors(
      ['rules:', '  - id: a', '    when: { card.netwrok: visa }', '    thne: { route: [stripe] }', 'defualt: { route: [stripe] }'],
      [
        [1, 'rules', 'the ruleset needs a `default` action, applied when no rule matches'],
        [2, 'id', 'a rule needs a `then` action'],
        [3, 'card.netwrok', "unknown field 'card.netwrok' in `when` (did you mean 'card.network'?)"],
        [4, 'thne', "unknown field 'thne' in a rule (did you mean 'then'?)"],
        [5, 'defualt', "unknown field 'defualt' in the ruleset (did you mean 'default'?)"],
      ],
    );
  });

  it('type errors', () => {
    expectErrors(
      ['rules:', '  - id: a', '    when: { amount: { gte: 10.5, currency: USD } }', '    then: { route: stripe }', 'default: { split: { stripe: "x" } }'],
      [
        [3, '10.5', 'amount `gte` (minor units) must be an integer, got 10.5'],
        [4, 'stripe', '`route` must be a list'],
        [5, '"x"', 'the weight of \'stripe\' must be an integer, got "x"'],
      ],
    );
  });

  it('unknown currencies and countries', () => {
    expectErrors(
      [
        'rules:',
        '  - id: a',
        '    when: { currency: { in: [usd, EUR] }, country.issuer: { in: [Germany] } }',
        '    then: { route: [stripe] }',
        '  - id: b',
        '    when: { amount: { lt: 100, currency: XYZ } }',
        '    then: { route: [stripe] }',
        'default: { route: [stripe] }',
      ],
      [
        [3, 'usd', "unknown currency 'usd': expected an ISO 4217 code (did you mean 'USD'?)"],
        [3, 'Germany', "bad country 'Germany': expected an ISO 3166 alpha-2 code in upper case, like US"],
        [6, 'XYZ', "unknown currency 'XYZ': expected an ISO 4217 code"],
      ],
    );
  });

  it('unknown gateways, and an action left with none', () => {
    expectErrors(
      ['rules:', '  - id: a', '    then: { route: [strip, paypal] }', 'default: { optimize: { objective: cost, among: [adyen, worldpay] } }'],
      [
        [3, '[strip', '`route` has no known gateway left to choose from'],
        [3, 'strip', "unknown gateway 'strip' (did you mean 'stripe'?) (known: stripe, adyen, braintree)"],
        [3, 'paypal', "unknown gateway 'paypal' (known: stripe, adyen, braintree)"],
        [4, 'worldpay', "unknown gateway 'worldpay' (known: stripe, adyen, braintree)"],
      ],
    );
  });

  it('split weights that do not sum to 100, or are out of range', () => {
    expectErrors(['rules: []', 'default:', '  split: { stripe: 60, braintree: 30 }'], [[3, '{ stripe', '`split` weights must sum to 100, got 90']]);
    expectErrors(['rules: []', 'default:', '  split: { stripe: 0, braintree: 100 }'], [[3, '0', "the weight of 'stripe' must be between 1 and 100, got 0"]]);
  });

  it('empty candidate sets', () => {
    expectErrors(
      ['rules:', '  - id: a', '    then: { route: [] }', 'default: { optimize: { objective: cost, among: [] } }'],
      [
        [3, '[]', '`route` must name at least one gateway'],
        [4, '[]', '`among` must name at least one gateway'],
      ],
    );
  });

  it('bad BINs', () => {
    expectErrors(
      [
        'rules:',
        '  - id: a',
        '    when: { card.bin: { in: [42424, "4242abcd"] } }',
        '    then: { route: [stripe] }',
        '  - id: b',
        '    when: { card.bin: { range: [400000, 3999999] } }',
        '    then: { route: [stripe] }',
        '  - id: c',
        '    when: { card.bin: { prefix: ["123456789"] } }',
        '    then: { route: [stripe] }',
        '  - id: d',
        '    when: { card.bin: { gte: 999999, lt: 400000 } }',
        '    then: { route: [stripe] }',
        'default: { route: [stripe] }',
      ],
      [
        [3, '42424', "bad BIN '42424': expected a BIN of 6–8 digits"],
        [3, '"4242abcd"', "bad BIN '4242abcd': expected a BIN of 6–8 digits"],
        [6, '400000', 'bad BIN range [400000, 3999999]: both ends must have the same number of digits'],
        [9, '"123456789"', "bad BIN '123456789': expected a BIN prefix of 1–8 digits"],
        [12, '{ gte', 'bad BIN bounds: the bounds leave no BIN that could match'],
      ],
    );
  });

  it('duplicate rule ids', () => {
    expectErrors(
      ['rules:', '  - id: a', '    when: { currency: USD }', '    then: { route: [stripe] }', '  - id: a', '    when: { currency: EUR }', '    then: { route: [adyen] }', 'default: { route: [stripe] }'],
      [[5, 'id', "duplicate rule id 'a' (first used on line 2)"]],
    );
  });

  it('a shadowed rule, even when another rule is broken', () => {
    expectErrors(
      [
        'rules:',
        '  - id: usd',
        '    when: { currency: USD }',
        '    then: { route: [stripe] }',
        '  - id: broken',
        '    then: { route: [nope] }',
        '  - id: usd-debit',
        '    when: { currency: USD, card.type: debit }',
        '    then: { route: [braintree] }',
        'default: { route: [stripe] }',
      ],
      [
        [6, '[nope', '`route` has no known gateway left to choose from'],
        [6, 'nope', "unknown gateway 'nope' (known: stripe, adyen, braintree)"],
        [7, 'id', "rule 'usd-debit' can never match: the earlier rule 'usd' (line 2) matches every transaction this rule matches"],
      ],
    );
  });

  it('bad actions, rule ids and error codes', () => {
    expectErrors(
      ['rules:', '  - id: Bad Id', '    then: { block: { code: Not-Snake } }', '  - id: two', '    then: { route: [stripe], block: { code: x } }', 'default: { optimize: { objective: cheapest } }'],
      [
        [2, 'Bad Id', "bad rule id 'Bad Id': use lower case letters, digits, '-' and '_' ('default' is reserved)"],
        [3, 'Not-Snake', "bad error code 'Not-Snake': use snake_case, like country_not_supported"],
        [5, 'block', '`then` takes one action, got route and block'],
        [6, 'cheapest', "unknown objective 'cheapest': expected success_rate, cost, expected_value"],
      ],
    );
  });

  it('conditions that cannot be met or are malformed', () => {
    expectErrors(
      [
        'rules:',
        '  - id: a',
        '    when: { amount: { gt: 500, lt: 400, currency: USD }, card.type: { in: [debit], not_in: [credit] } }',
        '    then: { route: [stripe] }',
        '  - id: b',
        '    when: { amount: 500, initiator: { in: [] }, metadata.: x, card.network: vias }',
        '    then: { route: [stripe] }',
        '  - id: c',
        '    when: { amount: { gte: 100 } }',
        '    then: { route: [stripe] }',
        'default: { route: [stripe] }',
      ],
      [
        [3, '{ gt', 'the `amount` bounds leave no amount that could match'],
        [3, 'not_in', 'the `card.type` condition takes one operator, got in and not_in'],
        [6, '500', 'an `amount` condition names its currency and bounds in minor units, like { gte: 50000, currency: EUR }'],
        [6, '[]', '`in` must list at least one value'],
        [6, 'metadata.', "metadata key '' must be letters, digits, '_', '-' or '.'"],
        [6, 'vias', "unknown card.network 'vias': expected one of visa, mastercard, amex, discover, diners, jcb, unionpay, maestro, unknown (did you mean 'visa'?)"],
        [9, '{ gte', 'an `amount` condition must name its `currency` (amounts are in minor units of that currency)'],
      ],
    );
  });

  it('an empty file and a file that is not a mapping', () => {
    expectErrors([''], [[1, '', 'the ruleset is empty: it needs `rules` and a `default`']]);
    expectErrors(['- just a list'], [[1, '-', 'the ruleset must be a mapping (key: value)']]);
  });
});
