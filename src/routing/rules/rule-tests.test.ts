import { describe, expect, it } from 'vitest';
import { PAYMENT_METHOD_TYPES } from '../../domain/payment-method.js';
import { parseRuleset } from './parse.js';
import { parseRuleTests, ruleTestErrors, runRuleTest, type RuleTestCase } from './rule-tests.js';
import { formatError } from './source.js';
import { compileYaml, GATEWAYS } from './test-helpers.js';

const RULES = [
  'rules:',
  '  - id: blocked',
  '    when: { country.billing: KP }',
  '    then: { block: { code: country_not_supported } }',
  '  - id: eur',
  '    when: { currency: EUR, card.bin: { prefix: ["5"] } }',
  '    then: { route: [adyen, stripe] }',
  '  - id: ab',
  '    when: { card.type: debit }',
  '    then: { split: { stripe: 50, braintree: 50 } }',
  'default: { optimize: { objective: cost } }',
].join('\n');
const compiled = compileYaml(RULES);

function cases(yaml: string): RuleTestCase[] {
  const parsed = parseRuleTests(yaml, 't.test.yaml');
  if ('errors' in parsed) throw new Error(parsed.errors.map(formatError).join('\n'));
  return parsed.cases;
}

describe('rule test cases', () => {
  it('fill in default facts and pass when every stated expectation holds', () => {
    const results = cases(
      [
        'cases:',
        '  - name: blocked',
        '    transaction: { billing_country: KP }',
        '    expect: { block: country_not_supported, rule: blocked }',
        '  - name: eur mastercard',
        '    transaction: { currency: EUR, amount: 5000, card: { network: mastercard, bin: 555555, issuer_country: null } }',
        '    expect: { route: [adyen, stripe] }',
        '  - name: debit',
        '    transaction: { card: { type: debit } }',
        '    expect: { split_one_of: [braintree, stripe] }',
        '  - name: anything else',
        '    expect: { optimize: cost, rule: default }',
      ].join('\n'),
    ).map((c) => runRuleTest(compiled, c));
    expect(results.map((r) => [r.name, r.passed, r.rule])).toEqual([
      ['blocked', true, 'blocked'],
      ['eur mastercard', true, 'eur'],
      ['debit', true, 'ab'],
      ['anything else', true, 'default'],
    ]);
  });

  it('fail with what was expected and what happened', () => {
    const [result] = cases('cases:\n  - name: wrong\n    transaction: { currency: EUR, card: { bin: "511111" } }\n    expect: { route: [stripe], rule: ab }\n').map((c) =>
      runRuleTest(compiled, c),
    );
    expect(result).toEqual({
      name: 'wrong',
      passed: false,
      rule: 'eur',
      failures: ["expected rule 'ab', matched 'eur'", 'expected route [stripe], got route [adyen, stripe]'],
    });
  });

  it('report malformed cases at their line and column', () => {
    const parsed = parseRuleTests(
      [
        'cases:',
        '  - name: a',
        '    transaction: { amount: -5, curency: USD, card: { bin: 12 } }',
        '    expect: { route: [stripe], block: x }',
        '  - name: b',
        '    expect: { optimize: cheapest }',
        '  - transaction: {}',
      ].join('\n'),
      't.test.yaml',
    );
    expect('errors' in parsed && parsed.errors.map(formatError)).toEqual([
      't.test.yaml:3:28: `amount` (minor units) must be at least 1, got -5',
      "t.test.yaml:3:32: unknown field 'curency' in the `transaction` (did you mean 'currency'?)",
      "t.test.yaml:3:59: bad BIN '12': expected 6–8 digits",
      't.test.yaml:4:32: `expect` takes one action, got route and block',
      "t.test.yaml:6:25: unknown objective 'cheapest': expected success_rate, cost, expected_value",
      't.test.yaml:7:5: a test case needs a `name` and an `expect`',
    ]);
  });

  it('take the payment method as a fact, and report one the rules do not know', () => {
    const byMethod = compileYaml('rules:\n  - id: cards-cheap\n    when: { payment_method: card }\n    then: { optimize: { objective: cost } }\ndefault: { optimize: { objective: success_rate } }\n');
    const results = cases(
      ['cases:', '  - name: card', '    expect: { rule: cards-cheap }', '  - name: ach', '    transaction: { payment_method: ach_debit }', '    expect: { optimize: success_rate, rule: default }'].join('\n'),
    ).map((c) => runRuleTest(byMethod, c));
    expect(results.map((r) => [r.name, r.passed, r.rule])).toEqual([
      ['card', true, 'cards-cheap'],
      ['ach', true, 'default'],
    ]);
    const parsed = parseRuleTests('cases:\n  - name: x\n    transaction: { payment_method: cheque }\n    expect: { rule: default }\n', 't.test.yaml');
    expect('errors' in parsed && parsed.errors.map(formatError)).toEqual([
      `t.test.yaml:3:36: unknown payment method 'cheque': expected one of ${PAYMENT_METHOD_TYPES.join(', ')}`,
    ]);
  });

  it('report expectations naming rules or gateways the ruleset lacks', () => {
    const parsed = parseRuleset(RULES, 'rules.yaml', GATEWAYS);
    if ('errors' in parsed) throw new Error('the ruleset should parse');
    const errors = ruleTestErrors('t.test.yaml', cases('cases:\n  - name: a\n    expect: { rule: eurr, route: [paypal] }\n'), parsed.ruleset, GATEWAYS);
    expect(errors.map(formatError)).toEqual([
      "t.test.yaml:3:21: no rule 'eurr' in rules.yaml (did you mean 'eur'?)",
      "t.test.yaml:2:5: unknown gateway 'paypal' in `expect`",
    ]);
  });
});
