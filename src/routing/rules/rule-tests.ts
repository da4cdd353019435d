import { isMap } from 'yaml';
import { isCurrency } from '../../domain/currency.js';
import { PAYMENT_METHOD_TYPES } from '../../domain/payment-method.js';
import { CARD_NETWORKS } from './conditions.js';
import { evaluate, type CompiledRuleset, type RouteAction } from './compile.js';
import { sortErrors, type Parsed } from './parse.js';
import { OBJECTIVES, type Objective, type Ruleset } from './ruleset.js';
import { errorAt, suggestion, YamlSource, type Located, type LocatedError, type SourceRef } from './source.js';
import type { RoutingTransaction } from './transaction.js';

/** What a case expects; every stated part must hold. */
export interface Expectation {
  route?: string[];
  splitOneOf?: string[];
  optimize?: Objective;
  block?: string;
  /** A rule id, or 'default'. */
  rule?: { id: string; at: SourceRef };
}

export interface RuleTestCase {
  name: string;
  at: SourceRef;
  transaction: RoutingTransaction;
  expect: Expectation;
}

export interface RuleTestResult {
  name: string;
  passed: boolean;
  /** The rule that matched, or 'default'. */
  rule: string;
  /** Why it failed; empty when it passed. */
  failures: string[];
}

const CASE_FIELDS = ['name', 'transaction', 'expect'];
const TX_FIELDS = ['payment_id', 'amount', 'currency', 'payment_method', 'card', 'billing_country', 'capture_method', 'initiator', 'metadata'];
const CARD_FIELDS = ['network', 'type', 'bin', 'issuer_country'];
const EXPECT_FIELDS = ['route', 'split_one_of', 'optimize', 'block', 'rule'];
const ACTION_EXPECTATIONS = ['route', 'split_one_of', 'optimize', 'block'];

/** Facts a case leaves out; the payment id defaults to one derived from the case name, so splits are stable. */
function defaultTransaction(name: string): RoutingTransaction {
  return {
    paymentId: `test:${name}`,
    amount: 1000,
    currency: 'USD',
    paymentMethod: 'card',
    card: { network: 'visa', type: 'credit', bin: '424242', issuerCountry: 'US' },
    billingCountry: 'US',
    captureMethod: 'automatic',
    initiator: 'customer',
    metadata: {},
  };
}

/** Parses a `*.test.yaml` file: `cases: [{ name, transaction, expect }]`. */
export function parseRuleTests(text: string, file: string): Parsed<{ cases: RuleTestCase[] }> {
  const src = new YamlSource(file, text);
  if (!src.ok) return { errors: src.errors };
  const root = src.map(src.root, 'the test file', ['cases']);
  const casesAt = root?.find((e) => e.key === 'cases')?.value;
  if (root !== undefined && casesAt === undefined) src.report(src.root.ref, 'the test file needs `cases`');
  const items = casesAt && src.list(casesAt, '`cases`');
  const cases: RuleTestCase[] = [];
  const names = new Set<string>();
  for (const item of items ?? []) {
    const testCase = readCase(src, item);
    if (testCase === undefined) continue;
    if (names.has(testCase.name)) src.report(testCase.at, `duplicate case name '${testCase.name}'`);
    names.add(testCase.name);
    cases.push(testCase);
  }
  if (!src.ok) return { errors: sortErrors(src.errors) };
  return { cases };
}

/** Expectations naming rules or gateways the ruleset does not have. */
export function ruleTestErrors(file: string, cases: readonly RuleTestCase[], ruleset: Ruleset, knownGateways: readonly string[]): LocatedError[] {
  const ruleIds = ['default', ...ruleset.rules.map((r) => r.id)];
  const errors: LocatedError[] = [];
  for (const { expect, at } of cases) {
    if (expect.rule !== undefined && !ruleIds.includes(expect.rule.id)) {
      errors.push(errorAt(file, expect.rule.at, `no rule '${expect.rule.id}' in ${ruleset.file}${suggestion(expect.rule.id, ruleIds)}`));
    }
    for (const name of [...(expect.route ?? []), ...(expect.splitOneOf ?? [])]) {
      if (!knownGateways.includes(name)) errors.push(errorAt(file, at, `unknown gateway '${name}' in \`expect\`${suggestion(name, knownGateways)}`));
    }
  }
  return errors;
}

