import type { ActionSpec, GatewayRef, Rule, Ruleset } from './ruleset.js';
import { shadowingRule } from './shadowing.js';
import { errorAt, suggestion, type LocatedError, type SourceRef } from './source.js';

/** Every gateway an action names, in order. */
export function actionGateways(action: ActionSpec): readonly GatewayRef[] {
  switch (action.kind) {
    case 'route':
      return action.gateways;
    case 'split':
      return action.weights.map((w) => w.gateway);
    case 'optimize':
      return action.among ?? [];
    case 'block':
      return [];
  }
}

/** Unknown gateway names, and actions left with no known gateway. */
export function gatewayErrors(ruleset: Ruleset, knownGateways: readonly string[]): LocatedError[] {
  const actions = [...ruleset.rules.map((r) => r.then), ruleset.default];
  return actions.flatMap((action) => checkGateways(ruleset.file, action.kind, action.at, actionGateways(action), knownGateways));
}

export function checkGateways(
  file: string,
  actionKind: ActionSpec['kind'],
  actionAt: SourceRef,
  named: readonly GatewayRef[],
  knownGateways: readonly string[],
): LocatedError[] {
  const unknown = named.filter((g) => !knownGateways.includes(g.name));
  const known = knownGateways.length === 0 ? 'none are known' : `known: ${knownGateways.join(', ')}`;
  const errors = unknown.map((g) => errorAt(file, g.at, `unknown gateway '${g.name}'${suggestion(g.name, knownGateways)} (${known})`));
  if (named.length > 0 && unknown.length === named.length) {
    errors.push(errorAt(file, actionAt, `\`${actionKind}\` has no known gateway left to choose from`));
  }
  return errors;
}

/** Rules that can never match because an earlier rule matches everything they match. */
export function shadowingErrors(file: string, rules: readonly Rule[]): LocatedError[] {
  const errors: LocatedError[] = [];
  rules.forEach((rule, index) => {
    const shadow = shadowingRule(rule, rules.slice(0, index));
    if (shadow !== undefined) {
      const reason = shadow.conditions.length === 0 ? 'has no conditions' : 'matches every transaction this rule matches';
      errors.push(errorAt(file, rule.at, `rule '${rule.id}' can never match: the earlier rule '${shadow.id}' (line ${shadow.at.line}) ${reason}`));
    }
  });
  return errors;
}
