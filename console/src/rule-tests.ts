/**
 * The rule language's own parser and test runner (src/routing/rules, pure TypeScript), run in
 * the browser: a draft is checked and its example transactions run as the operator types,
 * before anything is stored. Storing asks the router, which also checks the gateway accounts.
 */
import { compile } from '../../src/routing/rules/compile.js';
import { parseRuleset } from '../../src/routing/rules/parse.js';
import { parseRuleTests, ruleTestErrors, runRuleTest, type RuleTestResult } from '../../src/routing/rules/rule-tests.js';
import type { LocatedError } from '../../src/routing/rules/source.js';

export type { LocatedError, RuleTestResult };

export const RULES_FILE = 'ruleset';
export const TESTS_FILE = 'tests';

/** The draft's errors, each at its line and column; empty when it parses and validates. */
export function checkDraft(source: string, gateways: readonly string[]): LocatedError[] {
  const parsed = parseRuleset(source, RULES_FILE, gateways);
  return 'errors' in parsed ? parsed.errors : [];
}

/** Runs every case of a `*.test.yaml` text against the draft; errors in either stop the run. */
export function runDraftTests(source: string, tests: string, gateways: readonly string[]): { errors: LocatedError[] } | { results: RuleTestResult[] } {
  const parsed = parseRuleset(source, RULES_FILE, gateways);
  if ('errors' in parsed) return { errors: parsed.errors };
  const cases = parseRuleTests(tests, TESTS_FILE);
  if ('errors' in cases) return { errors: cases.errors };
  const errors = ruleTestErrors(TESTS_FILE, cases.cases, parsed.ruleset, gateways);
  if (errors.length > 0) return { errors };
  const compiled = compile(parsed.ruleset, gateways);
  return { results: cases.cases.map((testCase) => runRuleTest(compiled, testCase)) };
}
