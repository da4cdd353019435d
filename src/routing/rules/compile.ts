import { binMatches } from './bins.js';
import type { ActionSpec, Condition, Objective, Ruleset, SetField } from './ruleset.js';
import { shadowingErrors, gatewayErrors } from './validate.js';
import { sortErrors } from './parse.js';
import { formatError, type LocatedError } from './source.js';
import { splitBucket } from './split.js';
import type { RoutingTransaction } from './transaction.js';

export type RouteAction =
  | { kind: 'route'; gateways: string[] }
  | { kind: 'split'; chosen: string; weights: Record<string, number> }
  | { kind: 'optimize'; objective: Objective; among: string[] | null }
  | { kind: 'block'; code: string };

export interface Decision {
  /** The matching rule, or null when the default applied. */
  ruleId: string | null;
  /** Shared between decisions where possible: do not mutate. */
  action: RouteAction;
}

type Decide = (tx: RoutingTransaction) => RouteAction;

interface CompiledRule {
  id: string;
  matches: (tx: RoutingTransaction) => boolean;
  decide: Decide;
}

export interface CompiledRuleset {
  readonly rules: readonly CompiledRule[];
  readonly decideDefault: Decide;
}

export class RulesetError extends Error {
  constructor(readonly errors: readonly LocatedError[]) {
    super(`invalid ruleset:\n${errors.map(formatError).join('\n')}`);
    this.name = 'RulesetError';
  }
}

/** Turns a parsed ruleset into closures; throws RulesetError if it names unknown gateways or has unreachable rules. */
export function compile(ruleset: Ruleset, knownGateways: readonly string[]): CompiledRuleset {
  const errors = [...gatewayErrors(ruleset, knownGateways), ...shadowingErrors(ruleset.file, ruleset.rules)];
  if (errors.length > 0) throw new RulesetError(sortErrors(errors));
  return {
    rules: ruleset.rules.map((rule) => ({ id: rule.id, matches: matcher(rule.conditions), decide: decider(rule.then) })),
    decideDefault: decider(ruleset.default),
  };
}

/** First matching rule wins; the default applies when none matches. */
export function evaluate(compiled: CompiledRuleset, tx: RoutingTransaction): Decision {
  for (const rule of compiled.rules) {
    if (rule.matches(tx)) return { ruleId: rule.id, action: rule.decide(tx) };
  }
  return { ruleId: null, action: compiled.decideDefault(tx) };
}

function decider(spec: ActionSpec): Decide {
  switch (spec.kind) {
    case 'route': {
      const action: RouteAction = Object.freeze({ kind: 'route', gateways: Object.freeze(spec.gateways.map((g) => g.name)) as string[] });
      return () => action;
    }
    case 'optimize': {
      const among = spec.among === null ? null : (Object.freeze(spec.among.map((g) => g.name)) as string[]);
      const action: RouteAction = Object.freeze({ kind: 'optimize', objective: spec.objective, among });
      return () => action;
    }
    case 'block': {
      const action: RouteAction = Object.freeze({ kind: 'block', code: spec.code });
      return () => action;
    }
    case 'split': {
      const weights: Record<string, number> = Object.freeze(Object.fromEntries(spec.weights.map((w) => [w.gateway.name, w.weight])));
      // a 100-entry lookup table: bucket b (0–99) goes to the gateway covering b in cumulative weight order
      const byBucket: string[] = [];
      for (const { gateway, weight } of spec.weights) for (let i = 0; i < weight; i++) byBucket.push(gateway.name);
      return (tx) => ({ kind: 'split', chosen: byBucket[splitBucket(tx.paymentId)]!, weights });
    }
  }
}

function matcher(conditions: readonly Condition[]): (tx: RoutingTransaction) => boolean {
  const tests = conditions.map(conditionTest);
  return (tx) => {
    for (const test of tests) if (!test(tx)) return false;
    return true;
  };
}

const FIELD_VALUE: Record<SetField, (tx: RoutingTransaction) => string | null> = {
  currency: (tx) => tx.currency,
  'country.billing': (tx) => tx.billingCountry,
  'country.issuer': (tx) => tx.card.issuerCountry,
  payment_method: (tx) => tx.paymentMethod,
  'card.network': (tx) => tx.card.network,
  'card.type': (tx) => tx.card.type,
  capture_method: (tx) => tx.captureMethod,
  initiator: (tx) => tx.initiator,
};

function conditionTest(condition: Condition): (tx: RoutingTransaction) => boolean {
  switch (condition.kind) {
    case 'set': {
      const { values, negated } = condition;
      const value = FIELD_VALUE[condition.field];
      return (tx) => values.has(value(tx)) !== negated;
    }
    case 'amount': {
      const { currency, min, max } = condition;
      return (tx) => tx.currency === currency && tx.amount >= min && tx.amount <= max;
    }
    case 'bin': {
      const { intervals, negated } = condition;
      // A payment without a BIN (a wallet's number is inside its token) matches no BIN condition, negated or not.
      return (tx) => tx.card.bin !== null && binMatches(intervals, tx.card.bin) !== negated;
    }
    case 'metadata': {
      const { key, values, prefixes, negated } = condition;
      return (tx) => {
        const value = Object.hasOwn(tx.metadata, key) ? tx.metadata[key] : undefined;
        const found = value !== undefined && (values.has(value) || prefixes.some((p) => value.startsWith(p)));
        return found !== negated;
      };
    }
  }
}
