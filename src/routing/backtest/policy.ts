import { firstChoice } from '../first-choice.js';
import { evaluate, type CompiledRuleset, type RouteAction } from '../rules/compile.js';
import type { RoutingTransaction } from '../rules/transaction.js';
import type { LoggedDecision } from './logged-decision.js';

const DEFAULT_ACTION: RouteAction = { kind: 'optimize', objective: 'expected_value', among: null };

/**
 * The probability each gateway would have gone first for a recorded payment under `ruleset`
 * (null: no active ruleset, the default optimize): the rules evaluated on the payment's facts,
 * against the gateways that were eligible then and the learner's estimates as the decision
 * logged them. A request that named its own gateways keeps them unless the rules block it.
 * Whatever is missing from 1 is the chance the payment would have been refused.
 */
export function firstChoiceUnder(ruleset: CompiledRuleset | null, tx: RoutingTransaction, logged: LoggedDecision): Map<string, number> {
  const action = ruleset ? evaluate(ruleset, tx).action : DEFAULT_ACTION;
  if (action.kind === 'block') return new Map();
  if (logged.source === 'explicit') return new Map([[logged.order[0]!, 1]]);
  const objective = action.kind === 'optimize' ? action.objective : 'expected_value';
  return firstChoice(action, objective, logged.eligible, tx.amount, null);
}

/** The most likely first gateway, or null for a refusal; ties go to the name first in order. */
export function likeliestFirst(choice: ReadonlyMap<string, number>): string | null {
  let best: string | null = null;
  let bestP = 0;
  for (const [gateway, p] of choice) {
    if (p > bestP || (p === bestP && best !== null && gateway < best)) {
      best = gateway;
      bestP = p;
    }
  }
  const refused = 1 - [...choice.values()].reduce((s, p) => s + p, 0);
  return refused > bestP ? null : best;
}