export function runRuleTest(compiled: CompiledRuleset, testCase: RuleTestCase): RuleTestResult {
  const { ruleId, action } = evaluate(compiled, testCase.transaction);
  const rule = ruleId ?? 'default';
  const { expect } = testCase;
  const failures: string[] = [];
  const got = describeAction(action);
  if (expect.rule !== undefined && expect.rule.id !== rule) failures.push(`expected rule '${expect.rule.id}', matched '${rule}'`);
  if (expect.route !== undefined && !(action.kind === 'route' && action.gateways.join() === expect.route.join())) {
    failures.push(`expected route [${expect.route.join(', ')}], got ${got}`);
  }
  if (expect.splitOneOf !== undefined && !(action.kind === 'split' && sameMembers(Object.keys(action.weights), expect.splitOneOf))) {
    failures.push(`expected a split among [${expect.splitOneOf.join(', ')}], got ${got}`);
  }
  if (expect.optimize !== undefined && !(action.kind === 'optimize' && action.objective === expect.optimize)) {
    failures.push(`expected optimize ${expect.optimize}, got ${got}`);
  }
  if (expect.block !== undefined && !(action.kind === 'block' && action.code === expect.block)) {
    failures.push(`expected block ${expect.block}, got ${got}`);
  }
  return { name: testCase.name, passed: failures.length === 0, rule, failures };
}

function describeAction(action: RouteAction): string {
  switch (action.kind) {
    case 'route':
      return `route [${action.gateways.join(', ')}]`;
    case 'split':
      return `split → ${action.chosen} (${Object.entries(action.weights).map(([g, w]) => `${g} ${w}`).join(', ')})`;
    case 'optimize':
      return `optimize ${action.objective}${action.among === null ? '' : ` among [${action.among.join(', ')}]`}`;
    case 'block':
      return `block ${action.code}`;
  }
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function readCase(src: YamlSource, at: Located): RuleTestCase | undefined {
  const entries = src.map(at, 'a test case', CASE_FIELDS);
  if (entries === undefined) return undefined;
  const field = (key: string) => entries.find((e) => e.key === key)?.value;
  const nameAt = field('name');
  const expectAt = field('expect');
  if (nameAt === undefined || expectAt === undefined) return src.report(at.ref, 'a test case needs a `name` and an `expect`');
  const name = src.string(nameAt, 'the case `name`');
  if (name === undefined) return undefined;
  const txAt = field('transaction');
  const transaction = txAt === undefined ? defaultTransaction(name) : readTransaction(src, txAt, defaultTransaction(name));
  const expect = readExpectation(src, expectAt);
  if (transaction === undefined || expect === undefined) return undefined;
  return { name, at: at.ref, transaction, expect };
}

function readTransaction(src: YamlSource, at: Located, tx: RoutingTransaction): RoutingTransaction | undefined {
  const entries = src.map(at, 'the `transaction`', TX_FIELDS);
  if (entries === undefined) return undefined;
  const errorsBefore = src.errors.length;
  const oneOf = <T extends string>(value: Located, what: string, options: readonly T[]): T | undefined => {
    const text = src.string(value, what);
    const found = options.find((o) => o === text);
    if (text !== undefined && found === undefined) src.report(value.ref, `unknown ${what} '${text}': expected one of ${options.join(', ')}${suggestion(text, options)}`);
    return found;
  };
  const country = (value: Located, what: string) => {
    if (src.isNull(value)) return null;
    const text = src.string(value, what);
    if (text !== undefined && !/^[A-Z]{2}$/.test(text)) src.report(value.ref, `bad ${what} '${text}': expected an ISO 3166 alpha-2 code like US`);
    return text ?? null;
  };
  for (const { key, value } of entries) {
    if (key === 'payment_id') tx.paymentId = src.string(value, '`payment_id`') ?? tx.paymentId;
    else if (key === 'amount') tx.amount = src.integer(value, '`amount` (minor units)', 1) ?? tx.amount;
    else if (key === 'currency') {
      const code = src.string(value, '`currency`');
      if (code !== undefined && !isCurrency(code)) src.report(value.ref, `unknown currency '${code}': expected an ISO 4217 code`);
      tx.currency = code ?? tx.currency;
    } else if (key === 'payment_method') tx.paymentMethod = oneOf(value, 'payment method', PAYMENT_METHOD_TYPES) ?? tx.paymentMethod;
    else if (key === 'billing_country') tx.billingCountry = country(value, 'billing country');
    else if (key === 'capture_method') tx.captureMethod = oneOf(value, 'capture method', ['automatic', 'manual'] as const) ?? tx.captureMethod;
    else if (key === 'initiator') tx.initiator = oneOf(value, 'initiator', ['customer', 'merchant'] as const) ?? tx.initiator;
    else if (key === 'metadata') tx.metadata = readMetadata(src, value);
    else readCard(src, value, tx.card, oneOf, country);
  }
  return src.errors.length === errorsBefore ? tx : undefined;
}

function readCard(
  src: YamlSource,
  at: Located,
  card: RoutingTransaction['card'],
  oneOf: <T extends string>(value: Located, what: string, options: readonly T[]) => T | undefined,
  country: (value: Located, what: string) => string | null,
): void {
  for (const { key, value } of src.map(at, 'the `card`', CARD_FIELDS) ?? []) {
    if (key === 'network') card.network = oneOf(value, 'card network', CARD_NETWORKS) ?? card.network;
    else if (key === 'type') card.type = src.isNull(value) ? null : (oneOf(value, 'card type', ['credit', 'debit', 'prepaid'] as const) ?? card.type);
    else if (key === 'issuer_country') card.issuerCountry = country(value, 'issuer country');
    else {
      const bin = src.text(value, 'the card `bin`');
      if (bin !== undefined && !/^\d{6,8}$/.test(bin)) src.report(value.ref, `bad BIN '${bin}': expected 6–8 digits`);
      card.bin = bin ?? card.bin;
    }
  }
}

function readMetadata(src: YamlSource, at: Located): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const { key, value } of src.map(at, 'the `metadata`') ?? []) {
    const text = src.text(value, `metadata '${key}'`);
    if (text !== undefined) metadata[key] = text;
  }
  return metadata;
}

function readExpectation(src: YamlSource, at: Located): Expectation | undefined {
  if (!isMap(at.node)) return src.report(at.ref, '`expect` must be a mapping, like { route: [adyen, stripe] } or { rule: eu-high-value }');
  const entries = src.map(at, '`expect`', EXPECT_FIELDS);
  if (entries === undefined) return undefined;
  if (entries.length === 0) return src.report(at.ref, `\`expect\` needs at least one of ${EXPECT_FIELDS.join(', ')}`);
  const actions = entries.filter((e) => ACTION_EXPECTATIONS.includes(e.key));
  if (actions.length > 1) return src.report(actions[1]!.keyRef, `\`expect\` takes one action, got ${actions.map((e) => e.key).join(' and ')}`);
  const expect: Expectation = {};
  const errorsBefore = src.errors.length;
  const names = (value: Located, what: string) => {
    const items = src.list(value, what);
    if (items?.length === 0) src.report(value.ref, `${what} must name at least one gateway`);
    return items?.map((item) => src.string(item, 'a gateway name') ?? '');
  };
  for (const { key, value } of entries) {
    if (key === 'route') expect.route = names(value, '`route`');
    else if (key === 'split_one_of') expect.splitOneOf = names(value, '`split_one_of`');
    else if (key === 'block') expect.block = src.string(value, 'the expected block code');
    else if (key === 'optimize') {
      const objective = src.string(value, 'the expected objective');
      expect.optimize = OBJECTIVES.find((o) => o === objective);
      if (objective !== undefined && expect.optimize === undefined) {
        src.report(value.ref, `unknown objective '${objective}': expected ${OBJECTIVES.join(', ')}${suggestion(objective, OBJECTIVES)}`);
      }
    } else {
      const id = src.string(value, 'the expected rule id');
      if (id !== undefined) expect.rule = { id, at: value.ref };
    }
  }
  return src.errors.length === errorsBefore ? expect : undefined;
}
